import { useEffect, useRef } from "react";

import { ApiError, FORM_ERRORS_KEY } from "../api/errors";

/** Statuses where the platform's own words add something a person can act on. */
const EXPLAINED_STATUSES = new Set([401, 403, 409, 429]);

export function explanation(error: ApiError): string | null {
  if (!error.detail || error.detail === error.message) return null;
  // A CSRF refusal survives only after a fresh token was tried: not the person's doing.
  if (error.detail.startsWith("CSRF")) return null;
  return EXPLAINED_STATUSES.has(error.status) ? error.detail : null;
}

function asApiError(error: unknown): ApiError {
  return error instanceof ApiError ? error : new ApiError(-1, "error", "");
}

/**
 * What went wrong with a form, at its top: the plain-language message, the form-wide
 * messages, and each field's message (also shown beside the field). It takes focus so
 * keyboard and screen reader users land on it.
 */
export function FormProblem({
  error,
  fieldLabels = {},
}: {
  error: unknown;
  fieldLabels?: Record<string, string>;
}) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (error) ref.current?.focus();
  }, [error]);
  if (!error) return null;
  const problem = asApiError(error);
  const formErrors = problem.errorsFor(FORM_ERRORS_KEY);
  const fieldErrors = Object.entries(problem.fieldErrors).filter(
    ([field]) => field !== FORM_ERRORS_KEY,
  );
  const detail = explanation(problem);
  return (
    <div className="problem" role="alert" tabIndex={-1} ref={ref}>
      <h2 className="problem__title">{problem.message}</h2>
      {detail ? <p>{detail}</p> : null}
      {problem.isSignedOut ? (
        <p>
          <a href="/sign-in" target="_blank" rel="noopener">
            Sign in again in a new tab
          </a>
          , then come back here and try again: what you typed is still here.
        </p>
      ) : null}
      {formErrors.length || fieldErrors.length ? (
        <ul>
          {formErrors.map((message) => (
            <li key={message}>{message}</li>
          ))}
          {fieldErrors.map(([field, messages]) => (
            <li key={field}>
              {fieldLabels[field] ?? field}: {messages.join(" ")}
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}

/** A failed load: the plain-language message, and what the platform said when it helps. */
export function LoadProblem({ error }: { error: unknown }) {
  const problem = asApiError(error);
  const detail = explanation(problem);
  return (
    <div className="problem" role="alert">
      <p className="problem__title">{problem.message}</p>
      {detail ? <p>{detail}</p> : null}
    </div>
  );
}
