/** Reading case plans and their parts; after a change, what to read again. */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";

import { api, unwrap } from "../api/client";

export const planKeys = {
  all: ["case-plans"] as const,
  plan: (id: string) => ["case-plans", "plan", id] as const,
  /** Everything about one plan: its parts and timeline. */
  parts: (id: string) => ["case-plans", "parts", id] as const,
  team: (id: string) => ["case-plans", "parts", id, "team"] as const,
  candidates: (id: string, agency: number | null, role: string) =>
    ["case-plans", "parts", id, "candidates", agency, role] as const,
  actions: (id: string) => ["case-plans", "parts", id, "actions"] as const,
  assessments: (id: string) => ["case-plans", "parts", id, "assessments"] as const,
  reviews: (id: string) => ["case-plans", "parts", id, "reviews"] as const,
  timeline: (id: string) => ["case-plans", "parts", id, "timeline"] as const,
  matrix: ["case-plans", "risk-matrix"] as const,
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isPlanId(id: string | undefined): id is string {
  return Boolean(id && UUID.test(id));
}

export function usePlan(id: string | null) {
  return useQuery({
    queryKey: planKeys.plan(id ?? ""),
    queryFn: () => unwrap(api.GET("/api/v1/case-plans/{id}/", { params: { path: { id: id! } } })),
    enabled: id !== null,
  });
}

/** The current team (a plan's team is a handful of people, never pages of them). */
export function useTeam(plan: string) {
  return useQuery({
    queryKey: planKeys.team(plan),
    queryFn: () =>
      unwrap(
        api.GET("/api/v1/case-plans/{plan_pk}/team/", {
          params: { path: { plan_pk: plan }, query: { page_size: 100 } },
        }),
      ),
  });
}

export function usePlanActions(plan: string) {
  return useQuery({
    queryKey: planKeys.actions(plan),
    queryFn: () =>
      unwrap(
        api.GET("/api/v1/case-plans/{plan_pk}/actions/", {
          params: { path: { plan_pk: plan }, query: { page_size: 100 } },
        }),
      ),
  });
}

/** Staff in a case role who could join (or lead), of one agency. */
export function useCandidates(plan: string, agency: number | null, role = "") {
  return useQuery({
    queryKey: planKeys.candidates(plan, agency, role),
    queryFn: () =>
      unwrap(
        api.GET("/api/v1/case-plans/{plan_pk}/team/candidates/", {
          params: {
            path: { plan_pk: plan },
            query: {
              agency: agency ?? undefined,
              role: (role || undefined) as "social_worker" | undefined,
              page_size: 100,
            },
          },
        }),
      ),
    enabled: agency !== null,
  });
}

export function useRiskMatrix() {
  return useQuery({
    queryKey: planKeys.matrix,
    queryFn: () => unwrap(api.GET("/api/v1/case-plans/risk-matrix/")),
    staleTime: Infinity,
  });
}

/** After a change to a plan: the plan, its parts, the lists and the home page read again. */
export function useRefreshPlan(id: string) {
  const queryClient = useQueryClient();
  return () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: planKeys.plan(id) }),
      queryClient.invalidateQueries({ queryKey: planKeys.parts(id) }),
      queryClient.invalidateQueries({ queryKey: ["case-plans", "list"] }),
      queryClient.invalidateQueries({ queryKey: ["case-plans", "home"] }),
    ]);
}

/** A change to a plan: once it is made, the plan is read again and `onMade` is told the result. */
export function usePlanChange<Result, Body = void>(
  id: string,
  change: (body: Body) => Promise<Result>,
  onMade: (result: Result) => void,
) {
  const refresh = useRefreshPlan(id);
  return useMutation({
    mutationFn: change,
    onSuccess: (result) => {
      void refresh();
      onMade(result);
    },
  });
}
