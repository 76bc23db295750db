/**
 * The data protection officer's audit trail: search who did what to which record and when,
 * and check that the hash chain is intact end to end. Searches themselves are audited.
 */
import { keepPreviousData, useMutation, useQuery } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { Link } from "react-router";

import { api, unwrap, type Schemas } from "../api/client";
import type { operations } from "../api/schema";
import { AUDIT_ACTION_LABELS, CHAIN_PROBLEM_LABELS, OBJECT_TYPE_LABELS, objectTypeLabel } from "../audit/labels";
import { choicesFrom } from "../components/Choices";
import { SelectField, TextField } from "../components/Field";
import { errorsFor } from "../components/formErrors";
import { Loading, Page } from "../components/Page";
import { Pager } from "../components/Pager";
import { FormProblem, LoadProblem } from "../components/Problem";
import { formatDateTime } from "../labels";

import "../audit/audit.css";

type Filters = NonNullable<operations["audit_list"]["parameters"]["query"]>;

const PAGE_SIZE = 50;

interface Search {
  actor: string;
  object_type: string;
  object_id: string;
  action: string;
  since: string;
  until: string;
}

const NO_SEARCH: Search = { actor: "", object_type: "", object_id: "", action: "", since: "", until: "" };

const FIELD_LABELS: Record<string, string> = {
  actor: "Person",
  object_type: "Kind of record",
  object_id: "Record id",
  action: "Action",
  since: "From",
  until: "Until",
};

export function toAuditFilters(search: Search, page: number): Filters {
  const filters: Filters = { page, page_size: PAGE_SIZE };
  if (search.actor.trim()) filters.actor = Number(search.actor.trim());
  if (search.object_type) filters.object_type = search.object_type;
  if (search.object_id.trim()) filters.object_id = search.object_id.trim();
  if (search.action) filters.action = search.action as Filters["action"];
  // The boxes hold local times; the platform is told the exact instant.
  if (search.since) filters.since = new Date(search.since).toISOString();
  if (search.until) filters.until = new Date(search.until).toISOString();
  return filters;
}

export function AuditPage() {
  return (
    <Page title="Audit trail">
      <p className="lede">
        Every view, change, share, export and sign-in, in order. Nothing in it can be changed without the
        chain check below finding it.
      </p>
      <ChainCheck />
      <AuditSearch />
    </Page>
  );
}

function ChainCheck() {
  const verify = useMutation({ mutationFn: () => unwrap(api.GET("/api/v1/audit/verify/")) });
  return (
    <section aria-labelledby="chain-heading" className="panel">
      <h2 id="chain-heading">Check the chain</h2>
      <p>Recompute every event's hash and link, from the first to the newest. This can take a moment.</p>
      <button type="button" className="button" disabled={verify.isPending} onClick={() => verify.mutate()}>
        {verify.isPending ? "Checking…" : "Verify the audit trail"}
      </button>
      <div aria-live="polite">{verify.data ? <ChainResult result={verify.data} /> : null}</div>
      {verify.isError ? <LoadProblem error={verify.error} /> : null}
    </section>
  );
}

export function ChainResult({ result }: { result: Schemas["ChainVerification"] }) {
  if (result.intact) {
    return (
      <div className="chain chain--intact">
        <p className="chain__verdict">Intact</p>
        <p>
          All {result.checked} events check out, up to event {result.last_sequence}. Nothing has been
          changed, removed or reordered.
        </p>
      </div>
    );
  }
  return (
    <div className="chain chain--broken">
      <p className="chain__verdict">Broken</p>
      <p>
        {result.first_broken_sequence !== null ? `At event ${result.first_broken_sequence}: ` : ""}
        {result.problem ? CHAIN_PROBLEM_LABELS[result.problem] : "the chain does not check out"}. The events
        before it, up to event {result.last_sequence}, are intact.
      </p>
      <p>{result.summary}</p>
      <p>Keep a copy of this result and tell whoever is responsible for the platform's security.</p>
    </div>
  );
}

function AuditSearch() {
  const [typed, setTyped] = useState(NO_SEARCH);
  const [applied, setApplied] = useState(NO_SEARCH);
  const [page, setPage] = useState(1);
  const filters = toAuditFilters(applied, page);
  const events = useQuery({
    queryKey: ["audit", filters],
    queryFn: () => unwrap(api.GET("/api/v1/audit/", { params: { query: filters } })),
    placeholderData: keepPreviousData,
  });
  const set = (field: keyof Search) => (value: string) => setTyped((current) => ({ ...current, [field]: value }));
  const apply = (search: Search) => {
    setTyped(search);
    setApplied(search);
    setPage(1);
  };
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    apply(typed);
  };
  const typeOptions = Object.entries(OBJECT_TYPE_LABELS).map(([value, label]) => ({ value, label }));
  if (typed.object_type && !OBJECT_TYPE_LABELS[typed.object_type]) {
    typeOptions.push({ value: typed.object_type, label: typed.object_type });
  }
  // A refused search keeps its filters in the form, with the platform's message beside the field.
  const refused = events.isError ? events.error : null;

  return (
    <section aria-labelledby="search-heading" className="panel">
      <h2 id="search-heading">Search</h2>
      <FormProblem error={refused} fieldLabels={FIELD_LABELS} />
      <form role="search" aria-label="Search the audit trail" onSubmit={onSubmit} className="filters filters--audit">
        <TextField
          label={FIELD_LABELS.actor!}
          name="actor"
          type="number"
          value={typed.actor}
          onChange={set("actor")}
          errors={errorsFor(refused, "actor")}
          hint="Their user number: choose “Only this person” beside one of their events."
        />
        <SelectField label={FIELD_LABELS.object_type!} name="object_type" value={typed.object_type} onChange={set("object_type")} options={typeOptions} placeholder="Any kind" errors={errorsFor(refused, "object_type")} />
        <TextField label={FIELD_LABELS.object_id!} name="object_id" value={typed.object_id} onChange={set("object_id")} autoComplete="off" errors={errorsFor(refused, "object_id")} />
        <SelectField label={FIELD_LABELS.action!} name="action" value={typed.action} onChange={set("action")} options={choicesFrom(AUDIT_ACTION_LABELS)} placeholder="Any action" errors={errorsFor(refused, "action")} />
        <TextField label={FIELD_LABELS.since!} name="since" type="datetime-local" value={typed.since} onChange={set("since")} errors={errorsFor(refused, "since")} />
        <TextField label={FIELD_LABELS.until!} name="until" type="datetime-local" value={typed.until} onChange={set("until")} errors={errorsFor(refused, "until")} />
        <div className="filters__actions">
          <button type="submit" className="button button--primary">
            Search
          </button>
          <button type="button" className="button button--quiet" onClick={() => apply(NO_SEARCH)}>
            Clear
          </button>
        </div>
      </form>
      {events.isPending ? <Loading what="the audit trail" /> : null}
      {events.data ? (
        <>
          <p role="status" className="result-count">
            {events.data.count === 1 ? "1 event." : `${events.data.count} events.`}
          </p>
          {events.data.results.length ? (
            <EventTable
              events={events.data.results}
              onActor={(actor) => apply({ ...applied, actor: String(actor) })}
              onObject={(type, id) => apply({ ...applied, object_type: type, object_id: id })}
            />
          ) : null}
          <Pager label="Audit trail pages" page={page} count={events.data.count} pageSize={PAGE_SIZE} onPage={setPage} />
        </>
      ) : null}
    </section>
  );
}

/** Where a record lives in the app, for the kinds that have a screen. */
function recordPath(type: string, id: string): string | null {
  if (type === "children.child") return `/children/${id}`;
  if (type === "pathways.service") return `/directory/services/${id}`;
  if (type === "pathways.pathway") return `/directory/pathways/${id}`;
  return null;
}

function EventTable({
  events,
  onActor,
  onObject,
}: {
  events: Schemas["AuditEvent"][];
  onActor: (actor: number) => void;
  onObject: (type: string, id: string) => void;
}) {
  return (
    <div className="table-wrap">
      <table className="table table--audit">
        <thead>
          <tr>
            <th scope="col">Event</th>
            <th scope="col">When</th>
            <th scope="col">Who</th>
            <th scope="col">Action</th>
            <th scope="col">Record</th>
            <th scope="col">Details</th>
          </tr>
        </thead>
        <tbody>
          {events.map((event) => {
            const path = event.object_id ? recordPath(event.object_type, event.object_id) : null;
            return (
              <tr key={event.sequence}>
                <th scope="row">{event.sequence}</th>
                <td>{formatDateTime(event.timestamp)}</td>
                <td>
                  {event.actor_username || "The platform"}
                  {event.agency ? <span className="audit__sub">{event.agency.name}</span> : null}
                  {event.actor ? (
                    <button
                      type="button"
                      className="button button--small button--quiet"
                      aria-label={`Only this person: ${event.actor_username}`}
                      onClick={() => onActor(event.actor!.id)}
                    >
                      Only this person
                    </button>
                  ) : null}
                </td>
                <td>{AUDIT_ACTION_LABELS[event.action]}</td>
                <td>
                  {objectTypeLabel(event.object_type) || "—"}
                  {event.object_id ? (
                    <span className="audit__sub">
                      {path ? <Link to={path}>{event.object_id}</Link> : <code>{event.object_id}</code>}
                    </span>
                  ) : null}
                  {event.object_id ? (
                    <button
                      type="button"
                      className="button button--small button--quiet"
                      aria-label={`Only this record: ${event.object_id}`}
                      onClick={() => onObject(event.object_type, event.object_id)}
                    >
                      Only this record
                    </button>
                  ) : null}
                </td>
                <td>
                  <EventDetails details={event.details} requestId={event.request_id} />
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

function EventDetails({ details, requestId }: { details: unknown; requestId: string }) {
  const entries = details && typeof details === "object" ? Object.entries(details) : [];
  if (!entries.length && !requestId) return <>—</>;
  return (
    <details>
      <summary>Show</summary>
      <dl className="audit__details">
        {requestId ? (
          <div>
            <dt>Request</dt>
            <dd>
              <code>{requestId}</code>
            </dd>
          </div>
        ) : null}
        {entries.map(([key, value]) => (
          <div key={key}>
            <dt>{key}</dt>
            <dd>
              <code>{typeof value === "string" ? value : JSON.stringify(value)}</code>
            </dd>
          </div>
        ))}
      </dl>
    </details>
  );
}
