import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";

import { CSRF, json, me, mockPlatform, renderApp, type Handler, type Sent } from "../test/platform";
import { FakeSocket } from "../test/fakeSocket";
import type { Notification } from "./stream";

function notification(id: number, read = false): Notification {
  const reference = `R-2026-${String(id).padStart(4, "0")}`;
  return {
    id,
    kind: "referral_sent",
    reference,
    text: `New referral ${reference} for your service.`,
    created_at: "2026-03-01T10:00:00Z",
    read_at: read ? "2026-03-01T10:05:00Z" : null,
    object_type: "referrals.referral",
    object_id: `0000000${id}-0000-4000-8000-000000000000`,
  };
}

const page = <T,>(results: T[]) => ({ count: results.length, next: null, previous: null, results });

/** A platform holding `stored` notifications for the signed-in person, newest last. */
function notificationsPlatform(stored: Notification[], extra: Record<string, Handler> = {}) {
  const handlers: Record<string, Handler> = {
    ...CSRF,
    "GET /api/v1/auth/me/": () => json(me()),
    "GET /api/v1/notifications/": (sent: Sent) => {
      const query = new URLSearchParams(sent.search);
      const after = query.get("after");
      if (after !== null) return json(page(stored.filter((n) => n.id > Number(after))));
      const newestFirst = [...stored].reverse();
      return json(page(newestFirst.slice(0, Number(query.get("page_size") ?? 25))));
    },
    "GET /api/v1/notifications/unread-count/": () =>
      json({ unread: stored.filter((n) => n.read_at === null).length }),
    "GET /api/v1/referrals/": () => json(page([])),
    "GET /api/v1/referrals/counts/": () => json({ counts: {}, statuses: [] }),
    ...extra,
  };
  return mockPlatform(handlers);
}

const bell = () => screen.getByRole("link", { name: /^Notifications/ });
const requests = (sent: Sent[], path: string) => sent.filter((s) => s.path === path);

describe("the notification bell", () => {
  it("shows the unread count and raises it when one is pushed, without asking the platform", async () => {
    const stored = [notification(40, true), notification(41), notification(42)];
    const { sent } = notificationsPlatform(stored);
    renderApp("/");
    await waitFor(() => expect(bell()).toHaveTextContent("Notifications2 unread"));
    await waitFor(() => expect(FakeSocket.all).toHaveLength(1));
    expect(FakeSocket.latest().url).toBe(`ws://${window.location.host}/ws/notifications/`);

    FakeSocket.latest().open();
    // The first catch-up starts after the newest notification already shown.
    await waitFor(() =>
      expect(requests(sent, "/api/v1/notifications/").map((s) => new URLSearchParams(s.search).get("after"))).toContain(
        "42",
      ),
    );
    await waitFor(() => expect(requests(sent, "/api/v1/notifications/unread-count/")).toHaveLength(2));

    const pushed = notification(43);
    stored.push(pushed);
    FakeSocket.latest().push({ type: "notification", notification: pushed });
    await waitFor(() => expect(bell()).toHaveTextContent("Notifications3 unread"));
    expect(requests(sent, "/api/v1/notifications/unread-count/")).toHaveLength(2);
    const recent = screen.getByRole("region", { name: "Recent notifications" });
    expect(within(recent).getAllByRole("link")[0]).toHaveTextContent(pushed.text);
    expect(within(recent).getAllByRole("link")[0]).toHaveAttribute("href", `/referrals/${pushed.object_id}`);
    expect(screen.getByText(`New notification: ${pushed.text}`)).toHaveAttribute("role", "status");
  });

  it("reconnects by itself after a drop and catches up what arrived meanwhile", async () => {
    vi.spyOn(Math, "random").mockReturnValue(0);
    const stored = [notification(50)];
    const { sent } = notificationsPlatform(stored);
    renderApp("/");
    await waitFor(() => expect(FakeSocket.all).toHaveLength(1));
    FakeSocket.latest().open();
    await waitFor(() => expect(bell()).toHaveTextContent("1 unread"));

    FakeSocket.latest().drop(1006);
    await waitFor(() => expect(screen.getByText("Reconnecting…")).toBeInTheDocument());
    // Meanwhile the platform stored two more for this person.
    stored.push(notification(51), notification(52));
    await waitFor(() => expect(FakeSocket.all).toHaveLength(2));
    FakeSocket.latest().open();

    await waitFor(() => expect(bell()).toHaveTextContent("3 unread"));
    const afters = requests(sent, "/api/v1/notifications/")
      .map((s) => new URLSearchParams(s.search).get("after"))
      .filter(Boolean);
    expect(afters).toEqual(["50", "50"]);
    expect(screen.queryByText("Reconnecting…")).not.toBeInTheDocument();
    const recent = screen.getByRole("region", { name: "Recent notifications" });
    expect(within(recent).getAllByRole("listitem").map((li) => li.querySelector("a")?.textContent)).toEqual([
      notification(52).text,
      notification(51).text,
      notification(50).text,
    ]);
  });

  it("sends the person to sign in when the platform closes the socket for the session", async () => {
    let signedIn = true;
    notificationsPlatform([], {
      "GET /api/v1/auth/me/": () =>
        signedIn ? json(me()) : json({ detail: "Authentication credentials were not provided.", code: "not_authenticated" }, 401),
    });
    renderApp("/");
    await waitFor(() => expect(FakeSocket.all).toHaveLength(1));
    FakeSocket.latest().open();
    signedIn = false;
    FakeSocket.latest().drop(4401);
    expect(await screen.findByRole("heading", { level: 1, name: "Sign in" })).toBeInTheDocument();
    expect(FakeSocket.all).toHaveLength(1);
  });

  it("keeps a read made on another device in step", async () => {
    const stored = [notification(60), notification(61)];
    notificationsPlatform(stored);
    renderApp("/");
    await waitFor(() => expect(FakeSocket.all).toHaveLength(1));
    FakeSocket.latest().open();
    await waitFor(() => expect(bell()).toHaveTextContent("2 unread"));
    stored[1] = notification(61, true);
    FakeSocket.latest().push({ type: "read", ids: [61] });
    await waitFor(() => expect(bell()).toHaveTextContent("1 unread"));
  });
});

describe("the notifications page", () => {
  it("marks one read, or all read up to the newest shown", async () => {
    const stored = [notification(70), notification(71)];
    const { sent } = notificationsPlatform(stored, {
      "POST /api/v1/notifications/70/read/": () => {
        stored[0] = notification(70, true);
        return json(stored[0]);
      },
      "POST /api/v1/notifications/read-all/": () => {
        stored.splice(0, stored.length, notification(70, true), notification(71, true));
        return json({ marked: 1 });
      },
    });
    renderApp("/notifications");
    const list = await screen.findByRole("region", { name: "All notifications" });
    await within(list).findByText(notification(71).text);
    await userEvent.click(within(list).getByRole("button", { name: `Mark as read: ${notification(70).text}` }));
    await waitFor(() => expect(bell()).toHaveTextContent("1 unread"));

    await userEvent.click(screen.getByRole("button", { name: "Mark all as read" }));
    expect(await screen.findByText("1 notification marked as read.")).toBeInTheDocument();
    expect(sent.find((s) => s.path === "/api/v1/notifications/read-all/")?.body).toEqual({ up_to: 71 });
    await waitFor(() => expect(within(bell()).queryByText(/unread/)).not.toBeInTheDocument());
    expect(screen.getByRole("button", { name: "Mark all as read" })).toBeDisabled();
  });
});
