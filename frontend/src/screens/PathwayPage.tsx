/** One pathway version: its situation, ordered steps with response times, and every version. */
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Link, useLocation } from "react-router";

import { api, unwrap } from "../api/client";
import { useCurrentUser } from "../auth/session";
import { Loading, Page } from "../components/Page";
import { LoadProblem } from "../components/Problem";
import { administers, ageRange, hours, regionNames, type Pathway } from "../directory/labels";
import { IntakeTag, StatusTag } from "../directory/parts";
import { directoryKeys, NOT_FOUND, useInvalidateDirectory, useNumericId, usePathway, usePathways } from "../directory/queries";
import { AGENCY_KIND_LABELS, formatDateTime, NEED_CATEGORY_LABELS, URGENCY_LABELS } from "../labels";
import type { SavedNotice } from "./ServicePage";

import "../directory/directory.css";

export function PathwayPage() {
  const id = useNumericId();
  const pathway = usePathway(id);
  return (
    <Page title="Pathway" heading={pathway.data?.name ?? "Pathway"}>
      <p>
        <Link to="/directory">Back to the directory</Link>
      </p>
      {id === null ? <LoadProblem error={NOT_FOUND} /> : null}
      {pathway.isPending && id !== null ? <Loading what="the pathway" /> : null}
      {pathway.isError ? <LoadProblem error={pathway.error} /> : null}
      {pathway.data ? <PathwayDetails key={pathway.data.id} pathway={pathway.data} /> : null}
    </Page>
  );
}

function PathwayDetails({ pathway }: { pathway: Pathway }) {
  const me = useCurrentUser();
  const location = useLocation();
  const saved = (location.state as SavedNotice | null)?.notice ?? "";
  return (
    <>
      <p role="status" className="notice-slot">
        {saved}
      </p>
      <p className="lede">
        Version {pathway.version} <StatusTag status={pathway.status} />
      </p>
      {administers(me, pathway.agency.id) ? <AdminActions pathway={pathway} /> : null}
      <section aria-labelledby="pathway-situation" className="panel">
        <h2 id="pathway-situation">The situation it is for</h2>
        <dl className="facts facts--stacked">
          <div>
            <dt>Need</dt>
            <dd>{NEED_CATEGORY_LABELS[pathway.need_category]}</dd>
          </div>
          <div>
            <dt>Urgency</dt>
            <dd>{URGENCY_LABELS[pathway.urgency]}</dd>
          </div>
          <div>
            <dt>Ages</dt>
            <dd>{ageRange(pathway.minimum_age, pathway.maximum_age)}</dd>
          </div>
          <div>
            <dt>Regions</dt>
            <dd>{regionNames(pathway.regions)}</dd>
          </div>
          <div>
            <dt>Referring agencies</dt>
            <dd>
              {pathway.referring_agency_kinds.length
                ? pathway.referring_agency_kinds.map((kind) => AGENCY_KIND_LABELS[kind]).join(", ")
                : "Any kind of agency"}
            </dd>
          </div>
          <div>
            <dt>Maintained by</dt>
            <dd>{pathway.agency.name}</dd>
          </div>
        </dl>
        {pathway.description ? <p className="prose">{pathway.description}</p> : null}
      </section>

      <section aria-labelledby="pathway-steps" className="panel">
        <h2 id="pathway-steps">Steps, in order</h2>
        {pathway.steps.length ? (
          <ol className="steps">
            {pathway.steps.map((step) => (
              <li key={step.position} className="step">
                <span className="step__number" aria-hidden="true">
                  {step.position}
                </span>
                <div className="step__body">
                  <p className="step__name">
                    <span className="visually-hidden">Step {step.position}: </span>
                    <Link to={`/directory/services/${step.service.id}`}>{step.service.name}</Link>
                  </p>
                  <p className="step__meta">
                    {step.service.agency.name} · <IntakeTag status={step.service.intake_status} />
                  </p>
                  <p>Respond within {hours(step.response_hours)}.</p>
                  {step.note ? <p className="prose">{step.note}</p> : null}
                </div>
              </li>
            ))}
          </ol>
        ) : (
          <p>No steps yet: a pathway needs at least one before it can be published.</p>
        )}
      </section>

      <Versions pathway={pathway} />
    </>
  );
}

function Versions({ pathway }: { pathway: Pathway }) {
  const versions = usePathways({ lineage: pathway.lineage, status: "all", page_size: 100 });
  return (
    <section aria-labelledby="pathway-versions" className="panel">
      <h2 id="pathway-versions">Versions</h2>
      {versions.isPending ? <Loading what="the versions" /> : null}
      {versions.isError ? <LoadProblem error={versions.error} /> : null}
      {versions.data ? (
        <div className="table-wrap">
          <table className="table">
            <thead>
              <tr>
                <th scope="col">Version</th>
                <th scope="col">Status</th>
                <th scope="col">Published</th>
                <th scope="col">Retired</th>
              </tr>
            </thead>
            <tbody>
              {versions.data.results.map((version) => (
                <tr key={version.id}>
                  <th scope="row">
                    {version.id === pathway.id ? (
                      <>
                        Version {version.version} <span className="visually-hidden">(this one)</span>
                      </>
                    ) : (
                      <Link to={`/directory/pathways/${version.id}`}>Version {version.version}</Link>
                    )}
                  </th>
                  <td>
                    <StatusTag status={version.status} />
                  </td>
                  <td>{version.published_at ? formatDateTime(version.published_at) : "Not published"}</td>
                  <td>{version.retired_at ? formatDateTime(version.retired_at) : "—"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </section>
  );
}

type Change = "publish" | "retire";

const CHANGE_WORDS: Record<Change, { ask: string; confirm: string; done: string }> = {
  publish: {
    ask: "Publish this version",
    confirm: "Yes, publish",
    done: "Published: staff now follow this version, and the one it replaces is retired.",
  },
  retire: {
    ask: "Retire this version",
    confirm: "Yes, retire",
    done: "Retired: this version stays on record but is no longer followed.",
  },
};

function AdminActions({ pathway }: { pathway: Pathway }) {
  const queryClient = useQueryClient();
  const invalidate = useInvalidateDirectory();
  const [asking, setAsking] = useState<Change | null>(null);
  const [done, setDone] = useState("");
  const change = useMutation({
    mutationFn: (what: Change) =>
      what === "publish"
        ? unwrap(api.POST("/api/v1/pathways/{id}/publish/", { params: { path: { id: pathway.id } } }))
        : unwrap(api.POST("/api/v1/pathways/{id}/retire/", { params: { path: { id: pathway.id } } })),
    onSuccess: (updated, what) => {
      queryClient.setQueryData(directoryKeys.pathway(pathway.id), updated);
      setDone(CHANGE_WORDS[what].done);
      setAsking(null);
      void invalidate();
    },
  });
  const possible: Change[] =
    pathway.status === "draft" ? ["publish", "retire"] : pathway.status === "published" ? ["retire"] : [];
  return (
    <section aria-labelledby="pathway-admin" className="panel">
      <h2 id="pathway-admin">Your agency's pathway</h2>
      {pathway.status === "published" ? (
        <p className="field__hint">
          A published version never changes: editing it makes the next draft version, which you
          publish when it is ready.
        </p>
      ) : null}
      <div className="actions">
        {pathway.status !== "retired" ? (
          <Link className="button" to={`/directory/pathways/${pathway.id}/edit`}>
            {pathway.status === "draft" ? "Edit draft" : "Edit as a new version"}
          </Link>
        ) : null}
        {possible.map((what) =>
          asking === what ? (
            <div key={what} className="confirm" role="group" aria-label={`${CHANGE_WORDS[what].ask}?`}>
              <span>{CHANGE_WORDS[what].ask}?</span>
              <button
                type="button"
                className={what === "retire" ? "button button--danger" : "button button--primary"}
                disabled={change.isPending}
                onClick={() => change.mutate(what)}
              >
                {CHANGE_WORDS[what].confirm}
              </button>
              <button type="button" className="button button--quiet" onClick={() => setAsking(null)}>
                Cancel
              </button>
            </div>
          ) : (
            <button
              key={what}
              type="button"
              className="button"
              onClick={() => {
                setDone("");
                change.reset();
                setAsking(what);
              }}
            >
              {CHANGE_WORDS[what].ask}
            </button>
          ),
        )}
      </div>
      <p role="status" className="notice-slot">
        {done}
      </p>
      {change.isError ? <LoadProblem error={change.error} /> : null}
    </section>
  );
}
