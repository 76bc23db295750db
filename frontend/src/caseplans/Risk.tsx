/**
 * The plan's risk: the current signed assessment drawn on the 5 x 5 matrix, earlier ones, and
 * (for the plan's managers) recording a new assessment, which is signed and then supersedes
 * the current one. Signed assessments are never edited.
 */
import { useMutation, useQuery } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";

import { api, unwrap, type Schemas } from "../api/client";
import { formatDay } from "../children/ChildDetails";
import { SelectField, TextField } from "../components/Field";
import { FormFooter, FormOpener } from "../components/FormOpener";
import { errorsFor } from "../components/formErrors";
import { NoticeSlot } from "../components/Notice";
import { Loading } from "../components/Page";
import { FormProblem, LoadProblem } from "../components/Problem";
import { formatDateTime } from "../labels";
import { RISK_DOMAIN_LABELS, type CasePlan, type RiskAssessment } from "./labels";
import { RiskLevelTag } from "./parts";
import { planKeys, usePlanChange, useRefreshPlan, useRiskMatrix } from "./queries";
import { RiskItems, RiskMatrix } from "./RiskMatrix";

type ItemDraft = Record<keyof Schemas["RiskItemInputRequest"], string>;

const EMPTY_ITEM: ItemDraft = {
  domain: "",
  likelihood: "",
  severity: "",
  mitigation: "",
  residual_likelihood: "",
  residual_severity: "",
};

const DOMAINS = (Object.keys(RISK_DOMAIN_LABELS) as Schemas["RiskDomain"][]).map((value) => ({
  value,
  label: RISK_DOMAIN_LABELS[value],
}));

export function Risk({ plan }: { plan: CasePlan }) {
  const shared = plan.disclosed_categories.includes("risk_assessment");
  return (
    <section aria-labelledby="risk-heading" className="panel">
      <h2 id="risk-heading">Risk assessment</h2>
      {shared ? (
        <Assessments plan={plan} />
      ) : (
        <p className="withheld">Risk assessments have not been shared with you.</p>
      )}
    </section>
  );
}

function Assessments({ plan }: { plan: CasePlan }) {
  const [notice, setNotice] = useState("");
  const assessments = useQuery({
    queryKey: planKeys.assessments(plan.id),
    queryFn: () =>
      unwrap(
        api.GET("/api/v1/case-plans/{plan_pk}/risk-assessments/", {
          params: { path: { plan_pk: plan.id }, query: { page_size: 100 } },
        }),
      ),
  });
  const matrix = useRiskMatrix();
  const all = assessments.data?.results ?? [];
  const current = all.find((assessment) => assessment.is_current);
  const draft = all.find((assessment) => assessment.status === "draft");
  const earlier = all.filter((assessment) => assessment.status === "signed" && !assessment.is_current);
  const mayRecord = plan.can_manage && plan.status !== "closed";
  return (
    <>
      <NoticeSlot notice={notice} />
      {assessments.isPending || matrix.isPending ? <Loading what="the risk assessments" /> : null}
      {assessments.isError ? <LoadProblem error={assessments.error} /> : null}
      {matrix.isError ? <LoadProblem error={matrix.error} /> : null}
      {assessments.data && matrix.data ? (
        current ? (
          <>
            <p>
              Current level: <RiskLevelTag level={current.overall_level} /> (highest score after
              mitigation: {current.overall_score ?? "none"}). Signed by {current.signed_by?.name}
              {current.signed_at ? `, ${formatDateTime(current.signed_at)}` : ""}. Re-assess by{" "}
              <time dateTime={current.next_review_date}>{formatDay(current.next_review_date)}</time>.
            </p>
            <RiskMatrix
              matrix={matrix.data}
              items={current.items ?? []}
              caption="The current assessment: likelihood by severity, each risk placed where it stands after mitigation"
            />
            <RiskItems items={current.items ?? []} />
            {current.summary ? <p className="narrative">{current.summary}</p> : null}
          </>
        ) : (
          <p>No risk assessment has been signed for this plan yet.</p>
        )
      ) : null}
      {earlier.length ? (
        <details className="reveal">
          <summary>Earlier assessments ({earlier.length})</summary>
          <ul className="plain-list">
            {earlier.map((assessment) => (
              <li key={assessment.id}>
                Signed {assessment.signed_at ? formatDateTime(assessment.signed_at) : ""} by{" "}
                {assessment.signed_by?.name}: <RiskLevelTag level={assessment.overall_level} />, superseded.
              </li>
            ))}
          </ul>
        </details>
      ) : null}
      {mayRecord && draft ? (
        <SignDraft plan={plan} draft={draft} onSigned={() => setNotice("The assessment is signed and now current.")} />
      ) : null}
      {mayRecord && !draft ? (
        <FormOpener label="Record a new assessment" notify={setNotice}>
          {({ done, cancel }) => (
            <AssessmentForm plan={plan} onDone={() => done("The assessment is signed and now current.")} onCancel={cancel} />
          )}
        </FormOpener>
      ) : null}
    </>
  );
}

function SignDraft({ plan, draft, onSigned }: { plan: CasePlan; draft: RiskAssessment; onSigned: () => void }) {
  const sign = usePlanChange(
    plan.id,
    () =>
      unwrap(
        api.POST("/api/v1/case-plans/{plan_pk}/risk-assessments/{id}/sign/", {
          params: { path: { plan_pk: plan.id, id: draft.id } },
        }),
      ),
    onSigned,
  );
  return (
    <div className="subpanel">
      <h3>A draft waits to be signed</h3>
      <p>
        Started by {draft.created_by.name}, {formatDateTime(draft.created_at)}: {draft.items?.length ?? 0} risk(s),
        level <RiskLevelTag level={draft.overall_level} />.
      </p>
      <RiskItems items={draft.items ?? []} />
      <FormProblem error={sign.error} />
      <button type="button" className="button button--primary" disabled={sign.isPending} onClick={() => sign.mutate()}>
        {sign.isPending ? "Signing…" : "Sign the draft"}
      </button>
    </div>
  );
}

const SCORES = [1, 2, 3, 4, 5].map((value) => ({ value: String(value), label: String(value) }));

function toItem(draft: ItemDraft): Schemas["RiskItemInputRequest"] {
  // Unanswered choices go as they are, for the platform to ask for them beside the field.
  const score = (typed: string) => (typed ? Number(typed) : typed) as number;
  return {
    domain: draft.domain as Schemas["RiskDomain"],
    likelihood: score(draft.likelihood),
    severity: score(draft.severity),
    mitigation: draft.mitigation.trim(),
    residual_likelihood: score(draft.residual_likelihood),
    residual_severity: score(draft.residual_severity),
  };
}

function AssessmentForm({ plan, onDone, onCancel }: { plan: CasePlan; onDone: () => void; onCancel: () => void }) {
  const refresh = useRefreshPlan(plan.id);
  const [items, setItems] = useState<ItemDraft[]>([EMPTY_ITEM]);
  const [nextReview, setNextReview] = useState("");
  const [summary, setSummary] = useState("");
  const record = useMutation({
    mutationFn: async (body: Schemas["RiskAssessmentWriteRequest"]) => {
      const draft = await unwrap(
        api.POST("/api/v1/case-plans/{plan_pk}/risk-assessments/", { params: { path: { plan_pk: plan.id } }, body }),
      );
      return unwrap(
        api.POST("/api/v1/case-plans/{plan_pk}/risk-assessments/{id}/sign/", {
          params: { path: { plan_pk: plan.id, id: draft.id } },
        }),
      );
    },
    onSuccess: onDone,
    // A draft saved but not signed shows up to be signed, whatever happened after.
    onSettled: () => void refresh(),
  });
  const edit = (index: number, changes: Partial<ItemDraft>) =>
    setItems((current) => current.map((item, i) => (i === index ? { ...item, ...changes } : item)));
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    record.mutate({ next_review_date: nextReview, summary: summary.trim(), items: items.map(toItem) });
  };
  const errors = (field: string) => errorsFor(record.error, field);
  return (
    <form className="form form--wide" onSubmit={onSubmit} noValidate aria-labelledby="new-assessment">
      <h3 id="new-assessment">New risk assessment</h3>
      <FormProblem error={record.error} fieldLabels={{ next_review_date: "Re-assess by", summary: "Summary" }} />
      {items.map((item, index) => (
        <fieldset key={index} className="risk-item-editor">
          <legend>Risk {index + 1}</legend>
          <SelectField
            label="Domain"
            name={`items.${index}.domain`}
            value={item.domain}
            onChange={(domain) => edit(index, { domain })}
            options={DOMAINS}
            placeholder="Choose the domain"
            required
            errors={errors(`items.${index}.domain`)}
          />
          <div className="score-row">
            <SelectField label="Likelihood" name={`items.${index}.likelihood`} value={item.likelihood} onChange={(likelihood) => edit(index, { likelihood })} options={SCORES} placeholder="1 to 5" required errors={errors(`items.${index}.likelihood`)} hint="1 rare to 5 almost certain" />
            <SelectField label="Severity" name={`items.${index}.severity`} value={item.severity} onChange={(severity) => edit(index, { severity })} options={SCORES} placeholder="1 to 5" required errors={errors(`items.${index}.severity`)} hint="1 minimal to 5 severe" />
            <SelectField label="Likelihood after mitigation" name={`items.${index}.residual_likelihood`} value={item.residual_likelihood} onChange={(residual_likelihood) => edit(index, { residual_likelihood })} options={SCORES} placeholder="1 to 5" required errors={errors(`items.${index}.residual_likelihood`)} />
            <SelectField label="Severity after mitigation" name={`items.${index}.residual_severity`} value={item.residual_severity} onChange={(residual_severity) => edit(index, { residual_severity })} options={SCORES} placeholder="1 to 5" required errors={errors(`items.${index}.residual_severity`)} />
          </div>
          <TextField
            label="Mitigation"
            name={`items.${index}.mitigation`}
            value={item.mitigation}
            onChange={(mitigation) => edit(index, { mitigation })}
            multiline
            errors={errors(`items.${index}.mitigation`)}
          />
          {items.length > 1 ? (
            <button
              type="button"
              className="button button--quiet button--small"
              onClick={() => setItems((current) => current.filter((_, i) => i !== index))}
            >
              Remove risk {index + 1}
            </button>
          ) : null}
        </fieldset>
      ))}
      <button type="button" className="button button--small" onClick={() => setItems((current) => [...current, EMPTY_ITEM])}>
        Add another risk
      </button>
      <TextField label="Re-assess by" name="next_review_date" type="date" value={nextReview} onChange={setNextReview} required errors={errors("next_review_date")} />
      <TextField label="Summary" name="summary" value={summary} onChange={setSummary} multiline errors={errors("summary")} />
      <FormFooter label="Sign the assessment" pendingLabel="Signing…" pending={record.isPending} onCancel={onCancel} />
    </form>
  );
}
