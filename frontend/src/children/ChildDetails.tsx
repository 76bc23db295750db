/**
 * A child's details exactly as the viewer's agency may see them. A category that was not
 * shared with the agency is said to be withheld, never shown as empty or filled with
 * anything: the platform left its fields out, and so does this.
 */
import type { Schemas } from "../api/client";
import { DATA_CATEGORY_LABELS } from "../labels";
import { RECORD_CATEGORIES, WITHHELD, type Child } from "./labels";

const dayFormat = new Intl.DateTimeFormat("en-GB", {
  day: "numeric",
  month: "long",
  year: "numeric",
  timeZone: "UTC",
});

/** A calendar date (YYYY-MM-DD) in words, the same day wherever the browser is. */
export function formatDay(isoDate: string): string {
  return dayFormat.format(new Date(`${isoDate}T00:00:00Z`));
}

function guardianText(contact: Schemas["GuardianContact"]): string {
  const who = [contact.name, contact.relationship && `(${contact.relationship})`].filter(Boolean).join(" ");
  return [who, contact.phone, contact.email].filter(Boolean).join(", ");
}

function FieldValue({ child, name }: { child: Child; name: keyof Child }) {
  const value = child[name];
  if (value === undefined || value === null || value === "" || (Array.isArray(value) && !value.length)) {
    return <span className="not-known">Not recorded</span>;
  }
  if (name === "date_of_birth") return <>{formatDay(value as string)}</>;
  if (name === "guardian_contacts") {
    return (
      <ul className="plain-list">
        {(value as Schemas["GuardianContact"][]).map((contact, index) => (
          <li key={index}>{guardianText(contact)}</li>
        ))}
      </ul>
    );
  }
  if (Array.isArray(value)) return <>{value.join(", ")}</>;
  return <span className="prose">{String(value)}</span>;
}

export function ChildDetails({ child }: { child: Child }) {
  const recordCategories = new Set<string>(RECORD_CATEGORIES.map(({ category }) => category));
  const alsoShared = child.disclosed_categories.filter((category) => !recordCategories.has(category));
  return (
    <div className="child-details">
      {RECORD_CATEGORIES.map(({ category, fields }) => {
        const withheld = child.withheld_categories.includes(category);
        return (
          <section key={category} aria-labelledby={`category-${category}`} className="child-category">
            <h3 id={`category-${category}`}>{DATA_CATEGORY_LABELS[category]}</h3>
            {withheld ? (
              <p className="withheld">{WITHHELD}</p>
            ) : (
              <dl className="facts facts--stacked">
                {fields.map(({ name, label }) => (
                  <div key={name}>
                    <dt>{label}</dt>
                    <dd>
                      <FieldValue child={child} name={name} />
                    </dd>
                  </div>
                ))}
              </dl>
            )}
          </section>
        );
      })}
      {alsoShared.length ? (
        <p>
          Your agency may also see this child's{" "}
          {alsoShared.map((category) => DATA_CATEGORY_LABELS[category].toLowerCase()).join(", ")}, in the
          referrals and case plans that hold them.
        </p>
      ) : null}
    </div>
  );
}
