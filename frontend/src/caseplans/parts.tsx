/** Small pieces every case plan screen shows the same way: words as well as colour, always. */
import type { Schemas } from "../api/client";
import { formatDay } from "../children/ChildDetails";
import { OverdueTag } from "../referrals/parts";
import { isRiskLevel, PLAN_STATUS_LABELS, RISK_LEVEL_LABELS, type CasePlanListed } from "./labels";

import "./caseplans.css";

export function PlanStatusTag({ status }: { status: Schemas["CasePlanStatus"] }) {
  return <span className={`plan-status plan-status--${status}`}>{PLAN_STATUS_LABELS[status]}</span>;
}

export function RiskLevelTag({ level }: { level: unknown }) {
  if (!isRiskLevel(level)) return null;
  return (
    <span className={`risk-tag risk-tag--${level}`}>
      {RISK_LEVEL_LABELS[level]}
      <span className="visually-hidden"> risk</span>
    </span>
  );
}

/** When the next review and the risk re-assessment are due, each marked when overdue. */
export function Schedule({ plan }: { plan: CasePlanListed }) {
  return (
    <ul className="plain-list schedule">
      <li>
        Review:{" "}
        {plan.next_review_on ? (
          <>
            <time dateTime={plan.next_review_on}>{formatDay(plan.next_review_on)}</time>
            {plan.review_overdue ? <OverdueTag /> : null}
          </>
        ) : (
          "none scheduled"
        )}
      </li>
      <li>
        Re-assessment:{" "}
        {plan.reassessment_due_on ? (
          <>
            <time dateTime={plan.reassessment_due_on}>{formatDay(plan.reassessment_due_on)}</time>
            {plan.reassessment_overdue ? <OverdueTag /> : null}
          </>
        ) : (
          "no signed assessment yet"
        )}
      </li>
    </ul>
  );
}
