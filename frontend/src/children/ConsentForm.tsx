/**
 * Record a consent decision: who decided (and, for a child, whether they were competent to),
 * and its scope: who may be told, which information, for what, and for how long.
 */
import { useMutation } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";

import { api, unwrap, type Schemas } from "../api/client";
import { CheckboxGroup, choicesFrom, RadioGroup } from "../components/Choices";
import { TextField } from "../components/Field";
import { errorsFor } from "../components/formErrors";
import { FormProblem } from "../components/Problem";
import { AGENCY_KIND_LABELS, DATA_CATEGORY_LABELS, GIVEN_BY_LABELS, PURPOSE_LABELS } from "../labels";
import { useAgencies } from "./queries";

type Decision = Schemas["DecisionEnum"];
type GivenBy = Schemas["GivenByEnum"];

interface ConsentDraft {
  decision: Decision | "";
  given_by: GivenBy | "";
  child_competent: "yes" | "no" | "";
  given_by_relationship: string;
  given_by_name: string;
  capacity_note: string;
  recipient_kinds: Schemas["AgencyKind"][];
  recipient_agencies: string[];
  categories: Schemas["DataCategory"][];
  purposes: Schemas["Purpose"][];
  valid_from: string;
  valid_until: string;
}

export const EMPTY_CONSENT: ConsentDraft = {
  decision: "",
  given_by: "",
  child_competent: "",
  given_by_relationship: "",
  given_by_name: "",
  capacity_note: "",
  recipient_kinds: [],
  recipient_agencies: [],
  categories: [],
  purposes: [],
  valid_from: "",
  valid_until: "",
};

const FIELD_LABELS: Record<string, string> = {
  decision: "Was consent given?",
  given_by: "Who decided",
  child_competent: "Competent to decide",
  given_by_relationship: "Relationship to the child",
  given_by_name: "Their name",
  capacity_note: "How understanding was assessed",
  recipient_kinds: "Kinds of agency",
  recipient_agencies: "Named agencies",
  categories: "Information",
  purposes: "Purposes",
  valid_from: "Valid from",
  valid_until: "Valid until",
};

const DECISIONS = [
  { value: "active" as const, label: "Consent given" },
  { value: "refused" as const, label: "Consent refused" },
];
const COMPETENCE = [
  { value: "yes" as const, label: "Yes: they understand what will be shared, with whom and why" },
  { value: "no" as const, label: "No: a parent or carer must decide" },
];

/** A day typed as YYYY-MM-DD, as the start (or the end) of that day where the worker is. */
function dayBoundary(day: string, end: boolean): string {
  return new Date(`${day}T${end ? "23:59:59" : "00:00:00"}`).toISOString();
}

export function toConsentRequest(child: string, draft: ConsentDraft): Schemas["ConsentCreateRequest"] {
  const body: Schemas["ConsentCreateRequest"] = {
    child,
    // An unanswered question goes as it is, for the platform to ask for it beside the field.
    decision: draft.decision as Decision,
    given_by: draft.given_by as GivenBy,
    capacity_note: draft.capacity_note.trim(),
    recipient_kinds: draft.recipient_kinds,
    recipient_agencies: draft.recipient_agencies.map(Number),
    categories: draft.categories,
    purposes: draft.purposes,
  };
  if (draft.given_by === "child") {
    body.child_competent = draft.child_competent === "" ? null : draft.child_competent === "yes";
  } else {
    body.given_by_relationship = draft.given_by_relationship.trim();
    body.given_by_name = draft.given_by_name.trim();
  }
  if (draft.valid_from) body.valid_from = dayBoundary(draft.valid_from, false);
  if (draft.valid_until) body.valid_until = dayBoundary(draft.valid_until, true);
  return body;
}

export function ConsentForm({
  child,
  onRecorded,
}: {
  child: string;
  onRecorded: (consent: Schemas["ConsentRecord"]) => void;
}) {
  const agencies = useAgencies();
  // What the worker typed stays here, whatever the platform answers, until it is recorded.
  const [draft, setDraft] = useState(EMPTY_CONSENT);
  const record = useMutation({
    mutationFn: (body: Schemas["ConsentCreateRequest"]) => unwrap(api.POST("/api/v1/consents/", { body })),
    onSuccess: (consent) => {
      setDraft(EMPTY_CONSENT);
      onRecorded(consent);
    },
  });
  const set =
    <K extends keyof ConsentDraft>(field: K) =>
    (value: ConsentDraft[K]) =>
      setDraft((current) => ({ ...current, [field]: value }));
  const errors = (field: string) => errorsFor(record.error, field);
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    record.mutate(toConsentRequest(child, draft));
  };

  return (
    <form onSubmit={onSubmit} noValidate className="form form--wide" aria-label="Record a consent decision">
      <FormProblem error={record.error} fieldLabels={FIELD_LABELS} />
      <fieldset className="group">
        <legend>The decision and who made it</legend>
        <RadioGroup legend={FIELD_LABELS.decision!} name="decision" options={DECISIONS} value={draft.decision} onChange={set("decision")} required errors={errors("decision")} />
        <RadioGroup legend={FIELD_LABELS.given_by!} name="given_by" options={choicesFrom(GIVEN_BY_LABELS)} value={draft.given_by} onChange={set("given_by")} required errors={errors("given_by")} />
        {draft.given_by === "child" ? (
          <RadioGroup
            legend="Is the child competent to make this decision?"
            name="child_competent"
            options={COMPETENCE}
            value={draft.child_competent}
            onChange={set("child_competent")}
            required
            errors={errors("child_competent")}
          />
        ) : null}
        {draft.given_by && draft.given_by !== "child" ? (
          <div className="form__row">
            <TextField label={FIELD_LABELS.given_by_relationship!} name="given_by_relationship" value={draft.given_by_relationship} onChange={set("given_by_relationship")} required autoComplete="off" errors={errors("given_by_relationship")} hint="e.g. mother, foster carer" />
            <TextField label={FIELD_LABELS.given_by_name!} name="given_by_name" value={draft.given_by_name} onChange={set("given_by_name")} autoComplete="off" errors={errors("given_by_name")} />
          </div>
        ) : null}
        <TextField
          label={FIELD_LABELS.capacity_note!}
          name="capacity_note"
          value={draft.capacity_note}
          onChange={set("capacity_note")}
          multiline
          autoComplete="off"
          errors={errors("capacity_note")}
          hint="What you explained, and how you judged that it was understood."
        />
      </fieldset>
      <fieldset className="group">
        <legend>What it covers</legend>
        <p className="field__hint">Name the kinds of agency, or particular agencies, or both.</p>
        <CheckboxGroup legend={FIELD_LABELS.recipient_kinds!} name="recipient_kinds" options={choicesFrom(AGENCY_KIND_LABELS)} value={draft.recipient_kinds} onChange={set("recipient_kinds")} errors={errors("recipient_kinds")} />
        <CheckboxGroup
          legend={FIELD_LABELS.recipient_agencies!}
          name="recipient_agencies"
          options={(agencies.data ?? []).map((agency) => ({ value: String(agency.id), label: agency.name }))}
          value={draft.recipient_agencies}
          onChange={set("recipient_agencies")}
          errors={errors("recipient_agencies")}
        />
        <CheckboxGroup legend={FIELD_LABELS.categories!} name="categories" options={choicesFrom(DATA_CATEGORY_LABELS)} value={draft.categories} onChange={set("categories")} required errors={errors("categories")} />
        <CheckboxGroup legend={FIELD_LABELS.purposes!} name="purposes" options={choicesFrom(PURPOSE_LABELS)} value={draft.purposes} onChange={set("purposes")} required errors={errors("purposes")} />
        <div className="form__row">
          <TextField label={FIELD_LABELS.valid_from!} name="valid_from" type="date" value={draft.valid_from} onChange={set("valid_from")} errors={errors("valid_from")} hint="Empty: from now." />
          <TextField label={FIELD_LABELS.valid_until!} name="valid_until" type="date" value={draft.valid_until} onChange={set("valid_until")} errors={errors("valid_until")} hint="Empty: until withdrawn. It ends at the end of this day." />
        </div>
      </fieldset>
      <button type="submit" className="button button--primary" disabled={record.isPending}>
        {record.isPending ? "Recording…" : "Record the decision"}
      </button>
    </form>
  );
}
