/**
 * Sharing without consent: a worker asks, on a lawful basis and with a written justification;
 * a duty manager of their agency authorises or refuses. The justification often describes
 * harm, so it stays folded away until someone chooses to read it.
 */
import { useMutation } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";

import { api, unwrap, type Schemas } from "../api/client";
import { can, useCurrentUser } from "../auth/session";
import { CheckboxGroup, choicesFrom } from "../components/Choices";
import { SelectField, TextField } from "../components/Field";
import { errorsFor } from "../components/formErrors";
import { Loading } from "../components/Page";
import { FormProblem, LoadProblem } from "../components/Problem";
import { DATA_CATEGORY_LABELS, formatDateTime, PURPOSE_LABELS } from "../labels";
import { OVERRIDE_STATUS_LABELS, type Override } from "./labels";
import { useAgencies, useInvalidateChild, useLawfulBases, useOverrides } from "./queries";

export function Overrides({ child }: { child: string }) {
  const me = useCurrentUser();
  const overrides = useOverrides(child);
  const invalidate = useInvalidateChild(child);
  const [notice, setNotice] = useState("");
  const [asking, setAsking] = useState(false);
  const decides = can(me, "sharing.authorise_override");

  return (
    <section aria-labelledby="overrides-heading" className="panel">
      <h2 id="overrides-heading">Sharing without consent</h2>
      <p className="field__hint">
        Only where there is a risk of significant harm and consent cannot be sought or was refused: a
        duty manager of your agency decides, on a recorded lawful basis.
      </p>
      <p role="status" className="notice-slot">
        {notice}
      </p>
      {overrides.isPending ? <Loading what="override requests" /> : null}
      {overrides.isError ? <LoadProblem error={overrides.error} /> : null}
      {overrides.data ? (
        overrides.data.results.length ? (
          <ul className="record-list">
            {overrides.data.results.map((override) => (
              <OverrideItem
                key={override.id}
                override={override}
                decides={decides}
                onDecided={(message) => {
                  setNotice(message);
                  void invalidate();
                }}
              />
            ))}
          </ul>
        ) : (
          <p>Your agency has not asked to share about this child without consent.</p>
        )
      ) : null}
      {can(me, "consents.record") ? (
        asking ? (
          <>
            <h3>Ask to share without consent</h3>
            <OverrideRequestForm
              child={child}
              onRequested={(override) => {
                setAsking(false);
                setNotice(
                  override.status === "authorised"
                    ? "Authorised: it can be relied on for the next 72 hours."
                    : "Request sent: your agency's duty managers have been asked to decide.",
                );
                void invalidate();
              }}
            />
            <button type="button" className="button button--quiet" onClick={() => setAsking(false)}>
              Cancel
            </button>
          </>
        ) : (
          <button
            type="button"
            className="button"
            onClick={() => {
              setNotice("");
              setAsking(true);
            }}
          >
            Ask to share without consent
          </button>
        )
      ) : null}
    </section>
  );
}

function OverrideItem({
  override,
  decides,
  onDecided,
}: {
  override: Override;
  decides: boolean;
  onDecided: (message: string) => void;
}) {
  return (
    <li className={`record record--${override.status}`}>
      <p className="record__title">
        <span className={`pill pill--override-${override.status}`}>{OVERRIDE_STATUS_LABELS[override.status]}</span>{" "}
        to share with {override.recipient_agency.name}
      </p>
      <dl className="facts facts--stacked">
        <div>
          <dt>Information</dt>
          <dd>{override.categories.map((c) => DATA_CATEGORY_LABELS[c]).join(", ")}</dd>
        </div>
        <div>
          <dt>Purpose</dt>
          <dd>{PURPOSE_LABELS[override.purpose]}</dd>
        </div>
        <div>
          <dt>Lawful basis</dt>
          <dd>{override.lawful_basis_label}</dd>
        </div>
        <div>
          <dt>Asked</dt>
          <dd>
            {formatDateTime(override.requested_at)} by {override.requested_by.username}
          </dd>
        </div>
        {override.decided_at ? (
          <div>
            <dt>{override.status === "refused" ? "Refused" : "Authorised"}</dt>
            <dd>
              {formatDateTime(override.decided_at)}
              {override.authorised_by ? ` by ${override.authorised_by.username}` : ""}
              {override.refusal_reason ? `: ${override.refusal_reason}` : ""}
            </dd>
          </div>
        ) : null}
        {override.status === "authorised" && override.expires_at ? (
          <div>
            <dt>Can be relied on until</dt>
            <dd>{formatDateTime(override.expires_at)}</dd>
          </div>
        ) : null}
      </dl>
      <details className="reveal">
        <summary>Show the justification</summary>
        <p className="prose">{override.justification}</p>
      </details>
      {decides && override.status === "requested" ? <Decide override={override} onDecided={onDecided} /> : null}
    </li>
  );
}

function Decide({ override, onDecided }: { override: Override; onDecided: (message: string) => void }) {
  const [refusing, setRefusing] = useState(false);
  const [reason, setReason] = useState("");
  const decide = useMutation({
    mutationFn: (decision: { refuse: false } | { refuse: true; reason: string }) =>
      decision.refuse
        ? unwrap(
            api.POST("/api/v1/sharing-overrides/{id}/refuse/", {
              params: { path: { id: override.id } },
              body: { reason: decision.reason },
            }),
          )
        : unwrap(api.POST("/api/v1/sharing-overrides/{id}/authorise/", { params: { path: { id: override.id } } })),
    onSuccess: (decided) =>
      onDecided(decided.status === "authorised" ? "Sharing without consent authorised." : "Sharing without consent refused."),
  });
  const onRefuse = (event: FormEvent) => {
    event.preventDefault();
    decide.mutate({ refuse: true, reason: reason.trim() });
  };
  return (
    <div className="decide">
      <FormProblem error={decide.error} fieldLabels={{ reason: "Reason" }} />
      {refusing ? (
        <form onSubmit={onRefuse} noValidate className="form" aria-label="Refuse the request">
          <TextField
            label="Reason for refusing"
            name="reason"
            value={reason}
            onChange={setReason}
            multiline
            required
            autoComplete="off"
            errors={errorsFor(decide.error, "reason")}
          />
          <div className="actions">
            <button type="submit" className="button button--danger" disabled={decide.isPending}>
              Refuse
            </button>
            <button type="button" className="button button--quiet" onClick={() => setRefusing(false)}>
              Back
            </button>
          </div>
        </form>
      ) : (
        <div className="actions">
          <button
            type="button"
            className="button button--primary"
            disabled={decide.isPending}
            onClick={() => decide.mutate({ refuse: false })}
          >
            Authorise
          </button>
          <button type="button" className="button" onClick={() => setRefusing(true)}>
            Refuse…
          </button>
        </div>
      )}
    </div>
  );
}

interface OverrideDraft {
  recipient_agency: string;
  categories: Schemas["DataCategory"][];
  purpose: string;
  lawful_basis: string;
  justification: string;
}

const EMPTY_OVERRIDE: OverrideDraft = {
  recipient_agency: "",
  categories: [],
  purpose: "",
  lawful_basis: "",
  justification: "",
};

const OVERRIDE_LABELS: Record<string, string> = {
  recipient_agency: "Agency to share with",
  categories: "Information",
  purpose: "Purpose",
  lawful_basis: "Lawful basis",
  justification: "Why sharing without consent is justified",
};

function OverrideRequestForm({
  child,
  onRequested,
}: {
  child: string;
  onRequested: (override: Override) => void;
}) {
  const agencies = useAgencies();
  const bases = useLawfulBases();
  const [draft, setDraft] = useState(EMPTY_OVERRIDE);
  const ask = useMutation({
    mutationFn: (body: Schemas["OverrideRequestRequest"]) => unwrap(api.POST("/api/v1/sharing-overrides/", { body })),
    onSuccess: onRequested,
  });
  const set =
    <K extends keyof OverrideDraft>(field: K) =>
    (value: OverrideDraft[K]) =>
      setDraft((current) => ({ ...current, [field]: value }));
  const errors = (field: string) => errorsFor(ask.error, field);
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    ask.mutate({
      child,
      // Unanswered choices go as they are, for the platform to ask for them beside the field.
      recipient_agency: (draft.recipient_agency ? Number(draft.recipient_agency) : null) as number,
      categories: draft.categories,
      purpose: draft.purpose as Schemas["Purpose"],
      lawful_basis: draft.lawful_basis as Schemas["LawfulBasisEnum"],
      justification: draft.justification.trim(),
    });
  };
  return (
    <form onSubmit={onSubmit} noValidate className="form form--wide" aria-label="Ask to share without consent">
      <FormProblem error={ask.error} fieldLabels={OVERRIDE_LABELS} />
      <SelectField
        label={OVERRIDE_LABELS.recipient_agency!}
        name="recipient_agency"
        value={draft.recipient_agency}
        onChange={set("recipient_agency")}
        options={(agencies.data ?? []).map((agency) => ({ value: String(agency.id), label: agency.name }))}
        placeholder="Choose an agency"
        required
        errors={errors("recipient_agency")}
      />
      <CheckboxGroup legend={OVERRIDE_LABELS.categories!} name="categories" options={choicesFrom(DATA_CATEGORY_LABELS)} value={draft.categories} onChange={set("categories")} required errors={errors("categories")} hint="Only what they need to act." />
      <SelectField label={OVERRIDE_LABELS.purpose!} name="purpose" value={draft.purpose} onChange={set("purpose")} options={choicesFrom(PURPOSE_LABELS)} placeholder="Choose a purpose" required errors={errors("purpose")} />
      <SelectField
        label={OVERRIDE_LABELS.lawful_basis!}
        name="lawful_basis"
        value={draft.lawful_basis}
        onChange={set("lawful_basis")}
        options={(bases.data ?? []).map((basis) => ({ value: basis.value, label: basis.label }))}
        placeholder="Choose a lawful basis"
        required
        errors={errors("lawful_basis")}
      />
      <TextField
        label={OVERRIDE_LABELS.justification!}
        name="justification"
        value={draft.justification}
        onChange={set("justification")}
        multiline
        required
        autoComplete="off"
        errors={errors("justification")}
        hint="The risk of significant harm, and why consent cannot be sought or was overridden. Duty managers and the data protection officer read this."
      />
      <button type="submit" className="button button--primary" disabled={ask.isPending}>
        {ask.isPending ? "Sending…" : "Ask a duty manager"}
      </button>
    </form>
  );
}
