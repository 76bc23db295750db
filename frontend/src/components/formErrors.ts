import { ApiError } from "../api/errors";

/**
 * The server's messages for one field, including those of its parts (`languages.0`,
 * `acknowledgement_hours.immediate` when asked for `acknowledgement_hours`), to show beside it.
 */
export function errorsFor(error: unknown, field: string): string[] | undefined {
  if (!(error instanceof ApiError)) return undefined;
  const messages = Object.entries(error.fieldErrors)
    .filter(([name]) => name === field || name.startsWith(`${field}.`))
    .flatMap(([, list]) => list);
  return messages.length ? messages : undefined;
}

/** A whole number typed into a box; anything else goes to the server as typed, to be refused there. */
export function wholeNumber(typed: string): number {
  const trimmed = typed.trim();
  return (/^[0-9]+$/.test(trimmed) ? Number(trimmed) : trimmed) as number;
}

/** An optional whole number: an empty box means "none". */
export function optionalNumber(typed: string): number | null {
  return typed.trim() === "" ? null : wholeNumber(typed);
}
