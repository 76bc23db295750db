/**
 * Who knows what about a child: every disclosure (to whom, what, why, on what basis) and every
 * recorded access. Loaded only when asked for: opening it is itself recorded in the audit trail.
 */
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useState } from "react";

import { api, unwrap, type Schemas } from "../api/client";
import { AUDIT_ACTION_LABELS, objectTypeLabel, type AuditAction } from "../audit/labels";
import { Loading } from "../components/Page";
import { Pager } from "../components/Pager";
import { LoadProblem } from "../components/Problem";
import { DATA_CATEGORY_LABELS, formatDateTime, PURPOSE_LABELS } from "../labels";
import { DISCLOSURE_END_LABELS } from "./labels";

const PAGE_SIZE = 25;

export function WhoKnowsWhat({ child }: { child: string }) {
  const [shown, setShown] = useState(false);
  return (
    <section aria-labelledby="who-knows-heading" className="panel who-knows">
      <h2 id="who-knows-heading">Who knows what</h2>
      {shown ? (
        <DisclosureLog child={child} />
      ) : (
        <>
          <p>Every agency and person this child's information reached, and everyone who opened the record.</p>
          <button type="button" className="button" onClick={() => setShown(true)}>
            Show who knows what
          </button>
          <p className="field__hint">Opening it is recorded in the audit trail.</p>
        </>
      )}
    </section>
  );
}

function DisclosureLog({ child }: { child: string }) {
  const [page, setPage] = useState(1);
  const log = useQuery({
    queryKey: ["children", "who-knows", child, page],
    queryFn: () =>
      unwrap(
        api.GET("/api/v1/children/{id}/disclosures/", {
          params: { path: { id: child }, query: { page, page_size: PAGE_SIZE } },
        }),
      ),
    placeholderData: keepPreviousData,
    // Each read is an audited access: read once when asked, not again behind the person's back.
    staleTime: Infinity,
  });
  if (log.isPending) return <Loading what="who knows what" />;
  if (log.isError) return <LoadProblem error={log.error} />;
  return (
    <>
      <h3 id="shared-heading">Information shared</h3>
      {log.data.disclosures.length ? <Disclosures disclosures={log.data.disclosures} /> : <p>Nothing has been shared.</p>}
      <h3 id="access-heading">Recorded access</h3>
      {log.data.results.length ? (
        <div className="table-wrap">
          <table className="table" aria-labelledby="access-heading">
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Who</th>
                <th scope="col">Agency</th>
                <th scope="col">What</th>
              </tr>
            </thead>
            <tbody>
              {log.data.results.map((event) => (
                <tr key={event.sequence}>
                  <th scope="row">{formatDateTime(event.timestamp)}</th>
                  <td>{event.actor_username || "The platform"}</td>
                  <td>{event.agency ?? "—"}</td>
                  <td>
                    {AUDIT_ACTION_LABELS[event.action as AuditAction] ?? event.action}:{" "}
                    {objectTypeLabel(event.object_type).toLowerCase()}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : (
        <p>No access is recorded.</p>
      )}
      <Pager label="Pages of recorded access" page={page} count={log.data.count} pageSize={PAGE_SIZE} onPage={setPage} />
    </>
  );
}

function basisText(disclosure: Schemas["Disclosure"]): string {
  if (disclosure.basis === "consent") return "Consent";
  const override = disclosure.override;
  return override ? `Without consent, authorised by ${override.authorised_by.username}` : "Without consent";
}

function Disclosures({ disclosures }: { disclosures: Schemas["Disclosure"][] }) {
  return (
    <div className="table-wrap">
      <table className="table" aria-labelledby="shared-heading">
        <thead>
          <tr>
            <th scope="col">To</th>
            <th scope="col">Information</th>
            <th scope="col">Purpose</th>
            <th scope="col">Basis</th>
            <th scope="col">Shared</th>
            <th scope="col">Still shared</th>
          </tr>
        </thead>
        <tbody>
          {disclosures.map((disclosure) => (
            <tr key={disclosure.id}>
              <th scope="row">{disclosure.recipient_agency?.name ?? disclosure.recipient_user?.username ?? "—"}</th>
              <td>{disclosure.categories.map((c) => DATA_CATEGORY_LABELS[c]).join(", ")}</td>
              <td>{PURPOSE_LABELS[disclosure.purpose]}</td>
              <td>{basisText(disclosure)}</td>
              <td>
                {formatDateTime(disclosure.disclosed_at)} by {disclosure.disclosed_by.username},{" "}
                {disclosure.disclosed_by_agency.name}
              </td>
              <td>
                {disclosure.ended_at
                  ? `No: ended ${formatDateTime(disclosure.ended_at)}${
                      disclosure.end_reason ? ` because ${DISCLOSURE_END_LABELS[disclosure.end_reason]}` : ""
                    }`
                  : "Yes"}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
