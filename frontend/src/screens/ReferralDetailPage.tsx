import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useId, useState, type FormEvent } from "react";
import { Link, useParams } from "react-router";

import { api, unwrap, type Schemas } from "../api/client";
import { ApiError } from "../api/errors";
import { can, useCurrentUser } from "../auth/session";
import { HiddenNarrative } from "../caseplans/HiddenNarrative";
import { ChildPlans, PLAN_READERS } from "../caseplans/OpenPlan";
import { TextField } from "../components/Field";
import { Loading, Page } from "../components/Page";
import { FormProblem, LoadProblem } from "../components/Problem";
import {
  DATA_CATEGORY_LABELS,
  formatDate,
  formatDateTime,
  NEED_CATEGORY_LABELS,
  PURPOSE_LABELS,
  URGENCY_MEANINGS,
} from "../labels";
import { readClock, useNow } from "../referrals/clock";
import {
  ACTIONS,
  isNoBasis,
  isReferralAction,
  STATUS_LABELS,
  type ReferralAction,
} from "../referrals/labels";
import { OverdueTag, StatusTag, UrgencyTag } from "../referrals/parts";

type Referral = Schemas["Referral"];

export const referralKey = (id: string) => ["referrals", "detail", id] as const;
const historyKey = (id: string) => ["referrals", "history", id] as const;

/** A referral being worked: the receiving service may refer onwards, or open a case plan. */
const ONWARD_FROM = new Set<Schemas["ReferralStatus"]>(["accepted", "in_progress", "on_hold"]);
const RECEIVER_ACTIONS = new Set<string>([
  "acknowledge",
  "accept",
  "decline",
  "start",
  "hold",
  "resume",
  "complete",
  "fail",
]);
/** Actions that end or refuse the work: never the most prominent button. */
const STOPPING = new Set<ReferralAction>(["decline", "cancel", "fail"]);

export function ReferralDetailPage() {
  const { id = "" } = useParams();
  const referral = useQuery({
    queryKey: referralKey(id),
    queryFn: () => unwrap(api.GET("/api/v1/referrals/{id}/", { params: { path: { id } } })),
  });
  return (
    <Page title="Referral" heading={heading(referral.data, referral.error)}>
      <p>
        <Link to="/referrals">Back to referrals</Link>
      </p>
      {referral.isPending ? <Loading what="the referral" /> : null}
      {referral.isError ? <LoadProblem error={referral.error} /> : null}
      {/* Keyed by id: moving to another referral starts with its concern hidden again. */}
      {referral.data ? <ReferralDetail key={referral.data.id} referral={referral.data} /> : null}
    </Page>
  );
}

function heading(referral: Referral | undefined, error: unknown): string {
  if (referral) return `Referral ${referral.reference}`;
  return error instanceof ApiError && error.status === 404 ? "Referral not found" : "Referral";
}

function ReferralDetail({ referral }: { referral: Referral }) {
  const me = useCurrentUser();
  const [done, setDone] = useState("");
  const history = useQuery({
    queryKey: historyKey(referral.id),
    queryFn: () =>
      unwrap(api.GET("/api/v1/referrals/{id}/history/", { params: { path: { id: referral.id } } })),
  });
  const mayReferOnwards =
    ONWARD_FROM.has(referral.status) &&
    can(me, "referrals.create") &&
    referral.available_actions.some((action) => RECEIVER_ACTIONS.has(action));
  return (
    <>
      <p role="status" className="notice-slot">
        {done}
      </p>
      <Summary referral={referral} />
      <ClosedLoop referral={referral} history={history.data} />
      <Actions referral={referral} onDone={setDone} />
      {mayReferOnwards ? (
        <section aria-labelledby="onward" className="panel">
          <h2 id="onward">Refer onwards</h2>
          <p>
            If the child needs another service as well, refer them from here: the new referral is
            linked to this one and shares what your agency may share.
          </p>
          <Link to={`/referrals/new?parent=${referral.id}`} className="button">
            Make an onward referral
          </Link>
        </section>
      ) : null}
      <Child child={referral.child} />
      {can(me, PLAN_READERS) ? (
        <ChildPlans
          child={referral.child.id}
          referral={referral.id}
          mayOpen={ONWARD_FROM.has(referral.status) && referral.to_agency.id === me.active_agency}
        />
      ) : null}
      <Concern referral={referral} />
      <History history={history} />
    </>
  );
}

function Summary({ referral }: { referral: Referral }) {
  const now = useNow();
  return (
    <section aria-labelledby="summary" className="panel">
      <h2 id="summary" className="visually-hidden">
        Summary
      </h2>
      <dl className="facts facts--grid">
        <div>
          <dt>Status</dt>
          <dd>
            <StatusTag status={referral.status} /> {referral.is_overdue ? <OverdueTag /> : null}
            <span className="cell-note">FHIR: {referral.fhir_status}</span>
          </dd>
        </div>
        <div>
          <dt>Urgency</dt>
          <dd>
            <UrgencyTag urgency={referral.urgency} />
            <span className="cell-note">{URGENCY_MEANINGS[referral.urgency]}</span>
          </dd>
        </div>
        <div>
          <dt>Needs</dt>
          <dd>{referral.need_categories.map((need) => NEED_CATEGORY_LABELS[need]).join(", ")}</dd>
        </div>
        <div>
          <dt>To</dt>
          <dd>
            {referral.service.name}
            <span className="cell-note">{referral.to_agency.name}</span>
          </dd>
        </div>
        <div>
          <dt>From</dt>
          <dd>{referral.from_agency.name}</dd>
        </div>
        {referral.pathway ? (
          <div>
            <dt>Pathway</dt>
            <dd>
              {referral.pathway.name} (version {referral.pathway.version})
            </dd>
          </div>
        ) : null}
        {referral.parent_reference ? (
          <div>
            <dt>Onward from</dt>
            <dd>{referral.parent_reference}</dd>
          </div>
        ) : null}
        {referral.onward_references.length ? (
          <div>
            <dt>Onward referrals</dt>
            <dd>{referral.onward_references.join(", ")}</dd>
          </div>
        ) : null}
      </dl>
      <h3>Clocks</h3>
      <dl className="facts facts--grid">
        <ClockFact
          label="Acknowledge by"
          due={referral.acknowledge_by}
          met={referral.acknowledged_at}
          running={referral.status === "sent"}
          now={now}
        />
        <ClockFact
          label="Accept or decline by"
          due={referral.respond_by}
          met={referral.responded_at}
          running={referral.status === "sent" || referral.status === "acknowledged"}
          now={now}
        />
        <div>
          <dt>Sent</dt>
          <dd>{referral.sent_at ? formatDateTime(referral.sent_at) : "Not sent yet"}</dd>
        </div>
        {referral.closed_at ? (
          <div>
            <dt>Closed</dt>
            <dd>{formatDateTime(referral.closed_at)}</dd>
          </div>
        ) : null}
      </dl>
      <h3>What is shared</h3>
      <p>
        {referral.shared_categories.map((category) => DATA_CATEGORY_LABELS[category]).join(", ")},
        for {PURPOSE_LABELS[referral.purpose].toLowerCase()}, on{" "}
        {referral.override
          ? "a duty manager's authorised override (without consent)"
          : "the child's consent"}
        .
      </p>
    </section>
  );
}

function ClockFact({
  label,
  due,
  met,
  running,
  now,
}: {
  label: string;
  due: string | null;
  met: string | null;
  running: boolean;
  now: Date;
}) {
  if (!due) return null;
  const reading = readClock(due, now);
  return (
    <div>
      <dt>{label}</dt>
      <dd>
        <time dateTime={due}>{formatDateTime(due)}</time>
        {met ? (
          <span className="cell-note">Done {formatDateTime(met)}</span>
        ) : running ? (
          <span className={reading.overdue ? "cell-note clock--overdue" : "cell-note"}>{reading.text}</span>
        ) : null}
      </dd>
    </div>
  );
}

/** What the receiving service said back: the reason it declined or failed, or the outcome. */
function ClosedLoop({ referral, history }: { referral: Referral; history?: Schemas["ReferralEvent"][] }) {
  const last = history?.filter((event) => event.to_status === referral.status).at(-1);
  let title: string | null = null;
  let words = "";
  if (referral.status === "declined") {
    title = "Declined by the receiving service";
    words = referral.decline_reason;
  } else if (referral.status === "completed") {
    title = "Outcome";
    words = referral.outcome;
  } else if (["failed", "on_hold", "cancelled"].includes(referral.status)) {
    title = `${STATUS_LABELS[referral.status]}: the reason given`;
    words = last?.note ?? "";
  }
  if (!title || !words) return null;
  return (
    <section aria-labelledby="closed-loop" className="panel panel--answer">
      <h2 id="closed-loop">{title}</h2>
      <p className="narrative">{words}</p>
      {last ? (
        <p className="cell-note">
          {last.by}, {last.by_agency.name}, {formatDateTime(last.at)}
        </p>
      ) : null}
    </section>
  );
}

function Actions({ referral, onDone }: { referral: Referral; onDone: (message: string) => void }) {
  const [chosen, setChosen] = useState<ReferralAction | null>(null);
  const actions = referral.available_actions.filter(isReferralAction);
  if (!actions.length) return null;
  return (
    <section aria-labelledby="actions" className="panel">
      <h2 id="actions">What you can do</h2>
      <div className="action-bar">
        {actions.map((action) => (
          <button
            key={action}
            type="button"
            className={STOPPING.has(action) ? "button" : "button button--primary"}
            aria-expanded={chosen === action}
            onClick={() => {
              onDone("");
              setChosen(chosen === action ? null : action);
            }}
          >
            {ACTIONS[action].label}
          </button>
        ))}
      </div>
      {chosen ? (
        <ActionForm
          key={chosen}
          referral={referral}
          action={chosen}
          onClose={() => setChosen(null)}
          onDone={(message) => {
            setChosen(null);
            onDone(message);
          }}
        />
      ) : null}
    </section>
  );
}

function ActionForm({
  referral,
  action,
  onClose,
  onDone,
}: {
  referral: Referral;
  action: ReferralAction;
  onClose: () => void;
  onDone: (message: string) => void;
}) {
  const words = ACTIONS[action];
  const queryClient = useQueryClient();
  const [text, setText] = useState("");
  const headingId = useId();
  const run = useMutation({
    mutationFn: (body: Schemas["ReferralActionRequest"]) =>
      unwrap(
        api.POST(`/api/v1/referrals/{id}/${action}/`, {
          params: { path: { id: referral.id } },
          body,
        }),
      ),
    onSuccess: (updated) => {
      queryClient.setQueryData(referralKey(referral.id), updated);
      void queryClient.invalidateQueries({ queryKey: ["referrals"] });
      onDone(words.done);
    },
    onError: (error) => {
      // The referral moved on meanwhile: show what it is now, and keep what was typed.
      if (error instanceof ApiError && error.status === 409) {
        void queryClient.invalidateQueries({ queryKey: referralKey(referral.id) });
      }
    },
  });
  const field = words.requires ?? "note";
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    run.mutate({ [field]: text });
  };
  const errors = run.error instanceof ApiError ? run.error.errorsFor(field) : undefined;
  return (
    <form className="form action-form" onSubmit={onSubmit} noValidate aria-labelledby={headingId}>
      <h3 id={headingId}>{words.confirm}</h3>
      {isNoBasis(run.error) ? (
        <div className="problem" role="alert">
          <p className="problem__title">It was not sent: nothing allows sharing it yet.</p>
          <p>{run.error.detail}</p>
          <p>
            Record the child's consent on{" "}
            <Link to={`/children/${referral.child.id}`}>the child's record</Link>, or ask a duty
            manager to authorise sharing without consent, then send it again.
          </p>
        </div>
      ) : (
        <FormProblem error={run.error} fieldLabels={{ [field]: words.prompt ?? "Note" }} />
      )}
      <TextField
        label={words.prompt ?? "Note"}
        name={field}
        value={text}
        onChange={setText}
        multiline
        required={words.requires !== undefined}
        hint={words.hint ?? (words.requires ? undefined : "Recorded in the referral's history.")}
        errors={errors}
      />
      <div className="action-bar">
        <button
          type="submit"
          className={STOPPING.has(action) ? "button button--danger" : "button button--primary"}
          disabled={run.isPending}
        >
          {run.isPending ? "Saving…" : words.confirm}
        </button>
        <button type="button" className="button button--quiet" onClick={onClose}>
          Not now
        </button>
      </div>
    </form>
  );
}

function Child({ child }: { child: Schemas["Child"] }) {
  const name = [child.given_name, child.family_name].filter(Boolean).join(" ");
  return (
    <section aria-labelledby="child" className="panel">
      <h2 id="child">The child</h2>
      <dl className="facts facts--grid">
        <div>
          <dt>Reference</dt>
          <dd>{child.reference}</dd>
        </div>
        {child.is_anonymous ? (
          <div>
            <dt>Identity</dt>
            <dd>Not known yet (anonymous)</dd>
          </div>
        ) : null}
        {name ? (
          <div>
            <dt>Name</dt>
            <dd>
              {name}
              {child.preferred_name ? (
                <span className="cell-note">Prefers {child.preferred_name}</span>
              ) : null}
            </dd>
          </div>
        ) : null}
        {child.date_of_birth ? (
          <div>
            <dt>Date of birth</dt>
            <dd>{formatDate(child.date_of_birth)}</dd>
          </div>
        ) : null}
        {child.languages?.length ? (
          <div>
            <dt>Languages</dt>
            <dd>{child.languages.join(", ")}</dd>
          </div>
        ) : null}
        <div>
          <dt>Record kept by</dt>
          <dd>{child.record_keeper.name}</dd>
        </div>
      </dl>
      {child.withheld_categories.length ? (
        <p className="cell-note">
          Not shared with your agency:{" "}
          {child.withheld_categories.map((category) => DATA_CATEGORY_LABELS[category]).join(", ")}.
        </p>
      ) : null}
      <p>
        <Link to={`/children/${child.id}`}>Open the child's record</Link>
      </p>
    </section>
  );
}

/** The concern narrative, closed until asked for (and each reading audited). */
function Concern({ referral }: { referral: Referral }) {
  return (
    <section aria-labelledby="concern" className="panel">
      <h2 id="concern">Concern</h2>
      {referral.concern_available ? (
        <HiddenNarrative
          read={async () =>
            (
              await unwrap(
                api.GET("/api/v1/referrals/{id}/concern/", { params: { path: { id: referral.id } } }),
              )
            ).concern
          }
        />
      ) : (
        <p>The concern narrative has not been shared with your agency.</p>
      )}
    </section>
  );
}

function History({
  history,
}: {
  history: { data?: Schemas["ReferralEvent"][]; isPending: boolean; isError: boolean; error: unknown };
}) {
  return (
    <section aria-labelledby="history" className="panel">
      <h2 id="history">History</h2>
      {history.isPending ? <Loading what="the history" /> : null}
      {history.isError ? <LoadProblem error={history.error} /> : null}
      {history.data ? (
        <ol className="timeline">
          {history.data.map((event) => (
            <li key={event.id}>
              <p className="timeline__what">
                {event.from_status ? `${STATUS_LABELS[event.from_status]} → ` : ""}
                {STATUS_LABELS[event.to_status]}
              </p>
              <p className="cell-note">
                {event.by}, {event.by_agency.name} ·{" "}
                <time dateTime={event.at}>{formatDateTime(event.at)}</time>
              </p>
              {event.note ? <p className="narrative">{event.note}</p> : null}
            </li>
          ))}
        </ol>
      ) : null}
    </section>
  );
}
