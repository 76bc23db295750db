/** Words for the audit trail. Typed by the schema: a new action fails the build until named. */
import type { Schemas } from "../api/client";

export type AuditAction = Schemas["ActionEnum"];

export const AUDIT_ACTION_LABELS: Record<AuditAction, string> = {
  view: "Viewed",
  list: "Listed",
  create: "Created",
  update: "Updated",
  transition: "Changed state",
  share: "Shared or disclosed",
  export: "Exported",
  import: "Imported",
  grant: "Granted access",
  revoke: "Revoked access",
  delete_soft: "Ended or withdrawn",
  login: "Signed in",
  login_failed: "Sign-in failed",
  logout: "Signed out",
  token_use: "Used an API token",
  denied: "Refused",
  verify: "Verified the audit trail",
  purge: "Purged under the retention policy",
};

/** The kinds of record the trail names most, as app_label.model. */
export const OBJECT_TYPE_LABELS: Record<string, string> = {
  "children.child": "Child record",
  "consent.consentrecord": "Consent record",
  "consent.disclosure": "Disclosure",
  "consent.overrideauthorisation": "Sharing without consent",
  "referrals.referral": "Referral",
  "caseplans.caseplan": "Case plan",
  "pathways.service": "Directory service",
  "pathways.pathway": "Pathway",
  "agencies.agency": "Agency",
  "agencies.membership": "Staff role",
  "audit.auditevent": "Audit trail",
};

export const CHAIN_PROBLEM_LABELS: Record<Schemas["ProblemEnum"], string> = {
  hash_mismatch: "a recorded event or its hash was changed",
  link_broken: "an event no longer links to the one before it",
  sequence_missing: "an event is missing",
  sequence_out_of_order: "an event number repeats or is out of order",
  head_mismatch: "the newest event does not match the end of the chain",
  beyond_head: "an event exists past the end of the chain",
};

export function objectTypeLabel(type: string): string {
  return OBJECT_TYPE_LABELS[type] ?? type;
}
