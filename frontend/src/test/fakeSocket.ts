/**
 * A stand-in for the browser's WebSocket: tests open, push to and drop connections by hand.
 * `FakeSocket.all` lists every socket made, newest last.
 */
import type { SocketLike } from "../notifications/stream";

export class FakeSocket implements SocketLike {
  static all: FakeSocket[] = [];

  static latest(): FakeSocket {
    const socket = FakeSocket.all.at(-1);
    if (!socket) throw new Error("no socket was opened");
    return socket;
  }

  static reset(): void {
    FakeSocket.all = [];
  }

  onopen: ((event: Event) => void) | null = null;
  onmessage: ((event: MessageEvent) => void) | null = null;
  onclose: ((event: CloseEvent) => void) | null = null;
  onerror: ((event: Event) => void) | null = null;
  closedWith: number | null = null;

  constructor(readonly url: string) {
    FakeSocket.all.push(this);
  }

  close(code = 1000): void {
    this.closedWith = code;
  }

  /** The server accepted the connection. */
  open(): void {
    this.onopen?.(new Event("open"));
  }

  /** The server sent a JSON frame. */
  push(message: unknown): void {
    this.onmessage?.(new MessageEvent("message", { data: JSON.stringify(message) }));
  }

  /** The connection ended from the server's side (or the network's). */
  drop(code = 1006): void {
    this.onerror?.(new Event("error"));
    this.onclose?.(new CloseEvent("close", { code }));
  }
}
