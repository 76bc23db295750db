/** The home page's case plan sections: the plans I lead, and the reviews and re-assessments due. */
import { useQuery } from "@tanstack/react-query";
import { Link } from "react-router";

import { api, unwrap } from "../api/client";
import { Loading } from "../components/Page";
import { LoadProblem } from "../components/Problem";
import { PHASE_LABELS, type CasePlanListed } from "./labels";
import { PlanStatusTag, RiskLevelTag, Schedule } from "./parts";

const SHOWN = 8;

function PlanItem({ plan }: { plan: CasePlanListed }) {
  const overdue = plan.review_overdue || plan.reassessment_overdue;
  return (
    <li className={overdue ? "work-item work-item--overdue" : "work-item"}>
      <p className="work-item__title">
        <Link to={`/case-plans/${plan.id}`}>Case plan {plan.reference}</Link> <PlanStatusTag status={plan.status} />{" "}
        {"risk_level" in plan ? <RiskLevelTag level={plan.risk_level} /> : null}
      </p>
      <p className="work-item__meta">
        Child {plan.child_reference}; {PHASE_LABELS[plan.phase]}
      </p>
      <Schedule plan={plan} />
    </li>
  );
}

/** Live plans I lead, the soonest review first. */
export function MyCasePlans() {
  const plans = useQuery({
    queryKey: ["case-plans", "home", "mine"],
    queryFn: () =>
      unwrap(
        api.GET("/api/v1/case-plans/", {
          params: { query: { mine: true, status: ["open", "active"], page_size: SHOWN } },
        }),
      ),
  });
  return (
    <section aria-labelledby="my-case-plans" className="panel">
      <h2 id="my-case-plans">Case plans you lead</h2>
      {plans.isPending ? <Loading what="your case plans" /> : null}
      {plans.isError ? <LoadProblem error={plans.error} /> : null}
      {plans.data ? (
        plans.data.results.length ? (
          <>
            <p>You lead {plans.data.count} open or active plan(s). The most recently changed first.</p>
            <ul className="work-list">
              {plans.data.results.map((plan) => (
                <PlanItem key={plan.id} plan={plan} />
              ))}
            </ul>
            <p>
              <Link to="/case-plans?mine=true">All the plans you lead</Link>
            </p>
          </>
        ) : (
          <p>You do not lead any open case plan.</p>
        )
      ) : null}
    </section>
  );
}

/** Plans with a review or risk re-assessment overdue that I answer for. */
export function DueReviews() {
  const due = useQuery({
    queryKey: ["case-plans", "home", "due"],
    queryFn: () => unwrap(api.GET("/api/v1/case-plans/due/", { params: { query: { page_size: SHOWN } } })),
  });
  return (
    <section aria-labelledby="reviews-due" className="panel">
      <h2 id="reviews-due">Reviews and re-assessments due</h2>
      {due.isPending ? <Loading what="reviews and re-assessments due" /> : null}
      {due.isError ? <LoadProblem error={due.error} /> : null}
      {due.data ? (
        due.data.results.length ? (
          <>
            <p>{due.data.count} plan(s) with a review or risk re-assessment overdue. The longest overdue first.</p>
            <ul className="work-list">
              {due.data.results.map((plan) => (
                <PlanItem key={plan.id} plan={plan} />
              ))}
            </ul>
            <p>
              <Link to="/case-plans?overdue=true">All overdue plans</Link>
            </p>
          </>
        ) : (
          <p>No review or re-assessment is overdue.</p>
        )
      ) : null}
    </section>
  );
}
