import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";

import type { Schemas } from "../api/client";
import { agency, CSRF, json, me, mockPlatform, renderApp, type Handler } from "../test/platform";

const admin = me({
  username: "admin.north",
  first_name: "Ari",
  last_name: "Adams",
  agencies: [{ agency: agency(3, "North Social Services"), roles: ["agency_admin"] }],
  permissions: ["agency.manage", "directory.manage"],
});

function membership(id: number, username: string, role: Schemas["Role"], active = true): Schemas["Membership"] {
  return {
    id,
    user: { id: id + 100, username, first_name: username.split(".")[0]!, last_name: "Person" },
    agency: 3,
    role,
    is_active: active,
    created_at: "2026-01-05T10:00:00Z",
    ended_at: active ? null : "2026-02-01T10:00:00Z",
  };
}

function staffPlatform(extra: Record<string, Handler> = {}) {
  const rows = [membership(1, "admin.north", "agency_admin"), membership(2, "social.north", "social_worker")];
  return mockPlatform({
    ...CSRF,
    "GET /api/v1/auth/me/": () => json(admin),
    "GET /api/v1/memberships/": () => json({ count: rows.length, next: null, previous: null, results: rows }),
    ...extra,
  });
}

describe("the staff screen", () => {
  it("lists the active agency's staff and their roles", async () => {
    const { sent } = staffPlatform();
    renderApp("/staff");
    const table = await screen.findByRole("table");
    expect(within(table).getAllByRole("row")).toHaveLength(3);
    expect(within(table).getByRole("rowheader", { name: "social Person" })).toBeInTheDocument();
    expect(within(table).getByText("Social worker")).toBeInTheDocument();
    const list = sent.find((s) => s.path === "/api/v1/memberships/");
    expect(new URLSearchParams(list?.search).get("agency")).toBe("3");
  });

  it("shows the server's field messages beside the fields and keeps what was typed", async () => {
    const { sent } = staffPlatform({
      "POST /api/v1/memberships/": () =>
        json(
          {
            detail: "Some of the information is not valid.",
            code: "invalid",
            errors: { password: ["This password is too short. It must contain at least 12 characters."] },
          },
          400,
        ),
    });
    renderApp("/staff");
    await userEvent.type(await screen.findByLabelText("Username"), "new.worker");
    await userEvent.selectOptions(screen.getByLabelText("Role"), "Practitioner");
    await userEvent.type(screen.getByLabelText(/First name/), "Nia");
    await userEvent.type(screen.getByLabelText(/First password/), "short");
    await userEvent.click(screen.getByRole("button", { name: "Add" }));

    const password = screen.getByLabelText(/First password/);
    await waitFor(() => expect(password).toHaveAttribute("aria-invalid", "true"));
    expect(password).toHaveAccessibleDescription(expect.stringContaining("at least 12 characters"));
    expect(screen.getByRole("alert")).toHaveTextContent("First password: This password is too short.");
    expect(screen.getByLabelText("Username")).toHaveValue("new.worker");
    expect(screen.getByLabelText(/First name/)).toHaveValue("Nia");
    expect(screen.getByLabelText("Role")).toHaveValue("practitioner");
    expect(sent.find((s) => s.method === "POST")?.body).toEqual({
      agency: 3,
      username: "new.worker",
      role: "practitioner",
      first_name: "Nia",
      password: "short",
    });
  });

  it("adds a person, confirms it and clears the form", async () => {
    staffPlatform({
      "POST /api/v1/memberships/": (sent) => {
        const body = sent.body as Schemas["MembershipRequest"];
        return json({ ...membership(3, body.username, body.role), user: { id: 9, username: body.username, first_name: "Nia", last_name: "Shah" } }, 201);
      },
    });
    renderApp("/staff");
    await userEvent.type(await screen.findByLabelText("Username"), "nia.shah");
    await userEvent.selectOptions(screen.getByLabelText("Role"), "Duty manager");
    await userEvent.click(screen.getByRole("button", { name: "Add" }));
    expect(await screen.findByText("Nia Shah now has the role Duty manager.")).toBeInTheDocument();
    expect(screen.getByLabelText("Username")).toHaveValue("");
  });

  it("ends a role only after confirming, and says so", async () => {
    const { sent } = staffPlatform({ "DELETE /api/v1/memberships/2/": () => json(null, 204) });
    renderApp("/staff");
    await userEvent.click(await screen.findByRole("button", { name: "End role: social Person, Social worker" }));
    expect(sent.some((s) => s.method === "DELETE")).toBe(false);
    await userEvent.click(screen.getByRole("button", { name: "Yes, end role" }));
    expect(await screen.findByText("social Person no longer has the role Social worker.")).toBeInTheDocument();
    expect(sent.filter((s) => s.method === "DELETE").map((s) => s.path)).toEqual(["/api/v1/memberships/2/"]);
  });

  it("explains a refusal in plain language", async () => {
    staffPlatform({
      "DELETE /api/v1/memberships/2/": () =>
        json({ detail: "Only this agency's admins can manage its staff.", code: "permission_denied" }, 403),
    });
    renderApp("/staff");
    await userEvent.click(await screen.findByRole("button", { name: "End role: social Person, Social worker" }));
    await userEvent.click(screen.getByRole("button", { name: "Yes, end role" }));
    expect(await screen.findByRole("alert")).toHaveTextContent(
      "You don't have permission to do this.Only this agency's admins can manage its staff.",
    );
  });
});

describe("the agency screen", () => {
  const details: Schemas["Agency"] = {
    id: 3,
    name: "North Social Services",
    kind: "social_services",
    region: { id: 1, name: "North", code: "north" },
    email: "duty@north.example",
    phone: "0300 000 0000",
    address: "",
    website: "",
    is_active: true,
  };

  it("saves contact details and keeps them when the server refuses", async () => {
    let attempt = 0;
    const { sent } = mockPlatform({
      ...CSRF,
      "GET /api/v1/auth/me/": () => json(admin),
      "GET /api/v1/agencies/3/": () => json(details),
      "PATCH /api/v1/agencies/3/": (request) =>
        ++attempt === 1
          ? json({ detail: "Some of the information is not valid.", code: "invalid", errors: { website: ["Enter a valid URL."] } }, 400)
          : json({ ...details, ...(request.body as object) }),
    });
    renderApp("/agency");
    const website = await screen.findByLabelText(/Website/);
    expect(screen.getByLabelText(/Email/)).toHaveValue("duty@north.example");
    await userEvent.type(website, "north-social");
    await userEvent.click(screen.getByRole("button", { name: "Save contact details" }));
    await waitFor(() => expect(website).toHaveAccessibleDescription(expect.stringContaining("Enter a valid URL.")));
    expect(website).toHaveValue("north-social");

    await userEvent.clear(website);
    await userEvent.type(website, "https://north.example");
    await userEvent.click(screen.getByRole("button", { name: "Save contact details" }));
    expect(await screen.findByText("Contact details saved.")).toBeInTheDocument();
    expect(sent.filter((s) => s.method === "PATCH").at(-1)?.body).toMatchObject({ website: "https://north.example" });
  });
});

describe("a save after the session ended", () => {
  it("keeps the form and its contents on screen", async () => {
    staffPlatform({
      "POST /api/v1/memberships/": () =>
        json({ detail: "Authentication credentials were not provided.", code: "not_authenticated" }, 401),
    });
    renderApp("/staff");
    await userEvent.type(await screen.findByLabelText("Username"), "kept.typing");
    await userEvent.selectOptions(screen.getByLabelText("Role"), "Practitioner");
    await userEvent.click(screen.getByRole("button", { name: "Add" }));
    expect(await screen.findByRole("link", { name: "Sign in again in a new tab" })).toBeInTheDocument();
    expect(screen.getByRole("heading", { level: 1, name: "Staff" })).toBeInTheDocument();
    expect(screen.getByLabelText("Username")).toHaveValue("kept.typing");
  });
});
