/** The plan's timeline: its own history and its referrals' events, newest pages on asking. */
import { useInfiniteQuery } from "@tanstack/react-query";

import { api, unwrap } from "../api/client";
import { Loading } from "../components/Page";
import { LoadProblem } from "../components/Problem";
import { formatDateTime } from "../labels";
import { planKeys } from "./queries";

export function Timeline({ plan }: { plan: string }) {
  const timeline = useInfiniteQuery({
    queryKey: planKeys.timeline(plan),
    queryFn: ({ pageParam }) =>
      unwrap(
        api.GET("/api/v1/case-plans/{id}/timeline/", {
          params: { path: { id: plan }, query: { before: pageParam || undefined } },
        }),
      ),
    initialPageParam: "",
    // Each page is oldest first; an earlier page is asked for with the oldest entry's time.
    getNextPageParam: (last) => (last.older && last.results.length ? last.results[0]!.at : undefined),
  });
  const entries = [...(timeline.data?.pages ?? [])].reverse().flatMap((page) => page.results);
  return (
    <section aria-labelledby="timeline-heading" className="panel">
      <h2 id="timeline-heading">Timeline</h2>
      {timeline.isPending ? <Loading what="the timeline" /> : null}
      {timeline.isError ? <LoadProblem error={timeline.error} /> : null}
      {timeline.hasNextPage ? (
        <button
          type="button"
          className="button button--small"
          disabled={timeline.isFetchingNextPage}
          onClick={() => void timeline.fetchNextPage()}
        >
          {timeline.isFetchingNextPage ? "Loading…" : "Show earlier entries"}
        </button>
      ) : null}
      {timeline.data ? (
        <ol className="timeline">
          {entries.map((entry) => (
            <li key={`${entry.source}-${entry.id}`}>
              <p className="timeline__what">
                {entry.summary}
                {entry.referral ? <span className="cell-note">Referral {entry.referral.reference}</span> : null}
              </p>
              <p className="cell-note">
                {entry.by ? `${entry.by.name}${entry.by_agency ? `, ${entry.by_agency.name}` : ""} · ` : ""}
                <time dateTime={entry.at}>{formatDateTime(entry.at)}</time>
              </p>
              {entry.note ? <p className="narrative">{entry.note}</p> : null}
            </li>
          ))}
        </ol>
      ) : null}
    </section>
  );
}
