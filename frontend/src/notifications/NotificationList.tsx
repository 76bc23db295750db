import { Link } from "react-router";

import { LoadProblem } from "../components/Problem";
import { formatDateTime } from "../labels";
import { NOTIFICATION_KIND_LABELS } from "./labels";
import type { Notification } from "./stream";
import { notificationTarget, useMarkRead } from "./useNotifications";

/**
 * Notifications as a list: each leads to what it is about (opening one marks it read), and
 * an unread one can be marked read where it stands.
 */
export function NotificationList({ notifications }: { notifications: Notification[] }) {
  const markRead = useMarkRead();
  return (
    <>
      {markRead.isError ? <LoadProblem error={markRead.error} /> : null}
      <ul className="notification-list">
        {notifications.map((notification) => {
          const unread = notification.read_at === null;
          const target = notificationTarget(notification);
          const open = () => {
            if (unread) markRead.mutate(notification.id);
          };
          return (
            <li
              key={notification.id}
              className={unread ? "notification notification--unread" : "notification"}
            >
              <p className="notification__text">
                {target ? (
                  <Link to={target} onClick={open}>
                    {notification.text}
                  </Link>
                ) : (
                  notification.text
                )}
              </p>
              <p className="notification__meta">
                {unread ? <span className="tag tag--unread">Unread</span> : null}
                {NOTIFICATION_KIND_LABELS[notification.kind]} ·{" "}
                <time dateTime={notification.created_at}>{formatDateTime(notification.created_at)}</time>
              </p>
              {unread ? (
                <button
                  type="button"
                  className="button button--small button--quiet notification__read"
                  aria-label={`Mark as read: ${notification.text}`}
                  disabled={markRead.isPending && markRead.variables === notification.id}
                  onClick={() => markRead.mutate(notification.id)}
                >
                  Mark as read
                </button>
              ) : null}
            </li>
          );
        })}
      </ul>
    </>
  );
}
