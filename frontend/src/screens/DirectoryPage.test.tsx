import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";

import type { Schemas } from "../api/client";
import { fill, FORM_TIMEOUT } from "../test/forms";
import { agency, CSRF, json, me, mockPlatform, renderApp, type Handler } from "../test/platform";

const northAdmin = me({
  username: "admin.north",
  first_name: "Ari",
  last_name: "Adams",
  agencies: [{ agency: agency(3, "North Social Services"), roles: ["agency_admin"] }],
  permissions: ["agency.manage", "directory.manage"],
});

const southAdmin = me({
  id: 9,
  username: "admin.south",
  agencies: [{ agency: agency(13, "South Social Services"), roles: ["agency_admin"] }],
  active_agency: 13,
  permissions: ["agency.manage", "directory.manage"],
});

const socialWorker = me();

function service(overrides: Partial<Schemas["Service"]> = {}): Schemas["Service"] {
  return {
    id: 21,
    hsds_id: "00000000-0000-4000-8000-000000000021",
    agency: agency(3, "North Social Services"),
    name: "Crisis Financial Assistance",
    alternate_name: "",
    description: "Emergency grants.",
    need_categories: ["financial_assistance"],
    is_active: true,
    intake_status: "accepting",
    minimum_age: null,
    maximum_age: 25,
    eligibility_description: "",
    service_areas: [{ id: 1, name: "North", code: "north" }],
    languages: ["en"],
    email: "",
    phone: "",
    url: "",
    contact_name: "",
    opening_hours: "Mon-Fri 09:00-17:00",
    acknowledgement_hours: { immediate: 4, within_24h: 8, within_72h: 48, routine: 120 },
    last_verified_at: null,
    last_verified_by: null,
    updated_at: "2026-01-01T00:00:00Z",
    ...overrides,
  };
}

const page = <T,>(results: T[]) => json({ count: results.length, next: null, previous: null, results });

function directory(person: Schemas["Me"], extra: Record<string, Handler> = {}) {
  return mockPlatform({
    ...CSRF,
    "GET /api/v1/auth/me/": () => json(person),
    "GET /api/v1/services/": () => page([service()]),
    "GET /api/v1/pathways/": () => page([]),
    "GET /api/v1/regions/": () => page([{ id: 1, name: "North", code: "north" }]),
    "GET /api/v1/services/21/": () => json(service()),
    ...extra,
  });
}

describe("the directory", () => {
  it("searches services by words, need, region, intake and age, and only active ones", async () => {
    const { sent } = directory(socialWorker);
    renderApp("/directory");
    const search = await screen.findByRole("search", { name: "Find services" });
    await fill(within(search).getByLabelText(/Words/), "crisis grant");
    await userEvent.selectOptions(within(search).getByLabelText(/Need/), "Financial assistance");
    await userEvent.selectOptions(within(search).getByLabelText(/Region/), await screen.findByRole("option", { name: "North" }));
    await userEvent.selectOptions(within(search).getByLabelText(/Intake/), "Accepting referrals");
    await fill(within(search).getByLabelText(/Child's age/), "15");
    await userEvent.click(within(search).getByRole("button", { name: "Search" }));

    await waitFor(() => expect(sent.filter((s) => s.path === "/api/v1/services/")).toHaveLength(2));
    const query = new URLSearchParams(sent.filter((s) => s.path === "/api/v1/services/").at(-1)!.search);
    expect(Object.fromEntries(query)).toEqual({
      is_active: "true",
      page: "1",
      page_size: "25",
      search: "crisis grant",
      need: "financial_assistance",
      region: "north",
      intake_status: "accepting",
      age: "15",
    });
    const row = await screen.findByRole("row", { name: /Crisis Financial Assistance/ });
    expect(row).toHaveTextContent("Up to 25");
  }, FORM_TIMEOUT);

  it("offers agency admins their directory tasks, and nobody else", async () => {
    directory(northAdmin);
    renderApp("/directory");
    const tasks = await screen.findByRole("navigation", { name: "Directory tasks" });
    expect(within(tasks).getAllByRole("link").map((link) => link.textContent)).toEqual([
      "Add a service",
      "Draft a pathway",
      "Services to check",
      "Import and export (HSDS)",
    ]);
  });

  it("does not offer the tasks to a social worker", async () => {
    directory(socialWorker);
    renderApp("/directory");
    await screen.findByRole("heading", { level: 1, name: "Directory" });
    expect(screen.queryByRole("navigation", { name: "Directory tasks" })).not.toBeInTheDocument();
  });
});

describe("a service", () => {
  it("offers edit and check to its own agency's admin", async () => {
    directory(northAdmin);
    renderApp("/directory/services/21");
    expect(await screen.findByRole("link", { name: "Edit service" })).toHaveAttribute("href", "/directory/services/21/edit");
    expect(screen.getByRole("button", { name: "Confirm these details are correct" })).toBeInTheDocument();
    await waitFor(() => expect(document.title).toBe("Service · Safeguarding platform"));
  });

  it("offers no edit to another agency's admin, and its edit address says it is not available", async () => {
    const { sent } = directory(southAdmin);
    renderApp("/directory/services/21");
    await screen.findByRole("heading", { level: 1, name: "Crisis Financial Assistance" });
    expect(screen.queryByRole("link", { name: "Edit service" })).not.toBeInTheDocument();

    renderApp("/directory/services/21/edit");
    expect(await screen.findByRole("heading", { level: 1, name: "Not available" })).toBeInTheDocument();
    expect(screen.queryByRole("textbox", { name: "Name" })).not.toBeInTheDocument();
    expect(sent.some((s) => s.method === "PATCH")).toBe(false);
  });

  it("answers an address that is not a service id as not found, without asking the platform", async () => {
    const { sent } = directory(socialWorker);
    renderApp("/directory/services/not-a-number");
    expect(await screen.findByRole("alert")).toHaveTextContent("We couldn't find this.");
    expect(sent.some((s) => s.path.startsWith("/api/v1/services/not"))).toBe(false);
  });
});

describe("editing a service", () => {
  it("sends every field, shows the platform's messages beside them and keeps what was typed", async () => {
    const { sent } = directory(northAdmin, {
      "PATCH /api/v1/services/21/": () =>
        json(
          {
            detail: "Some of the information is not valid.",
            code: "invalid",
            errors: {
              maximum_age: ["The maximum age must not be below the minimum age."],
              acknowledgement_hours: { immediate: ["Ensure this value is greater than or equal to 1."] },
            },
          },
          400,
        ),
    });
    renderApp("/directory/services/21/edit");
    const youngest = await screen.findByLabelText(/Youngest age/);
    await fill(youngest, "30");
    const immediate = screen.getByLabelText(/^Immediate \(hours\)/);
    await userEvent.clear(immediate);
    await fill(immediate, "0");
    await fill(screen.getByLabelText(/Languages/), ", PL");
    await userEvent.click(screen.getByRole("button", { name: "Save service" }));

    const oldest = screen.getByLabelText(/Oldest age/);
    await waitFor(() => expect(oldest).toHaveAttribute("aria-invalid", "true"));
    expect(oldest).toHaveAccessibleDescription(/must not be below the minimum age/);
    expect(immediate).toHaveAccessibleDescription(/greater than or equal to 1/);
    expect(screen.getByRole("alert")).toHaveTextContent("Oldest age: The maximum age must not be below the minimum age.");
    expect(youngest).toHaveValue(30);

    const body = sent.find((s) => s.method === "PATCH")?.body as Record<string, unknown>;
    expect(body).toMatchObject({
      name: "Crisis Financial Assistance",
      minimum_age: 30,
      maximum_age: 25,
      service_areas: ["north"],
      languages: ["en", "pl"],
      acknowledgement_hours: { immediate: 0, within_24h: 8, within_72h: 48, routine: 120 },
    });
    expect(body).not.toHaveProperty("agency");
  }, FORM_TIMEOUT);
});
