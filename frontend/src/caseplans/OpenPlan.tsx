/**
 * A child's case plans seen from elsewhere (a referral, the child's record), and opening one:
 * from an accepted referral, or directly for the child. Only offered to those who lead or
 * oversee plans; the platform decides the rest and its refusal is shown in plain words.
 */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Link, useNavigate } from "react-router";

import { api, unwrap, type Schemas } from "../api/client";
import { can, useCurrentUser } from "../auth/session";
import { Loading } from "../components/Page";
import { FormProblem, LoadProblem } from "../components/Problem";
import { PHASE_LABELS } from "./labels";
import { PlanStatusTag } from "./parts";
import { planKeys } from "./queries";

export const PLAN_OPENERS = ["caseplans.lead", "caseplans.oversee"] as const;
/**
 * Whoever may sit on a case team (social workers, duty managers, practitioners, helpline
 * workers) may see the plans they are on: these capabilities are exactly those roles'.
 */
export const PLAN_READERS = [...PLAN_OPENERS, "referrals.receive", "referrals.create"] as const;

export function useChildPlans(child: string) {
  return useQuery({
    queryKey: ["case-plans", "list", "child", child],
    queryFn: () =>
      unwrap(api.GET("/api/v1/case-plans/", { params: { query: { child, page_size: 100 } } })),
  });
}

export function ChildPlans({
  child,
  referral,
  mayOpen,
}: {
  child: string;
  /** Open from this referral (accepted by the person's agency) rather than directly. */
  referral?: string;
  mayOpen: boolean;
}) {
  const me = useCurrentUser();
  const plans = useChildPlans(child);
  const results = plans.data?.results ?? [];
  const fromThisReferral = referral ? results.find((plan) => plan.source_referral?.id === referral) : undefined;
  const liveHere = results.find((plan) => plan.status !== "closed" && plan.lead_agency.id === me.active_agency);
  const offer = mayOpen && can(me, PLAN_OPENERS) && !fromThisReferral && !liveHere;
  if (plans.isSuccess && !results.length && !offer) return null;
  return (
    <section aria-labelledby="child-plans" className="panel">
      <h2 id="child-plans">Case plans</h2>
      {plans.isPending ? <Loading what="case plans" /> : null}
      {plans.isError ? <LoadProblem error={plans.error} /> : null}
      {results.length ? (
        <ul className="plain-list">
          {results.map((plan) => (
            <li key={plan.id}>
              <Link to={`/case-plans/${plan.id}`}>Case plan {plan.reference}</Link> <PlanStatusTag status={plan.status} />{" "}
              {PHASE_LABELS[plan.phase]}; led by {plan.lead.name}, {plan.lead_agency.name}
            </li>
          ))}
        </ul>
      ) : plans.isSuccess ? (
        <p>No case plan you can see has been opened for this child.</p>
      ) : null}
      {offer ? <OpenPlan child={child} referral={referral} /> : null}
    </section>
  );
}

function OpenPlan({ child, referral }: { child: string; referral?: string }) {
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const open = useMutation({
    mutationFn: (body: Schemas["CasePlanCreateRequest"]) => unwrap(api.POST("/api/v1/case-plans/", { body })),
    onSuccess: (plan) => {
      queryClient.setQueryData(planKeys.plan(plan.id), plan);
      void queryClient.invalidateQueries({ queryKey: planKeys.all });
      void navigate(`/case-plans/${plan.id}`, { state: { notice: "The case plan is open: you lead it." } });
    },
  });
  return (
    <>
      <FormProblem error={open.error} />
      <p>
        {referral
          ? "Open the child's case plan from this referral: you lead it, and it links to the referral."
          : "Open a case plan for this child: you lead it for your agency."}
      </p>
      <button
        type="button"
        className="button button--primary"
        disabled={open.isPending}
        onClick={() => open.mutate(referral ? { referral, phase: "immediate" } : { child, phase: "immediate" })}
      >
        {open.isPending ? "Opening…" : "Open a case plan"}
      </button>
    </>
  );
}
