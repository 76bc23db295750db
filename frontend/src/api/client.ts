/**
 * The one way the app talks to the platform: same-origin, session cookie, CSRF token on
 * every unsafe method, typed by the generated OpenAPI schema.
 *
 * The CSRF token lives in memory only. Django rotates it at sign-in, so sign-in and
 * sign-out forget it; a request refused for a stale token fetches a fresh one and is
 * retried once.
 */
import createClient, { type Client } from "openapi-fetch";

import { ApiError, networkError, toApiError } from "./errors";
import type { components, paths } from "./schema";

export type Schemas = components["schemas"];

const UNSAFE_METHODS = new Set(["POST", "PUT", "PATCH", "DELETE"]);
const CSRF_PATH = "/api/v1/auth/csrf/";

export interface PlatformClient extends Client<paths> {
  /** Drop the cached CSRF token; the next unsafe request fetches a fresh one. */
  forgetCsrfToken(): void;
}

export function createPlatformClient(
  options: { baseUrl?: string; fetch?: typeof globalThis.fetch } = {},
): PlatformClient {
  const baseUrl = options.baseUrl ?? "";
  const send = (request: Request): Promise<Response> =>
    (options.fetch ?? globalThis.fetch)(request);
  let token: Promise<string> | null = null;

  const csrfToken = (): Promise<string> => {
    token ??= send(
      new Request(`${baseUrl}${CSRF_PATH}`, { credentials: "same-origin" }),
    ).then(async (response) => {
      const body: unknown = await response.json().catch(() => null);
      if (!response.ok) throw toApiError(response.status, body);
      return (body as Schemas["Csrf"]).csrf_token;
    });
    // A failed fetch must not stay cached: the next request tries again.
    token.catch(() => {
      token = null;
    });
    return token;
  };

  const platformFetch = async (request: Request): Promise<Response> => {
    if (!UNSAFE_METHODS.has(request.method)) return send(request);
    const retry = request.clone();
    request.headers.set("X-CSRFToken", await csrfToken());
    const response = await send(request);
    if (response.status !== 403 || !(await isCsrfRefusal(response.clone()))) return response;
    token = null;
    retry.headers.set("X-CSRFToken", await csrfToken());
    return send(retry);
  };

  const client = createClient<paths>({
    baseUrl,
    credentials: "same-origin",
    fetch: platformFetch,
  }) as PlatformClient;
  client.forgetCsrfToken = () => {
    token = null;
  };
  return client;
}

async function isCsrfRefusal(response: Response): Promise<boolean> {
  const body: unknown = await response.json().catch(() => null);
  const detail = (body as { detail?: unknown } | null)?.detail;
  return typeof detail === "string" && detail.startsWith("CSRF");
}

/**
 * Await an openapi-fetch call and return its data, or throw an ApiError.
 * Network failures (no response at all) become an ApiError with status 0.
 */
export async function unwrap<T>(
  call: Promise<{ data?: T; error?: unknown; response: Response }>,
): Promise<T> {
  let result: { data?: T; error?: unknown; response: Response };
  try {
    result = await call;
  } catch (error) {
    if (error instanceof ApiError) throw error;
    throw networkError();
  }
  if (!result.response.ok) throw toApiError(result.response.status, result.error);
  return result.data as T;
}

// Absolute and same-origin: the session cookie goes along, nothing else is ever contacted.
export const api = createPlatformClient({ baseUrl: window.location.origin });
