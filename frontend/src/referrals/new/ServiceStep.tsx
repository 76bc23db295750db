import { useQuery } from "@tanstack/react-query";
import { useId, type Dispatch } from "react";

import { api, unwrap, type Schemas } from "../../api/client";
import { SelectField, TextField } from "../../components/Field";
import { Loading } from "../../components/Page";
import { LoadProblem } from "../../components/Problem";
import { useRegions } from "../../directory/queries";
import { INTAKE_STATUS_LABELS, NEED_CATEGORY_LABELS, URGENCY_LABELS } from "../../labels";
import type { DraftAction, NeedCategory, ReferralDraft, Urgency } from "../draft";
import { StepFrame, useStepSubmit } from "./StepFrame";

type Match = Schemas["MatchResult"];

function useMatches(draft: ReferralDraft) {
  const age = /^\d{1,3}$/.test(draft.age.trim()) ? Number(draft.age.trim()) : undefined;
  const need = draft.matchNeed || undefined;
  const urgency = draft.urgency || undefined;
  return useQuery({
    queryKey: ["pathways", "match", need, urgency, age, draft.region],
    queryFn: () =>
      unwrap(
        api.GET("/api/v1/pathways/match/", {
          params: {
            query: {
              need: need as NeedCategory,
              urgency: urgency as Urgency,
              age,
              region: draft.region || undefined,
            },
          },
        }),
      ),
    enabled: need !== undefined && urgency !== undefined,
  });
}

export function ServiceStep({
  draft,
  dispatch,
  number,
  focus,
  next,
  back,
}: {
  draft: ReferralDraft;
  dispatch: Dispatch<DraftAction>;
  number: number;
  focus: boolean;
  next: () => void;
  back: () => void;
}) {
  const { problem, submit, errorsFor } = useStepSubmit("service", draft, next);
  const regions = useRegions();
  const matches = useMatches(draft);
  const needOptions = draft.needs.map((need) => ({ value: need, label: NEED_CATEGORY_LABELS[need] }));
  return (
    <StepFrame
      step="service"
      number={number}
      focus={focus}
      problem={problem}
      fieldLabels={{ service: "Service" }}
      onBack={back}
      onContinue={() => void submit()}
    >
      <p className="field__hint">
        Services are suggested from the referral pathways first, then from the rest of the
        directory, each with why it fits. Services closed to new referrals cannot be chosen.
      </p>
      <div className="form__row">
        <SelectField
          label="Suggest services for"
          name="match_need"
          value={draft.matchNeed}
          onChange={(value) => dispatch({ type: "setMatch", field: "matchNeed", value })}
          options={needOptions}
          required
        />
        <SelectField
          label="Region"
          name="region"
          value={draft.region}
          onChange={(value) => dispatch({ type: "setMatch", field: "region", value })}
          options={(regions.data ?? []).map((region) => ({ value: region.code, label: region.name }))}
          placeholder="Any region"
        />
        <TextField
          label="Child's age in years"
          name="age"
          type="number"
          value={draft.age}
          onChange={(value) => dispatch({ type: "setMatch", field: "age", value })}
          hint="Filled in from the date of birth when there is one."
        />
      </div>
      <fieldset
        className={errorsFor("service") ? "field matches field--invalid" : "field matches"}
        aria-describedby={errorsFor("service") ? "service-error" : undefined}
      >
        <legend className="field__label">
          Services for {draft.matchNeed ? NEED_CATEGORY_LABELS[draft.matchNeed].toLowerCase() : "the need"}
          {draft.urgency ? `, ${URGENCY_LABELS[draft.urgency].toLowerCase()}` : ""}
        </legend>
        {errorsFor("service") ? (
          <ul id="service-error" className="field__errors">
            {errorsFor("service")!.map((message) => (
              <li key={message}>
                <span className="visually-hidden">Error:</span> {message}
              </li>
            ))}
          </ul>
        ) : null}
        {matches.isLoading ? <Loading what="matching services" /> : null}
        {matches.isError ? <LoadProblem error={matches.error} /> : null}
        {matches.data && matches.data.matches.length === 0 ? (
          <p>No service in the directory fits. Try another region or need, or leave the age out.</p>
        ) : null}
        {matches.data?.matches.map((match) => (
          <MatchOption
            key={`${match.service.id}-${match.pathway?.id ?? "directory"}`}
            match={match}
            chosen={
              draft.service?.id === match.service.id &&
              draft.service.pathway === (match.pathway?.id ?? null)
            }
            onChoose={() =>
              dispatch({
                type: "chooseService",
                service: {
                  id: match.service.id,
                  name: match.service.name,
                  agency: match.service.agency,
                  pathway: match.pathway?.id ?? null,
                  pathwayName: match.pathway?.name ?? null,
                },
              })
            }
          />
        ))}
      </fieldset>
      {draft.service && !matches.data?.matches.some((m) => m.service.id === draft.service!.id) ? (
        <p>
          Chosen earlier: <strong>{draft.service.name}</strong> ({draft.service.agency.name}).
        </p>
      ) : null}
    </StepFrame>
  );
}

function MatchOption({ match, chosen, onChoose }: { match: Match; chosen: boolean; onChoose: () => void }) {
  const id = useId();
  const closed = match.service.intake_status === "closed";
  return (
    <div className={closed ? "match match--closed" : chosen ? "match match--chosen" : "match"}>
      <input
        type="radio"
        id={id}
        name="service"
        checked={chosen}
        disabled={closed}
        aria-describedby={`${id}-why`}
        onChange={onChoose}
      />
      <label htmlFor={id}>
        <span className="match__name">{match.service.name}</span>
        <span className="match__agency">{match.service.agency.name}</span>
      </label>
      <div id={`${id}-why`} className="match__why">
        <p>
          <span className={`match__intake match__intake--${match.service.intake_status}`}>
            {INTAKE_STATUS_LABELS[match.service.intake_status]}
          </span>{" "}
          {match.pathway
            ? `Step ${match.step} of the pathway “${match.pathway.name}”.`
            : "From the directory."}{" "}
          Responds within {match.response_hours} h.
        </p>
        <ul className="match__reasons">
          {match.reasons.map((reason) => (
            <li key={reason.code}>{reason.detail}</li>
          ))}
        </ul>
      </div>
    </div>
  );
}
