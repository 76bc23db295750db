import { useId, type ChangeEvent, type ReactNode } from "react";

interface BaseProps {
  label: string;
  name: string;
  value: string;
  onChange: (value: string) => void;
  /** Messages from the server for this field, shown beside it. */
  errors?: string[];
  hint?: ReactNode;
  required?: boolean;
}

interface TextFieldProps extends BaseProps {
  type?: "text" | "email" | "password" | "tel" | "url" | "number" | "date" | "datetime-local" | "search";
  autoComplete?: string;
  multiline?: boolean;
}

/** The ids tie label, hint and error to the control, so screen readers announce them together. */
function useFieldIds(errors: string[] | undefined, hint: ReactNode) {
  const id = useId();
  const hintId = hint ? `${id}-hint` : undefined;
  const errorId = errors?.length ? `${id}-error` : undefined;
  const describedBy = [hintId, errorId].filter(Boolean).join(" ") || undefined;
  return { id, hintId, errorId, describedBy };
}

function FieldFrame({
  id,
  label,
  required,
  hint,
  hintId,
  errors,
  errorId,
  children,
}: {
  id: string;
  label: string;
  required?: boolean;
  hint: ReactNode;
  hintId?: string;
  errors?: string[];
  errorId?: string;
  children: ReactNode;
}) {
  return (
    <div className={errors?.length ? "field field--invalid" : "field"}>
      <label htmlFor={id} className="field__label">
        {label}
        {required ? null : <span className="field__optional"> (optional)</span>}
      </label>
      {hint ? (
        <p id={hintId} className="field__hint">
          {hint}
        </p>
      ) : null}
      {errors?.length ? (
        <ul id={errorId} className="field__errors">
          {errors.map((message) => (
            <li key={message}>
              <span className="visually-hidden">Error:</span> {message}
            </li>
          ))}
        </ul>
      ) : null}
      {children}
    </div>
  );
}

export function TextField({
  label,
  name,
  value,
  onChange,
  errors,
  hint,
  required = false,
  type = "text",
  autoComplete,
  multiline = false,
}: TextFieldProps) {
  const { id, hintId, errorId, describedBy } = useFieldIds(errors, hint);
  const common = {
    id,
    name,
    value,
    required,
    "aria-invalid": errors?.length ? true : undefined,
    "aria-describedby": describedBy,
    onChange: (event: ChangeEvent<HTMLInputElement | HTMLTextAreaElement>) =>
      onChange(event.target.value),
  };
  return (
    <FieldFrame {...{ id, label, required, hint, hintId, errors, errorId }}>
      {multiline ? (
        <textarea {...common} rows={4} autoComplete={autoComplete} />
      ) : (
        <input {...common} type={type} autoComplete={autoComplete} />
      )}
    </FieldFrame>
  );
}

interface SelectFieldProps extends BaseProps {
  options: { value: string; label: string }[];
  placeholder?: string;
}

export function SelectField({
  label,
  name,
  value,
  onChange,
  errors,
  hint,
  required = false,
  options,
  placeholder,
}: SelectFieldProps) {
  const { id, hintId, errorId, describedBy } = useFieldIds(errors, hint);
  return (
    <FieldFrame {...{ id, label, required, hint, hintId, errors, errorId }}>
      <select
        id={id}
        name={name}
        value={value}
        required={required}
        aria-invalid={errors?.length ? true : undefined}
        aria-describedby={describedBy}
        onChange={(event) => onChange(event.target.value)}
      >
        {placeholder !== undefined ? <option value="">{placeholder}</option> : null}
        {options.map((option) => (
          <option key={option.value} value={option.value}>
            {option.label}
          </option>
        ))}
      </select>
    </FieldFrame>
  );
}
