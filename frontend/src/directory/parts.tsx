/** Small pieces the directory screens show the same way. */
import type { Schemas } from "../api/client";
import { INTAKE_STATUS_LABELS, NEED_CATEGORY_LABELS } from "../labels";
import { PATHWAY_STATUS_LABELS } from "./labels";

export function IntakeTag({ status }: { status: Schemas["IntakeStatus"] }) {
  return <span className={`pill pill--intake-${status}`}>{INTAKE_STATUS_LABELS[status]}</span>;
}

export function StatusTag({ status }: { status: Schemas["PathwayStatus"] }) {
  return <span className={`pill pill--pathway-${status}`}>{PATHWAY_STATUS_LABELS[status]}</span>;
}

export function NeedList({ needs }: { needs: readonly Schemas["NeedCategory"][] }) {
  return <>{needs.map((need) => NEED_CATEGORY_LABELS[need]).join(", ")}</>;
}
