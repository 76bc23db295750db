/**
 * What a new referral holds while it is being made, step by step.
 *
 * Everything typed lives here, in memory, for as long as the flow is open: moving between
 * steps or a failed request loses nothing, and nothing is written to browser storage.
 * Choices that others depend on clear what no longer fits: another child means the
 * sharing basis must be found again; another service means another recipient, so the
 * override chosen for the previous one no longer applies.
 */
import { useReducer } from "react";

import type { Schemas } from "../api/client";

export type Urgency = Schemas["Urgency"];
export type NeedCategory = Schemas["NeedCategory"];
export type DataCategory = Schemas["DataCategory"];
export type Purpose = Schemas["Purpose"];

export type StepId = "child" | "concern" | "needs" | "service" | "sharing" | "review";

export const STEP_TITLES: Record<StepId, string> = {
  child: "The child",
  concern: "Concern and urgency",
  needs: "Needs",
  service: "Service",
  sharing: "Sharing",
  review: "Check and send",
};

export type ChildMode = "existing" | "new" | "anonymous";

export interface NewChildDetails {
  given_name: string;
  family_name: string;
  preferred_name: string;
  date_of_birth: string;
  gender: string;
  languages: string;
}

/** A child record the referral will be about, once there is one. */
export interface ChosenChild {
  id: string;
  reference: string;
  date_of_birth: string | null;
}

export interface ChosenService {
  id: number;
  name: string;
  agency: Schemas["AgencySummary"];
  pathway: number | null;
  pathwayName: string | null;
}

/** A consent decision being recorded in the flow (POST consents/). */
export interface ConsentForm {
  decision: "active" | "refused" | "";
  given_by: Schemas["GivenByEnum"] | "";
  given_by_relationship: string;
  given_by_name: string;
  child_competent: "yes" | "no" | "";
  capacity_note: string;
  /** The recipient agency itself, or every agency of its kind. */
  recipients: "agency" | "kind";
  /** Further kinds of agency it covers, e.g. the police joining the child's case team later. */
  also_kinds: Schemas["AgencyKind"][];
  /** Further information it covers beyond what this referral shares, e.g. the case plan. */
  also_categories: DataCategory[];
  valid_until: string;
}

/** A request to share without consent (POST sharing-overrides/). */
export interface OverrideForm {
  lawful_basis: Schemas["LawfulBasisEnum"] | "";
  justification: string;
}

export const EMPTY_CONSENT: ConsentForm = {
  decision: "active",
  given_by: "",
  given_by_relationship: "",
  given_by_name: "",
  child_competent: "",
  capacity_note: "",
  recipients: "agency",
  also_kinds: [],
  also_categories: [],
  valid_until: "",
};

export const EMPTY_OVERRIDE: OverrideForm = { lawful_basis: "", justification: "" };

export interface ReferralDraft {
  step: StepId;
  /** Onward referral: the referral it follows, whose child it is about. */
  parent: string | null;
  childMode: ChildMode | null;
  newChild: NewChildDetails;
  /** The record chosen, or saved for a new or anonymous child. */
  child: ChosenChild | null;
  /** The record this flow saved for a new or anonymous child: later changes update it. */
  savedChild: ChosenChild | null;
  concern: string;
  urgency: Urgency | "";
  needs: NeedCategory[];
  matchNeed: NeedCategory | "";
  region: string;
  age: string;
  service: ChosenService | null;
  categories: DataCategory[];
  purpose: Purpose;
  consentForm: ConsentForm;
  overrideForm: OverrideForm;
  /** An authorised override to share without consent, when consent does not cover it. */
  override: string | null;
  /** The draft referral once created: a retried send must not create a second one. */
  referralId: string | null;
}

export const EMPTY_CHILD: NewChildDetails = {
  given_name: "",
  family_name: "",
  preferred_name: "",
  date_of_birth: "",
  gender: "",
  languages: "",
};

/** A referral always shares the concern narrative; identity is the usual companion. */
export const ALWAYS_SHARED: DataCategory = "disclosure_narrative";
export const SHAREABLE: DataCategory[] = ["identity", "contact", "health", "disclosure_narrative"];

/** The consent record's body for the child, recipient and scope of this referral. */
export function consentBody(
  draft: ReferralDraft,
  form: ConsentForm,
): Schemas["ConsentCreateRequest"] {
  const recipient = draft.service!.agency;
  const body: Schemas["ConsentCreateRequest"] = {
    child: draft.child!.id,
    decision: form.decision as "active" | "refused",
    given_by: form.given_by as Schemas["GivenByEnum"],
    categories: [...new Set([...draft.categories, ...form.also_categories])],
    purposes: [draft.purpose],
  };
  if (form.recipients === "agency") body.recipient_agencies = [recipient.id];
  const kinds = new Set([...(form.recipients === "kind" ? [recipient.kind] : []), ...form.also_kinds]);
  if (kinds.size) body.recipient_kinds = [...kinds];
  if (form.given_by === "child") {
    body.child_competent = form.child_competent === "" ? null : form.child_competent === "yes";
  } else {
    body.given_by_relationship = form.given_by_relationship.trim();
    if (form.given_by_name.trim()) body.given_by_name = form.given_by_name.trim();
  }
  if (form.capacity_note.trim()) body.capacity_note = form.capacity_note.trim();
  // A date means "until the end of that day", where the person is.
  if (form.valid_until) body.valid_until = new Date(`${form.valid_until}T23:59:59`).toISOString();
  return body;
}

export function initialDraft(options: { parent?: string | null; region?: string } = {}): ReferralDraft {
  const parent = options.parent ?? null;
  return {
    step: parent ? "concern" : "child",
    parent,
    childMode: null,
    newChild: EMPTY_CHILD,
    child: null,
    savedChild: null,
    concern: "",
    urgency: "",
    needs: [],
    matchNeed: "",
    region: options.region ?? "",
    age: "",
    service: null,
    categories: ["identity", ALWAYS_SHARED],
    purpose: "support",
    consentForm: EMPTY_CONSENT,
    overrideForm: EMPTY_OVERRIDE,
    override: null,
    referralId: null,
  };
}

export function stepsFor(draft: Pick<ReferralDraft, "parent">): StepId[] {
  const all: StepId[] = ["child", "concern", "needs", "service", "sharing", "review"];
  // An onward referral is about the child of the referral it follows.
  return draft.parent ? all.filter((step) => step !== "child") : all;
}

export type DraftAction =
  | { type: "go"; step: StepId }
  | { type: "chooseChildMode"; mode: ChildMode }
  | { type: "editNewChild"; field: keyof NewChildDetails; value: string }
  | { type: "setChild"; child: ChosenChild | null }
  | { type: "savedChild"; child: ChosenChild }
  | { type: "setConcern"; concern: string }
  | { type: "setUrgency"; urgency: Urgency }
  | { type: "setNeeds"; needs: NeedCategory[] }
  | { type: "setMatch"; field: "matchNeed" | "region" | "age"; value: string }
  | { type: "chooseService"; service: ChosenService }
  | { type: "setCategories"; categories: DataCategory[] }
  | { type: "setPurpose"; purpose: Purpose }
  | { type: "editConsent"; changes: Partial<ConsentForm> }
  | { type: "consentRecorded" }
  | { type: "editOverride"; changes: Partial<OverrideForm> }
  | { type: "overrideRequested" }
  | { type: "useOverride"; override: string | null }
  | { type: "created"; referralId: string };

/** Age in whole years on `today` of someone born on `dateOfBirth` (YYYY-MM-DD). */
export function ageOn(dateOfBirth: string, today: Date): number | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(dateOfBirth);
  if (!match) return null;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  let age = today.getFullYear() - year;
  const beforeBirthday =
    today.getMonth() + 1 < month || (today.getMonth() + 1 === month && today.getDate() < day);
  if (beforeBirthday) age -= 1;
  return age >= 0 ? age : null;
}

function withChild(draft: ReferralDraft, child: ChosenChild | null): ReferralDraft {
  const sameChild = draft.child?.id === child?.id;
  const born = child?.date_of_birth ?? null;
  const age = born ? ageOn(born, new Date()) : null;
  return {
    ...draft,
    child,
    age: sameChild ? draft.age : age === null ? "" : String(age),
    // Consent and overrides are about one child: another child needs its own basis.
    override: sameChild ? draft.override : null,
  };
}

export function draftReducer(draft: ReferralDraft, action: DraftAction): ReferralDraft {
  switch (action.type) {
    case "go":
      return stepsFor(draft).includes(action.step) ? { ...draft, step: action.step } : draft;
    case "chooseChildMode":
      if (draft.referralId || draft.childMode === action.mode) return draft;
      // What was typed for a new child stays, in case the person comes back to it.
      return withChild({ ...draft, childMode: action.mode }, null);
    case "editNewChild":
      return { ...draft, newChild: { ...draft.newChild, [action.field]: action.value } };
    case "setChild":
      return draft.referralId ? draft : withChild(draft, action.child);
    case "savedChild":
      return draft.referralId ? draft : withChild({ ...draft, savedChild: action.child }, action.child);
    case "setConcern":
      return { ...draft, concern: action.concern };
    case "setUrgency":
      return { ...draft, urgency: action.urgency };
    case "setNeeds": {
      const needs = [...new Set(action.needs)];
      // Services are matched for one need at a time: keep the one chosen while it is still wanted.
      const matchNeed = needs.includes(draft.matchNeed as NeedCategory) ? draft.matchNeed : (needs[0] ?? "");
      return { ...draft, needs, matchNeed };
    }
    case "setMatch":
      return { ...draft, [action.field]: action.value };
    case "chooseService": {
      const sameRecipient = draft.service?.agency.id === action.service.agency.id;
      return { ...draft, service: action.service, override: sameRecipient ? draft.override : null };
    }
    case "setCategories": {
      const wanted = new Set([...action.categories, ALWAYS_SHARED]);
      const categories = SHAREABLE.filter((category) => wanted.has(category));
      if (categories.join() === draft.categories.join()) return draft;
      // An override covers named categories: a different set needs its own basis.
      return { ...draft, categories, override: null };
    }
    case "setPurpose":
      return action.purpose === draft.purpose ? draft : { ...draft, purpose: action.purpose, override: null };
    case "editConsent":
      return { ...draft, consentForm: { ...draft.consentForm, ...action.changes } };
    case "consentRecorded":
      return { ...draft, consentForm: EMPTY_CONSENT };
    case "editOverride":
      return { ...draft, overrideForm: { ...draft.overrideForm, ...action.changes } };
    case "overrideRequested":
      return { ...draft, overrideForm: EMPTY_OVERRIDE };
    case "useOverride":
      return { ...draft, override: action.override };
    case "created":
      return { ...draft, referralId: action.referralId };
  }
}

/** What still stops the person from leaving a step, by field, in plain words. */
export function missingFor(step: StepId, draft: ReferralDraft): Record<string, string[]> {
  const missing: Record<string, string[]> = {};
  const need = (field: string, message: string) => (missing[field] = [message]);
  switch (step) {
    case "child":
      if (!draft.childMode) {
        need("child_mode", "Choose whether the child is already on record, new, or anonymous.");
      }
      else if (draft.childMode === "existing" && !draft.child)
        need("reference", "Find the child by their reference, then choose them.");
      break;
    case "concern":
      if (!draft.concern.trim()) need("concern", "Describe the concern.");
      if (!draft.urgency) need("urgency", "Choose how urgent it is.");
      break;
    case "needs":
      if (!draft.needs.length) need("need_categories", "Choose at least one need.");
      break;
    case "service":
      if (!draft.service) need("service", "Choose the service to refer to.");
      break;
    case "sharing":
    case "review":
      break;
  }
  return missing;
}

/** The body that creates the referral as a draft. */
export function createBody(draft: ReferralDraft): Schemas["ReferralCreateRequest"] {
  const body: Schemas["ReferralCreateRequest"] = {
    service: draft.service!.id,
    pathway: draft.service!.pathway,
    urgency: draft.urgency as Urgency,
    need_categories: draft.needs,
    concern: draft.concern,
    shared_categories: draft.categories,
    purpose: draft.purpose,
    override: draft.override,
  };
  if (draft.parent) body.parent = draft.parent;
  else body.child = draft.child!.id;
  return body;
}

/** The fields a created draft is brought up to date with before it is sent again. */
export function draftUpdateBody(draft: ReferralDraft): Schemas["PatchedReferralDraftRequest"] {
  const { service, pathway, urgency, need_categories, concern, shared_categories, purpose, override } =
    createBody(draft);
  return { service, pathway, urgency, need_categories, concern, shared_categories, purpose, override };
}

/**
 * The child's details as the platform takes them. A new record gets only what was filled
 * in; an update of the record this flow saved also clears what was emptied since.
 */
export function childBody(details: NewChildDetails, update = false): Schemas["ChildWriteRequest"] {
  const body: Schemas["ChildWriteRequest"] = {};
  for (const field of ["given_name", "family_name", "preferred_name", "gender"] as const) {
    const value = details[field].trim();
    if (value || update) body[field] = value;
  }
  if (details.date_of_birth || update) body.date_of_birth = details.date_of_birth || null;
  const languages = details.languages
    .split(",")
    .map((language) => language.trim())
    .filter(Boolean);
  if (languages.length || update) body.languages = languages;
  return body;
}

export function useReferralDraft(options: { parent?: string | null; region?: string } = {}) {
  return useReducer(draftReducer, options, initialDraft);
}
