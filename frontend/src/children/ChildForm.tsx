/**
 * A child's details, to record a new child or complete and correct a record. Every field is
 * optional: a child may stay anonymous until they are ready to say who they are.
 */
import { useState, type FormEvent } from "react";

import type { Schemas } from "../api/client";
import { TextField } from "../components/Field";
import { errorsFor } from "../components/formErrors";
import { FormProblem } from "../components/Problem";
import type { Child } from "./labels";

interface Guardian {
  key: number;
  name: string;
  relationship: string;
  phone: string;
  email: string;
}

interface ChildDraft {
  given_name: string;
  family_name: string;
  preferred_name: string;
  date_of_birth: string;
  gender: string;
  languages: string;
  phone: string;
  email: string;
  address: string;
  guardians: Guardian[];
}

const CHILD_FIELD_LABELS: Record<string, string> = {
  given_name: "Given name",
  family_name: "Family name",
  preferred_name: "Preferred name",
  date_of_birth: "Date of birth",
  gender: "Gender",
  languages: "Languages",
  phone: "Phone",
  email: "Email",
  address: "Address",
  guardian_contacts: "Parents and carers",
};

let nextGuardianKey = 1;

export function childDraft(child?: Child): ChildDraft {
  return {
    given_name: child?.given_name ?? "",
    family_name: child?.family_name ?? "",
    preferred_name: child?.preferred_name ?? "",
    date_of_birth: child?.date_of_birth ?? "",
    gender: child?.gender ?? "",
    languages: child?.languages?.join(", ") ?? "",
    phone: child?.phone ?? "",
    email: child?.email ?? "",
    address: child?.address ?? "",
    guardians: (child?.guardian_contacts ?? []).map((contact) => ({
      key: nextGuardianKey++,
      name: contact.name ?? "",
      relationship: contact.relationship,
      phone: contact.phone ?? "",
      email: contact.email ?? "",
    })),
  };
}

/**
 * What to send. Only the categories the person may see are sent, so a record keeper never
 * overwrites details they were not shown.
 */
function toChildRequest(draft: ChildDraft, withheld: readonly string[] = []): Schemas["ChildWriteRequest"] {
  const body: Schemas["ChildWriteRequest"] = {};
  if (!withheld.includes("identity")) {
    Object.assign(body, {
      given_name: draft.given_name.trim(),
      family_name: draft.family_name.trim(),
      preferred_name: draft.preferred_name.trim(),
      date_of_birth: draft.date_of_birth || null,
      gender: draft.gender.trim(),
      languages: draft.languages
        .split(",")
        .map((language) => language.trim())
        .filter(Boolean),
    });
  }
  if (!withheld.includes("contact")) {
    Object.assign(body, {
      phone: draft.phone.trim(),
      email: draft.email.trim(),
      address: draft.address.trim(),
      guardian_contacts: draft.guardians.map((guardian) => ({
        name: guardian.name.trim(),
        relationship: guardian.relationship.trim(),
        phone: guardian.phone.trim(),
        email: guardian.email.trim(),
      })),
    });
  }
  return body;
}

export function ChildForm({
  initial,
  withheld = [],
  error,
  pending,
  submitLabel,
  onSubmit,
}: {
  initial: ChildDraft;
  withheld?: readonly string[];
  /** The failed save: its messages appear beside the fields, and what was typed stays. */
  error: unknown;
  pending: boolean;
  submitLabel: string;
  onSubmit: (body: Schemas["ChildWriteRequest"]) => void;
}) {
  const [draft, setDraft] = useState(initial);
  const set = (field: Exclude<keyof ChildDraft, "guardians">) => (value: string) =>
    setDraft((current) => ({ ...current, [field]: value }));
  const setGuardian = (key: number, field: Exclude<keyof Guardian, "key">) => (value: string) =>
    setDraft((current) => ({
      ...current,
      guardians: current.guardians.map((g) => (g.key === key ? { ...g, [field]: value } : g)),
    }));
  const errors = (field: string) => errorsFor(error, field);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    onSubmit(toChildRequest(draft, withheld));
  };

  return (
    <form onSubmit={submit} noValidate className="form form--wide">
      <FormProblem error={error} fieldLabels={CHILD_FIELD_LABELS} />
      {withheld.includes("identity") ? null : (
        <fieldset className="group">
          <legend>Who they are</legend>
          <div className="form__row">
            <TextField label="Given name" name="given_name" value={draft.given_name} onChange={set("given_name")} autoComplete="off" errors={errors("given_name")} />
            <TextField label="Family name" name="family_name" value={draft.family_name} onChange={set("family_name")} autoComplete="off" errors={errors("family_name")} />
          </div>
          <div className="form__row">
            <TextField label="Preferred name" name="preferred_name" value={draft.preferred_name} onChange={set("preferred_name")} autoComplete="off" errors={errors("preferred_name")} hint="What they like to be called." />
            <TextField label="Date of birth" name="date_of_birth" type="date" value={draft.date_of_birth} onChange={set("date_of_birth")} autoComplete="off" errors={errors("date_of_birth")} />
          </div>
          <div className="form__row">
            <TextField label="Gender" name="gender" value={draft.gender} onChange={set("gender")} autoComplete="off" errors={errors("gender")} hint="In their own words." />
            <TextField label="Languages" name="languages" value={draft.languages} onChange={set("languages")} autoComplete="off" errors={errors("languages")} hint="Separated by commas, e.g. English, Urdu" />
          </div>
        </fieldset>
      )}
      {withheld.includes("contact") ? null : (
        <fieldset className="group">
          <legend>How to reach them</legend>
          <div className="form__row">
            <TextField label="Phone" name="phone" type="tel" value={draft.phone} onChange={set("phone")} autoComplete="off" errors={errors("phone")} />
            <TextField label="Email" name="email" type="email" value={draft.email} onChange={set("email")} autoComplete="off" errors={errors("email")} />
          </div>
          <TextField label="Address" name="address" value={draft.address} onChange={set("address")} multiline autoComplete="off" errors={errors("address")} />
          {draft.guardians.map((guardian, index) => (
            <fieldset key={guardian.key} className="group group--nested">
              <legend>Parent or carer {index + 1}</legend>
              <div className="form__row">
                <TextField label="Name" name={`guardian_contacts.${index}.name`} value={guardian.name} onChange={setGuardian(guardian.key, "name")} autoComplete="off" errors={errors(`guardian_contacts.${index}.name`)} />
                <TextField label="Relationship to the child" name={`guardian_contacts.${index}.relationship`} value={guardian.relationship} onChange={setGuardian(guardian.key, "relationship")} autoComplete="off" required errors={errors(`guardian_contacts.${index}.relationship`)} hint="e.g. mother, foster carer" />
              </div>
              <div className="form__row">
                <TextField label="Phone" name={`guardian_contacts.${index}.phone`} type="tel" value={guardian.phone} onChange={setGuardian(guardian.key, "phone")} autoComplete="off" errors={errors(`guardian_contacts.${index}.phone`)} />
                <TextField label="Email" name={`guardian_contacts.${index}.email`} type="email" value={guardian.email} onChange={setGuardian(guardian.key, "email")} autoComplete="off" errors={errors(`guardian_contacts.${index}.email`)} />
              </div>
              <button
                type="button"
                className="button button--small button--quiet"
                onClick={() =>
                  setDraft((current) => ({ ...current, guardians: current.guardians.filter((g) => g.key !== guardian.key) }))
                }
              >
                Remove parent or carer {index + 1}
              </button>
            </fieldset>
          ))}
          <p>
            <button
              type="button"
              className="button button--small"
              onClick={() =>
                setDraft((current) => ({
                  ...current,
                  guardians: [...current.guardians, { key: nextGuardianKey++, name: "", relationship: "", phone: "", email: "" }],
                }))
              }
            >
              Add a parent or carer
            </button>
          </p>
        </fieldset>
      )}
      <button type="submit" className="button button--primary" disabled={pending}>
        {pending ? "Saving…" : submitLabel}
      </button>
    </form>
  );
}
