/** Words for child records, consent and sharing. Typed by the schema. */
import type { Schemas } from "../api/client";

export type Child = Schemas["Child"];
export type ConsentRecord = Schemas["ConsentRecord"];
export type Override = Schemas["Override"];
export type DataCategory = Schemas["DataCategory"];

export const CONSENT_STATUS_LABELS: Record<Schemas["ConsentRecordStatusEnum"], string> = {
  active: "Consent given",
  refused: "Refused",
  withdrawn: "Withdrawn",
  expired: "Expired",
};

export const OVERRIDE_STATUS_LABELS: Record<Schemas["OverrideStatusEnum"], string> = {
  requested: "Waiting for a duty manager",
  authorised: "Authorised",
  refused: "Refused",
};

export const DISCLOSURE_END_LABELS: Record<Schemas["DisclosureEndReasonEnum"], string> = {
  consent_withdrawn: "consent was withdrawn",
  consent_expired: "consent expired",
};

/** The personal fields a child record holds, grouped by the data category that covers them. */
export const RECORD_CATEGORIES: {
  category: DataCategory;
  fields: { name: keyof Child; label: string }[];
}[] = [
  {
    category: "identity",
    fields: [
      { name: "given_name", label: "Given name" },
      { name: "family_name", label: "Family name" },
      { name: "preferred_name", label: "Preferred name" },
      { name: "date_of_birth", label: "Date of birth" },
      { name: "gender", label: "Gender" },
      { name: "languages", label: "Languages" },
    ],
  },
  {
    category: "contact",
    fields: [
      { name: "phone", label: "Phone" },
      { name: "email", label: "Email" },
      { name: "address", label: "Address" },
      { name: "guardian_contacts", label: "Parents and carers" },
    ],
  },
];

export const WITHHELD = "Withheld — not shared with your agency";
