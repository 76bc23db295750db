/**
 * Groups of checkboxes and radio buttons: a fieldset whose legend names the question, with
 * the hint and the server's messages tied to the group so screen readers announce them.
 */
import { useId, type ReactNode } from "react";

import "./Choices.css";

export interface Choice<T extends string> {
  value: T;
  label: string;
  hint?: string;
}

interface GroupProps {
  legend: string;
  /** The field name the server's messages come under. */
  name: string;
  errors?: string[];
  hint?: ReactNode;
  required?: boolean;
}

function Group({
  legend,
  errors,
  hint,
  required,
  ids,
  children,
}: GroupProps & { ids: { hintId?: string; errorId?: string; describedBy?: string }; children: ReactNode }) {
  return (
    <fieldset
      className={errors?.length ? "choices field field--invalid" : "choices field"}
      aria-describedby={ids.describedBy}
    >
      <legend className="field__label">
        {legend}
        {required ? null : <span className="field__optional"> (optional)</span>}
      </legend>
      {hint ? (
        <p id={ids.hintId} className="field__hint">
          {hint}
        </p>
      ) : null}
      {errors?.length ? (
        <ul id={ids.errorId} className="field__errors">
          {errors.map((message) => (
            <li key={message}>
              <span className="visually-hidden">Error:</span> {message}
            </li>
          ))}
        </ul>
      ) : null}
      <div className="choices__options">{children}</div>
    </fieldset>
  );
}

function useGroupIds(errors: string[] | undefined, hint: ReactNode) {
  const id = useId();
  const hintId = hint ? `${id}-hint` : undefined;
  const errorId = errors?.length ? `${id}-error` : undefined;
  const describedBy = [hintId, errorId].filter(Boolean).join(" ") || undefined;
  return { id, hintId, errorId, describedBy };
}

export function CheckboxGroup<T extends string>({
  options,
  value,
  onChange,
  ...group
}: GroupProps & {
  options: readonly Choice<T>[];
  value: readonly T[];
  onChange: (value: T[]) => void;
}) {
  const ids = useGroupIds(group.errors, group.hint);
  const toggle = (option: T, checked: boolean) => {
    const chosen = new Set(value);
    if (checked) chosen.add(option);
    else chosen.delete(option);
    // Keep the options' own order, whatever order they were ticked in.
    onChange(options.map((o) => o.value).filter((v) => chosen.has(v)));
  };
  return (
    <Group {...group} ids={ids}>
      {options.map((option) => (
        <div className="choice" key={option.value}>
          <input
            type="checkbox"
            id={`${ids.id}-${option.value}`}
            name={group.name}
            value={option.value}
            checked={value.includes(option.value)}
            onChange={(event) => toggle(option.value, event.target.checked)}
          />
          <label htmlFor={`${ids.id}-${option.value}`}>
            {option.label}
            {option.hint ? <span className="choice__hint"> {option.hint}</span> : null}
          </label>
        </div>
      ))}
    </Group>
  );
}

export function RadioGroup<T extends string>({
  options,
  value,
  onChange,
  ...group
}: GroupProps & {
  options: readonly Choice<T>[];
  value: T | "";
  onChange: (value: T) => void;
}) {
  const ids = useGroupIds(group.errors, group.hint);
  return (
    <Group {...group} ids={ids}>
      {options.map((option) => (
        <div className="choice" key={option.value}>
          <input
            type="radio"
            id={`${ids.id}-${option.value}`}
            name={`${ids.id}-${group.name}`}
            value={option.value}
            checked={value === option.value}
            required={group.required}
            onChange={() => onChange(option.value)}
          />
          <label htmlFor={`${ids.id}-${option.value}`}>
            {option.label}
            {option.hint ? <span className="choice__hint"> {option.hint}</span> : null}
          </label>
        </div>
      ))}
    </Group>
  );
}

/** One yes/no box, e.g. "Still offered". */
export function Checkbox({
  label,
  name,
  checked,
  onChange,
  hint,
}: {
  label: string;
  name: string;
  checked: boolean;
  onChange: (checked: boolean) => void;
  hint?: string;
}) {
  const id = useId();
  return (
    <div className="choice field">
      <input
        type="checkbox"
        id={id}
        name={name}
        checked={checked}
        aria-describedby={hint ? `${id}-hint` : undefined}
        onChange={(event) => onChange(event.target.checked)}
      />
      <label htmlFor={id}>{label}</label>
      {hint ? (
        <p id={`${id}-hint`} className="field__hint choice__below">
          {hint}
        </p>
      ) : null}
    </div>
  );
}

/** Labelled options from a code → words table, in the table's order. */
export function choicesFrom<T extends string>(labels: Record<T, string>): Choice<T>[] {
  return (Object.entries(labels) as [T, string][]).map(([value, label]) => ({ value, label }));
}
