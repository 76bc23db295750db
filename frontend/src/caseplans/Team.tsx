/**
 * The case team: who works on the plan, for which agency, in which role. The plan's managers
 * add people (someone from another agency joins through a share of what the plan needs them to
 * know, on the child's consent or an authorised override, or is refused with the platform's
 * reason) and remove them; past members stay on the record.
 */
import { useState, type FormEvent } from "react";

import { api, unwrap, type Schemas } from "../api/client";
import { CheckboxGroup } from "../components/Choices";
import { SelectField } from "../components/Field";
import { FormFooter, FormOpener } from "../components/FormOpener";
import { errorsFor } from "../components/formErrors";
import { NoticeSlot } from "../components/Notice";
import { FormProblem, LoadProblem } from "../components/Problem";
import { QueryResults } from "../components/QueryResults";
import { useAgencies, useOverrides } from "../children/queries";
import { DATA_CATEGORY_LABELS, formatDateTime, PURPOSE_LABELS, ROLE_LABELS } from "../labels";
import { isNoBasis } from "../referrals/labels";
import { usable } from "../referrals/new/SharingStep";
import { JOINING_ROLES, MEMBERSHIP_END_LABELS, TEAM_ROLE_LABELS, type CasePlan, type TeamMember } from "./labels";
import { useCandidates, usePlanChange, useTeam } from "./queries";

type DataCategory = Schemas["DataCategory"];
type Purpose = Schemas["Purpose"];

/** Shared with every member from another agency: the plan itself. */
const ALWAYS: DataCategory = "case_plan";
const SHAREABLE = (Object.keys(DATA_CATEGORY_LABELS) as DataCategory[])
  .filter((category) => category !== ALWAYS)
  .map((value) => ({ value, label: DATA_CATEGORY_LABELS[value] }));
const PURPOSES = (Object.keys(PURPOSE_LABELS) as Purpose[]).map((value) => ({ value, label: PURPOSE_LABELS[value] }));

export function Team({ plan }: { plan: CasePlan }) {
  const team = useTeam(plan.id);
  const [notice, setNotice] = useState("");
  const members = team.data?.results ?? [];
  const current = members.filter((member) => member.is_current);
  const past = members.filter((member) => !member.is_current);
  const mayChange = plan.can_manage && plan.status !== "closed";
  return (
    <section aria-labelledby="team-heading" className="panel">
      <h2 id="team-heading">Case team</h2>
      <NoticeSlot notice={notice} />
      <QueryResults query={team} what="the case team">
        {() => (
          <ul className="team-list">
            {current.map((member) => (
              <li key={member.id}>
                <p className="item-title">
                  {member.user.name}, {TEAM_ROLE_LABELS[member.role]}
                </p>
                <p className="cell-note">
                  {member.agency.name}; since {formatDateTime(member.started_at)}
                  {member.disclosure ? "; joined through a recorded share" : ""}
                </p>
                {mayChange && member.role !== "lead" ? (
                  <RemoveMember plan={plan} member={member} onRemoved={setNotice} />
                ) : null}
              </li>
            ))}
          </ul>
        )}
      </QueryResults>
      {past.length ? (
        <details className="reveal">
          <summary>Former members ({past.length})</summary>
          <ul className="plain-list">
            {past.map((member) => (
              <li key={member.id}>
                {member.user.name}, {TEAM_ROLE_LABELS[member.role]}, {member.agency.name}:{" "}
                {member.end_reason ? MEMBERSHIP_END_LABELS[member.end_reason] : "ended"}
                {member.ended_at ? ` ${formatDateTime(member.ended_at)}` : ""}
              </li>
            ))}
          </ul>
        </details>
      ) : null}
      {mayChange ? (
        <FormOpener label="Add a team member" notify={setNotice}>
          {({ done, cancel }) => <AddMember plan={plan} onAdded={done} onCancel={cancel} />}
        </FormOpener>
      ) : null}
    </section>
  );
}

function RemoveMember({
  plan,
  member,
  onRemoved,
}: {
  plan: CasePlan;
  member: TeamMember;
  onRemoved: (message: string) => void;
}) {
  const [confirming, setConfirming] = useState(false);
  const remove = usePlanChange(
    plan.id,
    () =>
      unwrap(
        api.POST("/api/v1/case-plans/{plan_pk}/team/{id}/remove/", {
          params: { path: { plan_pk: plan.id, id: member.id } },
        }),
      ),
    () => onRemoved(`${member.user.name} has left the team; what joining gave them has ended.`),
  );
  if (!confirming) {
    return (
      <button type="button" className="button button--small" onClick={() => setConfirming(true)}>
        Remove {member.user.name}
      </button>
    );
  }
  return (
    <div className="inline-form">
      <FormProblem error={remove.error} />
      <p>Remove {member.user.name} from the team? Their access to the plan ends at once.</p>
      <div className="action-bar">
        <button type="button" className="button button--danger" disabled={remove.isPending} onClick={() => remove.mutate()}>
          {remove.isPending ? "Removing…" : "Remove from the team"}
        </button>
        <button type="button" className="button button--quiet" onClick={() => setConfirming(false)}>
          Keep them
        </button>
      </div>
    </div>
  );
}

export function AddMember({
  plan,
  onAdded,
  onCancel,
}: {
  plan: CasePlan;
  onAdded: (message: string) => void;
  onCancel: () => void;
}) {
  const agencies = useAgencies();
  const [agency, setAgency] = useState("");
  const [user, setUser] = useState("");
  const [role, setRole] = useState("");
  const [categories, setCategories] = useState<DataCategory[]>([]);
  const [purpose, setPurpose] = useState<Purpose>("support");
  const [override, setOverride] = useState("");
  const agencyId = agency ? Number(agency) : null;
  const candidates = useCandidates(plan.id, agencyId);
  const fromElsewhere = agencyId !== null && agencyId !== plan.lead_agency.id;
  const overrides = useOverrides(plan.child.id);
  const covering = (overrides.data?.results ?? []).filter(
    (one) =>
      usable(one) &&
      one.recipient_agency.id === agencyId &&
      one.purpose === purpose &&
      [ALWAYS, ...categories].every((category) => one.categories.includes(category)),
  );
  // One choice per person, whatever roles they hold there; those on the team already are left out.
  const people = new Map<number, Schemas["TeamCandidate"]>();
  for (const candidate of candidates.data?.results ?? []) {
    if (!candidate.on_team && !people.has(candidate.user.id)) people.set(candidate.user.id, candidate);
  }
  const add = usePlanChange(
    plan.id,
    (body: Schemas["TeamAddRequest"]) =>
      unwrap(api.POST("/api/v1/case-plans/{plan_pk}/team/", { params: { path: { plan_pk: plan.id } }, body })),
    (member) =>
      onAdded(
        member.disclosure
          ? `${member.user.name} has joined the team; what was shared with them is recorded.`
          : `${member.user.name} has joined the team.`,
      ),
  );
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    const body: Schemas["TeamAddRequest"] = {
      user: (user ? Number(user) : user) as number,
      role: role as Schemas["TeamRole"],
      agency: agencyId,
      purpose,
    };
    if (fromElsewhere) {
      body.categories = [ALWAYS, ...categories];
      if (override) body.override = override;
    }
    add.mutate(body);
  };
  const errors = (field: string) => errorsFor(add.error, field);
  return (
    <form className="form form--wide" onSubmit={onSubmit} noValidate aria-labelledby="add-member">
      <h3 id="add-member">Add a team member</h3>
      {isNoBasis(add.error) ? (
        <div className="problem" role="alert">
          <p className="problem__title">They were not added: nothing allows sharing with them.</p>
          <p>{add.error.detail}</p>
          <p>
            Record the child's consent to this share (see Consent below), or ask a duty manager to
            authorise sharing without consent, then try again. What you chose is kept.
          </p>
        </div>
      ) : (
        <FormProblem
          error={add.error}
          fieldLabels={{ user: "Person", role: "Role on the case", agency: "Agency", categories: "What to share" }}
        />
      )}
      <SelectField
        label="Agency"
        name="agency"
        value={agency}
        onChange={(value) => {
          setAgency(value);
          setUser("");
          setOverride("");
        }}
        options={(agencies.data ?? []).map((one) => ({ value: String(one.id), label: one.name }))}
        placeholder="Choose the agency"
        required
        errors={errors("agency")}
      />
      {candidates.isError ? <LoadProblem error={candidates.error} /> : null}
      <SelectField
        label="Person"
        name="user"
        value={user}
        onChange={setUser}
        options={[...people.values()].map((candidate) => ({
          value: String(candidate.user.id),
          label: `${candidate.user.name} (${ROLE_LABELS[candidate.role]})`,
        }))}
        placeholder={agencyId === null ? "Choose the agency first" : candidates.isPending ? "Loading people…" : "Choose the person"}
        required
        errors={errors("user")}
      />
      <SelectField
        label="Role on the case"
        name="role"
        value={role}
        onChange={setRole}
        options={JOINING_ROLES}
        placeholder="Choose the role"
        required
        errors={errors("role")}
      />
      {fromElsewhere ? (
        <fieldset className="group group--nested">
          <legend>What they are told</legend>
          <p className="field__hint">
            The case plan is always shared with a member from another agency. Share only what they
            need; it is recorded, and allowed only by the child's consent or an authorised override.
          </p>
          <CheckboxGroup
            legend="Also share"
            name="categories"
            options={SHAREABLE}
            value={categories}
            onChange={setCategories}
            errors={errors("categories")}
          />
          <SelectField
            label="Purpose"
            name="purpose"
            value={purpose}
            onChange={(value) => setPurpose(value as Purpose)}
            options={PURPOSES}
            required
            errors={errors("purpose")}
          />
          {covering.length ? (
            <SelectField
              label="Authorised override to rely on"
              name="override"
              value={override}
              onChange={setOverride}
              options={covering.map((one) => ({
                value: one.id,
                label: `${one.lawful_basis_label}${one.expires_at ? `, until ${formatDateTime(one.expires_at)}` : ""}`,
              }))}
              placeholder="None: rely on consent"
              hint="Only when consent does not cover this share."
              errors={errors("override")}
            />
          ) : null}
        </fieldset>
      ) : null}
      <FormFooter label="Add to the team" pendingLabel="Adding…" pending={add.isPending} onCancel={onCancel} />
    </form>
  );
}
