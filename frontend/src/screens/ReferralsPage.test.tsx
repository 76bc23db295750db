import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";

import type { Schemas } from "../api/client";
import { agency, json, me, mockPlatform, renderApp, type Sent } from "../test/platform";

function listed(reference: string, overrides: Partial<Schemas["ReferralList"]> = {}): Schemas["ReferralList"] {
  return {
    id: `id-${reference}`,
    reference,
    status: "sent",
    fhir_status: "requested",
    urgency: "immediate",
    need_categories: ["family_support"],
    child_reference: "C-7K3F9Q",
    parent_reference: null,
    service: { id: 2, name: "Family Support Service" },
    from_agency: agency(1, "North Child Helpline"),
    to_agency: agency(3, "North Social Services"),
    created_at: "2026-03-01T09:00:00Z",
    sent_at: "2026-03-01T09:05:00Z",
    acknowledge_by: "2099-03-01T10:05:00Z",
    respond_by: "2099-03-01T13:05:00Z",
    acknowledged_at: null,
    responded_at: null,
    closed_at: null,
    is_overdue: false,
    ...overrides,
  };
}

const page = <T,>(results: T[]) => ({ count: results.length, next: null, previous: null, results });

function listPlatform() {
  return mockPlatform({
    "GET /api/v1/auth/me/": () => json(me()),
    "GET /api/v1/services/": () =>
      json(page([{ id: 2, name: "Family Support Service", agency: agency(3, "North Social Services") }])),
    "GET /api/v1/referrals/": () =>
      json(
        page([
          listed("R-2026-0001", { is_overdue: true, acknowledge_by: "2026-03-01T10:05:00Z" }),
          listed("R-2026-0002", { urgency: "routine" }),
        ]),
      ),
  });
}

const lastList = (sent: Sent[]) =>
  new URLSearchParams(sent.filter((s) => s.path === "/api/v1/referrals/").at(-1)!.search);

describe("the referral inbox", () => {
  it("lists incoming referrals with their clocks and marks the overdue ones in words", async () => {
    const { sent } = listPlatform();
    renderApp("/referrals");
    const overdue = await screen.findByRole("row", { name: /R-2026-0001/ });
    expect(overdue).toHaveTextContent("Overdue");
    expect(overdue).toHaveTextContent(/Acknowledge: overdue by/);
    expect(screen.getByRole("row", { name: /R-2026-0002/ })).not.toHaveTextContent("Overdue");
    expect(within(overdue).getByRole("link", { name: "R-2026-0001" })).toHaveAttribute("href", "/referrals/id-R-2026-0001");
    expect(lastList(sent).get("box")).toBe("incoming");
  });

  it("filters by status, urgency, service and overdue, through the address", async () => {
    const { sent } = listPlatform();
    renderApp("/referrals");
    await screen.findByRole("row", { name: /R-2026-0001/ });
    await userEvent.selectOptions(screen.getByLabelText("Status"), "Acknowledged");
    await userEvent.selectOptions(screen.getByLabelText("Urgency"), "Immediate");
    await waitFor(() => expect(screen.getByRole("option", { name: "Family Support Service" })).toBeInTheDocument());
    await userEvent.selectOptions(screen.getByLabelText("Service"), "Family Support Service");
    await userEvent.click(screen.getByLabelText("Only overdue"));
    // Nothing is asked until the filters are applied.
    expect(lastList(sent).get("status")).toBeNull();
    await userEvent.click(screen.getByRole("button", { name: "Apply filters" }));
    await waitFor(() => expect(lastList(sent).get("status")).toBe("acknowledged"));
    expect(Object.fromEntries(lastList(sent))).toMatchObject({
      box: "incoming",
      urgency: "immediate",
      service: "2",
      overdue: "true",
    });
    expect(screen.getByLabelText("Status")).toHaveValue("acknowledged");

    await userEvent.click(screen.getByRole("button", { name: "Clear filters" }));
    await waitFor(() => expect(lastList(sent).get("status")).toBeNull());
  });

  it("offers only the boxes the person's role has", async () => {
    mockPlatform({
      "GET /api/v1/auth/me/": () => json(me({ permissions: ["referrals.create"] })),
      "GET /api/v1/services/": () => json(page([])),
      "GET /api/v1/referrals/": () => json(page([])),
    });
    renderApp("/referrals");
    const boxes = await screen.findByRole("navigation", { name: "Referral boxes" });
    expect(within(boxes).getAllByRole("link").map((a) => a.textContent)).toEqual(["Outgoing"]);
    expect(await screen.findByRole("heading", { level: 2, name: /Referrals from your agency/ })).toBeInTheDocument();
  });
});
