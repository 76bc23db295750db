import { render, screen, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";

import { ChildDetails, formatDay } from "./ChildDetails";
import type { Child } from "./labels";

function child(overrides: Partial<Child>): Child {
  return {
    id: "6b1f1c1e-8a0c-4b7e-9a51-0d6f1c6b2a11",
    reference: "C-7K3F9Q",
    is_anonymous: false,
    record_keeper: { id: 3, name: "North Social Services", kind: "social_services" },
    created_at: "2026-01-05T10:00:00Z",
    updated_at: "2026-01-05T10:00:00Z",
    disclosed_categories: [],
    withheld_categories: [],
    ...overrides,
  };
}

const category = (name: string) => screen.getByRole("region", { name });

describe("a child's details", () => {
  it("says a withheld category is withheld, and shows none of its fields", () => {
    // What a police officer told the identity only receives: the contact fields are left out.
    render(
      <ChildDetails
        child={child({
          given_name: "Maya",
          family_name: "Okafor",
          date_of_birth: "2011-07-21",
          languages: ["English"],
          disclosed_categories: ["identity", "disclosure_narrative"],
          withheld_categories: ["contact"],
        })}
      />,
    );
    const contact = category("Contact details");
    expect(contact).toHaveTextContent("Withheld — not shared with your agency");
    expect(within(contact).queryByRole("term")).not.toBeInTheDocument();
    expect(within(contact).queryByText("Not recorded")).not.toBeInTheDocument();

    const identity = category("Identity");
    expect(identity).not.toHaveTextContent("Withheld");
    expect(within(identity).getByText("Maya")).toBeInTheDocument();
    expect(within(identity).getByText("21 July 2011")).toBeInTheDocument();
    expect(screen.getByText(/may also see this child's disclosure narrative, in the/)).toBeInTheDocument();
  });

  it("marks shared fields nobody has filled in as not recorded, never as withheld", () => {
    render(
      <ChildDetails
        child={child({
          is_anonymous: true,
          given_name: "",
          date_of_birth: null,
          languages: [],
          phone: "",
          guardian_contacts: [{ name: "Grace Okafor", relationship: "foster carer", phone: "07700 900111" }],
          disclosed_categories: ["contact", "identity"],
        })}
      />,
    );
    expect(screen.queryByText(/Withheld/)).not.toBeInTheDocument();
    expect(within(category("Identity")).getAllByText("Not recorded")).toHaveLength(6);
    const contact = category("Contact details");
    expect(within(contact).getByText("Grace Okafor (foster carer), 07700 900111")).toBeInTheDocument();
    expect(within(contact).getAllByText("Not recorded")).toHaveLength(3);
  });

  it("withholds both categories from an agency told neither", () => {
    render(<ChildDetails child={child({ withheld_categories: ["identity", "contact"] })} />);
    expect(screen.getAllByText("Withheld — not shared with your agency")).toHaveLength(2);
    expect(screen.queryByRole("term")).not.toBeInTheDocument();
  });
});

describe("formatDay", () => {
  it("gives the calendar day as written, whatever the browser's time zone", () => {
    expect(formatDay("2010-03-14")).toBe("14 March 2010");
    expect(formatDay("2012-01-01")).toBe("1 January 2012");
  });
});
