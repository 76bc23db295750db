import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";

import type { Schemas } from "../api/client";
import { agency, CSRF, json, me, mockPlatform, renderApp, type Handler, type Sent } from "../test/platform";

const helpline = me({
  username: "helpline.north",
  first_name: "Hana",
  agencies: [{ agency: { ...agency(1, "North Child Helpline"), kind: "helpline" }, roles: ["helpline_worker"] }],
  active_agency: 1,
  permissions: ["children.create", "consents.record", "referrals.create"],
});
const police = { ...agency(4, "North Police"), kind: "police" as const };
const CHILD_ID = "0d8a4c1e-2b3f-4a5b-8c6d-7e8f9a0b1c2d";
const REFERRAL_ID = "7a6b5c4d-3e2f-4a1b-9c8d-7e6f5a4b3c2d";
const CONCERN = "An adult met online plans to meet her tonight.";

function child(): Schemas["Child"] {
  return {
    id: CHILD_ID,
    reference: "C-7K3F9Q",
    is_anonymous: false,
    given_name: "Amira",
    family_name: "Khan",
    date_of_birth: "2010-03-14",
    record_keeper: { id: 1, name: "North Child Helpline", kind: "helpline" },
    created_at: "2026-03-01T09:00:00Z",
    updated_at: "2026-03-01T09:00:00Z",
    disclosed_categories: ["identity", "contact", "disclosure_narrative"],
    withheld_categories: [],
  };
}

function match(id: number, name: string, intake: Schemas["IntakeStatus"], pathway: boolean): Schemas["MatchResult"] {
  return {
    rank: id,
    source: pathway ? "pathway" : "directory",
    service: {
      id,
      name,
      agency: police,
      need_categories: ["police_investigation"],
      intake_status: intake,
      minimum_age: null,
      maximum_age: 17,
      phone: "",
      email: "",
      opening_hours: "24 hours",
    },
    pathway: pathway ? { id: 9, lineage: "b3c4d5e6-0000-4000-8000-000000000000", version: 1, name: "Online exploitation" } : null,
    step: pathway ? 1 : null,
    response_hours: 1,
    reasons: [{ code: pathway ? "pathway_step" : "need", detail: pathway ? "Step 1 of the pathway" : "Provides police investigation" }],
  };
}

function referral(status: Schemas["ReferralStatus"]): Schemas["Referral"] {
  return {
    id: REFERRAL_ID,
    reference: "R-2026-0050",
    status,
    fhir_status: status === "draft" ? "draft" : "requested",
    urgency: "immediate",
    need_categories: ["police_investigation"],
    child_reference: "C-7K3F9Q",
    parent_reference: null,
    service: { id: 11, name: "Child Abuse Investigation Unit" },
    from_agency: agency(1, "North Child Helpline"),
    to_agency: police,
    created_at: "2026-03-01T09:00:00Z",
    sent_at: status === "draft" ? null : "2026-03-01T09:05:00Z",
    acknowledge_by: status === "draft" ? null : "2026-03-01T10:05:00Z",
    respond_by: null,
    acknowledged_at: null,
    responded_at: null,
    closed_at: null,
    is_overdue: false,
    pathway: null,
    child: child(),
    shared_categories: ["identity", "disclosure_narrative"],
    purpose: "support",
    decline_reason: "",
    outcome: "",
    override: null,
    concern_available: true,
    available_actions: [],
    onward_references: [],
  };
}

const page = <T,>(results: T[]) => ({ count: results.length, next: null, previous: null, results });

function flowPlatform(extra: Record<string, Handler> = {}) {
  let consented = false;
  const platform = mockPlatform({
    ...CSRF,
    "GET /api/v1/auth/me/": () => json(helpline),
    "GET /api/v1/notifications/": () => json(page([])),
    "GET /api/v1/notifications/unread-count/": () => json({ unread: 0 }),
    "GET /api/v1/children/": (sent) =>
      json(page(new URLSearchParams(sent.search).get("reference") === "C-7K3F9Q" ? [child()] : [])),
    "GET /api/v1/regions/": () => json(page([{ id: 1, name: "North", code: "north" }])),
    "GET /api/v1/pathways/match/": () =>
      json({
        need: "police_investigation",
        urgency: "immediate",
        matches: [match(11, "Child Abuse Investigation Unit", "accepting", true), match(12, "Closed Unit", "closed", false)],
      }),
    [`POST /api/v1/children/${CHILD_ID}/sharing-decision/`]: () =>
      json(
        consented
          ? { outcome: "allowed", reason: "consent_in_scope", detail: "A consent record covers this share.", consent: "c-1" }
          : { outcome: "needs_override", reason: "no_consent", detail: "No consent covers this share: it needs an authorised override.", consent: null },
      ),
    "GET /api/v1/sharing-overrides/": () => json(page([])),
    "GET /api/v1/lawful-bases/": () => json([{ value: "vital_interests", label: "Vital interests" }]),
    "POST /api/v1/consents/": (sent) => {
      consented = true;
      return json({ id: "c-1", status: "active", ...(sent.body as object) }, 201);
    },
    "POST /api/v1/referrals/": () => json(referral("draft"), 201),
    [`PATCH /api/v1/referrals/${REFERRAL_ID}/`]: () => json(referral("draft")),
    [`POST /api/v1/referrals/${REFERRAL_ID}/send/`]: () =>
      consented
        ? json(referral("sent"))
        : json({ detail: "No consent covers this share: it needs an authorised override.", code: "no_consent" }, 409),
    ...extra,
  });
  return platform;
}

const step = (name: string) => screen.findByRole("heading", { level: 2, name: new RegExp(`${name}$`) });
const proceed = () => userEvent.click(screen.getByRole("button", { name: "Continue" }));
const calls = (sent: Sent[], method: string, path: string) =>
  sent.filter((s) => s.method === method && s.path === path);

describe("the new referral flow", () => {
  it("goes from an existing child to a sent referral, keeping everything through a refused send", async () => {
    const { sent } = flowPlatform();
    renderApp("/referrals/new");

    await step("The child");
    await userEvent.click(screen.getByLabelText(/Already on record/));
    await userEvent.type(screen.getByLabelText("Reference"), "C-7K3F9Q{Enter}");
    await userEvent.click(await screen.findByRole("button", { name: "Choose C-7K3F9Q" }));
    await proceed();

    expect(await step("Concern and urgency")).toHaveFocus();
    await proceed();
    const concern = screen.getByLabelText("The concern");
    await waitFor(() => expect(concern).toHaveAccessibleDescription(expect.stringContaining("Describe the concern.")));
    expect(screen.getByRole("alert")).toHaveTextContent("Urgency: Choose how urgent it is.");
    await userEvent.click(concern);
    await userEvent.paste(CONCERN);
    await userEvent.click(screen.getByLabelText(/^Immediate/));
    await proceed();

    await step("Needs");
    await userEvent.click(screen.getByLabelText("Police investigation"));
    await proceed();

    await step("Service");
    const closed = await screen.findByRole("radio", { name: /Closed Unit/ });
    expect(closed).toBeDisabled();
    const unit = screen.getByRole("radio", { name: /Child Abuse Investigation Unit/ });
    expect(unit).toHaveAccessibleDescription(expect.stringContaining("Step 1 of the pathway"));
    await userEvent.click(unit);
    const matchQuery = new URLSearchParams(calls(sent, "GET", "/api/v1/pathways/match/").at(-1)!.search);
    expect(Object.fromEntries(matchQuery)).toMatchObject({ need: "police_investigation", urgency: "immediate", region: "north" });
    expect(Number(matchQuery.get("age"))).toBeGreaterThanOrEqual(15);
    await proceed();

    await step("Sharing");
    expect(await screen.findByText(/^Not yet: No consent covers this share/)).toBeInTheDocument();
    await proceed();

    await step("Check and send");
    expect(screen.getByText(CONCERN)).toBeInTheDocument();
    await userEvent.click(screen.getByRole("button", { name: "Send referral" }));
    const refused = await screen.findByRole("alert");
    expect(refused).toHaveTextContent("The referral was saved as a draft but not sent: there is no basis to share it.");
    expect(refused).toHaveTextContent("No consent covers this share");

    await userEvent.click(within(refused).getByRole("button", { name: "Record consent or choose an authorisation" }));
    await step("Sharing");
    const consent = await screen.findByRole("region", { name: "Record the child's consent" });
    await userEvent.click(within(consent).getByLabelText("A parent or carer"));
    await userEvent.type(within(consent).getByLabelText("Relationship to the child"), "Mother");
    await userEvent.click(within(consent).getByRole("button", { name: "Record consent decision" }));
    expect(await screen.findByText(/^Yes: A consent record covers this share/)).toBeInTheDocument();
    expect(calls(sent, "POST", "/api/v1/consents/")[0]?.body).toMatchObject({
      child: CHILD_ID,
      decision: "active",
      given_by: "parent_carer",
      given_by_relationship: "Mother",
      recipient_agencies: [4],
      categories: ["identity", "disclosure_narrative"],
      purposes: ["support"],
    });

    await userEvent.click(screen.getByRole("button", { name: "Back" }));
    await userEvent.click(screen.getByRole("button", { name: "Back" }));
    await userEvent.click(screen.getByRole("button", { name: "Back" }));
    await step("Concern and urgency");
    expect(screen.getByLabelText("The concern")).toHaveValue(CONCERN);
    for (const next of ["Needs", "Service", "Sharing", "Check and send"]) {
      await proceed();
      await step(next);
    }
    await userEvent.click(screen.getByRole("button", { name: "Send referral" }));

    expect(await screen.findByRole("heading", { level: 2, name: "Referral R-2026-0050 sent" })).toHaveFocus();
    // One draft only: the retry brought the first one up to date and sent it.
    expect(calls(sent, "POST", "/api/v1/referrals/")).toHaveLength(1);
    expect(calls(sent, "PATCH", `/api/v1/referrals/${REFERRAL_ID}/`)).toHaveLength(1);
    expect(calls(sent, "POST", "/api/v1/referrals/")[0]?.body).toMatchObject({
      child: CHILD_ID,
      service: 11,
      pathway: 9,
      urgency: "immediate",
      need_categories: ["police_investigation"],
      concern: CONCERN,
    });
    expect(screen.getByRole("link", { name: "Open referral R-2026-0050" })).toHaveAttribute(
      "href",
      `/referrals/${REFERRAL_ID}`,
    );
  }, 30_000);

  it("records a new child once, warns of a possible duplicate, and updates that record after changes", async () => {
    let saves = 0;
    const saved = (duplicate: boolean): Schemas["ChildSaved"] => ({
      ...child(),
      reference: "C-NEW123",
      possible_duplicate: duplicate
        ? { references: ["C-7K3F9Q"], duty_manager_asked: false, message: "A record with the same name and date of birth already exists: check it is not the same child." }
        : null,
    });
    const { sent } = flowPlatform({
      "POST /api/v1/children/": () => json(saved(++saves === 1), 201),
      [`PATCH /api/v1/children/${CHILD_ID}/`]: () => json(saved(false)),
    });
    renderApp("/referrals/new");
    await step("The child");
    await userEvent.click(screen.getByLabelText(/New to the platform/));
    await userEvent.type(screen.getByLabelText(/Given name/), "Amira");
    await userEvent.type(screen.getByLabelText(/Family name/), "Khan");
    await proceed();
    expect(await screen.findByText(/already exists: check it is not the same child/)).toBeInTheDocument();
    expect(screen.getByText("C-7K3F9Q")).toBeInTheDocument();
    expect(screen.getByRole("heading", { level: 2, name: /The child$/ })).toBeInTheDocument();

    await userEvent.type(screen.getByLabelText(/Preferred name/), "Mira");
    await proceed();
    await step("Concern and urgency");
    expect(calls(sent, "POST", "/api/v1/children/")).toHaveLength(1);
    expect(calls(sent, "PATCH", `/api/v1/children/${CHILD_ID}/`)[0]?.body).toMatchObject({
      given_name: "Amira",
      family_name: "Khan",
      preferred_name: "Mira",
    });
  }, 15_000);
});
