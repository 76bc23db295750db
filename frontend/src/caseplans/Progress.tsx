/** Moving the plan on: its phase, and the status changes the platform offers this person. */
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";

import { api, unwrap, type Schemas } from "../api/client";
import { ApiError } from "../api/errors";
import { SelectField, TextField } from "../components/Field";
import { FormFooter } from "../components/FormOpener";
import { errorsFor } from "../components/formErrors";
import { FormProblem } from "../components/Problem";
import {
  CLOSURE_REASON_LABELS,
  isPlanTransition,
  PHASE_LABELS,
  TRANSITIONS,
  type CasePlan,
  type PlanTransition,
} from "./labels";
import { planKeys, useRefreshPlan } from "./queries";

const PHASES = (Object.keys(PHASE_LABELS) as Schemas["CasePhase"][]).map((value) => ({ value, label: PHASE_LABELS[value] }));
const REASONS = (Object.keys(CLOSURE_REASON_LABELS) as Schemas["ClosureReason"][]).map((value) => ({
  value,
  label: CLOSURE_REASON_LABELS[value],
}));

/** Shown only to the plan's managers. */
export function Progress({ plan, onDone }: { plan: CasePlan; onDone: (message: string) => void }) {
  const [chosen, setChosen] = useState<PlanTransition | null>(null);
  const transitions = plan.available_transitions.filter(isPlanTransition);
  return (
    <section aria-labelledby="progress-heading" className="panel">
      <h2 id="progress-heading">Phase and status</h2>
      {plan.status !== "closed" ? <PhaseForm key={plan.phase} plan={plan} onDone={onDone} /> : null}
      {transitions.length ? (
        <div className="action-bar">
          {transitions.map((name) => (
            <button
              key={name}
              type="button"
              className={name === "close" ? "button" : "button button--primary"}
              aria-expanded={chosen === name}
              onClick={() => {
                onDone("");
                setChosen(chosen === name ? null : name);
              }}
            >
              {TRANSITIONS[name].label}
            </button>
          ))}
        </div>
      ) : null}
      {chosen ? (
        <TransitionForm
          key={chosen}
          plan={plan}
          name={chosen}
          onClose={() => setChosen(null)}
          onDone={(message) => {
            setChosen(null);
            onDone(message);
          }}
        />
      ) : null}
    </section>
  );
}

function PhaseForm({ plan, onDone }: { plan: CasePlan; onDone: (message: string) => void }) {
  const queryClient = useQueryClient();
  const refresh = useRefreshPlan(plan.id);
  const [phase, setPhase] = useState<string>(plan.phase);
  const save = useMutation({
    mutationFn: (body: Schemas["PatchedCasePlanUpdateRequest"]) =>
      unwrap(api.PATCH("/api/v1/case-plans/{id}/", { params: { path: { id: plan.id } }, body })),
    onSuccess: (updated) => {
      queryClient.setQueryData(planKeys.plan(plan.id), updated);
      void refresh();
      onDone(`The plan is now in the ${PHASE_LABELS[updated.phase].toLowerCase()} phase.`);
    },
  });
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    save.mutate({ phase: phase as Schemas["CasePhase"] });
  };
  return (
    <form className="form inline-form" onSubmit={onSubmit} noValidate aria-label="Change the phase">
      <FormProblem error={save.error} fieldLabels={{ phase: "Phase" }} />
      <SelectField label="Phase" name="phase" value={phase} onChange={setPhase} options={PHASES} required errors={errorsFor(save.error, "phase")} />
      <button type="submit" className="button" disabled={save.isPending || phase === plan.phase}>
        {save.isPending ? "Saving…" : "Change the phase"}
      </button>
    </form>
  );
}

function TransitionForm({
  plan,
  name,
  onClose,
  onDone,
}: {
  plan: CasePlan;
  name: PlanTransition;
  onClose: () => void;
  onDone: (message: string) => void;
}) {
  const queryClient = useQueryClient();
  const refresh = useRefreshPlan(plan.id);
  const [reason, setReason] = useState("");
  const [note, setNote] = useState("");
  const run = useMutation({
    mutationFn: () => {
      const path = { params: { path: { id: plan.id } } };
      if (name === "activate") return unwrap(api.POST("/api/v1/case-plans/{id}/activate/", path));
      if (name === "close") {
        return unwrap(
          api.POST("/api/v1/case-plans/{id}/close/", {
            ...path,
            body: { reason: reason as Schemas["ClosureReason"], note: note.trim() },
          }),
        );
      }
      return unwrap(api.POST("/api/v1/case-plans/{id}/reopen/", { ...path, body: { reason: reason.trim() } }));
    },
    onSuccess: (updated) => {
      queryClient.setQueryData(planKeys.plan(plan.id), updated);
      void refresh();
      onDone(TRANSITIONS[name].done);
    },
    onError: (error) => {
      // The plan moved on meanwhile: show what it is now, and keep what was typed.
      if (error instanceof ApiError && error.status === 409) void refresh();
    },
  });
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    run.mutate();
  };
  const errors = (field: string) => errorsFor(run.error, field);
  return (
    <form className="form action-form" onSubmit={onSubmit} noValidate aria-label={TRANSITIONS[name].label}>
      <FormProblem error={run.error} fieldLabels={{ reason: "Reason", note: "Note" }} />
      {name === "close" ? (
        <>
          <SelectField label="Why is it closed?" name="reason" value={reason} onChange={setReason} options={REASONS} placeholder="Choose the reason" required errors={errors("reason")} />
          <TextField label="Note" name="note" value={note} onChange={setNote} multiline required={reason === "other"} errors={errors("note")} hint="Required when the reason is other." />
        </>
      ) : null}
      {name === "reopen" ? (
        <TextField label="Why is it reopened?" name="reason" value={reason} onChange={setReason} multiline required errors={errors("reason")} />
      ) : null}
      {name === "activate" ? <p>The plan is agreed with the team and being worked.</p> : null}
      <FormFooter
        label={TRANSITIONS[name].label}
        pendingLabel="Saving…"
        pending={run.isPending}
        danger={name === "close"}
        onCancel={onClose}
      />
    </form>
  );
}
