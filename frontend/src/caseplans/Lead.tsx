/** The case lead, who led before, and handing the lead over to another social worker. */
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";

import { api, unwrap, type Schemas } from "../api/client";
import { Checkbox } from "../components/Choices";
import { SelectField, TextField } from "../components/Field";
import { FormFooter, FormOpener } from "../components/FormOpener";
import { errorsFor } from "../components/formErrors";
import { NoticeSlot } from "../components/Notice";
import { FormProblem, LoadProblem } from "../components/Problem";
import { formatDateTime } from "../labels";
import type { CasePlan } from "./labels";
import { planKeys, useCandidates, useRefreshPlan } from "./queries";

export function Lead({ plan }: { plan: CasePlan }) {
  const [notice, setNotice] = useState("");
  const earlier = plan.lead_history.filter((assignment) => assignment.until !== null);
  return (
    <section aria-labelledby="lead-heading" className="panel">
      <h2 id="lead-heading">Case lead</h2>
      <NoticeSlot notice={notice} />
      <p>
        <strong>{plan.lead.name}</strong>, {plan.lead_agency.name}
      </p>
      {earlier.length ? (
        <details className="reveal">
          <summary>Earlier leads ({earlier.length})</summary>
          <ul className="plain-list">
            {earlier.map((assignment) => (
              <li key={assignment.id}>
                {assignment.lead.name}, {formatDateTime(assignment.since)} to{" "}
                {assignment.until ? formatDateTime(assignment.until) : "now"}
              </li>
            ))}
          </ul>
        </details>
      ) : null}
      {plan.can_manage && plan.status !== "closed" ? (
        <FormOpener label="Hand the lead over" notify={setNotice}>
          {({ done, cancel }) => (
            <HandOver
              plan={plan}
              onDone={(name) => done(`The lead is handed over to ${name}; they have been told.`)}
              onCancel={cancel}
            />
          )}
        </FormOpener>
      ) : null}
    </section>
  );
}

function HandOver({ plan, onDone, onCancel }: { plan: CasePlan; onDone: (name: string) => void; onCancel: () => void }) {
  const queryClient = useQueryClient();
  const refresh = useRefreshPlan(plan.id);
  const workers = useCandidates(plan.id, plan.lead_agency.id, "social_worker");
  const [to, setTo] = useState("");
  const [note, setNote] = useState("");
  const [keep, setKeep] = useState(false);
  const transfer = useMutation({
    mutationFn: (body: Schemas["TransferLeadRequest"]) =>
      unwrap(api.POST("/api/v1/case-plans/{id}/transfer-lead/", { params: { path: { id: plan.id } }, body })),
    onSuccess: (updated) => {
      queryClient.setQueryData(planKeys.plan(plan.id), updated);
      void refresh();
      onDone(updated.lead.name);
    },
  });
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    transfer.mutate({ to_user: (to ? Number(to) : to) as number, note: note.trim(), keep_on_team: keep });
  };
  const errors = (field: string) => errorsFor(transfer.error, field);
  return (
    <form className="form form--wide" onSubmit={onSubmit} noValidate aria-labelledby="hand-over">
      <h3 id="hand-over">Hand the lead over</h3>
      <FormProblem error={transfer.error} fieldLabels={{ to_user: "New lead", note: "Hand-over note" }} />
      {workers.isError ? <LoadProblem error={workers.error} /> : null}
      <SelectField
        label="New lead"
        name="to_user"
        value={to}
        onChange={setTo}
        options={(workers.data?.results ?? [])
          .filter((worker) => worker.user.id !== plan.lead.id)
          .map((worker) => ({ value: String(worker.user.id), label: worker.user.name }))}
        placeholder={workers.isPending ? "Loading social workers…" : "Choose a social worker"}
        hint={`A social worker of ${plan.lead_agency.name}.`}
        required
        errors={errors("to_user")}
      />
      <TextField label="Hand-over note" name="note" value={note} onChange={setNote} multiline required errors={errors("note")} hint="What the new lead needs to know first." />
      <Checkbox label="Keep the current lead on the team as a social worker" name="keep_on_team" checked={keep} onChange={setKeep} />
      <FormFooter label="Hand over" pendingLabel="Handing over…" pending={transfer.isPending} onCancel={onCancel} />
    </form>
  );
}
