/**
 * A stand-in for the platform in unit tests: `fetch` answers from a table of handlers keyed
 * by "METHOD /path/", and records every request so tests can assert what was sent.
 */
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { render } from "@testing-library/react";
import { MemoryRouter } from "react-router";
import { vi } from "vitest";

import { AppRoutes, createQueryClient } from "../App";
import type { Schemas } from "../api/client";
import { api } from "../api/client";

export interface Sent {
  method: string;
  path: string;
  search: string;
  headers: Headers;
  body: unknown;
}

export type Handler = (sent: Sent) => Response | Promise<Response>;

export function json(body: unknown, status = 200): Response {
  return new Response(status === 204 ? null : JSON.stringify(body), {
    status,
    headers: { "Content-Type": "application/json" },
  });
}

export function mockPlatform(handlers: Record<string, Handler>) {
  const sent: Sent[] = [];
  const fetchMock = vi.fn(async (input: RequestInfo | URL) => {
    const request = input instanceof Request ? input : new Request(input);
    const url = new URL(request.url);
    const text = await request.text();
    const entry: Sent = {
      method: request.method,
      path: url.pathname,
      search: url.search,
      headers: request.headers,
      body: text ? JSON.parse(text) : undefined,
    };
    sent.push(entry);
    const handler = handlers[`${request.method} ${url.pathname}`];
    if (!handler) return json({ detail: "Not found.", code: "not_found" }, 404);
    return handler(entry);
  });
  vi.stubGlobal("fetch", fetchMock);
  api.forgetCsrfToken();
  return { sent, fetchMock };
}

export const CSRF: Record<string, Handler> = {
  "GET /api/v1/auth/csrf/": () => json({ csrf_token: "token-1" }),
};

const north = { id: 1, name: "North", code: "north" };

export function agency(id: number, name: string): Schemas["AgencySummary"] {
  return { id, name, kind: "social_services", region: north };
}

export function me(overrides: Partial<Schemas["Me"]> = {}): Schemas["Me"] {
  return {
    id: 7,
    username: "social.north",
    first_name: "Sam",
    last_name: "North",
    agencies: [{ agency: agency(3, "North Social Services"), roles: ["social_worker"] }],
    active_agency: 3,
    permissions: ["caseplans.lead", "referrals.create", "referrals.receive"],
    ...overrides,
  };
}

export function renderApp(path: string, queryClient: QueryClient = createQueryClient()) {
  return render(
    <QueryClientProvider client={queryClient}>
      <MemoryRouter initialEntries={[path]}>
        <AppRoutes />
      </MemoryRouter>
    </QueryClientProvider>,
  );
}
