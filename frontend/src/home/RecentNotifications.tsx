import { Link } from "react-router";

import { Loading } from "../components/Page";
import { LoadProblem } from "../components/Problem";
import { NotificationList } from "../notifications/NotificationList";
import { useRecentNotifications } from "../notifications/useNotifications";

const SHOWN = 5;

/** The newest notifications: the same live list as the bell's, so it updates by itself. */
export function RecentNotifications() {
  const recent = useRecentNotifications();
  return (
    <section aria-labelledby="recent-notifications" className="panel">
      <h2 id="recent-notifications">Recent notifications</h2>
      {recent.isPending ? <Loading what="notifications" /> : null}
      {recent.isError ? <LoadProblem error={recent.error} /> : null}
      {recent.data && recent.data.length === 0 ? <p>Nothing yet.</p> : null}
      {recent.data?.length ? <NotificationList notifications={recent.data.slice(0, SHOWN)} /> : null}
      <p>
        <Link to="/notifications">All notifications</Link>
      </p>
    </section>
  );
}
