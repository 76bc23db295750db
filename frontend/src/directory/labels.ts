/** Words for the directory's codes and small formatting helpers. Typed by the schema. */
import type { Schemas } from "../api/client";
import { URGENCY_LABELS } from "../labels";

export type Service = Schemas["Service"];
export type Pathway = Schemas["Pathway"];
export type Urgency = Schemas["Urgency"];

export const PATHWAY_STATUS_LABELS: Record<Schemas["PathwayStatus"], string> = {
  draft: "Draft",
  published: "Published",
  retired: "Retired",
};

/** Most urgent first, as the platform's scale runs. */
export const URGENCIES = Object.keys(URGENCY_LABELS) as Urgency[];

export function ageRange(low: number | null, high: number | null): string {
  if (low === null && high === null) return "Any age";
  if (low === null) return `Up to ${high}`;
  if (high === null) return `${low} and over`;
  return `${low} to ${high}`;
}

export function hours(count: number): string {
  return count === 1 ? "1 hour" : `${count} hours`;
}

/** "North, South", or "Every region" when a service or pathway names none. */
export function regionNames(regions: readonly Schemas["Region"][]): string {
  return regions.length ? regions.map((region) => region.name).join(", ") : "Every region";
}

/** Whether the person is an agency admin of this agency (the platform decides for real). */
export function administers(me: Schemas["Me"], agencyId: number): boolean {
  return me.agencies.some(
    (entry) => entry.agency.id === agencyId && entry.roles.includes("agency_admin"),
  );
}

/** The agencies the person may write directory entries for. */
export function administeredAgencies(me: Schemas["Me"]): Schemas["AgencySummary"][] {
  return me.agencies.filter((entry) => entry.roles.includes("agency_admin")).map((entry) => entry.agency);
}
