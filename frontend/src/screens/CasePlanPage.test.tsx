import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";

import type { Schemas } from "../api/client";
import { changedFields } from "../caseplans/Actions";
import { agency, CSRF, json, me, mockPlatform, renderApp, type Handler } from "../test/platform";

const ID = "7a1c2b3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d";
const CHILD = "c0ffee00-0000-4000-8000-000000000001";
const NORTH_SS = agency(3, "North Social Services");
const NORTH_POLICE: Schemas["AgencySummary"] = { ...agency(5, "North Police"), kind: "police" };
const page = <T,>(results: T[]) => json({ count: results.length, next: null, previous: null, results });
const sam = { id: 7, name: "Sam North" };
const pat = { id: 11, name: "Pat Price" };

function plan(overrides: Partial<Schemas["CasePlan"]> = {}): Schemas["CasePlan"] {
  return {
    id: ID,
    reference: "CP-2026-0007",
    status: "open",
    phase: "immediate",
    child_reference: "C-7K3F9Q",
    lead: sam,
    lead_agency: NORTH_SS,
    source_referral: null,
    created_at: "2026-11-20T09:00:00Z",
    updated_at: "2026-11-20T09:00:00Z",
    closed_at: null,
    closure_reason: "",
    next_review_on: null,
    reassessment_due_on: null,
    review_overdue: false,
    reassessment_overdue: false,
    risk_level: null,
    child: {
      id: CHILD,
      reference: "C-7K3F9Q",
      is_anonymous: false,
      given_name: "Robin",
      record_keeper: { id: 1, name: "North Child Helpline", kind: "helpline" },
      created_at: "2026-11-20T09:00:00Z",
      updated_at: "2026-11-20T09:00:00Z",
      disclosed_categories: ["identity", "disclosure_narrative"],
      withheld_categories: ["contact"],
    },
    goals: "",
    lead_history: [{ id: "l1", lead: sam, since: "2026-11-20T09:00:00Z", until: null, assigned_by: sam }],
    disclosed_categories: ["case_plan", "risk_assessment"],
    withheld_categories: [],
    can_manage: true,
    concern_available: false,
    available_transitions: ["activate", "close"],
    ...overrides,
  };
}

const leadMember: Schemas["TeamMember"] = {
  id: "m1",
  user: sam,
  agency: NORTH_SS,
  role: "lead",
  started_at: "2026-11-20T09:00:00Z",
  added_by: sam,
  ended_at: null,
  end_reason: "",
  is_current: true,
  disclosure: null,
};

function action(overrides: Partial<Schemas["PlanAction"]> = {}): Schemas["PlanAction"] {
  return {
    id: "a1",
    need_category: "therapy",
    description: "Arrange counselling sessions.",
    responsible_service: null,
    responsible_agency: null,
    responsible_person: sam,
    referral: null,
    due_date: "2026-11-01",
    status: "planned",
    outcome: "",
    status_note: "",
    created_by: sam,
    created_at: "2026-11-20T09:00:00Z",
    updated_at: "2026-11-20T09:00:00Z",
    is_overdue: true,
    ...overrides,
  };
}

function planPlatform(current: Schemas["CasePlan"], extra: Record<string, Handler> = {}, person = me()) {
  return mockPlatform({
    ...CSRF,
    "GET /api/v1/auth/me/": () => json(person),
    [`GET /api/v1/case-plans/${ID}/`]: () => json(current),
    [`GET /api/v1/case-plans/${ID}/team/`]: () => page([leadMember]),
    [`GET /api/v1/case-plans/${ID}/team/candidates/`]: () =>
      page([{ user: pat, agency: NORTH_POLICE, role: "practitioner", on_team: false }]),
    [`GET /api/v1/case-plans/${ID}/actions/`]: () => page([action()]),
    [`GET /api/v1/case-plans/${ID}/risk-assessments/`]: () => page([]),
    [`GET /api/v1/case-plans/${ID}/reviews/`]: () => page([]),
    [`GET /api/v1/case-plans/${ID}/timeline/`]: () => json({ results: [], older: false }),
    "GET /api/v1/case-plans/risk-matrix/": () => json({ likelihood: [], severity: [], bands: [], cells: [] }),
    "GET /api/v1/agencies/": () => page([NORTH_SS, NORTH_POLICE]),
    "GET /api/v1/sharing-overrides/": () => page([]),
    "GET /api/v1/consents/": () => page([]),
    "GET /api/v1/disclosures/": () => page([]),
    ...extra,
  });
}

const region = (name: string) => screen.getByRole("region", { name });

async function chooseTeamMember() {
  await userEvent.click(await screen.findByRole("button", { name: "Add a team member" }));
  const team = region("Case team");
  await userEvent.selectOptions(within(team).getByLabelText("Agency"), "North Police");
  await waitFor(() => expect(within(team).getByRole("option", { name: "Pat Price (Practitioner)" })).toBeInTheDocument());
  await userEvent.selectOptions(within(team).getByLabelText("Person"), "Pat Price (Practitioner)");
  await userEvent.selectOptions(within(team).getByLabelText("Role on the case"), "Police officer");
  await userEvent.click(within(team).getByLabelText("Identity"));
  await userEvent.click(within(team).getByLabelText("Disclosure narrative"));
  return team;
}

describe("the case plan page", () => {
  it("shows the plan by reference only, and what the person may do", async () => {
    planPlatform(plan());
    renderApp(`/case-plans/${ID}`);
    expect(await screen.findByRole("heading", { level: 1, name: "Case plan CP-2026-0007" })).toBeInTheDocument();
    await waitFor(() => expect(document.title).toBe("Case plan · Safeguarding platform"));
    expect(screen.queryByText(/Robin/)).not.toBeInTheDocument();
    expect(within(region("Phase and status")).getAllByRole("button").map((b) => b.textContent)).toEqual([
      "Change the phase",
      "Activate the plan",
      "Close the plan",
    ]);
    expect(within(region("Case lead")).getByRole("button", { name: "Hand the lead over" })).toBeInTheDocument();
  });

  it("shares with a member from another agency only what was chosen, and says plainly when consent does not allow it", async () => {
    let attempt = 0;
    const { sent } = planPlatform(plan(), {
      [`POST /api/v1/case-plans/${ID}/team/`]: () =>
        ++attempt === 1
          ? json({ detail: "No consent covers this share: it needs an authorised override.", code: "no_consent" }, 409)
          : json(
              { ...leadMember, id: "m2", user: pat, agency: NORTH_POLICE, role: "police_officer", disclosure: "d1" },
              201,
            ),
    });
    renderApp(`/case-plans/${ID}`);
    const team = await chooseTeamMember();
    await userEvent.click(within(team).getByRole("button", { name: "Add to the team" }));

    const refusal = await within(team).findByRole("alert");
    expect(refusal).toHaveTextContent("They were not added: nothing allows sharing with them.");
    expect(refusal).toHaveTextContent("No consent covers this share: it needs an authorised override.");
    const posted = sent.find((s) => s.method === "POST" && s.path.endsWith("/team/"));
    expect(posted?.body).toEqual({
      user: 11,
      role: "police_officer",
      agency: 5,
      purpose: "support",
      categories: ["case_plan", "identity", "disclosure_narrative"],
    });
    // Nothing chosen is lost: the same choices go again once consent is recorded.
    expect(within(team).getByLabelText("Person")).toHaveValue("11");
    expect(within(team).getByLabelText("Identity")).toBeChecked();

    await userEvent.click(within(team).getByRole("button", { name: "Add to the team" }));
    expect(await within(team).findByText("Pat Price has joined the team; what was shared with them is recorded.")).toBeInTheDocument();
  });

  it("marks overdue actions in words and adds an action with a due date and a person", async () => {
    const { sent } = planPlatform(plan(), {
      [`POST /api/v1/case-plans/${ID}/actions/`]: () => json(action({ id: "a2", is_overdue: false }), 201),
    });
    renderApp(`/case-plans/${ID}`);
    const actions = await screen.findByRole("region", { name: "Plan actions" });
    expect(await within(actions).findByText("Overdue")).toBeInTheDocument();
    expect(within(actions).getByText("1 still open, 1 overdue.")).toBeInTheDocument();

    await userEvent.click(within(actions).getByRole("button", { name: "Add an action" }));
    await userEvent.selectOptions(within(actions).getByLabelText("Need"), "Family support");
    await userEvent.type(within(actions).getByLabelText("What is to be done"), "Meet the family.");
    await userEvent.type(within(actions).getByLabelText(/Due by/), "2026-12-01");
    await userEvent.selectOptions(within(actions).getByLabelText(/Person responsible/), "Sam North (North Social Services)");
    await userEvent.click(within(actions).getByRole("button", { name: "Add the action" }));
    expect(await within(actions).findByText("The action is added to the plan.")).toBeInTheDocument();
    expect(sent.find((s) => s.method === "POST" && s.path.endsWith("/actions/"))?.body).toEqual({
      need_category: "family_support",
      description: "Meet the family.",
      due_date: "2026-12-01",
      responsible_person: 7,
      purpose: "support",
      send: false,
    });
  });

  it("completes an action with the platform's message beside the outcome when it is missing", async () => {
    let attempt = 0;
    const { sent } = planPlatform(plan(), {
      [`PATCH /api/v1/case-plans/${ID}/actions/a1/`]: () =>
        ++attempt === 1
          ? json({ detail: "Invalid.", code: "invalid", errors: { outcome: ["Say how it went."] } }, 400)
          : json(action({ status: "done", outcome: "Sessions booked.", is_overdue: false })),
    });
    renderApp(`/case-plans/${ID}`);
    const actions = await screen.findByRole("region", { name: "Plan actions" });
    await userEvent.click(await within(actions).findByRole("button", { name: "Update therapy" }));
    await userEvent.selectOptions(within(actions).getByLabelText("Status"), "Done");
    await userEvent.click(within(actions).getByRole("button", { name: "Save the action" }));
    const outcome = within(actions).getByLabelText(/^Outcome/);
    await waitFor(() => expect(outcome).toHaveAccessibleDescription(expect.stringContaining("Say how it went.")));
    await userEvent.type(outcome, "Sessions booked.");
    await userEvent.click(within(actions).getByRole("button", { name: "Save the action" }));
    expect(await within(actions).findByText("The action is updated.")).toBeInTheDocument();
    expect(sent.filter((s) => s.method === "PATCH").at(-1)?.body).toEqual({ status: "done", outcome: "Sessions booked." });
  });

  it("lets the person responsible report only progress, and sends only what changed", () => {
    const draft = { status: "done", outcome: "Done.", due: "2026-12-24", person: "" };
    expect(changedFields(action(), draft, false)).toEqual({ status: "done", outcome: "Done." });
    expect(changedFields(action(), draft, true)).toEqual({
      status: "done",
      outcome: "Done.",
      due_date: "2026-12-24",
      responsible_person: null,
    });
  });

  it("offers a team member from another agency nothing to change, and marks what was not shared", async () => {
    const police = me({
      id: 11,
      username: "police.north",
      agencies: [{ agency: NORTH_POLICE, roles: ["practitioner"] }],
      active_agency: 5,
      permissions: ["referrals.create", "referrals.receive", "children.view", "consents.record"],
    });
    planPlatform(
      plan({
        can_manage: false,
        available_transitions: [],
        disclosed_categories: ["case_plan"],
        withheld_categories: ["risk_assessment"],
        risk_level: undefined,
      }),
      {},
      police,
    );
    renderApp(`/case-plans/${ID}`);
    await screen.findByRole("heading", { level: 1, name: "Case plan CP-2026-0007" });
    expect(screen.queryByRole("region", { name: "Phase and status" })).not.toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Add a team member" })).not.toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Hand the lead over" })).not.toBeInTheDocument();
    expect(within(region("Risk assessment")).getByText("Risk assessments have not been shared with you.")).toBeInTheDocument();
    const shared = region("What is shared with you");
    expect(within(shared).getByText("Identity").closest("li")).toHaveTextContent("Identity: shared");
    expect(within(shared).getByText("Health").closest("li")).toHaveTextContent("Health: not shared with you");
  });

  it("answers a plan that does not exist (or is not theirs) as not found", async () => {
    planPlatform(plan(), { [`GET /api/v1/case-plans/${ID}/`]: () => json({ detail: "Not found.", code: "not_found" }, 404) });
    renderApp(`/case-plans/${ID}`);
    expect(await screen.findByRole("heading", { level: 1, name: "Case plan not found" })).toBeInTheDocument();
  });
});
