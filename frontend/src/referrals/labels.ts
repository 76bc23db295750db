/** Words for the referral status machine and its actions. Typed by the schema. */
import type { Schemas } from "../api/client";
import { ApiError } from "../api/errors";

export type ReferralStatus = Schemas["ReferralStatus"];

export const STATUS_LABELS: Record<ReferralStatus, string> = {
  draft: "Draft",
  sent: "Sent",
  acknowledged: "Acknowledged",
  accepted: "Accepted",
  in_progress: "In progress",
  on_hold: "On hold",
  completed: "Completed",
  declined: "Declined",
  cancelled: "Cancelled",
  failed: "Failed",
};

export const STATUSES = Object.keys(STATUS_LABELS) as ReferralStatus[];

export type ReferralAction =
  | "send"
  | "cancel"
  | "acknowledge"
  | "accept"
  | "decline"
  | "start"
  | "hold"
  | "resume"
  | "complete"
  | "fail";

export interface ActionWords {
  /** The button that opens the action. */
  label: string;
  /** The button that confirms it. */
  confirm: string;
  /** What the action must say, if anything: the reason, or the outcome for the sender. */
  requires?: "reason" | "outcome";
  prompt?: string;
  hint?: string;
  /** Said after it worked. */
  done: string;
}

export const ACTIONS: Record<ReferralAction, ActionWords> = {
  send: { label: "Send", confirm: "Send referral", done: "The referral was sent." },
  cancel: {
    label: "Cancel referral",
    confirm: "Cancel referral",
    requires: "reason",
    prompt: "Why is it cancelled?",
    hint: "The receiving service sees this reason.",
    done: "The referral was cancelled.",
  },
  acknowledge: {
    label: "Acknowledge",
    confirm: "Acknowledge referral",
    done: "The referral was acknowledged: the sender has been told.",
  },
  accept: {
    label: "Accept",
    confirm: "Accept referral",
    done: "The referral was accepted: the sender has been told.",
  },
  decline: {
    label: "Decline",
    confirm: "Decline referral",
    requires: "reason",
    prompt: "Why is it declined?",
    hint: "The sender sees this reason, so they can find the child another service.",
    done: "The referral was declined: the sender has been told why.",
  },
  start: { label: "Start work", confirm: "Start work", done: "Work on the referral has started." },
  hold: {
    label: "Put on hold",
    confirm: "Put on hold",
    requires: "reason",
    prompt: "Why is it on hold?",
    done: "The referral is on hold.",
  },
  resume: { label: "Resume", confirm: "Resume work", done: "Work on the referral has resumed." },
  complete: {
    label: "Complete",
    confirm: "Complete referral",
    requires: "outcome",
    prompt: "What was the outcome?",
    hint: "The sender sees the outcome: this closes the loop with them.",
    done: "The referral was completed: the sender has been told the outcome.",
  },
  fail: {
    label: "Could not complete",
    confirm: "Record that it could not be completed",
    requires: "reason",
    prompt: "Why could it not be completed?",
    hint: "The sender sees this reason.",
    done: "The referral was recorded as not completed: the sender has been told why.",
  },
};

export function isReferralAction(name: string): name is ReferralAction {
  return name in ACTIONS;
}

/** The platform's codes for a send refused because nothing allows the share (409). */
const NO_BASIS_CODES = new Set([
  "no_consent",
  "consent_refused",
  "consent_withdrawn",
  "override_not_authorised",
  "override_out_of_scope",
]);

/** A send refused for want of consent or an authorised override, not for anything else. */
export function isNoBasis(error: unknown): error is ApiError {
  return error instanceof ApiError && error.status === 409 && NO_BASIS_CODES.has(error.code);
}
