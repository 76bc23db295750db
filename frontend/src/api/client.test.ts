import { describe, expect, it, vi } from "vitest";

import { createPlatformClient, unwrap } from "./client";
import { ApiError } from "./errors";

const BASE = "http://platform.test";

function jsonResponse(body: unknown, status = 200): Response {
  return new Response(status === 204 ? null : JSON.stringify(body), {
    status,
    headers: { "Content-Type": "application/json" },
  });
}

/** A fake platform that hands out numbered CSRF tokens and records what it received. */
function fakePlatform(answer: (request: Request, body: string) => Response) {
  let issued = 0;
  const received: { method: string; path: string; token: string | null; body: string; credentials: string }[] = [];
  const fetch = vi.fn(async (request: Request) => {
    const path = new URL(request.url).pathname;
    const body = await request.text();
    received.push({
      method: request.method,
      path,
      token: request.headers.get("X-CSRFToken"),
      body,
      credentials: request.credentials,
    });
    if (path === "/api/v1/auth/csrf/") return jsonResponse({ csrf_token: `token-${++issued}` });
    return answer(request, body);
  });
  const client = createPlatformClient({ baseUrl: BASE, fetch: fetch as typeof globalThis.fetch });
  return { client, received, fetch };
}

const ok = () => jsonResponse({ csrf_token: "unused" });

describe("CSRF handling", () => {
  it("reads without asking for a CSRF token", async () => {
    const { client, received } = fakePlatform(() => jsonResponse({ count: 0, results: [] }));
    await unwrap(client.GET("/api/v1/regions/"));
    expect(received).toHaveLength(1);
    expect(received[0]).toMatchObject({ method: "GET", path: "/api/v1/regions/", token: null });
  });

  it("fetches the token once and sends it on every unsafe method, same-origin", async () => {
    const { client, received } = fakePlatform(ok);
    await client.POST("/api/v1/auth/active-agency/", { body: { agency: 2 } });
    await client.PATCH("/api/v1/agencies/{id}/", { params: { path: { id: 2 } }, body: { phone: "1" } });
    await client.DELETE("/api/v1/memberships/{id}/", { params: { path: { id: 5 } } });
    expect(received.map((r) => `${r.method} ${r.path} ${r.token}`)).toEqual([
      "GET /api/v1/auth/csrf/ null",
      "POST /api/v1/auth/active-agency/ token-1",
      "PATCH /api/v1/agencies/2/ token-1",
      "DELETE /api/v1/memberships/5/ token-1",
    ]);
    expect(received.every((r) => r.credentials === "same-origin")).toBe(true);
  });

  it("shares one token fetch between simultaneous requests", async () => {
    const { client, received } = fakePlatform(ok);
    await Promise.all([
      client.POST("/api/v1/auth/logout/"),
      client.POST("/api/v1/auth/active-agency/", { body: { agency: 1 } }),
    ]);
    expect(received.filter((r) => r.path === "/api/v1/auth/csrf/")).toHaveLength(1);
  });

  it("fetches a fresh token after it is forgotten (sign-in rotates it)", async () => {
    const { client, received } = fakePlatform(ok);
    await client.POST("/api/v1/auth/logout/");
    client.forgetCsrfToken();
    await client.POST("/api/v1/auth/logout/");
    expect(received.filter((r) => r.method === "POST").map((r) => r.token)).toEqual([
      "token-1",
      "token-2",
    ]);
  });

  it("retries once with a fresh token when the platform refuses a stale one", async () => {
    let refusals = 0;
    const { client, received } = fakePlatform((request) => {
      if (request.headers.get("X-CSRFToken") === "token-1") {
        refusals++;
        return jsonResponse({ detail: "CSRF check failed: CSRF token incorrect.", code: "permission_denied" }, 403);
      }
      return jsonResponse({ id: 1 });
    });
    const result = await client.POST("/api/v1/auth/active-agency/", { body: { agency: 4 } });
    expect(result.response.status).toBe(200);
    expect(refusals).toBe(1);
    const posts = received.filter((r) => r.method === "POST");
    expect(posts.map((r) => r.token)).toEqual(["token-1", "token-2"]);
    expect(posts.map((r) => JSON.parse(r.body))).toEqual([{ agency: 4 }, { agency: 4 }]);
  });

  it("does not retry a refusal that is about permission, not the token", async () => {
    const { client, received } = fakePlatform(() =>
      jsonResponse({ detail: "Only this agency's admins can manage its staff.", code: "permission_denied" }, 403),
    );
    const result = await client.DELETE("/api/v1/memberships/{id}/", { params: { path: { id: 1 } } });
    expect(result.response.status).toBe(403);
    expect(received.filter((r) => r.method === "DELETE")).toHaveLength(1);
  });

  it("tries the token fetch again after it failed", async () => {
    let csrfCalls = 0;
    const fetch = vi.fn(async (request: Request) => {
      if (new URL(request.url).pathname === "/api/v1/auth/csrf/") {
        csrfCalls++;
        if (csrfCalls === 1) throw new TypeError("Failed to fetch");
        return jsonResponse({ csrf_token: "late" });
      }
      return jsonResponse({}, 200);
    });
    const client = createPlatformClient({ baseUrl: BASE, fetch: fetch as typeof globalThis.fetch });
    await expect(unwrap(client.POST("/api/v1/auth/logout/"))).rejects.toMatchObject({ status: 0 });
    await expect(unwrap(client.POST("/api/v1/auth/logout/"))).resolves.toEqual({});
    expect(csrfCalls).toBe(2);
  });
});

describe("unwrap", () => {
  it("returns the data of a successful call", async () => {
    const { client } = fakePlatform(() => jsonResponse({ count: 1, results: [{ id: 1, name: "North", code: "north" }] }));
    const regions = await unwrap(client.GET("/api/v1/regions/"));
    expect(regions.results[0]?.name).toBe("North");
  });

  it("turns the platform's error shape into an ApiError with field errors", async () => {
    const { client } = fakePlatform(() =>
      jsonResponse(
        {
          detail: "Some of the information is not valid.",
          code: "invalid",
          errors: { email: ["Enter a valid email address."], non_field_errors: ["Check the form."] },
        },
        400,
      ),
    );
    const error = await unwrap(
      client.PATCH("/api/v1/agencies/{id}/", { params: { path: { id: 1 } }, body: { email: "x" } }),
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    const apiError = error as ApiError;
    expect(apiError.status).toBe(400);
    expect(apiError.code).toBe("invalid");
    expect(apiError.errorsFor("email")).toEqual(["Enter a valid email address."]);
    expect(apiError.errorsFor("non_field_errors")).toEqual(["Check the form."]);
    expect(apiError.errorsFor("phone")).toEqual([]);
  });

  it("reports a lost connection as status 0 with a plain message", async () => {
    const fetch = vi.fn(async () => {
      throw new TypeError("Failed to fetch");
    });
    const client = createPlatformClient({ baseUrl: BASE, fetch });
    const error = (await unwrap(client.GET("/api/v1/auth/me/")).catch((e: unknown) => e)) as ApiError;
    expect(error.status).toBe(0);
    expect(error.message).toMatch(/couldn't reach the platform/);
  });

  it("copes with an error that is not JSON", async () => {
    const { client } = fakePlatform(() => new Response("<h1>Bad gateway</h1>", { status: 502 }));
    const error = (await unwrap(client.GET("/api/v1/regions/")).catch((e: unknown) => e)) as ApiError;
    expect(error.status).toBe(502);
    expect(error.detail).toBe("");
    expect(error.message).toMatch(/went wrong on our side/);
  });
});
