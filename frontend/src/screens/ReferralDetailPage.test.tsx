import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";

import type { Schemas } from "../api/client";
import { agency, CSRF, json, me, mockPlatform, renderApp, type Handler } from "../test/platform";

const ID = "5f0c7a52-1b7e-4d1e-9a39-3d3f4b8c2a11";
const OTHER = "9b1d2c3e-4f50-4a6b-8c7d-8e9f0a1b2c3d";
const CONCERN = "Disclosed on a call that an adult asked for images.";

function referral(overrides: Partial<Schemas["Referral"]> = {}): Schemas["Referral"] {
  return {
    id: ID,
    reference: "R-2026-0042",
    status: "sent",
    fhir_status: "requested",
    urgency: "within_24h",
    need_categories: ["family_support"],
    child_reference: "C-7K3F9Q",
    parent_reference: null,
    service: { id: 2, name: "Family Support Service" },
    from_agency: agency(1, "North Child Helpline"),
    to_agency: agency(3, "North Social Services"),
    created_at: "2026-03-01T09:00:00Z",
    sent_at: "2026-03-01T09:05:00Z",
    acknowledge_by: "2099-03-01T13:05:00Z",
    respond_by: "2099-03-02T09:05:00Z",
    acknowledged_at: null,
    responded_at: null,
    closed_at: null,
    is_overdue: false,
    pathway: null,
    child: {
      id: "c1",
      reference: "C-7K3F9Q",
      is_anonymous: false,
      given_name: "Amira",
      family_name: "Khan",
      record_keeper: { id: 1, name: "North Child Helpline", kind: "helpline" },
      created_at: "2026-03-01T09:00:00Z",
      updated_at: "2026-03-01T09:00:00Z",
      disclosed_categories: ["identity", "disclosure_narrative"],
      withheld_categories: ["contact"],
    },
    shared_categories: ["identity", "disclosure_narrative"],
    purpose: "support",
    decline_reason: "",
    outcome: "",
    override: null,
    concern_available: true,
    available_actions: ["acknowledge", "accept", "decline"],
    onward_references: [],
    ...overrides,
  };
}

function detailPlatform(current: Schemas["Referral"], extra: Record<string, Handler> = {}) {
  return mockPlatform({
    ...CSRF,
    "GET /api/v1/auth/me/": () => json(me()),
    [`GET /api/v1/referrals/${current.id}/`]: () => json(current),
    [`GET /api/v1/referrals/${current.id}/history/`]: () => json([]),
    [`GET /api/v1/referrals/${current.id}/concern/`]: () => json({ concern: CONCERN }),
    "GET /api/v1/case-plans/": () => json({ count: 0, next: null, previous: null, results: [] }),
    ...extra,
  });
}

const actions = () => screen.getByRole("region", { name: "What you can do" });

describe("the referral page", () => {
  it("offers exactly the actions the platform says this person may take", async () => {
    detailPlatform(referral());
    renderApp(`/referrals/${ID}`);
    expect(await screen.findByRole("heading", { level: 1, name: "Referral R-2026-0042" })).toBeInTheDocument();
    expect(within(actions()).getAllByRole("button").map((b) => b.textContent)).toEqual([
      "Acknowledge",
      "Accept",
      "Decline",
    ]);
    await waitFor(() => expect(document.title).toBe("Referral · Safeguarding platform"));
  });

  it("shows no actions to someone who may take none", async () => {
    detailPlatform(referral({ available_actions: [] }));
    renderApp(`/referrals/${ID}`);
    await screen.findByRole("heading", { level: 1, name: "Referral R-2026-0042" });
    expect(screen.queryByRole("region", { name: "What you can do" })).not.toBeInTheDocument();
  });

  it("keeps the concern closed until asked, reads it only then, and forgets it when hidden", async () => {
    const { sent } = detailPlatform(referral());
    renderApp(`/referrals/${ID}`);
    const show = await screen.findByRole("button", { name: "Show concern" });
    expect(show).toHaveAttribute("aria-expanded", "false");
    expect(screen.queryByText(CONCERN)).not.toBeInTheDocument();
    expect(sent.some((s) => s.path.endsWith("/concern/"))).toBe(false);

    await userEvent.click(show);
    expect(await screen.findByText(CONCERN)).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Hide concern" })).toHaveAttribute("aria-expanded", "true");

    await userEvent.click(screen.getByRole("button", { name: "Hide concern" }));
    expect(screen.queryByText(CONCERN)).not.toBeInTheDocument();
    await userEvent.click(screen.getByRole("button", { name: "Show concern" }));
    await screen.findByText(CONCERN);
    // Every reading is a request of its own, so the platform audits each one.
    expect(sent.filter((s) => s.path.endsWith("/concern/"))).toHaveLength(2);
  });

  it("says when the concern was not shared with the agency", async () => {
    detailPlatform(referral({ concern_available: false }));
    renderApp(`/referrals/${ID}`);
    expect(await screen.findByText("The concern narrative has not been shared with your agency.")).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Show concern" })).not.toBeInTheDocument();
  });

  it("asks for the reason to decline, shows the platform's message beside it and keeps the text", async () => {
    let attempt = 0;
    let current = referral();
    const { sent } = detailPlatform(current, {
      [`GET /api/v1/referrals/${ID}/`]: () => json(current),
      [`POST /api/v1/referrals/${ID}/decline/`]: () => {
        if (++attempt === 1) {
          return json({ detail: "Some of the information is not valid.", code: "invalid", errors: { reason: ["Give the reason."] } }, 400);
        }
        current = referral({ status: "declined", decline_reason: "Not for us.", available_actions: [] });
        return json(current);
      },
    });
    renderApp(`/referrals/${ID}`);
    await userEvent.click(await within(await screen.findByRole("region", { name: "What you can do" })).findByRole("button", { name: "Decline" }));
    const reason = screen.getByLabelText("Why is it declined?");
    expect(reason).toBeRequired();
    await userEvent.click(screen.getByRole("button", { name: "Decline referral" }));
    await waitFor(() => expect(reason).toHaveAccessibleDescription(expect.stringContaining("Give the reason.")));

    await userEvent.type(reason, "Not for us.");
    await userEvent.click(screen.getByRole("button", { name: "Decline referral" }));
    expect(await screen.findByText("The referral was declined: the sender has been told why.")).toBeInTheDocument();
    expect(sent.filter((s) => s.method === "POST").at(-1)?.body).toEqual({ reason: "Not for us." });
    expect(screen.getByRole("region", { name: "Declined by the receiving service" })).toHaveTextContent("Not for us.");
    expect(screen.queryByRole("region", { name: "What you can do" })).not.toBeInTheDocument();
  });

  it("explains a conflict in plain words, keeps the note and shows the referral as it is now", async () => {
    let current = referral();
    detailPlatform(current, {
      [`GET /api/v1/referrals/${ID}/`]: () => json(current),
      [`POST /api/v1/referrals/${ID}/accept/`]: () => {
        current = referral({ status: "accepted", available_actions: ["start", "hold", "complete", "fail"] });
        return json({ detail: "A accepted referral cannot do that.", code: "conflict" }, 409);
      },
    });
    renderApp(`/referrals/${ID}`);
    await userEvent.click(await screen.findByRole("button", { name: "Accept" }));
    await userEvent.type(screen.getByLabelText(/Note/), "Taking it on.");
    await userEvent.click(screen.getByRole("button", { name: "Accept referral" }));
    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent("This has changed since you opened it");
    expect(alert).toHaveTextContent("A accepted referral cannot do that.");
    expect(screen.getByLabelText(/Note/)).toHaveValue("Taking it on.");
    await waitFor(() => expect(within(actions()).getByRole("button", { name: "Start work" })).toBeInTheDocument());
  });

  it("says plainly when a draft cannot be sent for want of consent, and where to record it", async () => {
    detailPlatform(referral({ status: "draft", available_actions: ["send", "cancel"] }), {
      [`POST /api/v1/referrals/${ID}/send/`]: () =>
        json({ detail: "No consent covers this share: it needs an authorised override.", code: "no_consent" }, 409),
    });
    renderApp(`/referrals/${ID}`);
    await userEvent.click(await screen.findByRole("button", { name: "Send" }));
    await userEvent.click(screen.getByRole("button", { name: "Send referral" }));
    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent("It was not sent: nothing allows sharing it yet.");
    expect(alert).toHaveTextContent("No consent covers this share");
    expect(within(alert).getByRole("link", { name: "the child's record" })).toHaveAttribute("href", "/children/c1");
  });

  it("shows the outcome to the sender once the work is complete", async () => {
    detailPlatform(
      referral({
        status: "completed",
        outcome: "Joint interview held; safety plan agreed with the family.",
        available_actions: [],
      }),
    );
    renderApp(`/referrals/${ID}`);
    expect(await screen.findByRole("region", { name: "Outcome" })).toHaveTextContent(
      "Joint interview held; safety plan agreed with the family.",
    );
  });

  it("offers an onward referral from an accepted one to the receiving service", async () => {
    detailPlatform(referral({ status: "accepted", available_actions: ["start", "fail"] }));
    renderApp(`/referrals/${ID}`);
    expect(await screen.findByRole("link", { name: "Make an onward referral" })).toHaveAttribute(
      "href",
      `/referrals/new?parent=${ID}`,
    );
  });

  it("says a referral that cannot be seen was not found, like one that does not exist", async () => {
    mockPlatform({ "GET /api/v1/auth/me/": () => json(me()) });
    renderApp(`/referrals/${OTHER}`);
    expect(await screen.findByRole("heading", { level: 1, name: "Referral not found" })).toBeInTheDocument();
    expect(screen.getByRole("alert")).toHaveTextContent("We couldn't find this.");
  });
});
