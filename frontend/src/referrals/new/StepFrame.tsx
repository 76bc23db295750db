import { useEffect, useRef, useState, type FormEvent, type ReactNode } from "react";

import { ApiError } from "../../api/errors";
import { FormProblem } from "../../components/Problem";
import { missingFor, STEP_TITLES, type ReferralDraft, type StepId } from "../draft";
import "../referrals.css";

/** Client-side gaps, shown exactly like the platform's own field messages. */
export function incomplete(missing: Record<string, string[]>): ApiError {
  return new ApiError(400, "invalid", "", missing);
}

/**
 * Leaving a step: check what it needs, run what it must save (e.g. the child's record), and
 * only then move on. A failure stays on the step with everything typed still in place.
 */
export function useStepSubmit(step: StepId, draft: ReferralDraft, next: () => void) {
  const [problem, setProblem] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  /** `save` may answer `false` to stay on the step (to show something first). */
  const submit = async (save?: () => Promise<boolean | void>) => {
    const missing = missingFor(step, draft);
    if (Object.keys(missing).length) {
      setProblem(incomplete(missing));
      return;
    }
    setProblem(null);
    setBusy(true);
    try {
      if ((await save?.()) !== false) next();
    } catch (error) {
      setProblem(error);
    } finally {
      setBusy(false);
    }
  };
  const errorsFor = (field: string) => (problem instanceof ApiError ? problem.errorsFor(field) : undefined);
  return { problem, setProblem, busy, submit, errorsFor };
}

export function StepFrame({
  step,
  number,
  focus,
  problem,
  fieldLabels,
  busy = false,
  onBack,
  onContinue,
  continueLabel = "Continue",
  nested = false,
  children,
}: {
  step: StepId;
  number: number;
  /** Move focus to the step's heading (after moving between steps, not on arrival). */
  focus: boolean;
  problem: unknown;
  fieldLabels?: Record<string, string>;
  busy?: boolean;
  onBack?: () => void;
  onContinue?: () => void;
  continueLabel?: string;
  /** The step holds forms of its own, so it cannot be one form itself. */
  nested?: boolean;
  children: ReactNode;
}) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    if (focus) heading.current?.focus();
  }, [focus]);
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    onContinue?.();
  };
  const id = `step-${step}`;
  const buttons = { busy, onBack, onContinue, continueLabel };
  return (
    <section aria-labelledby={id} className="panel wizard-step">
      <h2 id={id} tabIndex={-1} ref={heading}>
        <span className="wizard-step__number">Step {number}:</span> {STEP_TITLES[step]}
      </h2>
      <FormProblem error={problem} fieldLabels={fieldLabels} />
      {nested ? (
        <div className="form wizard__form">
          {children}
          <StepButtons {...buttons} submits={false} />
        </div>
      ) : (
        <form onSubmit={onSubmit} noValidate className="form wizard__form">
          {children}
          <StepButtons {...buttons} submits />
        </form>
      )}
    </section>
  );
}

function StepButtons({
  busy,
  onBack,
  onContinue,
  continueLabel,
  submits,
}: {
  busy: boolean;
  onBack?: () => void;
  onContinue?: () => void;
  continueLabel: string;
  submits: boolean;
}) {
  if (!onContinue && !onBack) return null;
  return (
    <div className="action-bar">
      {onBack ? (
        <button type="button" className="button" onClick={onBack}>
          Back
        </button>
      ) : null}
      {onContinue ? (
        <button
          type={submits ? "submit" : "button"}
          className="button button--primary"
          disabled={busy}
          onClick={submits ? undefined : onContinue}
        >
          {busy ? "Saving…" : continueLabel}
        </button>
      ) : null}
    </div>
  );
}
