/**
 * Notifications in the query cache, kept current by the live stream.
 *
 * The unread count and the newest few notifications are ordinary queries; the stream
 * (mounted once, by the bell in the shell) writes what it receives into them, so every
 * screen that shows them updates without a reload. Nothing is kept in browser storage.
 */
import { useMutation, useQuery, useQueryClient, type QueryClient } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";

import { api, unwrap } from "../api/client";
import { ME_KEY } from "../auth/session";
import {
  NotificationStream,
  notificationsSocketUrl,
  type Notification,
  type SocketFactory,
} from "./stream";

export const NOTIFICATIONS_KEY = ["notifications"] as const;
export const UNREAD_KEY = ["notifications", "unread-count"] as const;
export const RECENT_KEY = ["notifications", "recent"] as const;
export const LIST_KEY = ["notifications", "list"] as const;
/** Queries of screens that show referrals: a referral notification means they changed. */
export const REFERRALS_KEY = ["referrals"] as const;

export const RECENT_SIZE = 8;
const CATCH_UP_PAGE_SIZE = 100;

export function useUnreadCount() {
  return useQuery({
    queryKey: UNREAD_KEY,
    queryFn: () => unwrap(api.GET("/api/v1/notifications/unread-count/")),
  });
}

export function useRecentNotifications() {
  return useQuery({
    queryKey: RECENT_KEY,
    queryFn: async () =>
      (
        await unwrap(
          api.GET("/api/v1/notifications/", { params: { query: { page_size: RECENT_SIZE } } }),
        )
      ).results,
  });
}

/** Every notification newer than `after`, oldest first, following the pages. */
export async function fetchNotificationsAfter(after: number): Promise<Notification[]> {
  const all: Notification[] = [];
  let from = after;
  for (;;) {
    const page = await unwrap(
      api.GET("/api/v1/notifications/", {
        params: { query: { after: from, page_size: CATCH_UP_PAGE_SIZE } },
      }),
    );
    all.push(...page.results);
    const last = page.results.at(-1);
    // Re-asking after the last id seen (not for "page 2") cannot skip one that arrived meanwhile.
    if (!page.next || !last) return all;
    from = last.id;
  }
}

function added(queryClient: QueryClient, notifications: Notification[]): void {
  queryClient.setQueryData<Notification[]>(RECENT_KEY, (current) => {
    if (!current) return current;
    const known = new Set(current.map((n) => n.id));
    const fresh = notifications.filter((n) => !known.has(n.id)).reverse();
    return [...fresh, ...current].slice(0, RECENT_SIZE);
  });
  const unread = notifications.filter((n) => n.read_at === null).length;
  queryClient.setQueryData<{ unread: number }>(UNREAD_KEY, (current) =>
    current ? { unread: current.unread + unread } : current,
  );
  void queryClient.invalidateQueries({ queryKey: LIST_KEY });
  if (notifications.some((n) => n.object_type === "referrals.referral")) {
    void queryClient.invalidateQueries({ queryKey: REFERRALS_KEY });
  }
}

function readElsewhere(queryClient: QueryClient, ids: number[]): void {
  const now = new Date().toISOString();
  const read = new Set(ids);
  queryClient.setQueryData<Notification[]>(RECENT_KEY, (current) =>
    current?.map((n) => (read.has(n.id) && n.read_at === null ? { ...n, read_at: now } : n)),
  );
  void queryClient.invalidateQueries({ queryKey: UNREAD_KEY });
  void queryClient.invalidateQueries({ queryKey: LIST_KEY });
}

export interface LiveState {
  /** Connected and caught up: what is shown is current. */
  connected: boolean;
  /** Was connected, lost the connection, and is trying again. */
  reconnecting: boolean;
  /** The latest thing worth announcing to screen reader users. */
  announcement: string;
}

export function announcementFor(notifications: Notification[]): string {
  if (notifications.length === 1) return `New notification: ${notifications[0]!.text}`;
  return `${notifications.length} new notifications.`;
}

/**
 * Keep the notification queries live over `/ws/notifications/`. Mount it once for the
 * signed-in person. It starts after the newest notification is known, so its first catch-up
 * covers exactly what arrived between that load and the socket opening.
 */
export function useNotificationStream(
  createSocket: SocketFactory = (url) => new WebSocket(url),
): LiveState {
  const queryClient = useQueryClient();
  const recent = useRecentNotifications();
  const [state, setState] = useState<LiveState>({
    connected: false,
    reconnecting: false,
    announcement: "",
  });
  const baseline = recent.data ? (recent.data[0]?.id ?? 0) : null;
  const baselineRef = useRef(baseline);
  baselineRef.current = baseline;
  const socketFactory = useRef(createSocket);
  const ready = baseline !== null;

  useEffect(() => {
    if (!ready) return undefined;
    let wasConnected = false;
    const stream = new NotificationStream({
      url: notificationsSocketUrl(window.location),
      createSocket: socketFactory.current,
      catchUp: fetchNotificationsAfter,
      lastId: baselineRef.current ?? 0,
      handlers: {
        onNotifications: (notifications) => {
          added(queryClient, notifications);
          setState((current) => ({ ...current, announcement: announcementFor(notifications) }));
        },
        onRead: (ids) => readElsewhere(queryClient, ids),
        onConnected: (reconnected) => {
          wasConnected = true;
          setState((current) => ({ ...current, connected: true, reconnecting: false }));
          // The count is fetched again: reads elsewhere while the socket was down sent no
          // frame here, and a count loaded beside the catch-up may already include some of it.
          void queryClient.invalidateQueries({ queryKey: UNREAD_KEY });
          if (reconnected) void queryClient.invalidateQueries({ queryKey: LIST_KEY });
        },
        onDisconnected: () =>
          setState((current) => ({ ...current, connected: false, reconnecting: wasConnected })),
        onSignedOut: () => void queryClient.invalidateQueries({ queryKey: ME_KEY }),
      },
    });
    stream.start();
    return () => stream.stop();
  }, [ready, queryClient]);

  return state;
}

export function useMarkRead() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: number) =>
      unwrap(api.POST("/api/v1/notifications/{id}/read/", { params: { path: { id } } })),
    onSuccess: (notification) => {
      queryClient.setQueryData<Notification[]>(RECENT_KEY, (current) =>
        current?.map((n) => (n.id === notification.id ? notification : n)),
      );
      void queryClient.invalidateQueries({ queryKey: UNREAD_KEY });
      void queryClient.invalidateQueries({ queryKey: LIST_KEY });
    },
  });
}

export function useMarkAllRead() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (upTo: number | undefined) =>
      unwrap(
        api.POST("/api/v1/notifications/read-all/", {
          body: upTo === undefined ? {} : { up_to: upTo },
        }),
      ),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: NOTIFICATIONS_KEY }),
  });
}

/**
 * Where a notification leads: the object it is about, by id only (URLs never carry
 * personal data). Kinds with no screen of their own lead nowhere.
 */
export function notificationTarget(
  notification: Pick<Notification, "object_type" | "object_id">,
): string | null {
  if (!notification.object_id) return null;
  const id = encodeURIComponent(notification.object_id);
  switch (notification.object_type) {
    case "referrals.referral":
      return `/referrals/${id}`;
    case "caseplans.caseplan":
      return `/case-plans/${id}`;
    case "children.child":
      return `/children/${id}`;
    case "consent.overrideauthorisation":
      return `/sharing-overrides/${id}`;
    default:
      return null;
  }
}
