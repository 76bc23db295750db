/** Words people use for the platform's codes. Typed by the schema: a new code fails the build. */
import type { Schemas } from "./api/client";

export const ROLE_LABELS: Record<Schemas["Role"], string> = {
  helpline_worker: "Helpline worker",
  social_worker: "Social worker",
  practitioner: "Practitioner",
  duty_manager: "Duty manager",
  agency_admin: "Agency admin",
  dpo: "Data protection officer",
};

export const AGENCY_KIND_LABELS: Record<Schemas["AgencyKind"], string> = {
  police: "Police",
  social_services: "Social services",
  health: "Health",
  helpline: "Child helpline",
  hotline: "Reporting hotline",
  education: "Education",
  ngo: "NGO",
  justice: "Justice",
  other: "Other",
};

export function fullName(person: { first_name: string; last_name: string; username: string }): string {
  return `${person.first_name} ${person.last_name}`.trim() || person.username;
}

const dateFormat = new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "short", year: "numeric" });

export function formatDate(iso: string): string {
  return dateFormat.format(new Date(iso));
}

export const NEED_CATEGORY_LABELS: Record<Schemas["NeedCategory"], string> = {
  emergency_accommodation: "Emergency accommodation",
  medical_care: "Medical care",
  forensic_medical_examination: "Forensic medical examination",
  sexual_health: "Sexual health",
  mental_health: "Mental health",
  therapy: "Therapy",
  police_investigation: "Police investigation",
  legal_advocacy: "Legal advocacy",
  court_support: "Court support",
  education_support: "Education support",
  financial_assistance: "Financial assistance",
  relocation: "Relocation",
  peer_support: "Peer support",
  helpline_support: "Helpline support",
  online_content_removal: "Online content removal",
  family_support: "Family support",
};

/** Most urgent first, as the platform ranks them. */
export const URGENCY_LABELS: Record<Schemas["Urgency"], string> = {
  immediate: "Immediate",
  within_24h: "Within 24 hours",
  within_72h: "Within 72 hours",
  routine: "Routine",
};

/** What each urgency means, in the words of the agreed scale (README "Referrals"). */
export const URGENCY_MEANINGS: Record<Schemas["Urgency"], string> = {
  immediate:
    "Risk of significant harm now, such as ongoing exploitation or a planned meeting with an offender. Act at once, by phone as well.",
  within_24h:
    "Serious harm has happened or is likely soon, but the child is safe for the moment, such as a recent disclosure or evidence that may be lost.",
  within_72h:
    "Harm or risk that needs a planned response this week, such as a disclosure about past abuse with the child now safe.",
  routine: "Support and recovery without current risk, such as therapy, peer support or help with education.",
};

export const INTAKE_STATUS_LABELS: Record<Schemas["IntakeStatus"], string> = {
  accepting: "Accepting referrals",
  waitlist: "Waiting list",
  closed: "Closed to new referrals",
};

export const DATA_CATEGORY_LABELS: Record<Schemas["DataCategory"], string> = {
  identity: "Identity",
  contact: "Contact details",
  health: "Health",
  disclosure_narrative: "Disclosure narrative",
  case_plan: "Case plan",
  risk_assessment: "Risk assessment",
};

export const PURPOSE_LABELS: Record<Schemas["Purpose"], string> = {
  support: "Support",
  investigation: "Investigation",
  safety_planning: "Safety planning",
};

export const GIVEN_BY_LABELS: Record<Schemas["GivenByEnum"], string> = {
  child: "The child or young person",
  parent_carer: "A parent or carer",
  other: "Another person",
};

const dateTimeFormat = new Intl.DateTimeFormat("en-GB", {
  day: "numeric",
  month: "short",
  year: "numeric",
  hour: "2-digit",
  minute: "2-digit",
});

export function formatDateTime(iso: string): string {
  return dateTimeFormat.format(new Date(iso));
}
