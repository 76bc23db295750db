import { useQuery } from "@tanstack/react-query";
import { Link } from "react-router";

import { api, unwrap } from "../api/client";
import { can, useCurrentUser } from "../auth/session";
import { Loading } from "../components/Page";
import { LoadProblem } from "../components/Problem";
import { STATUS_LABELS, STATUSES } from "../referrals/labels";

type Box = "incoming" | "outgoing";

/** How many referrals are in each state, in and out, each a way into the filtered list. */
export function ReferralCounts() {
  const me = useCurrentUser();
  const boxes: Box[] = [
    ...(can(me, "referrals.receive") ? (["incoming"] as const) : []),
    ...(can(me, "referrals.create") ? (["outgoing"] as const) : []),
  ];
  return (
    <section aria-labelledby="referral-counts" className="panel">
      <h2 id="referral-counts">Referrals by status</h2>
      <div className="count-boxes">
        {boxes.map((box) => (
          <BoxCounts key={box} box={box} />
        ))}
      </div>
    </section>
  );
}

function BoxCounts({ box }: { box: Box }) {
  const counts = useQuery({
    queryKey: ["referrals", "counts", box],
    queryFn: () => unwrap(api.GET("/api/v1/referrals/counts/", { params: { query: { box } } })),
  });
  const title = box === "incoming" ? "Incoming" : "Outgoing";
  const numbers = counts.data?.counts ?? {};
  const shown = STATUSES.filter((status) => numbers[status]);
  return (
    <div className="count-box">
      <h3>{title}</h3>
      {counts.isPending ? <Loading what={`${title.toLowerCase()} counts`} /> : null}
      {counts.isError ? <LoadProblem error={counts.error} /> : null}
      {counts.data ? (
        shown.length ? (
          <ul className="counts">
            {numbers.overdue ? (
              <li className="counts__overdue">
                <Link to={`/referrals?box=${box}&overdue=true`}>
                  <span className="counts__number">{numbers.overdue}</span> overdue
                </Link>
              </li>
            ) : null}
            {shown.map((status) => (
              <li key={status}>
                <Link to={`/referrals?box=${box}&status=${status}`}>
                  <span className="counts__number">{numbers[status]}</span>{" "}
                  {STATUS_LABELS[status].toLowerCase()}
                </Link>
              </li>
            ))}
          </ul>
        ) : (
          <p>None yet.</p>
        )
      ) : null}
    </div>
  );
}
