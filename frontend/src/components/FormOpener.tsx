import { useState, type ReactNode } from "react";

/**
 * A button that opens a form in its place. The form is given `done`, which closes it and passes
 * on what to tell the person, and `cancel`, which only closes it. `notify` (when given) is told
 * "" as the form opens, clearing the last message, and the form's message when it is done.
 */
export function FormOpener({
  label,
  small = false,
  notify,
  children,
}: {
  label: ReactNode;
  small?: boolean;
  notify?: (message: string) => void;
  children: (form: { done: (message?: string) => void; cancel: () => void }) => ReactNode;
}) {
  const [open, setOpen] = useState(false);
  if (open) {
    const cancel = () => setOpen(false);
    const done = (message?: string) => {
      setOpen(false);
      if (message !== undefined) notify?.(message);
    };
    return <>{children({ done, cancel })}</>;
  }
  return (
    <button
      type="button"
      className={small ? "button button--small" : "button"}
      onClick={() => {
        notify?.("");
        setOpen(true);
      }}
    >
      {label}
    </button>
  );
}

/** A form's last row: send it (saying so while it is sent), or leave it for now. */
export function FormFooter({
  label,
  pendingLabel,
  pending,
  danger = false,
  onCancel,
}: {
  label: string;
  pendingLabel: string;
  pending: boolean;
  danger?: boolean;
  onCancel: () => void;
}) {
  return (
    <div className="action-bar">
      <button type="submit" className={danger ? "button button--danger" : "button button--primary"} disabled={pending}>
        {pending ? pendingLabel : label}
      </button>
      <button type="button" className="button button--quiet" onClick={onCancel}>
        Not now
      </button>
    </div>
  );
}
