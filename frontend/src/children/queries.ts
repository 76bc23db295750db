/** Reading child records and what rests on them: consents and sharing overrides. */
import { keepPreviousData, useQuery, useQueryClient } from "@tanstack/react-query";
import { useParams } from "react-router";

import { api, unwrap } from "../api/client";

export const childKeys = {
  all: ["children"] as const,
  list: (reference: string, page: number) => ["children", "list", reference, page] as const,
  child: (id: string) => ["children", "child", id] as const,
  consents: (id: string) => ["children", "consents", id] as const,
  overrides: (id: string) => ["children", "overrides", id] as const,
  agencies: ["agencies", "all"] as const,
  lawfulBases: ["lawful-bases"] as const,
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The route's child id, or null for anything that cannot be one (shown as "not found"). */
export function useChildId(): string | null {
  const { id } = useParams();
  return id && UUID.test(id) ? id.toLowerCase() : null;
}

export function useChild(id: string | null) {
  return useQuery({
    queryKey: childKeys.child(id ?? ""),
    queryFn: () => unwrap(api.GET("/api/v1/children/{id}/", { params: { path: { id: id! } } })),
    enabled: id !== null,
  });
}

/** Every consent decision recorded about a child (a child has a handful, not pages of them). */
export function useConsents(child: string) {
  return useQuery({
    queryKey: childKeys.consents(child),
    queryFn: () => unwrap(api.GET("/api/v1/consents/", { params: { query: { child, page_size: 100 } } })),
    placeholderData: keepPreviousData,
  });
}

export function useOverrides(child: string) {
  return useQuery({
    queryKey: childKeys.overrides(child),
    queryFn: () =>
      unwrap(api.GET("/api/v1/sharing-overrides/", { params: { query: { child, page_size: 100 } } })),
    placeholderData: keepPreviousData,
  });
}

/** Active agencies, for naming who may be told. */
export function useAgencies() {
  return useQuery({
    queryKey: childKeys.agencies,
    queryFn: () => unwrap(api.GET("/api/v1/agencies/", { params: { query: { page_size: 100 } } })),
    staleTime: 10 * 60_000,
    select: (page) => page.results,
  });
}

export function useLawfulBases() {
  return useQuery({
    queryKey: childKeys.lawfulBases,
    queryFn: () => unwrap(api.GET("/api/v1/lawful-bases/")),
    staleTime: 60 * 60_000,
  });
}

/** After a change about one child: its record, consents and overrides are read again. */
export function useInvalidateChild(id: string) {
  const queryClient = useQueryClient();
  return () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: childKeys.child(id) }),
      queryClient.invalidateQueries({ queryKey: childKeys.consents(id) }),
      queryClient.invalidateQueries({ queryKey: childKeys.overrides(id) }),
      queryClient.invalidateQueries({ queryKey: ["children", "list"] }),
    ]);
}
