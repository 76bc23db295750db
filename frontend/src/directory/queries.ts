/** Reading the directory: services, pathways and regions, cached under "directory" keys. */
import { keepPreviousData, useQuery, useQueryClient } from "@tanstack/react-query";
import { useParams } from "react-router";

import { api, unwrap } from "../api/client";
import { ApiError } from "../api/errors";
import type { operations } from "../api/schema";

export type ServiceFilters = NonNullable<operations["services_list"]["parameters"]["query"]>;
export type PathwayFilters = NonNullable<operations["pathways_list"]["parameters"]["query"]>;

export const PAGE_SIZE = 25;

export const directoryKeys = {
  all: ["directory"] as const,
  services: (filters: ServiceFilters) => ["directory", "services", filters] as const,
  service: (id: number) => ["directory", "service", id] as const,
  pathways: (filters: PathwayFilters) => ["directory", "pathways", filters] as const,
  pathway: (id: number) => ["directory", "pathway", id] as const,
  stale: (days: number | undefined) => ["directory", "stale", days] as const,
  regions: ["regions"] as const,
};

/** What a malformed id in the address means: the same as an id that does not exist. */
export const NOT_FOUND = new ApiError(404, "not_found", "");

/** The route's numeric id, or null for anything else (which then reads as "not found"). */
export function useNumericId(): number | null {
  const { id } = useParams();
  return id && /^[0-9]{1,9}$/.test(id) ? Number(id) : null;
}

export function useServices(filters: ServiceFilters) {
  return useQuery({
    queryKey: directoryKeys.services(filters),
    queryFn: () => unwrap(api.GET("/api/v1/services/", { params: { query: filters } })),
    placeholderData: keepPreviousData,
  });
}

export function useService(id: number | null) {
  return useQuery({
    queryKey: directoryKeys.service(id ?? -1),
    queryFn: () => unwrap(api.GET("/api/v1/services/{id}/", { params: { path: { id: id! } } })),
    enabled: id !== null,
  });
}

export function usePathways(filters: PathwayFilters, enabled = true) {
  return useQuery({
    queryKey: directoryKeys.pathways(filters),
    queryFn: () => unwrap(api.GET("/api/v1/pathways/", { params: { query: filters } })),
    placeholderData: keepPreviousData,
    enabled,
  });
}

export function usePathway(id: number | null) {
  return useQuery({
    queryKey: directoryKeys.pathway(id ?? -1),
    queryFn: () => unwrap(api.GET("/api/v1/pathways/{id}/", { params: { path: { id: id! } } })),
    enabled: id !== null,
  });
}

export function useRegions() {
  return useQuery({
    queryKey: directoryKeys.regions,
    queryFn: () => unwrap(api.GET("/api/v1/regions/", { params: { query: { page_size: 100 } } })),
    staleTime: 10 * 60_000,
    select: (page) => page.results,
  });
}

/** After any change to the directory: everything under "directory" is read again. */
export function useInvalidateDirectory() {
  const queryClient = useQueryClient();
  return () => queryClient.invalidateQueries({ queryKey: directoryKeys.all });
}
