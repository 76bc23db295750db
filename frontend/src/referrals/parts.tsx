/** Small pieces every referral screen shows the same way. */
import type { Schemas } from "../api/client";
import { URGENCY_LABELS } from "../labels";
import { CLOCK_LABELS, readClock, runningClock } from "./clock";
import { STATUS_LABELS } from "./labels";
import "./referrals.css";

type Listed = Pick<
  Schemas["ReferralList"],
  "status" | "urgency" | "acknowledge_by" | "respond_by" | "is_overdue"
>;

export function StatusTag({ status }: { status: Schemas["ReferralStatus"] }) {
  return <span className={`referral-status referral-status--${status}`}>{STATUS_LABELS[status]}</span>;
}

export function UrgencyTag({ urgency }: { urgency: Schemas["Urgency"] }) {
  return <span className={`urgency-tag urgency-tag--${urgency}`}>{URGENCY_LABELS[urgency]}</span>;
}

/** The overdue marker: words as well as colour, so it does not rely on colour alone. */
export function OverdueTag() {
  return <span className="tag tag--overdue">Overdue</span>;
}

/** The clock still running, as "Acknowledge: 2 h 15 min left" or "...: overdue by 35 min". */
export function ClockText({ referral, now }: { referral: Listed; now: Date }) {
  const clock = runningClock(referral);
  if (!clock) return <span className="clock clock--none">No clock running</span>;
  const reading = readClock(clock.due, now);
  return (
    <span className={reading.overdue ? "clock clock--overdue" : "clock"}>
      <span className="clock__what">{CLOCK_LABELS[clock.kind]}:</span>{" "}
      <time dateTime={clock.due}>{reading.text}</time>
    </span>
  );
}
