import { NavLink } from "react-router";

import "./notifications.css";

import { useNotificationStream, useUnreadCount } from "./useNotifications";

/**
 * The bell in the shell: the unread count, kept live by the notification stream it mounts,
 * and a polite announcement of each new notification for screen reader users.
 */
export function NotificationBell() {
  const live = useNotificationStream();
  const unread = useUnreadCount().data?.unread ?? 0;
  return (
    <div className="bell">
      <NavLink to="/notifications" className="bell__link">
        <svg className="bell__icon" viewBox="0 0 24 24" aria-hidden="true" focusable="false">
          <path d="M12 22a2.5 2.5 0 0 0 2.45-2h-4.9A2.5 2.5 0 0 0 12 22Zm7-6V11a7 7 0 0 0-5.5-6.84V3a1.5 1.5 0 0 0-3 0v1.16A7 7 0 0 0 5 11v5l-2 2v1h18v-1l-2-2Z" />
        </svg>
        Notifications
        {unread > 0 ? (
          <span className="bell__count" data-testid="unread-count">
            {unread}
            <span className="visually-hidden"> unread</span>
          </span>
        ) : null}
      </NavLink>
      {live.reconnecting ? <span className="bell__state">Reconnecting…</span> : null}
      <span className="visually-hidden" role="status" aria-live="polite">
        {live.announcement}
      </span>
    </div>
  );
}
