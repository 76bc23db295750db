import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useId, useState, type FormEvent } from "react";
import { Link, useSearchParams } from "react-router";

import { api, unwrap, type Schemas } from "../api/client";
import { activeAgency, can, useCurrentUser } from "../auth/session";
import { Loading, Page } from "../components/Page";
import { Pager } from "../components/Pager";
import { LoadProblem } from "../components/Problem";
import { formatDateTime, URGENCY_LABELS } from "../labels";
import { useNow } from "../referrals/clock";
import { STATUS_LABELS, STATUSES } from "../referrals/labels";
import { ClockText, OverdueTag, StatusTag, UrgencyTag } from "../referrals/parts";

const PAGE_SIZE = 25;

type Box = "incoming" | "outgoing";
type Urgency = Schemas["Urgency"];

interface Filters {
  status: Schemas["ReferralStatus"] | "";
  urgency: Urgency | "";
  overdue: boolean;
  service: string;
}

const STATUS_OPTIONS = STATUSES.map((value) => ({ value, label: STATUS_LABELS[value] }));
const URGENCY_OPTIONS = (Object.keys(URGENCY_LABELS) as Urgency[]).map((value) => ({
  value,
  label: URGENCY_LABELS[value],
}));

function readFilters(params: URLSearchParams): Filters {
  const status = params.get("status") ?? "";
  const urgency = params.get("urgency") ?? "";
  return {
    status: (STATUSES as string[]).includes(status) ? (status as Filters["status"]) : "",
    urgency: urgency in URGENCY_LABELS ? (urgency as Urgency) : "",
    overdue: params.get("overdue") === "true",
    service: /^\d+$/.test(params.get("service") ?? "") ? params.get("service")! : "",
  };
}

/**
 * The inbox (referrals to my agency's services) and the outbox (referrals my agency sent).
 * Filters and the page live in the address: codes and numbers only, never personal data.
 */
export function ReferralsPage() {
  const me = useCurrentUser();
  const mayReceive = can(me, "referrals.receive");
  const mayRefer = can(me, "referrals.create");
  const [params, setParams] = useSearchParams();
  const requested = params.get("box");
  const box: Box =
    requested === "outgoing" || requested === "incoming"
      ? requested
      : mayReceive
        ? "incoming"
        : "outgoing";
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
    <Page title={box === "incoming" ? "Referrals in" : "Referrals out"} heading="Referrals">
      <div className="page-toolbar">
        <nav aria-label="Referral boxes" className="box-tabs">
          <ul>
            {mayReceive ? (
              <li>
                <Link to="?box=incoming" aria-current={box === "incoming" ? "page" : undefined}>
                  Incoming
                </Link>
              </li>
            ) : null}
            {mayRefer ? (
              <li>
                <Link to="?box=outgoing" aria-current={box === "outgoing" ? "page" : undefined}>
                  Outgoing
                </Link>
              </li>
            ) : null}
          </ul>
        </nav>
        {mayRefer ? (
          <Link to="/referrals/new" className="button button--primary">
            New referral
          </Link>
        ) : null}
      </div>
      <p className="lede">
        {box === "incoming"
          ? "Referrals to your agency's services: the most urgent first, then the soonest due."
          : "Referrals your agency has made, with what the receiving services said."}
      </p>
      <FilterForm
        key={params.toString()}
        box={box}
        initial={filters}
        onApply={(chosen) =>
          navigate({
            status: chosen.status,
            urgency: chosen.urgency,
            overdue: chosen.overdue ? "true" : null,
            service: chosen.service,
            page: null,
          })
        }
        onClear={() => setParams(new URLSearchParams({ box }))}
      />
      <ReferralTable box={box} filters={filters} page={page} onPage={(p) => navigate({ page: String(p) })} />
    </Page>
  );
}

function useServiceOptions(box: Box) {
  const me = useCurrentUser();
  const agencyId = activeAgency(me)?.id;
  return useQuery({
    queryKey: ["services", "filter-options", box, agencyId],
    queryFn: async () => {
      const query = box === "incoming" ? { agency: agencyId, page_size: 100 } : { page_size: 100 };
      const services = await unwrap(api.GET("/api/v1/services/", { params: { query } }));
      return services.results.map((service) => ({
        value: String(service.id),
        label: box === "incoming" ? service.name : `${service.name} (${service.agency.name})`,
      }));
    },
    staleTime: 5 * 60_000,
  });
}

function FilterForm({
  box,
  initial,
  onApply,
  onClear,
}: {
  box: Box;
  initial: Filters;
  onApply: (filters: Filters) => void;
  onClear: () => void;
}) {
  const [chosen, setChosen] = useState(initial);
  const services = useServiceOptions(box);
  const set = <K extends keyof Filters>(key: K) => (value: Filters[K]) =>
    setChosen((current) => ({ ...current, [key]: value }));
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    onApply(chosen);
  };
  const filtered = initial.status || initial.urgency || initial.overdue || initial.service;
  return (
    <form className="referral-filters panel" onSubmit={onSubmit} aria-label="Filter referrals">
      <FilterSelect
        label="Status"
        value={chosen.status}
        onChange={(value) => set("status")(value as Filters["status"])}
        options={STATUS_OPTIONS}
        any="Any status"
      />
      <FilterSelect
        label="Urgency"
        value={chosen.urgency}
        onChange={(value) => set("urgency")(value as Filters["urgency"])}
        options={URGENCY_OPTIONS}
        any="Any urgency"
      />
      <FilterSelect
        label="Service"
        value={chosen.service}
        onChange={set("service")}
        options={services.data ?? []}
        any="Any service"
      />
      <div className="field referral-filters__check">
        <label>
          <input
            type="checkbox"
            name="overdue"
            checked={chosen.overdue}
            onChange={(event) => set("overdue")(event.target.checked)}
          />
          Only overdue
        </label>
      </div>
      <div className="referral-filters__buttons">
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

/** A filter: empty means "any", so unlike a form field it is neither required nor optional. */
function FilterSelect({
  label,
  value,
  onChange,
  options,
  any,
}: {
  label: string;
  value: string;
  onChange: (value: string) => void;
  options: { value: string; label: string }[];
  any: string;
}) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id} className="field__label">
        {label}
      </label>
      <select id={id} value={value} onChange={(event) => onChange(event.target.value)}>
        <option value="">{any}</option>
        {options.map((option) => (
          <option key={option.value} value={option.value}>
            {option.label}
          </option>
        ))}
      </select>
    </div>
  );
}

function ReferralTable({
  box,
  filters,
  page,
  onPage,
}: {
  box: Box;
  filters: Filters;
  page: number;
  onPage: (page: number) => void;
}) {
  const now = useNow();
  const referrals = useQuery({
    queryKey: ["referrals", "list", box, filters, page],
    queryFn: () =>
      unwrap(
        api.GET("/api/v1/referrals/", {
          params: {
            query: {
              box,
              status: filters.status ? [filters.status] : undefined,
              urgency: filters.urgency || undefined,
              overdue: filters.overdue || undefined,
              service: filters.service ? Number(filters.service) : undefined,
              page,
              page_size: PAGE_SIZE,
            },
          },
        }),
      ),
    placeholderData: keepPreviousData,
  });
  const caption = box === "incoming" ? "Referrals to your agency" : "Referrals from your agency";
  return (
    <section aria-labelledby="referral-results" className="panel">
      <h2 id="referral-results">
        {caption}
        {referrals.data ? <span className="heading-count"> ({referrals.data.count})</span> : null}
      </h2>
      {referrals.isPending ? <Loading what="referrals" /> : null}
      {referrals.isError ? <LoadProblem error={referrals.error} /> : null}
      {referrals.data && referrals.data.results.length === 0 ? (
        <p>No referrals match. {box === "incoming" ? "Nothing is waiting for your agency." : ""}</p>
      ) : null}
      {referrals.data && referrals.data.results.length > 0 ? (
        <>
          <div className="table-wrap">
            <table className="table">
              <thead>
                <tr>
                  <th scope="col">Referral</th>
                  <th scope="col">Child</th>
                  <th scope="col">{box === "incoming" ? "From" : "To"}</th>
                  <th scope="col">Urgency</th>
                  <th scope="col">Status</th>
                  <th scope="col">Clock</th>
                  <th scope="col">Sent</th>
                </tr>
              </thead>
              <tbody>
                {referrals.data.results.map((referral) => (
                  <tr key={referral.id} className={referral.is_overdue ? "row--overdue" : undefined}>
                    <th scope="row">
                      <Link to={`/referrals/${referral.id}`}>{referral.reference}</Link>
                    </th>
                    <td>{referral.child_reference}</td>
                    <td>
                      {box === "incoming" ? (
                        <>
                          {referral.from_agency.name}
                          <span className="cell-note">to {referral.service.name}</span>
                        </>
                      ) : (
                        <>
                          {referral.service.name}
                          <span className="cell-note">{referral.to_agency.name}</span>
                        </>
                      )}
                    </td>
                    <td>
                      <UrgencyTag urgency={referral.urgency} />
                    </td>
                    <td>
                      <StatusTag status={referral.status} />
                      {referral.is_overdue ? <OverdueTag /> : null}
                    </td>
                    <td>
                      <ClockText referral={referral} now={now} />
                    </td>
                    <td>{referral.sent_at ? formatDateTime(referral.sent_at) : "Not sent"}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <Pager
            label="Referral pages"
            page={page}
            count={referrals.data.count}
            pageSize={PAGE_SIZE}
            onPage={onPage}
          />
        </>
      ) : null}
    </section>
  );
}
