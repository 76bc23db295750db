import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";

import { CSRF, json, me, mockPlatform, renderApp } from "../test/platform";

const signedOut = () => json({ detail: "Authentication credentials were not provided.", code: "not_authenticated" }, 401);

describe("signing in", () => {
  it("sends a signed-out person to sign in, then back where they were going", async () => {
    let signedIn = false;
    const { sent } = mockPlatform({
      ...CSRF,
      "GET /api/v1/auth/me/": () => (signedIn ? json(me()) : signedOut()),
      "POST /api/v1/auth/login/": () => {
        signedIn = true;
        return json(me({ permissions: ["agency.manage"] }));
      },
      "GET /api/v1/memberships/": () => json({ count: 0, results: [] }),
    });
    renderApp("/staff");
    expect(await screen.findByRole("heading", { level: 1, name: "Sign in" })).toBeInTheDocument();
    await waitFor(() => expect(document.title).toBe("Sign in · Safeguarding platform"));

    await userEvent.type(screen.getByLabelText("Username"), "admin.north");
    await userEvent.type(screen.getByLabelText("Password"), "demo");
    await userEvent.click(screen.getByRole("button", { name: "Sign in" }));

    expect(await screen.findByRole("heading", { level: 1, name: "Staff" })).toBeInTheDocument();
    const login = sent.find((s) => s.path === "/api/v1/auth/login/");
    expect(login?.body).toEqual({ username: "admin.north", password: "demo" });
    expect(login?.headers.get("X-CSRFToken")).toBe("token-1");
    expect(document.title).not.toContain("Sam");
  });

  it("says the credentials were wrong and keeps the username typed", async () => {
    mockPlatform({
      ...CSRF,
      "GET /api/v1/auth/me/": signedOut,
      "POST /api/v1/auth/login/": () =>
        json({ detail: "Unknown username or wrong password.", code: "authentication_failed" }, 401),
    });
    renderApp("/sign-in");
    await userEvent.type(await screen.findByLabelText("Username"), "social.north");
    await userEvent.type(screen.getByLabelText("Password"), "wrong");
    await userEvent.click(screen.getByRole("button", { name: "Sign in" }));

    expect(await screen.findByRole("alert")).toHaveTextContent("Unknown username or wrong password.");
    expect(screen.getByLabelText("Username")).toHaveValue("social.north");
    expect(screen.getByRole("heading", { level: 1, name: "Sign in" })).toBeInTheDocument();
  });

  it("shows missing fields beside them", async () => {
    mockPlatform({
      ...CSRF,
      "GET /api/v1/auth/me/": signedOut,
      "POST /api/v1/auth/login/": () =>
        json(
          { detail: "Some of the information is not valid.", code: "invalid", errors: { password: ["This field may not be blank."] } },
          400,
        ),
    });
    renderApp("/sign-in");
    await userEvent.type(await screen.findByLabelText("Username"), "social.north");
    await userEvent.click(screen.getByRole("button", { name: "Sign in" }));
    await waitFor(() =>
      expect(screen.getByLabelText("Password")).toHaveAccessibleDescription("Error: This field may not be blank."),
    );
  });

  it("asks for a new CSRF token after signing in, because Django rotates it", async () => {
    let signedIn = false;
    let issued = 0;
    const { sent } = mockPlatform({
      "GET /api/v1/auth/csrf/": () => json({ csrf_token: `token-${++issued}` }),
      "GET /api/v1/auth/me/": () => (signedIn ? json(me()) : signedOut()),
      "POST /api/v1/auth/login/": () => {
        signedIn = true;
        return json(me());
      },
      "POST /api/v1/auth/logout/": () => {
        signedIn = false;
        return json(null, 204);
      },
    });
    renderApp("/sign-in");
    await userEvent.type(await screen.findByLabelText("Username"), "social.north");
    await userEvent.type(screen.getByLabelText("Password"), "demo");
    await userEvent.click(screen.getByRole("button", { name: "Sign in" }));
    await userEvent.click(await screen.findByRole("button", { name: "Sign out" }));

    expect(await screen.findByText("You have signed out.")).toBeInTheDocument();
    const posts = sent.filter((s) => s.method === "POST");
    expect(posts.map((s) => `${s.path} ${s.headers.get("X-CSRFToken")}`)).toEqual([
      "/api/v1/auth/login/ token-1",
      "/api/v1/auth/logout/ token-2",
    ]);
  });
});
