/**
 * One case plan as the viewer may see it: where it stands, its lead and team, its actions,
 * risk and reviews, what is shared and on what basis, and its timeline. Only what this person
 * may do is offered. The page title and address carry no personal data: the child appears by
 * pseudonymous reference only.
 */
import { useState } from "react";
import { Link, useLocation, useParams } from "react-router";

import { ApiError } from "../api/errors";
import { Actions } from "../caseplans/Actions";
import { PHASE_LABELS, type CasePlan } from "../caseplans/labels";
import { Lead } from "../caseplans/Lead";
import { PlanStatusTag, RiskLevelTag, Schedule } from "../caseplans/parts";
import { Progress } from "../caseplans/Progress";
import { isPlanId, usePlan } from "../caseplans/queries";
import { Reviews } from "../caseplans/Reviews";
import { Risk } from "../caseplans/Risk";
import { PlanDisclosures, WhatIsShared } from "../caseplans/Sharing";
import { Team } from "../caseplans/Team";
import { Timeline } from "../caseplans/Timeline";
import { Consents } from "../children/Consents";
import { Loading, Page } from "../components/Page";
import { LoadProblem } from "../components/Problem";
import { DATA_CATEGORY_LABELS, formatDateTime } from "../labels";
import { NOT_FOUND } from "../directory/queries";

import "../children/children.css";
import "../components/common.css";

export function CasePlanPage() {
  const { id } = useParams();
  const planId = isPlanId(id) ? id.toLowerCase() : null;
  const plan = usePlan(planId);
  return (
    <Page title="Case plan" heading={heading(plan.data, plan.error ?? (planId === null ? NOT_FOUND : null))}>
      <p>
        <Link to="/case-plans">Back to case plans</Link>
      </p>
      {planId === null ? <LoadProblem error={NOT_FOUND} /> : null}
      {plan.isPending && planId !== null ? <Loading what="the case plan" /> : null}
      {plan.isError ? <LoadProblem error={plan.error} /> : null}
      {plan.data ? <PlanDetail key={plan.data.id} plan={plan.data} /> : null}
    </Page>
  );
}

function heading(plan: CasePlan | undefined, error: unknown): string {
  if (plan) return `Case plan ${plan.reference}`;
  return error instanceof ApiError && error.status === 404 ? "Case plan not found" : "Case plan";
}

function PlanDetail({ plan }: { plan: CasePlan }) {
  const location = useLocation();
  const [notice, setNotice] = useState((location.state as { notice?: string } | null)?.notice ?? "");
  return (
    <>
      <p role="status" className="notice-slot">
        {notice}
      </p>
      <Summary plan={plan} />
      {plan.can_manage ? <Progress plan={plan} onDone={setNotice} /> : null}
      <Lead plan={plan} />
      <Team plan={plan} />
      <Actions plan={plan} />
      <Risk plan={plan} />
      <Reviews plan={plan} />
      <WhatIsShared plan={plan} />
      <Consents child={plan.child.id} />
      <PlanDisclosures plan={plan} />
      <Timeline plan={plan.id} />
    </>
  );
}

function Summary({ plan }: { plan: CasePlan }) {
  const withheld = plan.withheld_categories as (keyof typeof DATA_CATEGORY_LABELS)[];
  return (
    <section aria-labelledby="summary" className="panel">
      <h2 id="summary" className="visually-hidden">
        Summary
      </h2>
      <dl className="facts facts--grid">
        <div>
          <dt>Status</dt>
          <dd>
            <PlanStatusTag status={plan.status} />
            {plan.closed_at ? <span className="cell-note">Closed {formatDateTime(plan.closed_at)}</span> : null}
          </dd>
        </div>
        <div>
          <dt>Phase</dt>
          <dd>{PHASE_LABELS[plan.phase]}</dd>
        </div>
        <div>
          <dt>Child</dt>
          <dd>
            <Link to={`/children/${plan.child.id}`}>{plan.child.reference}</Link>
          </dd>
        </div>
        <div>
          <dt>Lead</dt>
          <dd>
            {plan.lead.name}
            <span className="cell-note">{plan.lead_agency.name}</span>
          </dd>
        </div>
        {plan.source_referral ? (
          <div>
            <dt>Opened from</dt>
            <dd>Referral {plan.source_referral.reference}</dd>
          </div>
        ) : null}
        <div>
          <dt>Risk</dt>
          <dd>
            {"risk_level" in plan ? (
              plan.risk_level ? <RiskLevelTag level={plan.risk_level} /> : "Not assessed yet"
            ) : (
              "Not shared with you"
            )}
          </dd>
        </div>
        <div>
          <dt>Next due</dt>
          <dd>
            <Schedule plan={plan} />
          </dd>
        </div>
      </dl>
      {"goals" in plan ? (
        <>
          <h3>Goals</h3>
          <p className="narrative">{plan.goals || "No goals written yet."}</p>
        </>
      ) : null}
      {withheld.length ? (
        <p className="cell-note">
          Not shared with you: {withheld.map((category) => DATA_CATEGORY_LABELS[category]).join(", ")}.
        </p>
      ) : null}
    </section>
  );
}
