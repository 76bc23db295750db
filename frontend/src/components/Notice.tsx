/**
 * Where a panel says what just happened ("The action is updated."): always there, empty until
 * then, so screen readers announce each new message.
 */
export function NoticeSlot({ notice }: { notice: string }) {
  return (
    <p role="status" className="notice-slot">
      {notice}
    </p>
  );
}
