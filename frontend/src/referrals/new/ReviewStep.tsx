import { useMutation } from "@tanstack/react-query";
import type { Dispatch, ReactNode } from "react";

import { api, unwrap, type Schemas } from "../../api/client";
import { FormProblem } from "../../components/Problem";
import { DATA_CATEGORY_LABELS, NEED_CATEGORY_LABELS, PURPOSE_LABELS, URGENCY_LABELS } from "../../labels";
import {
  createBody,
  draftUpdateBody,
  STEP_TITLES,
  type DraftAction,
  type ReferralDraft,
  type StepId,
} from "../draft";
import { isNoBasis } from "../labels";
import { useSharingDecision } from "./SharingStep";
import { StepFrame } from "./StepFrame";

const FIELD_LABELS: Record<string, string> = {
  service: "Service",
  pathway: "Pathway",
  urgency: "Urgency",
  need_categories: "Needs",
  concern: "The concern",
  shared_categories: "What is shared",
  purpose: "Purpose",
  override: "Authorisation to share without consent",
  child: "The child",
  parent: "The referral it follows",
};

export function ReviewStep({
  draft,
  dispatch,
  number,
  focus,
  back,
  parentReference,
  onFinished,
}: {
  draft: ReferralDraft;
  dispatch: Dispatch<DraftAction>;
  number: number;
  focus: boolean;
  back: () => void;
  parentReference: string | null;
  onFinished: (referral: Schemas["Referral"], sent: boolean) => void;
}) {
  const decision = useSharingDecision(draft);
  const covered = decision.data?.outcome === "allowed" || draft.override !== null;
  const save = useMutation({
    mutationFn: async (andSend: boolean) => {
      let referral: Schemas["Referral"];
      if (draft.referralId === null) {
        referral = await unwrap(api.POST("/api/v1/referrals/", { body: createBody(draft) }));
        // Kept at once: trying again after a failed send updates this draft, never a second one.
        dispatch({ type: "created", referralId: referral.id });
      } else {
        referral = await unwrap(
          api.PATCH("/api/v1/referrals/{id}/", {
            params: { path: { id: draft.referralId } },
            body: draftUpdateBody(draft),
          }),
        );
      }
      if (andSend) {
        referral = await unwrap(
          api.POST("/api/v1/referrals/{id}/send/", { params: { path: { id: referral.id } }, body: {} }),
        );
      }
      return { referral, andSend };
    },
    onSuccess: ({ referral, andSend }) => onFinished(referral, andSend),
  });
  const go = (step: StepId) => dispatch({ type: "go", step });
  const refusal = isNoBasis(save.error) ? save.error : null;
  const childFixed = draft.parent !== null || draft.referralId !== null;

  return (
    <StepFrame step="review" number={number} focus={focus} problem={null} onBack={back} nested>
      <dl className="review">
        <ReviewItem title="The child" step="child" onChange={childFixed ? undefined : go}>
          {draft.parent
            ? `${draft.child?.reference ?? "The same child"}, as in referral ${parentReference ?? ""}`.trim()
            : `${draft.child?.reference ?? ""}${draft.childMode === "anonymous" ? " (anonymous)" : ""}`}
        </ReviewItem>
        <ReviewItem title="Urgency" step="concern" onChange={go}>
          {draft.urgency ? URGENCY_LABELS[draft.urgency] : ""}
        </ReviewItem>
        <ReviewItem title="The concern" step="concern" onChange={go}>
          <span className="narrative">{draft.concern}</span>
        </ReviewItem>
        <ReviewItem title="Needs" step="needs" onChange={go}>
          {draft.needs.map((need) => NEED_CATEGORY_LABELS[need]).join(", ")}
        </ReviewItem>
        <ReviewItem title="Service" step="service" onChange={go}>
          {draft.service ? `${draft.service.name}, ${draft.service.agency.name}` : ""}
          {draft.service?.pathwayName ? ` (pathway “${draft.service.pathwayName}”)` : ""}
        </ReviewItem>
        <ReviewItem title="What is shared" step="sharing" onChange={go}>
          {draft.categories.map((category) => DATA_CATEGORY_LABELS[category]).join(", ")}, for{" "}
          {PURPOSE_LABELS[draft.purpose].toLowerCase()}, on{" "}
          {draft.override
            ? "an authorised override (without consent)"
            : decision.data?.outcome === "allowed"
              ? "the child's consent"
              : "no basis yet"}
        </ReviewItem>
      </dl>
      {!covered && decision.data ? (
        <div className="notice notice--warning" role="status">
          <p>
            Consent does not cover this share and no authorised override is chosen: the referral can
            be saved as a draft, but not sent yet.
          </p>
          <button type="button" className="button button--small" onClick={() => go("sharing")}>
            Go to {STEP_TITLES.sharing}
          </button>
        </div>
      ) : null}
      {refusal ? (
        <div className="problem" role="alert">
          <p className="problem__title">
            The referral was saved as a draft but not sent: there is no basis to share it.
          </p>
          <p>{refusal.detail}</p>
          <p>
            <button type="button" className="button button--small" onClick={() => go("sharing")}>
              Record consent or choose an authorisation
            </button>
          </p>
        </div>
      ) : (
        <FormProblem error={save.error} fieldLabels={FIELD_LABELS} />
      )}
      <div className="action-bar">
        <button
          type="button"
          className="button button--primary"
          disabled={save.isPending}
          onClick={() => save.mutate(true)}
        >
          {save.isPending && save.variables ? "Sending…" : "Send referral"}
        </button>
        <button type="button" className="button" disabled={save.isPending} onClick={() => save.mutate(false)}>
          {save.isPending && !save.variables ? "Saving…" : "Save as draft"}
        </button>
      </div>
    </StepFrame>
  );
}

function ReviewItem({
  title,
  step,
  onChange,
  children,
}: {
  title: string;
  step: StepId;
  onChange?: (step: StepId) => void;
  children: ReactNode;
}) {
  return (
    <div className="review__item">
      <dt>{title}</dt>
      <dd>{children}</dd>
      {onChange ? (
        <dd className="review__change">
          <button type="button" className="button button--small button--quiet" onClick={() => onChange(step)}>
            Change<span className="visually-hidden"> {title.toLowerCase()}</span>
          </button>
        </dd>
      ) : null}
    </div>
  );
}
