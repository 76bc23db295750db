import { QueryClientProvider } from "@tanstack/react-query";
import { render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";

import { createQueryClient } from "../App";
import type { Schemas } from "../api/client";
import { CurrentUser } from "../auth/session";
import { fill, FORM_TIMEOUT } from "../test/forms";
import { agency, CSRF, json, me, mockPlatform, type Handler } from "../test/platform";
import { Overrides } from "./Overrides";

const CHILD = "6b1f1c1e-8a0c-4b7e-9a51-0d6f1c6b2a11";
const JUSTIFICATION = "Images are being shared online by an adult; police need to act today.";

const worker = me({ permissions: ["children.view", "consents.record", "referrals.create"] });
const dutyManager = me({
  username: "duty.north",
  permissions: ["children.view", "consents.record", "sharing.authorise_override"],
});

function override(overrides: Partial<Schemas["Override"]> = {}): Schemas["Override"] {
  return {
    id: "0f5c1a52-3b7c-4d2e-8f11-2a6c9e1b7d40",
    child: CHILD,
    child_reference: "C-7K3F9Q",
    agency: { id: 3, name: "North Social Services", kind: "social_services" },
    recipient_agency: { id: 4, name: "North Police", kind: "police" },
    categories: ["identity", "disclosure_narrative"],
    purpose: "investigation",
    lawful_basis: "vital_interests",
    lawful_basis_label: "UK GDPR Art 6(1)(d) vital interests",
    justification: JUSTIFICATION,
    status: "requested",
    requested_by: { id: 7, username: "social.north" },
    requested_at: "2026-03-01T09:30:00Z",
    authorised_by: null,
    decided_at: null,
    refusal_reason: "",
    expires_at: null,
    ...overrides,
  };
}

function platform(rows: Schemas["Override"][], extra: Record<string, Handler> = {}) {
  return mockPlatform({
    ...CSRF,
    "GET /api/v1/sharing-overrides/": () => json({ count: rows.length, next: null, previous: null, results: rows }),
    "GET /api/v1/agencies/": () => json({ count: 1, next: null, previous: null, results: [agency(4, "North Police")] }),
    "GET /api/v1/lawful-bases/": () =>
      json([{ value: "vital_interests", label: "UK GDPR Art 6(1)(d) vital interests" }]),
    ...extra,
  });
}

function renderSection(person: Schemas["Me"]) {
  render(
    <QueryClientProvider client={createQueryClient()}>
      <CurrentUser.Provider value={person}>
        <Overrides child={CHILD} />
      </CurrentUser.Provider>
    </QueryClientProvider>,
  );
}

describe("sharing without consent", () => {
  it("keeps the justification folded away until someone opens it", async () => {
    platform([override()]);
    renderSection(worker);
    const item = await screen.findByRole("listitem");
    expect(item).toHaveTextContent("Waiting for a duty manager to share with North Police");
    const details = within(item).getByText("Show the justification").closest("details")!;
    expect(details).not.toHaveAttribute("open");
    await userEvent.click(within(item).getByText("Show the justification"));
    expect(details).toHaveAttribute("open");
    expect(within(item).queryByRole("button", { name: "Authorise" })).not.toBeInTheDocument();
  });

  it("sends a worker's request with its lawful basis and justification", async () => {
    const { sent } = platform([], {
      "POST /api/v1/sharing-overrides/": () => json(override(), 201),
    });
    renderSection(worker);
    await userEvent.click(await screen.findByRole("button", { name: "Ask to share without consent" }));
    await userEvent.selectOptions(screen.getByLabelText(/Agency to share with/), await screen.findByRole("option", { name: "North Police" }));
    await userEvent.click(screen.getByLabelText("Identity"));
    await userEvent.selectOptions(screen.getByLabelText(/^Purpose/), "Investigation");
    await userEvent.selectOptions(
      screen.getByLabelText(/Lawful basis/),
      await screen.findByRole("option", { name: "UK GDPR Art 6(1)(d) vital interests" }),
    );
    await fill(screen.getByLabelText(/Why sharing without consent is justified/), JUSTIFICATION);
    await userEvent.click(screen.getByRole("button", { name: "Ask a duty manager" }));

    expect(await screen.findByText(/Request sent: your agency's duty managers have been asked/)).toBeInTheDocument();
    expect(sent.find((s) => s.method === "POST")?.body).toEqual({
      child: CHILD,
      recipient_agency: 4,
      categories: ["identity"],
      purpose: "investigation",
      lawful_basis: "vital_interests",
      justification: JUSTIFICATION,
    });
  }, FORM_TIMEOUT);

  it("lets a duty manager authorise, or refuse only with a reason", async () => {
    const { sent } = platform([override()], {
      "POST /api/v1/sharing-overrides/0f5c1a52-3b7c-4d2e-8f11-2a6c9e1b7d40/refuse/": (request) =>
        (request.body as { reason?: string }).reason
          ? json(override({ status: "refused", refusal_reason: "Consent can be sought today." }))
          : json({ detail: "Invalid.", code: "invalid", errors: { reason: ["This field may not be blank."] } }, 400),
    });
    renderSection(dutyManager);
    const item = await screen.findByRole("listitem");
    expect(within(item).getByRole("button", { name: "Authorise" })).toBeInTheDocument();
    await userEvent.click(within(item).getByRole("button", { name: "Refuse…" }));
    await userEvent.click(within(item).getByRole("button", { name: "Refuse" }));
    const reason = within(item).getByLabelText(/Reason for refusing/);
    await waitFor(() => expect(reason).toHaveAttribute("aria-invalid", "true"));

    await fill(reason, "Consent can be sought today.");
    await userEvent.click(within(item).getByRole("button", { name: "Refuse" }));
    expect(await screen.findByText("Sharing without consent refused.")).toBeInTheDocument();
    const refusals = sent.filter((s) => s.path.endsWith("/refuse/")).map((s) => s.body);
    expect(refusals).toEqual([{ reason: "" }, { reason: "Consent can be sought today." }]);
  }, FORM_TIMEOUT);
});
