/**
 * The ordered steps of a pathway: add services, set each one's response time, move steps up
 * and down, remove them. Keyboard operable throughout: after a move, focus stays on the step
 * that moved, and a live region says where it went.
 */
import { useEffect, useId, useRef, useState } from "react";

import type { Schemas } from "../api/client";
import { ApiError } from "../api/errors";
import { SelectField, TextField } from "../components/Field";
import { errorsFor } from "../components/formErrors";
import { useServices } from "./queries";

export interface StepDraft {
  /** Stable while the step exists, whatever its position. */
  key: string;
  service: { id: number; name: string; agency: string };
  response_hours: string;
  note: string;
}

type Direction = "up" | "down";

/** The steps with the one at `index` moved one place; unchanged at either end. */
export function moveStep(steps: readonly StepDraft[], index: number, direction: Direction): StepDraft[] {
  const target = direction === "up" ? index - 1 : index + 1;
  if (target < 0 || target >= steps.length) return [...steps];
  const moved = [...steps];
  [moved[index], moved[target]] = [moved[target]!, moved[index]!];
  return moved;
}

export function stepsFrom(pathwaySteps: readonly Schemas["PathwayStep"][]): StepDraft[] {
  return pathwaySteps.map((step) => ({
    key: `service-${step.service.id}`,
    service: { id: step.service.id, name: step.service.name, agency: step.service.agency.name },
    response_hours: String(step.response_hours),
    note: step.note,
  }));
}

const DEFAULT_RESPONSE_HOURS = "24";

export function StepEditor({
  steps,
  onChange,
  error,
}: {
  steps: StepDraft[];
  onChange: (steps: StepDraft[]) => void;
  /** The failed save, whose messages for `steps.N.field` appear beside each step. */
  error: unknown;
}) {
  const [announcement, setAnnouncement] = useState("");
  const buttons = useRef(new Map<string, HTMLButtonElement>());
  const [focusNext, setFocusNext] = useState<{ key: string; direction: Direction } | null>(null);
  const listRef = useRef<HTMLDivElement>(null);
  const headingId = useId();

  useEffect(() => {
    if (!focusNext) return;
    const { key, direction } = focusNext;
    const same = buttons.current.get(`${key}-${direction}`);
    const other = buttons.current.get(`${key}-${direction === "up" ? "down" : "up"}`);
    // At either end the same button is disabled: the other one keeps focus on the step.
    (same && !same.disabled ? same : other)?.focus();
    setFocusNext(null);
  }, [focusNext]);

  const move = (index: number, direction: Direction) => {
    const moved = moveStep(steps, index, direction);
    const step = steps[index]!;
    onChange(moved);
    setAnnouncement(`${step.service.name} is now step ${moved.indexOf(step) + 1} of ${moved.length}.`);
    setFocusNext({ key: step.key, direction });
  };
  const remove = (index: number) => {
    const step = steps[index]!;
    onChange(steps.filter((_, i) => i !== index));
    setAnnouncement(`${step.service.name} removed from the pathway.`);
    listRef.current?.focus();
  };
  const update = (index: number, field: "response_hours" | "note", value: string) =>
    onChange(steps.map((step, i) => (i === index ? { ...step, [field]: value } : step)));
  const add = (step: StepDraft) => {
    onChange([...steps, step]);
    setAnnouncement(`${step.service.name} added as step ${steps.length + 1}.`);
  };
  // Messages about the list as a whole; those for one step appear beside that step.
  const listErrors = error instanceof ApiError ? error.errorsFor("steps") : [];

  return (
    <section aria-labelledby={headingId} className="step-editor">
      <h2 id={headingId}>Steps, in order</h2>
      <p className="field__hint">
        The services to refer to for this situation, first to last, and within how many hours each
        should respond.
      </p>
      {listErrors.length ? (
        <ul className="field__errors">
          {listErrors.map((message) => (
            <li key={message}>
              <span className="visually-hidden">Error:</span> {message}
            </li>
          ))}
        </ul>
      ) : null}
      <p role="status" className="visually-hidden">
        {announcement}
      </p>
      <div ref={listRef} tabIndex={-1}>
      {steps.length ? (
        <ol className="steps">
          {steps.map((step, index) => (
            <li key={step.key} className="step">
              <span className="step__number" aria-hidden="true">
                {index + 1}
              </span>
              <div className="step__body">
                <p className="step__name">
                  <span className="visually-hidden">Step {index + 1}: </span>
                  {step.service.name}
                </p>
                <p className="step__meta">{step.service.agency}</p>
                <div className="step-editor__fields">
                  <TextField
                    label={`Response time for ${step.service.name} (hours)`}
                    name={`steps.${index}.response_hours`}
                    type="number"
                    value={step.response_hours}
                    onChange={(value) => update(index, "response_hours", value)}
                    required
                    errors={errorsFor(error, `steps.${index}.response_hours`)}
                  />
                  <TextField
                    label={`Note for ${step.service.name}`}
                    name={`steps.${index}.note`}
                    value={step.note}
                    onChange={(value) => update(index, "note", value)}
                    errors={errorsFor(error, `steps.${index}.note`)}
                  />
                </div>
                {errorsFor(error, `steps.${index}.service`)?.map((message) => (
                  <p key={message} className="field__errors">
                    {message}
                  </p>
                ))}
                <div className="actions">
                  <button
                    type="button"
                    className="button button--small"
                    ref={(node) => register(buttons.current, `${step.key}-up`, node)}
                    disabled={index === 0}
                    aria-label={`Move up: ${step.service.name}`}
                    onClick={() => move(index, "up")}
                  >
                    Move up
                  </button>
                  <button
                    type="button"
                    className="button button--small"
                    ref={(node) => register(buttons.current, `${step.key}-down`, node)}
                    disabled={index === steps.length - 1}
                    aria-label={`Move down: ${step.service.name}`}
                    onClick={() => move(index, "down")}
                  >
                    Move down
                  </button>
                  <button
                    type="button"
                    className="button button--small button--quiet"
                    aria-label={`Remove: ${step.service.name}`}
                    onClick={() => remove(index)}
                  >
                    Remove
                  </button>
                </div>
              </div>
            </li>
          ))}
        </ol>
      ) : (
        <p>No steps yet.</p>
      )}
      </div>
      <AddStep taken={steps.map((step) => step.service.id)} onAdd={add} />
    </section>
  );
}

function register(map: Map<string, HTMLButtonElement>, key: string, node: HTMLButtonElement | null) {
  if (node) map.set(key, node);
  else map.delete(key);
}

function AddStep({ taken, onAdd }: { taken: number[]; onAdd: (step: StepDraft) => void }) {
  const [words, setWords] = useState("");
  const [chosen, setChosen] = useState("");
  const [responseHours, setResponseHours] = useState(DEFAULT_RESPONSE_HOURS);
  const [problem, setProblem] = useState("");
  const services = useServices({ is_active: true, page_size: 100, ...(words.trim() ? { search: words.trim() } : {}) });
  const offered = (services.data?.results ?? []).filter((service) => !taken.includes(service.id));

  const addChosen = () => {
    const service = offered.find((candidate) => String(candidate.id) === chosen);
    if (!service) {
      setProblem("Choose a service to add.");
      return;
    }
    setProblem("");
    onAdd({
      key: `service-${service.id}`,
      service: { id: service.id, name: service.name, agency: service.agency.name },
      response_hours: responseHours,
      note: "",
    });
    setChosen("");
  };

  return (
    <div className="step-editor__add" role="group" aria-label="Add a step">
      <TextField label="Find a service" name="step-search" type="search" value={words} onChange={setWords} hint="Words in its name or description" />
      <SelectField
        label="Service to add"
        name="step-service"
        value={chosen}
        onChange={(value) => {
          setChosen(value);
          setProblem("");
        }}
        options={offered.map((service) => ({ value: String(service.id), label: `${service.name} (${service.agency.name})` }))}
        placeholder={services.isPending ? "Loading services…" : offered.length ? "Choose a service" : "No services match"}
        errors={problem ? [problem] : undefined}
      />
      <TextField label="Its response time (hours)" name="step-hours" type="number" value={responseHours} onChange={setResponseHours} />
      <div className="field">
        <button type="button" className="button" onClick={addChosen}>
          Add step
        </button>
      </div>
    </div>
  );
}
