import { useQuery } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";
import { Link, useSearchParams } from "react-router";

import { api, unwrap, type Schemas } from "../api/client";
import { activeAgency, useCurrentUser } from "../auth/session";
import { Loading, Page } from "../components/Page";
import { LoadProblem } from "../components/Problem";
import { formatDateTime } from "../labels";
import { STEP_TITLES, stepsFor, useReferralDraft, type StepId } from "../referrals/draft";
import { ChildStep } from "../referrals/new/ChildStep";
import { ConcernStep, NeedsStep } from "../referrals/new/ConcernStep";
import { ReviewStep } from "../referrals/new/ReviewStep";
import { ServiceStep } from "../referrals/new/ServiceStep";
import { SharingStep } from "../referrals/new/SharingStep";
import { referralKey } from "./ReferralDetailPage";

/**
 * The helpline flow: who the child is, the concern and its urgency, the needs, a matched
 * service, the basis for sharing, then a last look before sending. With `?parent=<id>` it
 * is an onward referral about the same child.
 */
export function NewReferralPage() {
  const [params] = useSearchParams();
  const parentId = params.get("parent");
  const parent = useQuery({
    queryKey: referralKey(parentId ?? ""),
    queryFn: () => unwrap(api.GET("/api/v1/referrals/{id}/", { params: { path: { id: parentId! } } })),
    enabled: parentId !== null,
  });
  // A fresh flow each round: "make another referral" starts from nothing.
  const [round, setRound] = useState(0);
  const [finished, setFinished] = useState<{ referral: Schemas["Referral"]; sent: boolean } | null>(null);

  return (
    <Page title={parentId ? "Onward referral" : "New referral"}>
      {parentId && parent.isPending ? <Loading what="the referral it follows" /> : null}
      {parentId && parent.isError ? <LoadProblem error={parent.error} /> : null}
      {finished ? (
        <Finished
          {...finished}
          onAnother={() => {
            setFinished(null);
            setRound((current) => current + 1);
          }}
        />
      ) : !parentId || parent.data ? (
        <Flow
          key={round}
          parent={parent.data ?? null}
          onFinished={(referral, sent) => setFinished({ referral, sent })}
        />
      ) : null}
    </Page>
  );
}

function Flow({
  parent,
  onFinished,
}: {
  parent: Schemas["Referral"] | null;
  onFinished: (referral: Schemas["Referral"], sent: boolean) => void;
}) {
  const me = useCurrentUser();
  const [draft, dispatch] = useReferralDraft({
    parent: parent?.id ?? null,
    region: activeAgency(me)?.region.code ?? "",
  });
  const steps = stepsFor(draft);
  const index = steps.indexOf(draft.step);
  const moved = useRef(false);
  const go = (step: StepId) => {
    moved.current = true;
    dispatch({ type: "go", step });
  };
  const next = () => go(steps[index + 1]!);
  const back = () => go(steps[index - 1]!);

  // An onward referral is about the child of the referral it follows.
  useEffect(() => {
    if (parent) {
      dispatch({
        type: "setChild",
        child: {
          id: parent.child.id,
          reference: parent.child.reference,
          date_of_birth: parent.child.date_of_birth ?? null,
        },
      });
    }
  }, [parent, dispatch]);

  const common = { draft, dispatch, number: index + 1, focus: moved.current };
  return (
    <>
      {parent ? (
        <p className="lede">
          Onward from referral {parent.reference}, about the same child ({parent.child.reference}).
        </p>
      ) : (
        <p className="lede">What you type is kept while you move between steps, until you send it.</p>
      )}
      <nav aria-label="Steps" className="wizard-steps">
        <ol>
          {steps.map((step, position) => (
            <li key={step} className={position < index ? "wizard-steps__done" : undefined}>
              {position < index ? (
                <button type="button" className="button--link" onClick={() => go(step)}>
                  {STEP_TITLES[step]}
                  <span className="visually-hidden"> (done: go back to it)</span>
                </button>
              ) : (
                <span aria-current={position === index ? "step" : undefined}>{STEP_TITLES[step]}</span>
              )}
            </li>
          ))}
        </ol>
      </nav>
      {draft.step === "child" ? <ChildStep {...common} next={next} /> : null}
      {draft.step === "concern" ? (
        <ConcernStep {...common} next={next} back={index > 0 ? back : undefined} />
      ) : null}
      {draft.step === "needs" ? <NeedsStep {...common} next={next} back={back} /> : null}
      {draft.step === "service" ? <ServiceStep {...common} next={next} back={back} /> : null}
      {draft.step === "sharing" ? <SharingStep {...common} next={next} back={back} /> : null}
      {draft.step === "review" ? (
        <ReviewStep
          {...common}
          back={back}
          parentReference={parent?.reference ?? null}
          onFinished={onFinished}
        />
      ) : null}
    </>
  );
}

function Finished({
  referral,
  sent,
  onAnother,
}: {
  referral: Schemas["Referral"];
  sent: boolean;
  onAnother: () => void;
}) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);
  return (
    <section aria-labelledby="finished" className="panel panel--done">
      <h2 id="finished" tabIndex={-1} ref={heading}>
        {sent ? `Referral ${referral.reference} sent` : `Referral ${referral.reference} saved as a draft`}
      </h2>
      {sent ? (
        <p>
          {referral.service.name} ({referral.to_agency.name}) has been told.
          {referral.acknowledge_by
            ? ` They must acknowledge it by ${formatDateTime(referral.acknowledge_by)}; ` +
              "you will be notified when they do."
            : ""}
        </p>
      ) : (
        <p>It has not been sent. Open it to send it once sharing is covered.</p>
      )}
      <div className="action-bar">
        <Link to={`/referrals/${referral.id}`} className="button button--primary">
          Open referral {referral.reference}
        </Link>
        <button type="button" className="button" onClick={onAnother}>
          Make another referral
        </button>
      </div>
    </section>
  );
}
