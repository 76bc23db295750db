/**
 * Who is signed in, and the three things that change it: sign in, sign out, switch agency.
 *
 * The answer to `auth/me/` is kept in the query cache only (never in browser storage);
 * `null` means nobody is signed in.
 */
import { useMutation, useQuery, useQueryClient, type QueryClient } from "@tanstack/react-query";
import { createContext, useContext } from "react";

import { api, unwrap, type Schemas } from "../api/client";
import { ApiError } from "../api/errors";

export type Me = Schemas["Me"];
export type Capability = string;

export const ME_KEY = ["auth", "me"] as const;

export async function fetchMe(): Promise<Me | null> {
  try {
    return await unwrap(api.GET("/api/v1/auth/me/"));
  } catch (error) {
    // 401: not signed in; 403: signed in but holding no active role any more.
    if (error instanceof ApiError && (error.status === 401 || error.status === 403)) return null;
    throw error;
  }
}

export function useMe() {
  return useQuery({ queryKey: ME_KEY, queryFn: fetchMe, staleTime: 60_000 });
}

/**
 * The signed-in person, handed down by the signed-in shell. A context rather than the query
 * itself, so that at sign-out the shell leaves before any screen sees "nobody".
 */
export const CurrentUser = createContext<Me | null>(null);

export function useCurrentUser(): Me {
  const me = useContext(CurrentUser);
  if (!me) throw new Error("useCurrentUser is only for screens inside the signed-in shell");
  return me;
}

/** Whether the person may use something needing `capability` (or any one of a list). */
export function can(me: Me, capability: Capability | readonly Capability[] | undefined): boolean {
  if (capability === undefined) return true;
  const wanted: readonly Capability[] = typeof capability === "string" ? [capability] : capability;
  return wanted.some((one) => me.permissions.includes(one));
}

export function activeAgency(me: Me): Schemas["AgencySummary"] | undefined {
  return me.agencies.find((entry) => entry.agency.id === me.active_agency)?.agency;
}

/** Forget everything the previous person (or agency) could see; keep only who is signed in. */
function startAfresh(queryClient: QueryClient, me: Me | null): void {
  queryClient.removeQueries({ predicate: (query) => query.queryKey[0] !== ME_KEY[0] });
  queryClient.getMutationCache().clear();
  queryClient.setQueryData(ME_KEY, me);
}

export function useSignIn() {
  const queryClient = useQueryClient();
  const notice = useContext(SignedOutNotice);
  return useMutation({
    mutationFn: (credentials: Schemas["LoginRequest"]) =>
      unwrap(api.POST("/api/v1/auth/login/", { body: credentials })),
    onSuccess: (me) => {
      api.forgetCsrfToken();
      notice.show(false);
      startAfresh(queryClient, me);
    },
  });
}

/**
 * Whether the sign-in page should confirm a sign-out. Kept in React state above the routes
 * (not in the location), because the shell's own redirect to sign-in may land first.
 */
export const SignedOutNotice = createContext<{ shown: boolean; show: (shown: boolean) => void }>({
  shown: false,
  show: () => undefined,
});

export function useSignOut() {
  const queryClient = useQueryClient();
  const notice = useContext(SignedOutNotice);
  return useMutation({
    mutationFn: () => unwrap(api.POST("/api/v1/auth/logout/")),
    onSettled: (_data, error) => {
      // Signed out either way when the server says the session is already gone.
      if (error && !(error instanceof ApiError && error.isSignedOut)) return;
      api.forgetCsrfToken();
      notice.show(true);
      startAfresh(queryClient, null);
    },
  });
}

export function useSwitchAgency() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (agency: number) =>
      unwrap(api.POST("/api/v1/auth/active-agency/", { body: { agency } })),
    onSuccess: (me) => startAfresh(queryClient, me),
  });
}
