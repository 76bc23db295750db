/** Helpers for tests of large forms in jsdom, which re-render on every keystroke. */
import userEvent from "@testing-library/user-event";

/** Enter a whole answer at once: the form re-renders once, not once a letter. */
export async function fill(field: HTMLElement, text: string): Promise<void> {
  await userEvent.click(field);
  await userEvent.paste(text);
}

/** Time for a test that drives a large form in a simulated browser on a slow machine. */
export const FORM_TIMEOUT = 20_000;
