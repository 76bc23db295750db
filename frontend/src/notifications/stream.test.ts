import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { FakeSocket } from "../test/fakeSocket";
import { backoffDelay, NotificationStream, notificationsSocketUrl, type Notification } from "./stream";

function notification(id: number, read = false): Notification {
  return {
    id,
    kind: "referral_sent",
    reference: `R-2026-${String(id).padStart(4, "0")}`,
    text: `New referral R-2026-${String(id).padStart(4, "0")} for your service.`,
    created_at: "2026-03-01T10:00:00Z",
    read_at: read ? "2026-03-01T10:05:00Z" : null,
    object_type: "referrals.referral",
    object_id: `referral-${id}`,
  };
}

function setUp(options: { lastId?: number; catchUp?: (after: number) => Promise<Notification[]> } = {}) {
  const delivered: number[][] = [];
  const events: string[] = [];
  const catchUp = vi.fn(options.catchUp ?? (async () => []));
  const stream = new NotificationStream({
    url: "ws://platform.test/ws/notifications/",
    createSocket: (url) => new FakeSocket(url),
    catchUp,
    lastId: options.lastId ?? 0,
    random: () => 1,
    handlers: {
      onNotifications: (items) => delivered.push(items.map((n) => n.id)),
      onRead: (ids) => events.push(`read ${ids.join(",")}`),
      onConnected: (again) => events.push(again ? "reconnected" : "connected"),
      onDisconnected: () => events.push("disconnected"),
      onSignedOut: () => events.push("signed out"),
    },
  });
  return { stream, delivered, events, catchUp };
}

beforeEach(() => {
  FakeSocket.reset();
  vi.useFakeTimers();
});

afterEach(() => {
  vi.useRealTimers();
});

describe("the notification stream", () => {
  it("connects to the same origin, catches up after the newest known id, then delivers pushes", async () => {
    const { stream, delivered, events, catchUp } = setUp({
      lastId: 40,
      catchUp: async () => [notification(41)],
    });
    stream.start();
    const socket = FakeSocket.latest();
    expect(socket.url).toBe("ws://platform.test/ws/notifications/");
    socket.open();
    await vi.waitFor(() => expect(events).toEqual(["connected"]));
    expect(catchUp).toHaveBeenCalledWith(40);
    socket.push({ type: "notification", notification: notification(42) });
    expect(delivered).toEqual([[41], [42]]);
    expect(stream.lastId).toBe(42);
  });

  it("delivers each notification once when a push and the catch-up both bring it", async () => {
    let answer: (items: Notification[]) => void = () => undefined;
    const { stream, delivered } = setUp({
      lastId: 5,
      catchUp: () => new Promise((resolve) => (answer = resolve)),
    });
    stream.start();
    const socket = FakeSocket.latest();
    socket.open();
    socket.push({ type: "notification", notification: notification(7) });
    answer([notification(6), notification(7)]);
    await vi.waitFor(() => expect(delivered).toEqual([[7], [6]]));
    expect(stream.lastId).toBe(7);
  });

  it("reconnects with growing delays and catches up what it missed while away", async () => {
    const missed = [[], [notification(12), notification(13)]];
    const { stream, delivered, events, catchUp } = setUp({
      lastId: 10,
      catchUp: async () => missed.shift() ?? [],
    });
    stream.start();
    FakeSocket.latest().open();
    await vi.waitFor(() => expect(events).toEqual(["connected"]));
    FakeSocket.latest().push({ type: "notification", notification: notification(11) });

    FakeSocket.latest().drop();
    expect(events.at(-1)).toBe("disconnected");
    expect(FakeSocket.all).toHaveLength(1);
    vi.advanceTimersByTime(999);
    expect(FakeSocket.all).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(FakeSocket.all).toHaveLength(2);

    // The second attempt fails too: the next wait is twice as long.
    FakeSocket.latest().drop();
    vi.advanceTimersByTime(1999);
    expect(FakeSocket.all).toHaveLength(2);
    vi.advanceTimersByTime(1);
    expect(FakeSocket.all).toHaveLength(3);

    FakeSocket.latest().open();
    await vi.waitFor(() => expect(events.at(-1)).toBe("reconnected"));
    expect(catchUp).toHaveBeenLastCalledWith(11);
    expect(delivered).toEqual([[11], [12, 13]]);

    // Connected again: the delays start from the beginning.
    FakeSocket.latest().drop();
    vi.advanceTimersByTime(1000);
    expect(FakeSocket.all).toHaveLength(4);
  });

  it("starts again on a fresh connection when the catch-up fails, from where it was", async () => {
    let calls = 0;
    const { stream, delivered, events, catchUp } = setUp({
      lastId: 3,
      catchUp: async () => {
        calls += 1;
        if (calls === 1) throw new Error("network");
        return [notification(4)];
      },
    });
    stream.start();
    const first = FakeSocket.latest();
    first.open();
    await vi.waitFor(() => expect(first.closedWith).toBe(1000));
    expect(events).toEqual(["disconnected"]);
    vi.advanceTimersByTime(1000);
    FakeSocket.latest().open();
    await vi.waitFor(() => expect(events.at(-1)).toBe("connected"));
    expect(catchUp.mock.calls).toEqual([[3], [3]]);
    expect(delivered).toEqual([[4]]);
  });

  it("stops for good when the platform says the session ended or the role is gone", async () => {
    for (const code of [4401, 4403]) {
      FakeSocket.reset();
      const { stream, events } = setUp();
      stream.start();
      FakeSocket.latest().open();
      await vi.waitFor(() => expect(events).toEqual(["connected"]));
      FakeSocket.latest().drop(code);
      expect(events).toEqual(["connected", "disconnected", "signed out"]);
      vi.advanceTimersByTime(60_000);
      expect(FakeSocket.all).toHaveLength(1);
    }
  });

  it("passes on reads made elsewhere and ignores frames it does not understand", async () => {
    const { stream, delivered, events } = setUp();
    stream.start();
    const socket = FakeSocket.latest();
    socket.open();
    await vi.waitFor(() => expect(events).toEqual(["connected"]));
    socket.push({ type: "read", ids: [3, 4] });
    socket.push({ type: "something-new" });
    socket.onmessage?.(new MessageEvent("message", { data: "not json" }));
    expect(events).toEqual(["connected", "read 3,4"]);
    expect(delivered).toEqual([]);
  });

  it("closes its socket and schedules nothing once stopped", async () => {
    const { stream, events } = setUp();
    stream.start();
    const socket = FakeSocket.latest();
    socket.open();
    await vi.waitFor(() => expect(events).toEqual(["connected"]));
    stream.stop();
    expect(socket.closedWith).toBe(1000);
    socket.drop();
    vi.advanceTimersByTime(60_000);
    expect(FakeSocket.all).toHaveLength(1);
    expect(events).toEqual(["connected"]);
  });
});

describe("backoff", () => {
  it("doubles up to the ceiling, with jitter between half and all of it", () => {
    expect([0, 1, 2, 3, 4, 5, 6].map((n) => backoffDelay(n, 1000, 30_000, () => 1))).toEqual([
      1000, 2000, 4000, 8000, 16000, 30000, 30000,
    ]);
    expect(backoffDelay(3, 1000, 30_000, () => 0)).toBe(4000);
  });
});

describe("the socket address", () => {
  it("follows the page's own origin and scheme", () => {
    expect(notificationsSocketUrl({ protocol: "https:", host: "safeguarding.example" })).toBe(
      "wss://safeguarding.example/ws/notifications/",
    );
    expect(notificationsSocketUrl({ protocol: "http:", host: "127.0.0.1:8000" })).toBe(
      "ws://127.0.0.1:8000/ws/notifications/",
    );
  });
});
