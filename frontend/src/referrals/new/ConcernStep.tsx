import type { Dispatch } from "react";

import { choicesFrom, CheckboxGroup, RadioGroup } from "../../components/Choices";
import { TextField } from "../../components/Field";
import { NEED_CATEGORY_LABELS, URGENCY_LABELS, URGENCY_MEANINGS } from "../../labels";
import type { DraftAction, ReferralDraft, Urgency } from "../draft";
import { StepFrame, useStepSubmit } from "./StepFrame";

const URGENCIES = (Object.keys(URGENCY_LABELS) as Urgency[]).map((value) => ({
  value,
  label: URGENCY_LABELS[value],
  hint: URGENCY_MEANINGS[value],
}));
const NEEDS = choicesFrom(NEED_CATEGORY_LABELS);

interface StepProps {
  draft: ReferralDraft;
  dispatch: Dispatch<DraftAction>;
  number: number;
  focus: boolean;
  next: () => void;
  back?: () => void;
}

export function ConcernStep({ draft, dispatch, number, focus, next, back }: StepProps) {
  const { problem, submit, errorsFor } = useStepSubmit("concern", draft, next);
  return (
    <StepFrame
      step="concern"
      number={number}
      focus={focus}
      problem={problem}
      fieldLabels={{ concern: "The concern", urgency: "Urgency" }}
      onBack={back}
      onContinue={() => void submit()}
    >
      <TextField
        label="The concern"
        name="concern"
        value={draft.concern}
        onChange={(concern) => dispatch({ type: "setConcern", concern })}
        multiline
        required
        hint={
          "What was disclosed or seen, in the child's words where you can. It is stored " +
          "encrypted, and the receiving service reads it only when they choose to."
        }
        errors={errorsFor("concern")}
      />
      <RadioGroup
        legend="How urgent is it?"
        name="urgency"
        options={URGENCIES}
        value={draft.urgency}
        onChange={(urgency) => dispatch({ type: "setUrgency", urgency })}
        errors={errorsFor("urgency")}
        required
      />
    </StepFrame>
  );
}

export function NeedsStep({ draft, dispatch, number, focus, next, back }: StepProps) {
  const { problem, submit, errorsFor } = useStepSubmit("needs", draft, next);
  return (
    <StepFrame
      step="needs"
      number={number}
      focus={focus}
      problem={problem}
      fieldLabels={{ need_categories: "Needs" }}
      onBack={back}
      onContinue={() => void submit()}
    >
      <CheckboxGroup
        legend="What does the child need from this referral?"
        name="need_categories"
        hint="Choose every need that applies. Services are suggested for one need at a time."
        options={NEEDS}
        value={draft.needs}
        onChange={(needs) => dispatch({ type: "setNeeds", needs })}
        errors={errorsFor("need_categories")}
        required
      />
    </StepFrame>
  );
}
