/**
 * The support plan's actions: what is needed, who does it, by when, and how it went. Overdue
 * actions say so in words. The plan's managers add, assign and change actions; the person
 * responsible for one reports its progress and outcome.
 */
import { useState, type FormEvent } from "react";
import { Link } from "react-router";

import { api, unwrap, type Schemas } from "../api/client";
import { useCurrentUser } from "../auth/session";
import { formatDay } from "../children/ChildDetails";
import { SelectField, TextField } from "../components/Field";
import { FormFooter, FormOpener } from "../components/FormOpener";
import { errorsFor } from "../components/formErrors";
import { NoticeSlot } from "../components/Notice";
import { FormProblem } from "../components/Problem";
import { QueryResults } from "../components/QueryResults";
import { NEED_CATEGORY_LABELS } from "../labels";
import { OverdueTag } from "../referrals/parts";
import { ACTION_STATUS_LABELS, FINISHED_ACTIONS, type CasePlan, type PlanAction } from "./labels";
import { usePlanActions, usePlanChange, useTeam } from "./queries";

type ActionStatus = Schemas["PlanActionStatus"];

const NEEDS = (Object.keys(NEED_CATEGORY_LABELS) as Schemas["NeedCategory"][]).map((value) => ({
  value,
  label: NEED_CATEGORY_LABELS[value],
}));
/** Statuses set by hand: "referred" comes only from referring the action to a service. */
const SETTABLE = (Object.keys(ACTION_STATUS_LABELS) as ActionStatus[])
  .filter((status) => status !== "referred")
  .map((value) => ({ value, label: ACTION_STATUS_LABELS[value] }));

function useTeamChoices(plan: CasePlan) {
  const team = useTeam(plan.id);
  return (team.data?.results ?? [])
    .filter((member) => member.is_current)
    .map((member) => ({ value: String(member.user.id), label: `${member.user.name} (${member.agency.name})` }));
}

export function Actions({ plan }: { plan: CasePlan }) {
  const [notice, setNotice] = useState("");
  const actions = usePlanActions(plan.id);
  const live = plan.status !== "closed";
  const open = actions.data?.results.filter((action) => !FINISHED_ACTIONS.has(action.status)).length ?? 0;
  const overdue = actions.data?.results.filter((action) => action.is_overdue).length ?? 0;
  return (
    <section aria-labelledby="actions-heading" className="panel">
      <h2 id="actions-heading">Plan actions</h2>
      <NoticeSlot notice={notice} />
      <QueryResults query={actions} what="the plan's actions" empty="No actions yet.">
        {(results) => (
          <>
            <p>
              {open} still open{overdue ? `, ${overdue} overdue` : ""}.
            </p>
            <ul className="action-list">
              {results.map((action) => (
                <ActionItem key={action.id} plan={plan} action={action} live={live} onDone={setNotice} />
              ))}
            </ul>
          </>
        )}
      </QueryResults>
      {plan.can_manage && live ? (
        <FormOpener label="Add an action" notify={setNotice}>
          {({ done, cancel }) => (
            <AddAction plan={plan} onAdded={() => done("The action is added to the plan.")} onCancel={cancel} />
          )}
        </FormOpener>
      ) : null}
    </section>
  );
}

function ActionItem({
  plan,
  action,
  live,
  onDone,
}: {
  plan: CasePlan;
  action: PlanAction;
  live: boolean;
  onDone: (message: string) => void;
}) {
  const me = useCurrentUser();
  const responsible = action.responsible_person?.id === me.id;
  const mayUpdate = live && (plan.can_manage || responsible);
  const who = action.responsible_person?.name ?? action.responsible_service?.name ?? action.responsible_agency?.name;
  return (
    <li className={action.is_overdue ? "work-item--overdue" : undefined}>
      <p className="item-title">
        {NEED_CATEGORY_LABELS[action.need_category]}: {ACTION_STATUS_LABELS[action.status]}
        {action.is_overdue ? <OverdueTag /> : null}
      </p>
      {"description" in action ? <p className="narrative">{action.description}</p> : null}
      <p className="cell-note">
        {who ? `Responsible: ${who}` : "Nobody is responsible yet"}
        {action.due_date ? `; due ${formatDay(action.due_date)}` : "; no due date"}
        {action.referral ? (
          <>
            ; through referral <Link to={`/referrals/${action.referral.id}`}>{action.referral.reference}</Link>
          </>
        ) : null}
      </p>
      {action.status_note ? <p className="cell-note">{action.status_note}</p> : null}
      {action.outcome ? <p>Outcome: {action.outcome}</p> : null}
      {mayUpdate ? (
        <FormOpener label={`Update ${NEED_CATEGORY_LABELS[action.need_category].toLowerCase()}`} small notify={onDone}>
          {({ done, cancel }) => (
            <UpdateAction
              plan={plan}
              action={action}
              full={plan.can_manage}
              onDone={() => done("The action is updated.")}
              onCancel={cancel}
            />
          )}
        </FormOpener>
      ) : null}
    </li>
  );
}

const ACTION_FIELDS = {
  need_category: "Need",
  description: "What is to be done",
  due_date: "Due by",
  responsible_person: "Person responsible",
  status: "Status",
  outcome: "Outcome",
};

export function AddAction({ plan, onAdded, onCancel }: { plan: CasePlan; onAdded: () => void; onCancel: () => void }) {
  const team = useTeamChoices(plan);
  const [need, setNeed] = useState("");
  const [description, setDescription] = useState("");
  const [due, setDue] = useState("");
  const [person, setPerson] = useState("");
  const add = usePlanChange(
    plan.id,
    (body: Schemas["PlanActionCreateRequest"]) =>
      unwrap(api.POST("/api/v1/case-plans/{plan_pk}/actions/", { params: { path: { plan_pk: plan.id } }, body })),
    onAdded,
  );
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    add.mutate({
      need_category: need as Schemas["NeedCategory"],
      description: description.trim(),
      due_date: due || null,
      responsible_person: person ? Number(person) : null,
      purpose: "support",
      send: false,
    });
  };
  const errors = (field: string) => errorsFor(add.error, field);
  return (
    <form className="form form--wide" onSubmit={onSubmit} noValidate aria-labelledby="add-action">
      <h3 id="add-action">Add an action</h3>
      <FormProblem error={add.error} fieldLabels={ACTION_FIELDS} />
      <SelectField label="Need" name="need_category" value={need} onChange={setNeed} options={NEEDS} placeholder="Choose the need" required errors={errors("need_category")} />
      <TextField label="What is to be done" name="description" value={description} onChange={setDescription} multiline required errors={errors("description")} />
      <div className="form__row">
        <TextField label="Due by" name="due_date" type="date" value={due} onChange={setDue} errors={errors("due_date")} />
        <SelectField
          label="Person responsible"
          name="responsible_person"
          value={person}
          onChange={setPerson}
          options={team}
          placeholder="Nobody yet"
          hint="A member of the case team."
          errors={errors("responsible_person")}
        />
      </div>
      <FormFooter label="Add the action" pendingLabel="Adding…" pending={add.isPending} onCancel={onCancel} />
    </form>
  );
}

/** Only what changed is sent: the person responsible may report only status and outcome. */
export function changedFields(
  action: PlanAction,
  draft: { status: string; outcome: string; due: string; person: string },
  full: boolean,
): Schemas["PatchedPlanActionUpdateRequest"] {
  const body: Schemas["PatchedPlanActionUpdateRequest"] = {};
  if (draft.status !== action.status) body.status = draft.status as ActionStatus;
  if (draft.outcome.trim() !== (action.outcome ?? "")) body.outcome = draft.outcome.trim();
  if (full) {
    if (draft.due !== (action.due_date ?? "")) body.due_date = draft.due || null;
    if (draft.person !== String(action.responsible_person?.id ?? "")) {
      body.responsible_person = draft.person ? Number(draft.person) : null;
    }
  }
  return body;
}

function UpdateAction({
  plan,
  action,
  full,
  onDone,
  onCancel,
}: {
  plan: CasePlan;
  action: PlanAction;
  full: boolean;
  onDone: () => void;
  onCancel: () => void;
}) {
  const team = useTeamChoices(plan);
  const [draft, setDraft] = useState({
    status: action.status === "referred" ? "in_progress" : action.status,
    outcome: action.outcome ?? "",
    due: action.due_date ?? "",
    person: String(action.responsible_person?.id ?? ""),
  });
  const set = (field: keyof typeof draft) => (value: string) => setDraft((current) => ({ ...current, [field]: value }));
  const update = usePlanChange(
    plan.id,
    (body: Schemas["PatchedPlanActionUpdateRequest"]) =>
      unwrap(
        api.PATCH("/api/v1/case-plans/{plan_pk}/actions/{id}/", {
          params: { path: { plan_pk: plan.id, id: action.id } },
          body,
        }),
      ),
    onDone,
  );
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    update.mutate(changedFields(action, draft, full));
  };
  const errors = (field: string) => errorsFor(update.error, field);
  const finishing = FINISHED_ACTIONS.has(draft.status as ActionStatus);
  return (
    <form className="form inline-form" onSubmit={onSubmit} noValidate aria-label={`Update ${NEED_CATEGORY_LABELS[action.need_category].toLowerCase()}`}>
      <FormProblem error={update.error} fieldLabels={ACTION_FIELDS} />
      {action.referral ? (
        <p className="field__hint">Its status follows the referral while the referral is open.</p>
      ) : null}
      <div className="form__row">
        <SelectField label="Status" name="status" value={draft.status} onChange={set("status")} options={SETTABLE} required errors={errors("status")} />
        {full ? (
          <>
            <TextField label="Due by" name="due_date" type="date" value={draft.due} onChange={set("due")} errors={errors("due_date")} />
            <SelectField label="Person responsible" name="responsible_person" value={draft.person} onChange={set("person")} options={team} placeholder="Nobody" errors={errors("responsible_person")} />
          </>
        ) : null}
      </div>
      <TextField
        label="Outcome"
        name="outcome"
        value={draft.outcome}
        onChange={set("outcome")}
        multiline
        required={finishing}
        hint={finishing ? "Say how it went: required to mark it done or not needed." : undefined}
        errors={errors("outcome")}
      />
      <FormFooter label="Save the action" pendingLabel="Saving…" pending={update.isPending} onCancel={onCancel} />
    </form>
  );
}
