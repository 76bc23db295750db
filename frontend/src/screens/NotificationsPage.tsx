import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useState } from "react";

import { api, unwrap } from "../api/client";
import { Loading, Page } from "../components/Page";
import { Pager } from "../components/Pager";
import { LoadProblem } from "../components/Problem";
import { NotificationList } from "../notifications/NotificationList";
import {
  LIST_KEY,
  useMarkAllRead,
  useRecentNotifications,
  useUnreadCount,
} from "../notifications/useNotifications";
import "../notifications/notifications.css";

const PAGE_SIZE = 25;

export function NotificationsPage() {
  const [unreadOnly, setUnreadOnly] = useState(false);
  const [page, setPage] = useState(1);
  const list = useQuery({
    queryKey: [...LIST_KEY, { unreadOnly, page }],
    queryFn: () =>
      unwrap(
        api.GET("/api/v1/notifications/", {
          params: { query: { unread: unreadOnly || undefined, page, page_size: PAGE_SIZE } },
        }),
      ),
    placeholderData: keepPreviousData,
  });
  const unread = useUnreadCount().data?.unread ?? 0;
  const newest = useRecentNotifications().data?.[0]?.id;
  const markAll = useMarkAllRead();
  const [done, setDone] = useState("");

  const show = (onlyUnread: boolean) => {
    setUnreadOnly(onlyUnread);
    setPage(1);
  };

  return (
    <Page title="Notifications">
      <p className="lede">
        What needs you, as it happens. They update by themselves; there is no need to reload.
      </p>
      <div className="page-toolbar">
        <fieldset className="segmented">
          <legend className="visually-hidden">Show</legend>
          <label>
            <input type="radio" name="which" checked={!unreadOnly} onChange={() => show(false)} />
            All
          </label>
          <label>
            <input type="radio" name="which" checked={unreadOnly} onChange={() => show(true)} />
            Unread only
          </label>
        </fieldset>
        <button
          type="button"
          className="button button--small"
          disabled={unread === 0 || markAll.isPending}
          onClick={() => {
            setDone("");
            // Only what has been delivered here: one arriving meanwhile stays unread.
            markAll.mutate(newest, {
              onSuccess: ({ marked }) =>
                setDone(
                  marked === 1
                    ? "1 notification marked as read."
                    : `${marked} notifications marked as read.`,
                ),
            });
          }}
        >
          Mark all as read
        </button>
      </div>
      <p role="status" className="notice-slot">
        {done}
      </p>
      {markAll.isError ? <LoadProblem error={markAll.error} /> : null}
      <section aria-labelledby="notification-list" className="panel">
        <h2 id="notification-list">{unreadOnly ? "Unread notifications" : "All notifications"}</h2>
        {list.isPending ? <Loading what="notifications" /> : null}
        {list.isError ? <LoadProblem error={list.error} /> : null}
        {list.data ? (
          list.data.results.length ? (
            <>
              <NotificationList notifications={list.data.results} />
              <Pager
                label="Notification pages"
                page={page}
                count={list.data.count}
                pageSize={PAGE_SIZE}
                onPage={setPage}
              />
            </>
          ) : (
            <p>{unreadOnly ? "Nothing unread." : "No notifications yet."}</p>
          )
        ) : null}
      </section>
    </Page>
  );
}
