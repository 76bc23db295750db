import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";

import { agency, CSRF, json, me, mockPlatform, renderApp } from "../test/platform";

const navLinks = () =>
  within(screen.getByRole("navigation", { name: "Main" }))
    .getAllByRole("link")
    .map((link) => link.textContent);

describe("the app shell", () => {
  it("greets the person and lists their agencies and roles", async () => {
    mockPlatform({ "GET /api/v1/auth/me/": () => json(me()) });
    renderApp("/");
    expect(await screen.findByRole("heading", { level: 1, name: "Hello, Sam" })).toBeInTheDocument();
    expect(screen.getByText("North Social Services", { selector: ".agency-card__name" })).toBeInTheDocument();
    expect(screen.getByText(/Social worker/)).toBeInTheDocument();
    await waitFor(() => expect(document.title).toBe("Home · Safeguarding platform"));
  });

  it("offers only the screens the person's permissions allow", async () => {
    mockPlatform({ "GET /api/v1/auth/me/": () => json(me()) });
    renderApp("/");
    await screen.findByRole("heading", { level: 1 });
    expect(navLinks()).toEqual(["Home", "Referrals", "New referral", "Case plans", "Directory"]);
  });

  it("offers staff and agency screens to agency admins", async () => {
    mockPlatform({
      "GET /api/v1/auth/me/": () =>
        json(me({ agencies: [{ agency: agency(3, "North Social Services"), roles: ["agency_admin"] }], permissions: ["agency.manage", "directory.manage"] })),
    });
    renderApp("/");
    await screen.findByRole("heading", { level: 1 });
    expect(navLinks()).toEqual(["Home", "Directory", "Staff", "Agency"]);
  });

  it("says a screen is not available rather than showing it without permission", async () => {
    const { sent } = mockPlatform({ "GET /api/v1/auth/me/": () => json(me()) });
    renderApp("/staff");
    expect(await screen.findByRole("heading", { level: 1, name: "Not available" })).toBeInTheDocument();
    expect(sent.some((s) => s.path.startsWith("/api/v1/memberships/"))).toBe(false);
  });

  it("answers unknown client routes with a not-found page inside the shell", async () => {
    mockPlatform({ "GET /api/v1/auth/me/": () => json(me()) });
    renderApp("/no/such/page");
    expect(await screen.findByRole("heading", { level: 1, name: "Page not found" })).toBeInTheDocument();
    expect(screen.getByRole("navigation", { name: "Main" })).toBeInTheDocument();
  });

  it("has no agency switcher for a person in one agency", async () => {
    mockPlatform({ "GET /api/v1/auth/me/": () => json(me()) });
    renderApp("/");
    await screen.findByRole("heading", { level: 1 });
    expect(screen.queryByLabelText("Working for")).not.toBeInTheDocument();
  });

  it("switches agency for a person in several, on an explicit press", async () => {
    const two = [
      { agency: agency(3, "North Social Services"), roles: ["social_worker" as const] },
      { agency: agency(9, "South Social Services"), roles: ["agency_admin" as const] },
    ];
    const { sent } = mockPlatform({
      ...CSRF,
      "GET /api/v1/auth/me/": () => json(me({ agencies: two })),
      "POST /api/v1/auth/active-agency/": () =>
        json(me({ agencies: two, active_agency: 9, permissions: ["agency.manage", "directory.manage"] })),
    });
    renderApp("/");
    const switcher = await screen.findByLabelText("Working for");
    expect(navLinks()).toEqual(["Home", "Referrals", "New referral", "Case plans", "Directory"]);
    await userEvent.selectOptions(switcher, "South Social Services");
    expect(sent.some((s) => s.path === "/api/v1/auth/active-agency/")).toBe(false);

    await userEvent.click(screen.getByRole("button", { name: "Switch" }));
    expect(await screen.findByRole("link", { name: "Staff" })).toBeInTheDocument();
    expect(sent.find((s) => s.path === "/api/v1/auth/active-agency/")?.body).toEqual({ agency: 9 });
    expect(screen.getByText("Working for now").closest("li")).toHaveTextContent("South Social Services");
  });

  it("goes back to sign-in when the session ends mid-way", async () => {
    let calls = 0;
    mockPlatform({
      "GET /api/v1/auth/me/": () =>
        ++calls === 1
          ? json(me({ permissions: ["agency.manage"] }))
          : json({ detail: "Authentication credentials were not provided.", code: "not_authenticated" }, 401),
      "GET /api/v1/agencies/3/": () =>
        json({ detail: "Authentication credentials were not provided.", code: "not_authenticated" }, 401),
    });
    renderApp("/agency");
    expect(await screen.findByRole("heading", { level: 1, name: "Sign in" })).toBeInTheDocument();
  });
});
