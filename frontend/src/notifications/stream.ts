/**
 * The live side of notifications: one WebSocket to `/ws/notifications/`, kept open.
 *
 * The platform pushes each notification once, as it is committed, and sends nothing on
 * connect. So after every (re)connection the stream catches up with
 * `GET notifications/?after=<last id known without gaps>`, and delivers each notification
 * once whether it came pushed, caught up, or both. A dropped socket is reopened with
 * exponential backoff (with jitter, so a restarted server is not hit by every browser at the
 * same instant); a socket the platform closes because the session ended or the person has no
 * role any more is not reopened: they must sign in again.
 */
import type { Schemas } from "../api/client";

export type Notification = Schemas["Notification"];

/** Close codes the platform uses to say "sign in again", not "try again". */
export const SIGNED_OUT_CODES = new Set([4401, 4403]);

/** The part of the browser's WebSocket the stream uses, so tests can hand in a fake. */
export interface SocketLike {
  onopen: ((event: Event) => void) | null;
  onmessage: ((event: MessageEvent) => void) | null;
  onclose: ((event: CloseEvent) => void) | null;
  onerror: ((event: Event) => void) | null;
  close(code?: number): void;
}

export type SocketFactory = (url: string) => SocketLike;

export interface StreamHandlers {
  /** Notifications not delivered before, oldest first. */
  onNotifications(notifications: Notification[]): void;
  /** Notifications read elsewhere (another tab or device). */
  onRead(ids: number[]): void;
  /** Connected and caught up; `reconnected` when it is not the first connection. */
  onConnected(reconnected: boolean): void;
  onDisconnected(): void;
  /** The platform refused the socket for the session or role: stop and sign in again. */
  onSignedOut(): void;
}

export interface StreamOptions {
  url: string;
  createSocket: SocketFactory;
  /** Every notification newer than `after`, oldest first (all pages). */
  catchUp: (after: number) => Promise<Notification[]>;
  handlers: StreamHandlers;
  /** The newest notification already known: catch-up starts after it. */
  lastId: number;
  initialDelayMs?: number;
  maxDelayMs?: number;
  random?: () => number;
}

/** How long to wait before reconnection attempt `attempt` (0-based): doubling, capped, jittered. */
export function backoffDelay(
  attempt: number,
  initialMs: number,
  maxMs: number,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(maxMs, initialMs * 2 ** attempt);
  // Between half and all of the ceiling: spread out, never immediate.
  return Math.round(ceiling * (0.5 + random() * 0.5));
}

export function notificationsSocketUrl(location: Pick<Location, "protocol" | "host">): string {
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  return `${scheme}://${location.host}/ws/notifications/`;
}

export class NotificationStream {
  private readonly options: Required<StreamOptions>;
  private socket: SocketLike | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private attempt = 0;
  private connections = 0;
  private stopped = true;
  /** Everything up to this id is known: the next catch-up starts after it. */
  private knownUpTo: number;
  private caughtUp = false;
  private readonly delivered = new Set<number>();
  private newestDelivered = 0;

  constructor(options: StreamOptions) {
    this.options = { initialDelayMs: 1000, maxDelayMs: 30_000, random: Math.random, ...options };
    this.knownUpTo = options.lastId;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.open();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    const socket = this.socket;
    this.socket = null;
    if (socket) {
      detach(socket);
      socket.close(1000);
    }
  }

  /** The id catch-up would start after now (for tests and diagnostics). */
  get lastId(): number {
    return this.knownUpTo;
  }

  private open(): void {
    this.timer = null;
    this.caughtUp = false;
    const socket = this.options.createSocket(this.options.url);
    this.socket = socket;
    socket.onopen = () => {
      if (this.socket === socket) void this.catchUp(socket);
    };
    socket.onmessage = (event) => {
      if (this.socket === socket) this.receive(event.data);
    };
    socket.onclose = (event) => {
      if (this.socket === socket) this.closed(event.code);
    };
    // An error is always followed by a close, which decides what happens next.
    socket.onerror = () => undefined;
  }

  private async catchUp(socket: SocketLike): Promise<void> {
    let missed: Notification[];
    try {
      missed = await this.options.catchUp(this.knownUpTo);
    } catch {
      // Without the catch-up there could be a gap: start again on a fresh connection.
      if (this.socket === socket) {
        detach(socket);
        socket.close(1000);
        this.closed(1006);
      }
      return;
    }
    if (this.socket !== socket) return;
    this.deliver(missed);
    this.knownUpTo = Math.max(this.knownUpTo, this.newestDelivered);
    this.caughtUp = true;
    this.attempt = 0;
    this.connections += 1;
    this.options.handlers.onConnected(this.connections > 1);
  }

  private receive(data: unknown): void {
    let message: unknown;
    try {
      message = typeof data === "string" ? JSON.parse(data) : null;
    } catch {
      return;
    }
    if (!isRecord(message)) return;
    if (message.type === "notification" && isRecord(message.notification)) {
      const notification = message.notification as unknown as Notification;
      this.deliver([notification]);
      // Pushes on a caught-up socket follow on without gaps; before that, the catch-up
      // itself decides how far is known.
      if (this.caughtUp) this.knownUpTo = Math.max(this.knownUpTo, notification.id);
    } else if (message.type === "read" && Array.isArray(message.ids)) {
      this.options.handlers.onRead(message.ids.filter((id): id is number => typeof id === "number"));
    }
  }

  private deliver(notifications: Notification[]): void {
    const fresh = notifications.filter(
      (notification) => notification.id > this.options.lastId && !this.delivered.has(notification.id),
    );
    if (!fresh.length) return;
    fresh.sort((a, b) => a.id - b.id);
    for (const notification of fresh) this.delivered.add(notification.id);
    this.newestDelivered = Math.max(this.newestDelivered, fresh.at(-1)!.id);
    this.options.handlers.onNotifications(fresh);
  }

  private closed(code: number): void {
    const socket = this.socket;
    if (socket) detach(socket);
    this.socket = null;
    if (this.stopped) return;
    this.options.handlers.onDisconnected();
    if (SIGNED_OUT_CODES.has(code)) {
      this.stopped = true;
      this.options.handlers.onSignedOut();
      return;
    }
    const delay = backoffDelay(
      this.attempt,
      this.options.initialDelayMs,
      this.options.maxDelayMs,
      this.options.random,
    );
    this.attempt += 1;
    this.timer = setTimeout(() => this.open(), delay);
  }
}

function detach(socket: SocketLike): void {
  socket.onopen = null;
  socket.onmessage = null;
  socket.onclose = null;
  socket.onerror = null;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
