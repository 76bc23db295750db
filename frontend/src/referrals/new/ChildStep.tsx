import { useState, type Dispatch, type KeyboardEvent } from "react";

import { api, unwrap, type Schemas } from "../../api/client";
import { RadioGroup } from "../../components/Choices";
import { TextField } from "../../components/Field";
import { LoadProblem } from "../../components/Problem";
import { formatDate } from "../../labels";
import {
  childBody,
  EMPTY_CHILD,
  type ChildMode,
  type ChosenChild,
  type DraftAction,
  type NewChildDetails,
  type ReferralDraft,
} from "../draft";
import { StepFrame, useStepSubmit } from "./StepFrame";

const MODES = [
  { value: "existing", label: "Already on record", hint: "Find them by their reference, such as C-7K3F9Q." },
  { value: "new", label: "New to the platform", hint: "Record what you know; every detail is optional." },
  { value: "anonymous", label: "Anonymous", hint: "No details yet: the record can be completed later." },
] satisfies { value: ChildMode; label: string; hint: string }[];

const DETAIL_LABELS: Record<keyof NewChildDetails, string> = {
  given_name: "Given name",
  family_name: "Family name",
  preferred_name: "Preferred name",
  date_of_birth: "Date of birth",
  gender: "Gender",
  languages: "Languages",
};

const FIELD_LABELS: Record<string, string> = {
  ...DETAIL_LABELS,
  child_mode: "The child",
  reference: "Reference",
};

function chosen(child: Schemas["Child"]): ChosenChild {
  return { id: child.id, reference: child.reference, date_of_birth: child.date_of_birth ?? null };
}

export function ChildStep({
  draft,
  dispatch,
  number,
  focus,
  next,
}: {
  draft: ReferralDraft;
  dispatch: Dispatch<DraftAction>;
  number: number;
  focus: boolean;
  next: () => void;
}) {
  const { problem, busy, submit, errorsFor } = useStepSubmit("child", draft, next);
  const [duplicate, setDuplicate] = useState<Schemas["PossibleDuplicate"] | null>(null);

  if (draft.referralId && draft.child) {
    return (
      <StepFrame step="child" number={number} focus={focus} problem={null} onContinue={next}>
        <p>
          The draft referral is for the child with reference <strong>{draft.child.reference}</strong>.
          It stays about this child.
        </p>
      </StepFrame>
    );
  }

  /** A new or anonymous child gets a record now: consent and sharing are about a record. */
  const save = async (): Promise<boolean> => {
    if (draft.childMode === "existing") return true;
    const details = draft.childMode === "new" ? draft.newChild : EMPTY_CHILD;
    const saved = draft.savedChild
      ? await unwrap(
          api.PATCH("/api/v1/children/{id}/", {
            params: { path: { id: draft.savedChild.id } },
            body: childBody(details, true),
          }),
        )
      : await unwrap(api.POST("/api/v1/children/", { body: childBody(details) }));
    dispatch({ type: "savedChild", child: chosen(saved) });
    if (saved.possible_duplicate) {
      setDuplicate(saved.possible_duplicate);
      return false;
    }
    return true;
  };

  return (
    <StepFrame
      step="child"
      number={number}
      focus={focus}
      problem={problem}
      fieldLabels={FIELD_LABELS}
      busy={busy}
      onContinue={() => {
        if (duplicate) {
          // Warned, and nothing changed since: going on with the saved record is a choice.
          setDuplicate(null);
          next();
          return;
        }
        void submit(save);
      }}
    >
      <RadioGroup
        legend="Is the child already on record?"
        name="child_mode"
        options={MODES}
        value={draft.childMode ?? ""}
        onChange={(mode) => {
          setDuplicate(null);
          dispatch({ type: "chooseChildMode", mode });
        }}
        errors={errorsFor("child_mode")}
        required
      />
      {draft.childMode === "existing" ? (
        <FindChild draft={draft} dispatch={dispatch} errors={errorsFor("reference")} />
      ) : null}
      {draft.childMode === "new" ? (
        <NewChildFields
          details={draft.newChild}
          onEdit={(field, value) => {
            setDuplicate(null);
            dispatch({ type: "editNewChild", field, value });
          }}
          errorsFor={errorsFor}
        />
      ) : null}
      {duplicate ? (
        <div className="notice notice--warning" role="alert">
          <p>{duplicate.message}</p>
          {duplicate.references.length ? (
            <p>
              Earlier record{duplicate.references.length > 1 ? "s" : ""}:{" "}
              <strong>{duplicate.references.join(", ")}</strong>. If it is the same child, choose
              “Already on record” and use that reference instead.
            </p>
          ) : null}
          <p>To go on with the record you just saved, press Continue.</p>
        </div>
      ) : null}
      {draft.savedChild && draft.childMode !== "existing" ? (
        <p className="field__hint">
          Saved as <strong>{draft.savedChild.reference}</strong>. Changes you make here update that
          record.
        </p>
      ) : null}
    </StepFrame>
  );
}

function NewChildFields({
  details,
  onEdit,
  errorsFor,
}: {
  details: NewChildDetails;
  onEdit: (field: keyof NewChildDetails, value: string) => void;
  errorsFor: (field: string) => string[] | undefined;
}) {
  const field = (name: keyof NewChildDetails, extra: Partial<Parameters<typeof TextField>[0]> = {}) => (
    <TextField
      label={DETAIL_LABELS[name]}
      name={name}
      value={details[name]}
      onChange={(value) => onEdit(name, value)}
      autoComplete="off"
      errors={errorsFor(name)}
      {...extra}
    />
  );
  return (
    <div className="subform">
      <div className="form__row">
        {field("given_name")}
        {field("family_name")}
      </div>
      <div className="form__row">
        {field("preferred_name", { hint: "What they like to be called, if different." })}
        {field("date_of_birth", { type: "date" })}
      </div>
      <div className="form__row">
        {field("gender", { hint: "In their own words." })}
        {field("languages", { hint: "Separate several with commas." })}
      </div>
    </div>
  );
}

function FindChild({
  draft,
  dispatch,
  errors,
}: {
  draft: ReferralDraft;
  dispatch: Dispatch<DraftAction>;
  errors?: string[];
}) {
  const [reference, setReference] = useState(draft.child?.reference ?? "");
  const [found, setFound] = useState<Schemas["Child"] | null | undefined>(undefined);
  const [problem, setProblem] = useState<unknown>(null);
  const [searching, setSearching] = useState(false);

  const find = async () => {
    setProblem(null);
    setSearching(true);
    try {
      const page = await unwrap(
        api.GET("/api/v1/children/", { params: { query: { reference: reference.trim() } } }),
      );
      setFound(page.results[0] ?? null);
    } catch (error) {
      setProblem(error);
    } finally {
      setSearching(false);
    }
  };
  // Enter in the search box searches; it must not leave the step.
  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    if (event.key === "Enter" && event.target instanceof HTMLInputElement) {
      event.preventDefault();
      void find();
    }
  };
  const name = found ? [found.given_name, found.family_name].filter(Boolean).join(" ") : "";

  return (
    <div className="subform">
      <div className="search-row" onKeyDown={onKeyDown}>
        <TextField
          label="Reference"
          name="reference"
          value={reference}
          onChange={setReference}
          autoComplete="off"
          hint="Exactly as on the record, such as C-7K3F9Q."
          errors={errors}
          required
        />
        <button
          type="button"
          className="button"
          onClick={() => void find()}
          disabled={searching || !reference.trim()}
        >
          {searching ? "Finding…" : "Find"}
        </button>
      </div>
      {problem ? <LoadProblem error={problem} /> : null}
      {found === null ? (
        <p role="status">No child with this reference that you can see. Check the reference.</p>
      ) : null}
      {found ? (
        <div className="found" role="status">
          <p>
            <strong>{found.reference}</strong>
            {name ? ` · ${name}` : found.is_anonymous ? " · anonymous" : ""}
            {found.date_of_birth ? ` · born ${formatDate(found.date_of_birth)}` : ""}
          </p>
          {draft.child?.id === found.id ? (
            <p className="tag tag--chosen">Chosen</p>
          ) : (
            <button
              type="button"
              className="button button--small"
              onClick={() => dispatch({ type: "setChild", child: chosen(found) })}
            >
              Choose {found.reference}
            </button>
          )}
        </div>
      ) : draft.child ? (
        <p>
          Chosen: <strong>{draft.child.reference}</strong>
        </p>
      ) : null}
    </div>
  );
}
