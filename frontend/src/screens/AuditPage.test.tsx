import { render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";

import type { Schemas } from "../api/client";
import { fill, FORM_TIMEOUT } from "../test/forms";
import { CSRF, json, me, mockPlatform, renderApp, type Handler } from "../test/platform";
import { ChainResult, toAuditFilters } from "./AuditPage";

const dpo = me({ username: "dpo.north", permissions: ["audit.view", "children.subject_access", "children.view"] });

function event(sequence: number, overrides: Partial<Schemas["AuditEvent"]> = {}): Schemas["AuditEvent"] {
  return {
    sequence,
    timestamp: "2026-03-01T09:30:00Z",
    actor: { id: 7, username: "social.north", first_name: "Sam", last_name: "North" },
    actor_username: "social.north",
    agency: { id: 3, name: "North Social Services" },
    action: "view",
    object_type: "children.child",
    object_id: "6b1f1c1e-8a0c-4b7e-9a51-0d6f1c6b2a11",
    request_id: "req-1",
    details: { view: "disclosures" },
    previous_hash: "a",
    hash: "b",
    ...overrides,
  };
}

function trail(extra: Record<string, Handler> = {}) {
  return mockPlatform({
    ...CSRF,
    "GET /api/v1/auth/me/": () => json(dpo),
    "GET /api/v1/audit/": () => json({ count: 2, next: null, previous: null, results: [event(12), event(11, { action: "login", object_type: "", object_id: "" })] }),
    ...extra,
  });
}

const auditQueries = (sent: { path: string; search: string }[]) =>
  sent.filter((s) => s.path === "/api/v1/audit/").map((s) => Object.fromEntries(new URLSearchParams(s.search)));

describe("the audit trail", () => {
  it("lists events with links to the records they name, and narrows to one person or record", async () => {
    const { sent } = trail();
    renderApp("/audit");
    const table = await screen.findByRole("table");
    const viewed = within(table).getByRole("row", { name: /^12 / });
    expect(viewed).toHaveTextContent("Viewed");
    expect(within(viewed).getByRole("link", { name: "6b1f1c1e-8a0c-4b7e-9a51-0d6f1c6b2a11" })).toHaveAttribute(
      "href",
      "/children/6b1f1c1e-8a0c-4b7e-9a51-0d6f1c6b2a11",
    );
    await userEvent.click(within(viewed).getByRole("button", { name: "Only this person: social.north" }));
    await waitFor(() => expect(auditQueries(sent).at(-1)).toMatchObject({ actor: "7" }));
    expect(screen.getByLabelText(/Person/)).toHaveValue(7);

    await userEvent.click(within(viewed).getByRole("button", { name: /Only this record/ }));
    await waitFor(() =>
      expect(auditQueries(sent).at(-1)).toMatchObject({
        actor: "7",
        object_type: "children.child",
        object_id: "6b1f1c1e-8a0c-4b7e-9a51-0d6f1c6b2a11",
      }),
    );
  }, FORM_TIMEOUT);

  it("shows the platform's refusal of a time range beside the field, keeping the search", async () => {
    trail({
      "GET /api/v1/audit/": (request) =>
        request.search.includes("until")
          ? json({ detail: "Some of the information is not valid.", code: "invalid", errors: { until: ["Must be after 'since'."] } }, 400)
          : json({ count: 0, next: null, previous: null, results: [] }),
    });
    renderApp("/audit");
    const search = await screen.findByRole("search", { name: "Search the audit trail" });
    await fill(within(search).getByLabelText(/From/), "2030-01-02T00:00");
    await fill(within(search).getByLabelText(/Until/), "2030-01-01T00:00");
    await userEvent.click(within(search).getByRole("button", { name: "Search" }));
    const until = within(search).getByLabelText(/Until/);
    await waitFor(() => expect(until).toHaveAttribute("aria-invalid", "true"));
    expect(until).toHaveAccessibleDescription("Error: Must be after 'since'.");
    expect(within(search).getByLabelText(/From/)).toHaveValue("2030-01-02T00:00");
  }, FORM_TIMEOUT);

  it("verifies the chain on request", async () => {
    const { sent } = trail({
      "GET /api/v1/audit/verify/": () =>
        json({ intact: true, checked: 208, last_sequence: 208, last_hash: "f", first_broken_sequence: null, problem: null, summary: "Intact." }),
    });
    renderApp("/audit");
    await userEvent.click(await screen.findByRole("button", { name: "Verify the audit trail" }));
    expect(await screen.findByText("Intact")).toBeInTheDocument();
    expect(screen.getByText(/All 208 events check out, up to event 208/)).toBeInTheDocument();
    expect(sent.filter((s) => s.path === "/api/v1/audit/verify/")).toHaveLength(1);
  });
});

describe("a chain check's result", () => {
  it("says where a broken chain breaks and why, in words", () => {
    render(
      <ChainResult
        result={{
          intact: false,
          checked: 41,
          last_sequence: 40,
          last_hash: "e",
          first_broken_sequence: 41,
          problem: "hash_mismatch",
          summary: "Event 41 does not match its hash.",
        }}
      />,
    );
    expect(screen.getByText("Broken")).toBeInTheDocument();
    expect(screen.getByText(/At event 41: a recorded event or its hash was changed\./)).toBeInTheDocument();
    expect(screen.getByText(/up to event 40, are intact/)).toBeInTheDocument();
  });
});

describe("toAuditFilters", () => {
  it("sends only what was filled in, with local times as exact instants", () => {
    const filters = toAuditFilters(
      { actor: " 7 ", object_type: "", object_id: "", action: "export", since: "2026-03-01T09:00", until: "" },
      2,
    );
    expect(filters).toEqual({
      page: 2,
      page_size: 50,
      actor: 7,
      action: "export",
      since: new Date("2026-03-01T09:00").toISOString(),
    });
  });
});
