/** A child's consent decisions, newest first; recording a new one; withdrawing one. */
import { useMutation } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";

import { api, unwrap } from "../api/client";
import { can, useCurrentUser } from "../auth/session";
import { TextField } from "../components/Field";
import { errorsFor } from "../components/formErrors";
import { Loading } from "../components/Page";
import { FormProblem, LoadProblem } from "../components/Problem";
import { AGENCY_KIND_LABELS, DATA_CATEGORY_LABELS, formatDateTime, GIVEN_BY_LABELS, PURPOSE_LABELS } from "../labels";
import { ConsentForm } from "./ConsentForm";
import { CONSENT_STATUS_LABELS, type ConsentRecord } from "./labels";
import { useConsents, useInvalidateChild } from "./queries";

export function Consents({ child }: { child: string }) {
  const me = useCurrentUser();
  const consents = useConsents(child);
  const invalidate = useInvalidateChild(child);
  const [notice, setNotice] = useState("");
  const [adding, setAdding] = useState(false);
  const mayRecord = can(me, "consents.record");

  return (
    <section aria-labelledby="consents-heading" className="panel">
      <h2 id="consents-heading">Consent</h2>
      <p role="status" className="notice-slot">
        {notice}
      </p>
      {consents.isPending ? <Loading what="consent decisions" /> : null}
      {consents.isError ? <LoadProblem error={consents.error} /> : null}
      {consents.data ? (
        consents.data.results.length ? (
          <ul className="record-list">
            {consents.data.results.map((consent) => (
              <ConsentItem
                key={consent.id}
                consent={consent}
                mayWithdraw={mayRecord}
                onWithdrawn={() => {
                  setNotice("Consent withdrawn. Sharing that rested on it has stopped, and the case lead has been told.");
                  void invalidate();
                }}
              />
            ))}
          </ul>
        ) : (
          <p>No consent decision has been recorded for this child that your agency can see.</p>
        )
      ) : null}
      {mayRecord ? (
        adding ? (
          <>
            <h3>Record a consent decision</h3>
            <ConsentForm
              child={child}
              onRecorded={(consent) => {
                setAdding(false);
                setNotice(consent.status === "active" ? "Consent recorded." : "The refusal is recorded.");
                void invalidate();
              }}
            />
            <button type="button" className="button button--quiet" onClick={() => setAdding(false)}>
              Cancel
            </button>
          </>
        ) : (
          <button
            type="button"
            className="button"
            onClick={() => {
              setNotice("");
              setAdding(true);
            }}
          >
            Record a consent decision
          </button>
        )
      ) : null}
    </section>
  );
}

function scopeText(consent: ConsentRecord): string {
  const who = [
    ...consent.recipient_kinds.map((kind) => `any ${AGENCY_KIND_LABELS[kind].toLowerCase()} agency`),
    ...consent.recipient_agencies.map((agency) => agency.name),
  ];
  return who.join(", ");
}

function ConsentItem({
  consent,
  mayWithdraw,
  onWithdrawn,
}: {
  consent: ConsentRecord;
  mayWithdraw: boolean;
  onWithdrawn: () => void;
}) {
  const givenBy =
    consent.given_by === "child"
      ? GIVEN_BY_LABELS.child.toLowerCase()
      : `${consent.given_by_name || GIVEN_BY_LABELS[consent.given_by].toLowerCase()}${consent.given_by_relationship ? ` (${consent.given_by_relationship})` : ""}`;
  return (
    <li className={`record record--${consent.status}`}>
      <p className="record__title">
        <span className={`pill pill--consent-${consent.status}`}>{CONSENT_STATUS_LABELS[consent.status]}</span> Decided
        by {givenBy}
      </p>
      <dl className="facts facts--stacked">
        {consent.given_by === "child" ? (
          <div>
            <dt>Competent to decide</dt>
            <dd>{consent.child_competent ? "Yes" : consent.child_competent === false ? "No" : "Not recorded"}</dd>
          </div>
        ) : null}
        <div>
          <dt>Who may be told</dt>
          <dd>{scopeText(consent)}</dd>
        </div>
        <div>
          <dt>Information</dt>
          <dd>{consent.categories.map((c) => DATA_CATEGORY_LABELS[c]).join(", ")}</dd>
        </div>
        <div>
          <dt>Purposes</dt>
          <dd>{consent.purposes.map((p) => PURPOSE_LABELS[p]).join(", ")}</dd>
        </div>
        <div>
          <dt>Valid</dt>
          <dd>
            From {formatDateTime(consent.valid_from)}
            {consent.valid_until ? ` until ${formatDateTime(consent.valid_until)}` : " until withdrawn"}
          </dd>
        </div>
        <div>
          <dt>Recorded</dt>
          <dd>
            {formatDateTime(consent.recorded_at)} by {consent.recorded_by.username}, {consent.recorded_by_agency.name}
          </dd>
        </div>
        {consent.withdrawn_at ? (
          <div>
            <dt>Withdrawn</dt>
            <dd>
              {formatDateTime(consent.withdrawn_at)}
              {consent.withdrawn_by ? ` by ${consent.withdrawn_by.username}` : ""}: {consent.withdrawal_reason}
            </dd>
          </div>
        ) : null}
        {consent.expired_at ? (
          <div>
            <dt>Expired</dt>
            <dd>{formatDateTime(consent.expired_at)}</dd>
          </div>
        ) : null}
      </dl>
      {consent.capacity_note ? (
        <details className="reveal">
          <summary>How understanding was assessed</summary>
          <p className="prose">{consent.capacity_note}</p>
        </details>
      ) : null}
      {mayWithdraw && consent.status === "active" ? <Withdraw consent={consent} onWithdrawn={onWithdrawn} /> : null}
    </li>
  );
}

/** Withdrawing takes a reason and a second press, in place. */
function Withdraw({ consent, onWithdrawn }: { consent: ConsentRecord; onWithdrawn: () => void }) {
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState("");
  const withdraw = useMutation({
    mutationFn: (why: string) =>
      unwrap(api.POST("/api/v1/consents/{id}/withdraw/", { params: { path: { id: consent.id } }, body: { reason: why } })),
    onSuccess: () => {
      setOpen(false);
      onWithdrawn();
    },
  });
  if (!open) {
    return (
      <button type="button" className="button button--small" onClick={() => setOpen(true)}>
        Withdraw this consent
      </button>
    );
  }
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    withdraw.mutate(reason.trim());
  };
  return (
    <form onSubmit={onSubmit} noValidate className="form" aria-label="Withdraw this consent">
      <FormProblem error={withdraw.error} fieldLabels={{ reason: "Reason" }} />
      <TextField
        label="Reason for withdrawing"
        name="reason"
        value={reason}
        onChange={setReason}
        multiline
        required
        autoComplete="off"
        errors={errorsFor(withdraw.error, "reason")}
        hint="Who asked, and what they said. Sharing that rests on this consent stops at once."
      />
      <div className="actions">
        <button type="submit" className="button button--danger" disabled={withdraw.isPending}>
          Withdraw consent
        </button>
        <button type="button" className="button button--quiet" onClick={() => setOpen(false)}>
          Keep it
        </button>
      </div>
    </form>
  );
}
