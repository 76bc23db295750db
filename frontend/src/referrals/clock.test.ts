import { describe, expect, it } from "vitest";

import { byDueTime } from "../home/IncomingReferrals";
import type { Schemas } from "../api/client";
import { formatSpan, readClock, runningClock } from "./clock";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

describe("formatSpan", () => {
  it.each([
    [30 * 1000, "less than a minute"],
    [MINUTE, "1 min"],
    [45 * MINUTE, "45 min"],
    [HOUR, "1 h"],
    [2 * HOUR + 15 * MINUTE, "2 h 15 min"],
    [DAY, "1 day"],
    [3 * DAY + 4 * HOUR + 59 * MINUTE, "3 days 4 h"],
    [-(35 * MINUTE), "35 min"],
  ])("says %i ms as %s", (ms, words) => {
    expect(formatSpan(ms)).toBe(words);
  });
});

describe("readClock", () => {
  const now = new Date("2026-03-01T10:00:00Z");

  it("says how long is left before the time", () => {
    expect(readClock("2026-03-01T12:15:00Z", now)).toEqual({ overdue: false, text: "2 h 15 min left" });
  });

  it("says how long ago the time ran out, and that it is overdue", () => {
    expect(readClock("2026-03-01T09:25:00Z", now)).toEqual({ overdue: true, text: "overdue by 35 min" });
  });

  it("counts the very moment it is due as overdue", () => {
    expect(readClock("2026-03-01T10:00:00Z", now).overdue).toBe(true);
  });
});

describe("runningClock", () => {
  const times = { acknowledge_by: "2026-03-01T11:00:00Z", respond_by: "2026-03-02T10:00:00Z" };

  it("is the acknowledgement clock until acknowledged, then the response clock", () => {
    expect(runningClock({ status: "sent", ...times })).toEqual({ kind: "acknowledge", due: times.acknowledge_by });
    expect(runningClock({ status: "acknowledged", ...times })).toEqual({ kind: "respond", due: times.respond_by });
  });

  it("stops once the referral is answered, closed, or not sent", () => {
    for (const status of ["draft", "accepted", "in_progress", "declined", "completed", "cancelled"] as const) {
      expect(runningClock({ status, ...times })).toBeNull();
    }
  });
});

describe("the home page's order", () => {
  function listed(reference: string, status: "sent" | "acknowledged", acknowledge_by: string, respond_by: string) {
    return { reference, status, acknowledge_by, respond_by } as Schemas["ReferralList"];
  }

  it("puts the soonest running clock first, whichever clock it is", () => {
    const sorted = byDueTime([
      listed("R-1", "sent", "2026-03-01T15:00:00Z", "2026-03-01T20:00:00Z"),
      listed("R-2", "acknowledged", "2026-03-01T08:00:00Z", "2026-03-01T12:00:00Z"),
      listed("R-3", "sent", "2026-03-01T11:00:00Z", "2026-03-03T11:00:00Z"),
    ]);
    expect(sorted.map((r) => r.reference)).toEqual(["R-3", "R-2", "R-1"]);
  });
});
