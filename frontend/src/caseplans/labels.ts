/** Words for case plans: phases, statuses, team roles, actions, risk and reviews. Typed by the schema. */
import type { Schemas } from "../api/client";

export type CasePlan = Schemas["CasePlan"];
export type CasePlanListed = Schemas["CasePlanList"];
export type TeamMember = Schemas["TeamMember"];
export type PlanAction = Schemas["PlanAction"];
export type RiskAssessment = Schemas["RiskAssessment"];
export type Review = Schemas["Review"];

export const PHASE_LABELS: Record<Schemas["CasePhase"], string> = {
  immediate: "Immediate safety",
  investigation: "Investigation",
  legal_proceedings: "Legal proceedings",
  recovery: "Recovery",
};

export const PLAN_STATUS_LABELS: Record<Schemas["CasePlanStatus"], string> = {
  open: "Open",
  active: "Active",
  closed: "Closed",
};

export const TEAM_ROLE_LABELS: Record<Schemas["TeamRole"], string> = {
  lead: "Case lead",
  social_worker: "Social worker",
  police_officer: "Police officer",
  health_practitioner: "Health practitioner",
  advocate: "Advocate",
  therapist: "Therapist",
  other: "Other",
};

/** The roles someone can be given on joining: the lead changes only by a hand-over. */
export const JOINING_ROLES = (Object.keys(TEAM_ROLE_LABELS) as Schemas["TeamRole"][])
  .filter((role) => role !== "lead")
  .map((value) => ({ value, label: TEAM_ROLE_LABELS[value] }));

export const MEMBERSHIP_END_LABELS: Record<Schemas["TeamMembershipEnd"], string> = {
  removed: "Removed from the team",
  handed_over: "Handed the lead over",
  became_lead: "Became the case lead",
  consent_ended: "The consent it rested on ended",
};

export const ACTION_STATUS_LABELS: Record<Schemas["PlanActionStatus"], string> = {
  planned: "Planned",
  referred: "Referred",
  in_progress: "In progress",
  done: "Done",
  not_needed: "Not needed",
};

export const FINISHED_ACTIONS = new Set<Schemas["PlanActionStatus"]>(["done", "not_needed"]);

export const CLOSURE_REASON_LABELS: Record<Schemas["ClosureReason"], string> = {
  independent: "Able to support themselves independently",
  needs_met: "Support needs met",
  moved_area_transferred: "Moved area, case transferred",
  support_declined: "Support declined",
  no_further_action: "No further action needed",
  other: "Other (explained in the note)",
};

export const RISK_DOMAIN_LABELS: Record<Schemas["RiskDomain"], string> = {
  online_content: "Online: content (harmful or sexual material)",
  online_contact: "Online: contact (grooming, adults seeking contact)",
  online_conduct: "Online: conduct (own behaviour, e.g. sharing images)",
  online_contract: "Online: contract (sextortion, scams, exploitative terms)",
  self_harm: "Self-harm and suicide",
  home_and_family: "Home and family",
  offender_contact: "Contact with the offender",
  revictimisation: "Re-victimisation through circulating material",
  other: "Other",
};

export const RISK_LEVEL_LABELS: Record<Schemas["RiskLevel"], string> = {
  low: "Low",
  medium: "Medium",
  high: "High",
  very_high: "Very high",
};

export function isRiskLevel(value: unknown): value is Schemas["RiskLevel"] {
  return typeof value === "string" && value in RISK_LEVEL_LABELS;
}

/** The plan transitions the platform may offer, with their words. */
export const TRANSITIONS = {
  activate: { label: "Activate the plan", done: "The plan is active." },
  close: { label: "Close the plan", done: "The plan is closed." },
  reopen: { label: "Reopen the plan", done: "The plan is reopened." },
} as const;

export type PlanTransition = keyof typeof TRANSITIONS;

export function isPlanTransition(value: string): value is PlanTransition {
  return value in TRANSITIONS;
}

/** Today as YYYY-MM-DD where the person is. */
export function today(now = new Date()): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}
