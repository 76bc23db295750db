import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useId, useState, type FormEvent } from "react";
import { Link, useParams } from "react-router";

import { api, unwrap, type Schemas } from "../api/client";
import { ApiError } from "../api/errors";
import { TextField } from "../components/Field";
import { Loading, Page } from "../components/Page";
import { Pager } from "../components/Pager";
import { FormProblem, LoadProblem } from "../components/Problem";
import { DATA_CATEGORY_LABELS, formatDateTime, PURPOSE_LABELS } from "../labels";
import "../referrals/referrals.css";

type Override = Schemas["Override"];
type Status = Schemas["OverrideStatusEnum"];

const PAGE_SIZE = 25;
const STATUS_LABELS: Record<Status, string> = {
  requested: "Waiting for a decision",
  authorised: "Authorised",
  refused: "Refused",
};

const overridesKey = ["sharing-overrides"] as const;

/** Duty managers decide requests from their agency's staff to share without consent. */
export function SharingOverridesPage() {
  const [status, setStatus] = useState<Status>("requested");
  const [page, setPage] = useState(1);
  const overrides = useQuery({
    queryKey: [...overridesKey, "list", status, page],
    queryFn: () =>
      unwrap(
        api.GET("/api/v1/sharing-overrides/", { params: { query: { status, page, page_size: PAGE_SIZE } } }),
      ),
    placeholderData: keepPreviousData,
  });
  return (
    <Page title="Sharing without consent">
      <p className="lede">
        Requests from your agency's staff to share a child's information without consent. Authorise
        only where the lawful basis and the justification hold; each authorisation lasts 72 hours.
      </p>
      <nav aria-label="Requests by status" className="box-tabs">
        <ul>
          {(Object.keys(STATUS_LABELS) as Status[]).map((value) => (
            <li key={value}>
              <button
                type="button"
                className="box-tabs__tab"
                aria-current={status === value ? "page" : undefined}
                onClick={() => {
                  setStatus(value);
                  setPage(1);
                }}
              >
                {STATUS_LABELS[value]}
              </button>
            </li>
          ))}
        </ul>
      </nav>
      {overrides.isPending ? <Loading what="requests" /> : null}
      {overrides.isError ? <LoadProblem error={overrides.error} /> : null}
      {overrides.data && overrides.data.results.length === 0 ? (
        <p className="panel">{status === "requested" ? "Nothing is waiting for a decision." : "None."}</p>
      ) : null}
      {overrides.data?.results.map((override) => (
        <OverrideCard key={override.id} override={override} linkToDetail />
      ))}
      {overrides.data ? (
        <Pager
          label="Request pages"
          page={page}
          count={overrides.data.count}
          pageSize={PAGE_SIZE}
          onPage={setPage}
        />
      ) : null}
    </Page>
  );
}

export function SharingOverridePage() {
  const { id = "" } = useParams();
  const override = useQuery({
    queryKey: [...overridesKey, "detail", id],
    queryFn: () => unwrap(api.GET("/api/v1/sharing-overrides/{id}/", { params: { path: { id } } })),
  });
  return (
    <Page title="Sharing without consent" heading="Request to share without consent">
      <p>
        <Link to="/sharing-overrides">All requests</Link>
      </p>
      {override.isPending ? <Loading what="the request" /> : null}
      {override.isError ? <LoadProblem error={override.error} /> : null}
      {override.data ? <OverrideCard override={override.data} /> : null}
    </Page>
  );
}

function OverrideCard({ override, linkToDetail = false }: { override: Override; linkToDetail?: boolean }) {
  const headingId = `override-${override.id}`;
  return (
    <article aria-labelledby={headingId} className="panel">
      <h2 id={headingId}>
        {linkToDetail ? (
          <Link to={`/sharing-overrides/${override.id}`}>
            {override.child_reference} to {override.recipient_agency.name}
          </Link>
        ) : (
          `${override.child_reference} to ${override.recipient_agency.name}`
        )}
      </h2>
      <dl className="facts facts--grid">
        <div>
          <dt>Status</dt>
          <dd>{STATUS_LABELS[override.status]}</dd>
        </div>
        <div>
          <dt>Asked by</dt>
          <dd>
            {override.requested_by.username}, {formatDateTime(override.requested_at)}
          </dd>
        </div>
        <div>
          <dt>What</dt>
          <dd>{override.categories.map((category) => DATA_CATEGORY_LABELS[category]).join(", ")}</dd>
        </div>
        <div>
          <dt>Purpose</dt>
          <dd>{PURPOSE_LABELS[override.purpose]}</dd>
        </div>
        <div>
          <dt>Lawful basis</dt>
          <dd>{override.lawful_basis_label}</dd>
        </div>
        {override.authorised_by ? (
          <div>
            <dt>{override.status === "refused" ? "Refused by" : "Authorised by"}</dt>
            <dd>
              {override.authorised_by.username}
              {override.decided_at ? `, ${formatDateTime(override.decided_at)}` : ""}
            </dd>
          </div>
        ) : null}
        {override.expires_at ? (
          <div>
            <dt>Can be relied on until</dt>
            <dd>{formatDateTime(override.expires_at)}</dd>
          </div>
        ) : null}
      </dl>
      <Justification text={override.justification} describedBy={headingId} />
      {override.refusal_reason ? (
        <>
          <h3>Why it was refused</h3>
          <p className="narrative">{override.refusal_reason}</p>
        </>
      ) : null}
      {override.status === "requested" ? <Decide override={override} describedBy={headingId} /> : null}
    </article>
  );
}

/** The justification often describes harm: folded until someone chooses to read it. */
function Justification({ text, describedBy }: { text: string; describedBy: string }) {
  const [shown, setShown] = useState(false);
  const id = useId();
  return (
    <>
      <h3>Justification</h3>
      <button
        type="button"
        className="button button--small"
        aria-expanded={shown}
        aria-controls={id}
        aria-describedby={describedBy}
        onClick={() => setShown((current) => !current)}
      >
        {shown ? "Hide justification" : "Show justification"}
      </button>
      <div id={id} hidden={!shown} className="concern">
        {shown ? <p className="narrative">{text}</p> : null}
      </div>
    </>
  );
}

function Decide({ override, describedBy }: { override: Override; describedBy: string }) {
  const queryClient = useQueryClient();
  const [refusing, setRefusing] = useState(false);
  const [reason, setReason] = useState("");
  const done = () => void queryClient.invalidateQueries({ queryKey: overridesKey });
  const authorise = useMutation({
    mutationFn: () =>
      unwrap(
        api.POST("/api/v1/sharing-overrides/{id}/authorise/", {
          params: { path: { id: override.id } },
        }),
      ),
    onSuccess: done,
  });
  const refuse = useMutation({
    mutationFn: () =>
      unwrap(
        api.POST("/api/v1/sharing-overrides/{id}/refuse/", {
          params: { path: { id: override.id } },
          body: { reason },
        }),
      ),
    onSuccess: done,
  });
  const onRefuse = (event: FormEvent) => {
    event.preventDefault();
    refuse.mutate();
  };
  const errors = refuse.error instanceof ApiError ? refuse.error.errorsFor("reason") : undefined;
  return (
    <div className="decide">
      <FormProblem error={authorise.error} />
      {refusing ? (
        <form onSubmit={onRefuse} noValidate className="form">
          <FormProblem error={refuse.error} fieldLabels={{ reason: "Why it is refused" }} />
          <TextField
            label="Why it is refused"
            name="reason"
            value={reason}
            onChange={setReason}
            multiline
            required
            hint="The person who asked sees this."
            errors={errors}
          />
          <div className="action-bar">
            <button type="submit" className="button button--danger" disabled={refuse.isPending}>
              Refuse
            </button>
            <button type="button" className="button button--quiet" onClick={() => setRefusing(false)}>
              Not now
            </button>
          </div>
        </form>
      ) : (
        <div className="action-bar">
          <button
            type="button"
            className="button button--primary"
            disabled={authorise.isPending}
            aria-describedby={describedBy}
            onClick={() => authorise.mutate()}
          >
            Authorise
          </button>
          <button
            type="button"
            className="button"
            aria-describedby={describedBy}
            onClick={() => setRefusing(true)}
          >
            Refuse…
          </button>
        </div>
      )}
    </div>
  );
}
