import { useQuery } from "@tanstack/react-query";
import { Link } from "react-router";

import { api, unwrap, type Schemas } from "../api/client";
import { Loading } from "../components/Page";
import { LoadProblem } from "../components/Problem";
import { runningClock, useNow } from "../referrals/clock";
import { ClockText, OverdueTag, UrgencyTag } from "../referrals/parts";

const SHOWN = 8;

/** Soonest due first: the clock still running (acknowledge, then accept or decline). */
export function byDueTime(referrals: Schemas["ReferralList"][]): Schemas["ReferralList"][] {
  const due = (referral: Schemas["ReferralList"]) => {
    const clock = runningClock(referral);
    return clock ? new Date(clock.due).getTime() : Number.POSITIVE_INFINITY;
  };
  return [...referrals].sort((a, b) => due(a) - due(b));
}

/** Referrals waiting for my agency to acknowledge or answer them, the soonest due first. */
export function IncomingReferrals() {
  const now = useNow();
  const waiting = useQuery({
    queryKey: ["referrals", "home", "waiting"],
    queryFn: () =>
      unwrap(
        api.GET("/api/v1/referrals/", {
          params: { query: { box: "incoming", status: ["sent", "acknowledged"], page_size: 100 } },
        }),
      ),
  });
  const referrals = waiting.data ? byDueTime(waiting.data.results) : [];
  const overdue = referrals.filter((referral) => referral.is_overdue).length;
  return (
    <section aria-labelledby="incoming-referrals" className="panel">
      <h2 id="incoming-referrals">Referrals waiting for your agency</h2>
      {waiting.isPending ? <Loading what="incoming referrals" /> : null}
      {waiting.isError ? <LoadProblem error={waiting.error} /> : null}
      {waiting.data ? (
        referrals.length ? (
          <>
            <p>
              {waiting.data.count} waiting to be acknowledged or answered
              {overdue ? `, ${overdue} overdue` : ""}. The soonest due first.
            </p>
            <ul className="work-list">
              {referrals.slice(0, SHOWN).map((referral) => (
                <li
                  key={referral.id}
                  className={referral.is_overdue ? "work-item work-item--overdue" : "work-item"}
                >
                  <p className="work-item__title">
                    <Link to={`/referrals/${referral.id}`}>{referral.reference}</Link>{" "}
                    <UrgencyTag urgency={referral.urgency} />
                    {referral.is_overdue ? <OverdueTag /> : null}
                  </p>
                  <p className="work-item__meta">
                    {referral.service.name}, from {referral.from_agency.name}
                  </p>
                  <p className="work-item__clock">
                    <ClockText referral={referral} now={now} />
                  </p>
                </li>
              ))}
            </ul>
            <p>
              <Link to="/referrals?box=incoming">All incoming referrals</Link>
            </p>
          </>
        ) : (
          <p>Nothing is waiting for your agency.</p>
        )
      ) : null}
    </section>
  );
}
