/**
 * Every failed request becomes an ApiError with a message a person can act on.
 *
 * The platform answers errors as `{"detail", "code", "errors": {field: [messages]}}`;
 * field messages are shown beside their fields, the rest as one plain-language message.
 */

export type FieldErrors = Record<string, string[]>;

/** Errors that belong to the whole form rather than to one field. */
export const FORM_ERRORS_KEY = "non_field_errors";

const PLAIN_MESSAGES: Record<number, string> = {
  0: "We couldn't reach the platform. Check your connection, then try again.",
  400: "Some of the information needs correcting.",
  401: "Your session has ended. Please sign in again.",
  403: "You don't have permission to do this.",
  404: "We couldn't find this. It may have been removed, or you may not have access to it.",
  409: "This has changed since you opened it, or the action isn't possible any more. Reload to see the latest, then try again.",
  429: "Too many attempts in a short time. Wait a minute, then try again.",
};
const SERVER_FAULT = "Something went wrong on our side, and nothing was saved. Try again in a moment.";
const UNEXPECTED = "The request didn't work. Try again in a moment.";

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  /** The platform's own explanation, when it gave one. */
  readonly detail: string;
  readonly fieldErrors: FieldErrors;

  constructor(status: number, code: string, detail: string, fieldErrors: FieldErrors = {}) {
    super(plainMessage(status));
    this.name = "ApiError";
    this.status = status;
    this.code = code;
    this.detail = detail;
    this.fieldErrors = fieldErrors;
  }

  /** Messages for one field (or for the whole form with FORM_ERRORS_KEY). */
  errorsFor(field: string): string[] {
    return this.fieldErrors[field] ?? [];
  }

  get isSignedOut(): boolean {
    return this.status === 401;
  }
}

export function plainMessage(status: number): string {
  if (status >= 500) return SERVER_FAULT;
  return PLAIN_MESSAGES[status] ?? UNEXPECTED;
}

/** Build the error for a response; `body` is what the client parsed (JSON, text or nothing). */
export function toApiError(status: number, body: unknown): ApiError {
  if (!isRecord(body)) return new ApiError(status, "error", "");
  const detail = typeof body.detail === "string" ? body.detail : "";
  const code = typeof body.code === "string" ? body.code : "error";
  const fieldErrors = isRecord(body.errors) ? flattenErrors(body.errors) : {};
  return new ApiError(status, code, detail, fieldErrors);
}

export function networkError(): ApiError {
  return new ApiError(0, "network", "");
}

/**
 * Nested serializer errors (`{"contact": {"email": [...]}}`, lists of objects) become
 * dotted keys (`contact.email`, `items.0.name`) so each can sit beside its own field.
 */
export function flattenErrors(errors: Record<string, unknown>, prefix = ""): FieldErrors {
  const flat: FieldErrors = {};
  for (const [key, value] of Object.entries(errors)) {
    const name = prefix ? `${prefix}.${key}` : key;
    if (typeof value === "string") {
      (flat[name] ??= []).push(value);
    } else if (Array.isArray(value)) {
      value.forEach((item, index) => {
        if (typeof item === "string") (flat[name] ??= []).push(item);
        else if (isRecord(item)) Object.assign(flat, flattenErrors(item, `${name}.${index}`));
      });
    } else if (isRecord(value)) {
      Object.assign(flat, flattenErrors(value, name));
    }
  }
  return flat;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
