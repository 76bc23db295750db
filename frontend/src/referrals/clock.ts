/**
 * The referral clocks in words: how long is left to acknowledge or respond, or how long
 * ago the time ran out. The platform decides what is overdue; these only say it.
 */
import { useEffect, useState } from "react";

import type { Schemas } from "../api/client";

export type ClockKind = "acknowledge" | "respond";

export interface RunningClock {
  kind: ClockKind;
  /** When it runs out (ISO 8601). */
  due: string;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/**
 * The clock still running for a referral: acknowledgement while it waits to be
 * acknowledged, then the response (accept or decline); none once answered or closed.
 */
export function runningClock(
  referral: Pick<Schemas["ReferralList"], "status" | "acknowledge_by" | "respond_by">,
): RunningClock | null {
  if (referral.status === "sent" && referral.acknowledge_by) {
    return { kind: "acknowledge", due: referral.acknowledge_by };
  }
  if (referral.status === "acknowledged" && referral.respond_by) {
    return { kind: "respond", due: referral.respond_by };
  }
  return null;
}

function plural(count: number, one: string, many: string): string {
  return `${count} ${count === 1 ? one : many}`;
}

/** A span of time as people say it, to the minute: "3 days 4 h", "2 h 15 min", "45 min". */
export function formatSpan(ms: number): string {
  const span = Math.abs(ms);
  if (span < MINUTE) return "less than a minute";
  const days = Math.floor(span / DAY);
  const hours = Math.floor((span % DAY) / HOUR);
  const minutes = Math.floor((span % HOUR) / MINUTE);
  if (days > 0) return hours ? `${plural(days, "day", "days")} ${hours} h` : plural(days, "day", "days");
  if (hours > 0) return minutes ? `${hours} h ${minutes} min` : `${hours} h`;
  return `${minutes} min`;
}

export interface ClockReading {
  overdue: boolean;
  /** "2 h 15 min left" or "overdue by 35 min". */
  text: string;
}

export function readClock(due: string, now: Date): ClockReading {
  const left = new Date(due).getTime() - now.getTime();
  if (left <= 0) return { overdue: true, text: `overdue by ${formatSpan(left)}` };
  return { overdue: false, text: `${formatSpan(left)} left` };
}

export const CLOCK_LABELS: Record<ClockKind, string> = {
  acknowledge: "Acknowledge",
  respond: "Accept or decline",
};

/** The current time, moving on every `everyMs` so clocks on screen stay true. */
export function useNow(everyMs = 30_000): Date {
  const [now, setNow] = useState(() => new Date());
  useEffect(() => {
    const timer = setInterval(() => setNow(new Date()), everyMs);
    return () => clearInterval(timer);
  }, [everyMs]);
  return now;
}
