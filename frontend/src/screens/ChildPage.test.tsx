import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";

import type { Schemas } from "../api/client";
import type { Child } from "../children/labels";
import { fill, FORM_TIMEOUT } from "../test/forms";
import { agency, CSRF, json, me, mockPlatform, renderApp, type Handler } from "../test/platform";

const ID = "6b1f1c1e-8a0c-4b7e-9a51-0d6f1c6b2a11";

const helpline = me({
  username: "helpline.north",
  agencies: [{ agency: agency(2, "North Child Helpline"), roles: ["helpline_worker"] }],
  active_agency: 2,
  permissions: ["children.create", "children.view", "consents.record", "referrals.create"],
});

const police = me({
  username: "police.north",
  agencies: [{ agency: agency(4, "North Police"), roles: ["practitioner"] }],
  active_agency: 4,
  permissions: ["children.view", "consents.record", "referrals.create", "referrals.receive"],
});

const dpo = me({
  username: "dpo.north",
  permissions: ["audit.view", "children.subject_access", "children.view"],
});

function child(overrides: Partial<Child> = {}): Child {
  return {
    id: ID,
    reference: "C-7K3F9Q",
    is_anonymous: false,
    record_keeper: { id: 2, name: "North Child Helpline", kind: "helpline" },
    created_at: "2026-01-05T10:00:00Z",
    updated_at: "2026-01-05T10:00:00Z",
    disclosed_categories: ["contact", "identity"],
    withheld_categories: [],
    ...overrides,
  };
}

const empty = () => json({ count: 0, next: null, previous: null, results: [] });

function platform(person: Schemas["Me"], record: Child, extra: Record<string, Handler> = {}) {
  return mockPlatform({
    ...CSRF,
    "GET /api/v1/auth/me/": () => json(person),
    [`GET /api/v1/children/${ID}/`]: () => json(record),
    "GET /api/v1/consents/": empty,
    "GET /api/v1/case-plans/": empty,
    "GET /api/v1/sharing-overrides/": empty,
    ...extra,
  });
}

describe("a child's record", () => {
  it("shows a withheld category as withheld and offers no change to a reader", async () => {
    platform(
      police,
      child({
        given_name: "Maya",
        family_name: "Okafor",
        disclosed_categories: ["disclosure_narrative", "identity"],
        withheld_categories: ["contact"],
      }),
    );
    renderApp(`/children/${ID}`);
    expect(await screen.findByRole("heading", { level: 1, name: "Child C-7K3F9Q" })).toBeInTheDocument();
    await waitFor(() => expect(document.title).toBe("Child record · Safeguarding platform"));
    expect(screen.getByRole("region", { name: "Contact details" })).toHaveTextContent(
      "Withheld — not shared with your agency",
    );
    expect(screen.getByRole("region", { name: "Identity" })).toHaveTextContent("Maya");
    expect(screen.queryByRole("button", { name: /Complete the record|Correct the details/ })).not.toBeInTheDocument();
    expect(screen.queryByRole("region", { name: "Who knows what" })).not.toBeInTheDocument();
    expect(screen.queryByRole("region", { name: "Subject access" })).not.toBeInTheDocument();
  }, FORM_TIMEOUT);

  it("lets the record keeper complete an anonymous record, and passes on a possible duplicate", async () => {
    const { sent } = platform(helpline, child({ is_anonymous: true }), {
      [`PATCH /api/v1/children/${ID}/`]: (request) =>
        json({
          ...child({ ...(request.body as object) }),
          possible_duplicate: {
            references: ["C-AAAAAA"],
            duty_manager_asked: false,
            message: "A record with the same name and date of birth already exists: check it is not the same child.",
          },
        }),
    });
    renderApp(`/children/${ID}`);
    await userEvent.click(await screen.findByRole("button", { name: "Complete the record" }));
    await fill(screen.getByLabelText(/Given name/), "Amira");
    await fill(screen.getByLabelText(/Family name/), "Khan");
    await fill(screen.getByLabelText(/Date of birth/), "2010-03-14");
    await fill(screen.getByLabelText(/Languages/), "English, Urdu");
    await userEvent.click(screen.getByRole("button", { name: "Save details" }));

    const warning = await screen.findByRole("alert");
    expect(warning).toHaveTextContent("This may be a child already on record");
    expect(warning).toHaveTextContent("C-AAAAAA");
    expect(screen.getByText("The child's details are saved.")).toBeInTheDocument();
    expect(sent.find((s) => s.method === "PATCH")?.body).toMatchObject({
      given_name: "Amira",
      family_name: "Khan",
      date_of_birth: "2010-03-14",
      languages: ["English", "Urdu"],
      guardian_contacts: [],
    });
  }, FORM_TIMEOUT);

  it("never sends the fields of a category the editor was not shown", async () => {
    const { sent } = platform(helpline, child({ withheld_categories: ["contact"], disclosed_categories: ["identity"] }), {
      [`PATCH /api/v1/children/${ID}/`]: () => json({ ...child(), possible_duplicate: null }),
    });
    renderApp(`/children/${ID}`);
    await userEvent.click(await screen.findByRole("button", { name: "Correct the details" }));
    expect(screen.queryByLabelText(/Address/)).not.toBeInTheDocument();
    await fill(screen.getByLabelText(/Preferred name/), "Mimi");
    await userEvent.click(screen.getByRole("button", { name: "Save details" }));
    await waitFor(() => expect(sent.some((s) => s.method === "PATCH")).toBe(true));
    const body = sent.find((s) => s.method === "PATCH")?.body as Record<string, unknown>;
    expect(body.preferred_name).toBe("Mimi");
    for (const field of ["phone", "email", "address", "guardian_contacts"]) expect(body).not.toHaveProperty(field);
  }, FORM_TIMEOUT);

  it("gives the data protection officer who knows what, only when asked, and the subject access export", async () => {
    const { sent } = platform(dpo, child(), {
      [`GET /api/v1/children/${ID}/disclosures/`]: () =>
        json({ child_reference: "C-7K3F9Q", disclosures: [], count: 0, next: null, previous: null, results: [] }),
    });
    renderApp(`/children/${ID}`);
    const knows = await screen.findByRole("region", { name: "Who knows what" });
    expect(screen.getByRole("region", { name: "Subject access" })).toBeInTheDocument();
    expect(sent.some((s) => s.path.endsWith("/disclosures/"))).toBe(false);
    await userEvent.click(within(knows).getByRole("button", { name: "Show who knows what" }));
    expect(await within(knows).findByText("Nothing has been shared.")).toBeInTheDocument();
    expect(sent.filter((s) => s.path.endsWith("/disclosures/"))).toHaveLength(1);
  });

  it("says an id it cannot be is not found, without asking the platform", async () => {
    const { sent } = platform(helpline, child());
    renderApp("/children/C-7K3F9Q");
    expect(await screen.findByRole("alert")).toHaveTextContent("We couldn't find this.");
    expect(sent.some((s) => s.path.includes("C-7K3F9Q"))).toBe(false);
  });
});
