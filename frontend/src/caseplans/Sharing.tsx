/**
 * What of the child and the plan reaches this person, and on what basis: each category shared
 * or marked as not shared, the disclosure narrative behind an explicit "show", and the shares
 * made for this plan and its referrals.
 */
import { useQuery } from "@tanstack/react-query";

import { api, unwrap, type Schemas } from "../api/client";
import { Loading } from "../components/Page";
import { LoadProblem } from "../components/Problem";
import { DATA_CATEGORY_LABELS, formatDateTime, PURPOSE_LABELS } from "../labels";
import { HiddenNarrative } from "./HiddenNarrative";
import type { CasePlan } from "./labels";
import { usePlanActions } from "./queries";

const CATEGORIES = Object.keys(DATA_CATEGORY_LABELS) as Schemas["DataCategory"][];

export function WhatIsShared({ plan }: { plan: CasePlan }) {
  const seen = new Set<string>([...plan.child.disclosed_categories, ...plan.disclosed_categories]);
  return (
    <section aria-labelledby="shared-heading" className="panel">
      <h2 id="shared-heading">What is shared with you</h2>
      <ul className="shared-categories">
        {CATEGORIES.map((category) => (
          <li key={category}>
            <strong>{DATA_CATEGORY_LABELS[category]}</strong>:{" "}
            {seen.has(category) ? "shared" : <span className="withheld">not shared with you</span>}
          </li>
        ))}
      </ul>
      <h3>Disclosure narrative</h3>
      {plan.concern_available ? (
        <HiddenNarrative
          what="disclosure"
          read={async () =>
            (await unwrap(api.GET("/api/v1/case-plans/{id}/concern/", { params: { path: { id: plan.id } } }))).concern
          }
        />
      ) : (
        <p>
          {seen.has("disclosure_narrative")
            ? "The plan was not opened from a referral: there is no disclosure recorded with it."
            : "The disclosure narrative has not been shared with you."}
        </p>
      )}
    </section>
  );
}

/** The recorded shares about this child made for this plan or the referrals it rests on. */
export function PlanDisclosures({ plan }: { plan: CasePlan }) {
  const actions = usePlanActions(plan.id);
  const referrals = (actions.data?.results ?? []).flatMap((action) => (action.referral ? [action.referral.id] : []));
  const subjects = new Set([plan.id, ...referrals, ...(plan.source_referral ? [plan.source_referral.id] : [])]);
  const disclosures = useQuery({
    queryKey: ["case-plans", "parts", plan.id, "disclosures"],
    queryFn: () =>
      unwrap(api.GET("/api/v1/disclosures/", { params: { query: { child: plan.child.id, page_size: 100 } } })),
    select: (page) => page.results.filter((disclosure) => disclosure.subject && subjects.has(disclosure.subject.id)),
  });
  return (
    <section aria-labelledby="disclosures-heading" className="panel">
      <h2 id="disclosures-heading">Disclosures for this plan</h2>
      {disclosures.isPending ? <Loading what="the disclosures" /> : null}
      {disclosures.isError ? <LoadProblem error={disclosures.error} /> : null}
      {disclosures.data ? (
        disclosures.data.length ? (
          <ul className="plain-list record-list">
            {disclosures.data.map((disclosure) => (
              <li key={disclosure.id} className="record">
                <p className="record__title">
                  To {disclosure.recipient_user ? `${disclosure.recipient_user.username}, ` : ""}
                  {disclosure.recipient_agency?.name}: {disclosure.categories.map((c) => DATA_CATEGORY_LABELS[c]).join(", ")}
                </p>
                <p className="cell-note">
                  For {PURPOSE_LABELS[disclosure.purpose].toLowerCase()}, on{" "}
                  {disclosure.basis === "override" ? "an authorised override (without consent)" : "the child's consent"}; by{" "}
                  {disclosure.disclosed_by.username}, {disclosure.disclosed_by_agency.name},{" "}
                  {formatDateTime(disclosure.disclosed_at)}
                  {disclosure.ended_at ? `; ended ${formatDateTime(disclosure.ended_at)}` : ""}
                </p>
              </li>
            ))}
          </ul>
        ) : (
          <p>Nothing about this plan has been shared that you can see.</p>
        )
      ) : null}
    </section>
  );
}
