import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { Link, useSearchParams } from "react-router";

import { api, unwrap, type Schemas } from "../api/client";
import { Checkbox } from "../components/Choices";
import { SelectField } from "../components/Field";
import { Loading, Page } from "../components/Page";
import { Pager } from "../components/Pager";
import { LoadProblem } from "../components/Problem";
import { PHASE_LABELS, PLAN_STATUS_LABELS } from "../caseplans/labels";
import { PlanStatusTag, RiskLevelTag, Schedule } from "../caseplans/parts";

import "../components/common.css";

const PAGE_SIZE = 25;

type Status = Schemas["CasePlanStatus"];
type Phase = Schemas["CasePhase"];

interface Filters {
  status: Status | "";
  phase: Phase | "";
  mine: boolean;
  overdue: boolean;
}

const STATUS_OPTIONS = (Object.keys(PLAN_STATUS_LABELS) as Status[]).map((value) => ({
  value,
  label: PLAN_STATUS_LABELS[value],
}));
const PHASE_OPTIONS = (Object.keys(PHASE_LABELS) as Phase[]).map((value) => ({
  value,
  label: PHASE_LABELS[value],
}));

function readFilters(params: URLSearchParams): Filters {
  const status = params.get("status") ?? "";
  const phase = params.get("phase") ?? "";
  return {
    status: status in PLAN_STATUS_LABELS ? (status as Status) : "",
    phase: phase in PHASE_LABELS ? (phase as Phase) : "",
    mine: params.get("mine") === "true",
    overdue: params.get("overdue") === "true",
  };
}

/**
 * The case plans the person is on the team of, or oversees as a duty manager. Filters and the
 * page live in the address: codes only, never personal data.
 */
export function CasePlansPage() {
  const [params, setParams] = useSearchParams();
  const filters = readFilters(params);
  const page = Math.max(1, Number(params.get("page")) || 1);
  const navigate = (changes: Record<string, string | null>) => {
    const next = new URLSearchParams(params);
    for (const [key, value] of Object.entries(changes)) {
      if (value === null || value === "") next.delete(key);
      else next.set(key, value);
    }
    setParams(next);
  };
  return (
    <Page title="Case plans">
      <p className="lede">
        The plans you are on the team of, or oversee: who leads them, where they stand, and when
        they are next reviewed.
      </p>
      <FilterForm
        key={params.toString()}
        initial={filters}
        onApply={(chosen) =>
          navigate({
            status: chosen.status,
            phase: chosen.phase,
            mine: chosen.mine ? "true" : null,
            overdue: chosen.overdue ? "true" : null,
            page: null,
          })
        }
        onClear={() => setParams(new URLSearchParams())}
      />
      <PlanTable filters={filters} page={page} onPage={(p) => navigate({ page: String(p) })} />
    </Page>
  );
}

function FilterForm({
  initial,
  onApply,
  onClear,
}: {
  initial: Filters;
  onApply: (filters: Filters) => void;
  onClear: () => void;
}) {
  const [chosen, setChosen] = useState(initial);
  const set = <K extends keyof Filters>(key: K) => (value: Filters[K]) =>
    setChosen((current) => ({ ...current, [key]: value }));
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    onApply(chosen);
  };
  const filtered = initial.status || initial.phase || initial.mine || initial.overdue;
  return (
    <form className="panel filters" onSubmit={onSubmit} aria-label="Filter case plans">
      <SelectField
        label="Status"
        name="status"
        value={chosen.status}
        onChange={(value) => set("status")(value as Filters["status"])}
        options={STATUS_OPTIONS}
        placeholder="Any status"
        required
      />
      <SelectField
        label="Phase"
        name="phase"
        value={chosen.phase}
        onChange={(value) => set("phase")(value as Filters["phase"])}
        options={PHASE_OPTIONS}
        placeholder="Any phase"
        required
      />
      <Checkbox label="Only plans I lead" name="mine" checked={chosen.mine} onChange={set("mine")} />
      <Checkbox
        label="Only overdue reviews or re-assessments"
        name="overdue"
        checked={chosen.overdue}
        onChange={set("overdue")}
      />
      <div className="filters__actions">
        <button type="submit" className="button">
          Apply filters
        </button>
        {filtered ? (
          <button type="button" className="button button--quiet" onClick={onClear}>
            Clear filters
          </button>
        ) : null}
      </div>
    </form>
  );
}

function PlanTable({ filters, page, onPage }: { filters: Filters; page: number; onPage: (page: number) => void }) {
  const plans = useQuery({
    queryKey: ["case-plans", "list", filters, page],
    queryFn: () =>
      unwrap(
        api.GET("/api/v1/case-plans/", {
          params: {
            query: {
              status: filters.status ? [filters.status] : undefined,
              phase: filters.phase || undefined,
              mine: filters.mine || undefined,
              overdue: filters.overdue || undefined,
              page,
              page_size: PAGE_SIZE,
            },
          },
        }),
      ),
    placeholderData: keepPreviousData,
  });
  return (
    <section aria-labelledby="plan-results" className="panel">
      <h2 id="plan-results">
        Your case plans
        {plans.data ? <span className="heading-count"> ({plans.data.count})</span> : null}
      </h2>
      {plans.isPending ? <Loading what="case plans" /> : null}
      {plans.isError ? <LoadProblem error={plans.error} /> : null}
      {plans.data && plans.data.results.length === 0 ? <p>No case plans match.</p> : null}
      {plans.data && plans.data.results.length > 0 ? (
        <>
          <div className="table-wrap">
            <table className="table">
              <thead>
                <tr>
                  <th scope="col">Plan</th>
                  <th scope="col">Child</th>
                  <th scope="col">Lead</th>
                  <th scope="col">Phase</th>
                  <th scope="col">Status</th>
                  <th scope="col">Risk</th>
                  <th scope="col">Next due</th>
                </tr>
              </thead>
              <tbody>
                {plans.data.results.map((plan) => (
                  <tr
                    key={plan.id}
                    className={plan.review_overdue || plan.reassessment_overdue ? "row--overdue" : undefined}
                  >
                    <th scope="row">
                      <Link to={`/case-plans/${plan.id}`}>{plan.reference}</Link>
                    </th>
                    <td>{plan.child_reference}</td>
                    <td>
                      {plan.lead.name}
                      <span className="cell-note">{plan.lead_agency.name}</span>
                    </td>
                    <td>{PHASE_LABELS[plan.phase]}</td>
                    <td>
                      <PlanStatusTag status={plan.status} />
                    </td>
                    <td>
                      {"risk_level" in plan ? (
                        plan.risk_level ? (
                          <RiskLevelTag level={plan.risk_level} />
                        ) : (
                          "Not assessed"
                        )
                      ) : (
                        <span className="cell-note">Not shared with you</span>
                      )}
                    </td>
                    <td>
                      <Schedule plan={plan} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <Pager label="Case plan pages" page={page} count={plans.data.count} pageSize={PAGE_SIZE} onPage={onPage} />
        </>
      ) : null}
    </section>
  );
}
