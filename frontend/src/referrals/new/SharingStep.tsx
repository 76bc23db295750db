import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type Dispatch, type FormEvent } from "react";

import { api, unwrap, type Schemas } from "../../api/client";
import { ApiError } from "../../api/errors";
import { can, useCurrentUser } from "../../auth/session";
import { CheckboxGroup, RadioGroup } from "../../components/Choices";
import { SelectField, TextField } from "../../components/Field";
import { Loading } from "../../components/Page";
import { FormProblem, LoadProblem } from "../../components/Problem";
import {
  AGENCY_KIND_LABELS,
  DATA_CATEGORY_LABELS,
  formatDateTime,
  GIVEN_BY_LABELS,
  PURPOSE_LABELS,
} from "../../labels";
import {
  ALWAYS_SHARED,
  consentBody,
  type ConsentForm,
  type DataCategory,
  type DraftAction,
  type Purpose,
  type ReferralDraft,
} from "../draft";
import { StepFrame } from "./StepFrame";

type Override = Schemas["Override"];

const OPTIONAL_CATEGORIES = (["identity", "contact", "health"] as const).map((value) => ({
  value,
  label: DATA_CATEGORY_LABELS[value],
}));
const PURPOSES = (Object.keys(PURPOSE_LABELS) as Purpose[]).map((value) => ({
  value,
  label: PURPOSE_LABELS[value],
}));

export const sharingKeys = {
  decision: (draft: ReferralDraft) =>
    [
      "sharing",
      "decision",
      draft.child?.id,
      draft.service?.agency.id,
      draft.categories,
      draft.purpose,
    ] as const,
  overrides: (childId: string | undefined) => ["sharing", "overrides", childId] as const,
};

/** Whether consent covers sending this referral: asked of the platform, which changes nothing. */
export function useSharingDecision(draft: ReferralDraft) {
  return useQuery({
    queryKey: sharingKeys.decision(draft),
    queryFn: () =>
      unwrap(
        api.POST("/api/v1/children/{id}/sharing-decision/", {
          params: { path: { id: draft.child!.id } },
          body: {
            recipient_agency: draft.service!.agency.id,
            categories: draft.categories,
            purpose: draft.purpose,
          },
        }),
      ),
    enabled: Boolean(draft.child && draft.service),
  });
}

/** This agency's override requests for the child that would cover this referral's share. */
export function useCoveringOverrides(draft: ReferralDraft) {
  return useQuery({
    queryKey: sharingKeys.overrides(draft.child?.id),
    queryFn: async () =>
      (
        await unwrap(
          api.GET("/api/v1/sharing-overrides/", {
            params: { query: { child: draft.child!.id, page_size: 100 } },
          }),
        )
      ).results,
    enabled: Boolean(draft.child),
    select: (overrides) => overrides.filter((override) => covers(override, draft)),
  });
}

function covers(override: Override, draft: ReferralDraft): boolean {
  return (
    override.recipient_agency.id === draft.service?.agency.id &&
    override.purpose === draft.purpose &&
    draft.categories.every((category) => override.categories.includes(category))
  );
}

export function usable(override: Override, now = new Date()): boolean {
  return (
    override.status === "authorised" &&
    override.expires_at !== null &&
    new Date(override.expires_at).getTime() > now.getTime()
  );
}

type OptionalCategory = (typeof OPTIONAL_CATEGORIES)[number]["value"];

function isOptional(category: DataCategory): category is OptionalCategory {
  return category !== ALWAYS_SHARED;
}

export function SharingStep({
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
  const decision = useSharingDecision(draft);
  const recipient = draft.service!.agency;
  return (
    <StepFrame
      step="sharing"
      number={number}
      focus={focus}
      problem={null}
      onBack={back}
      onContinue={next}
      nested
    >
      <p>
        The referral shares information about <strong>{draft.child?.reference}</strong> with{" "}
        <strong>{recipient.name}</strong>. The concern narrative is always shared with a referral.
      </p>
      <div className="form__row">
        <CheckboxGroup
          legend="What else to share"
          name="shared_categories"
          hint="Only what the service needs to help."
          options={OPTIONAL_CATEGORIES}
          value={draft.categories.filter(isOptional)}
          onChange={(categories) =>
            dispatch({ type: "setCategories", categories: [...categories, ALWAYS_SHARED] as DataCategory[] })
          }
        />
        <SelectField
          label="Purpose"
          name="purpose"
          value={draft.purpose}
          onChange={(purpose) => dispatch({ type: "setPurpose", purpose: purpose as Purpose })}
          options={PURPOSES}
          required
        />
      </div>
      <section aria-labelledby="sharing-decision" className="decision">
        <h3 id="sharing-decision">Can it be shared?</h3>
        {decision.isLoading ? <Loading what="the sharing decision" /> : null}
        {decision.isError ? <LoadProblem error={decision.error} /> : null}
        {decision.data ? <Decision decision={decision.data} draft={draft} dispatch={dispatch} /> : null}
      </section>
    </StepFrame>
  );
}

function Decision({
  decision,
  draft,
  dispatch,
}: {
  decision: Schemas["SharingDecision"];
  draft: ReferralDraft;
  dispatch: Dispatch<DraftAction>;
}) {
  if (decision.outcome === "allowed") {
    return (
      <p className="notice" role="status">
        Yes: {decision.detail} The referral can be sent.
      </p>
    );
  }
  return (
    <>
      <div className="notice notice--warning" role="status">
        <p>Not yet: {decision.detail}</p>
        <p>
          Record the child's consent below. Only where there is a risk of significant harm, ask to
          share without consent on a lawful basis.
        </p>
      </div>
      <ConsentCapture draft={draft} dispatch={dispatch} />
      <OverrideSection draft={draft} dispatch={dispatch} />
    </>
  );
}

const CONSENT_LABELS: Record<string, string> = {
  decision: "Decision",
  given_by: "Who decided",
  given_by_relationship: "Relationship to the child",
  given_by_name: "Their name",
  child_competent: "Competent to decide",
  capacity_note: "How capacity was assessed",
  recipient_agencies: "Who it covers",
  recipient_kinds: "Who it covers",
  categories: "Information it covers",
  valid_until: "Valid until",
};

function ConsentCapture({ draft, dispatch }: { draft: ReferralDraft; dispatch: Dispatch<DraftAction> }) {
  const queryClient = useQueryClient();
  const form = draft.consentForm;
  const recipient = draft.service!.agency;
  const [recorded, setRecorded] = useState("");
  const edit = (changes: Partial<ConsentForm>) => dispatch({ type: "editConsent", changes });
  const record = useMutation({
    mutationFn: (body: Schemas["ConsentCreateRequest"]) => unwrap(api.POST("/api/v1/consents/", { body })),
    onSuccess: (consent) => {
      setRecorded(
        consent.status === "active"
          ? "Consent recorded."
          : "The refusal was recorded: sharing now needs an authorised override.",
      );
      dispatch({ type: "consentRecorded" });
      void queryClient.invalidateQueries({ queryKey: ["sharing"] });
    },
  });
  const errors = (field: string) =>
    record.error instanceof ApiError ? record.error.errorsFor(field) : undefined;
  const missing = (): Record<string, string[]> => {
    const gaps: Record<string, string[]> = {};
    if (!form.given_by) gaps.given_by = ["Say who decided."];
    return gaps;
  };
  const [gaps, setGaps] = useState<Record<string, string[]>>({});
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    setRecorded("");
    const found = missing();
    setGaps(found);
    if (Object.keys(found).length) return;
    record.mutate(consentBody(draft, form));
  };
  const fieldErrors = (field: string) => gaps[field] ?? errors(field);

  return (
    <section aria-labelledby="consent-capture" className="subpanel">
      <h4 id="consent-capture">Record the child's consent</h4>
      <p className="field__hint">
        It covers sharing{" "}
        {draft.categories.map((category) => DATA_CATEGORY_LABELS[category].toLowerCase()).join(", ")}{" "}
        for{" "}
        {PURPOSE_LABELS[draft.purpose].toLowerCase()}.
      </p>
      <p role="status" className="notice-slot">
        {recorded}
      </p>
      <FormProblem error={record.error} fieldLabels={CONSENT_LABELS} />
      <form onSubmit={onSubmit} noValidate className="form">
        <RadioGroup
          legend="Decision"
          name="decision"
          options={[
            { value: "active", label: "Consent given" },
            { value: "refused", label: "Consent refused" },
          ]}
          value={form.decision}
          onChange={(decision) => edit({ decision })}
          errors={errors("decision")}
          required
        />
        <RadioGroup
          legend="Who decided"
          name="given_by"
          options={(Object.keys(GIVEN_BY_LABELS) as Schemas["GivenByEnum"][]).map((value) => ({
            value,
            label: GIVEN_BY_LABELS[value],
          }))}
          value={form.given_by}
          onChange={(given_by) => edit({ given_by })}
          errors={fieldErrors("given_by")}
          required
        />
        {form.given_by === "child" ? (
          <RadioGroup
            legend="Is the child competent to make this decision?"
            name="child_competent"
            hint="Their understanding of what will be shared, with whom and why."
            options={[
              { value: "yes", label: "Yes" },
              { value: "no", label: "No" },
            ]}
            value={form.child_competent}
            onChange={(child_competent) => edit({ child_competent })}
            errors={errors("child_competent")}
            required
          />
        ) : null}
        {form.given_by && form.given_by !== "child" ? (
          <div className="form__row">
            <TextField
              label={CONSENT_LABELS.given_by_relationship!}
              name="given_by_relationship"
              value={form.given_by_relationship}
              onChange={(given_by_relationship) => edit({ given_by_relationship })}
              errors={errors("given_by_relationship")}
              autoComplete="off"
              required
            />
            <TextField
              label={CONSENT_LABELS.given_by_name!}
              name="given_by_name"
              value={form.given_by_name}
              onChange={(given_by_name) => edit({ given_by_name })}
              errors={errors("given_by_name")}
              autoComplete="off"
            />
          </div>
        ) : null}
        <TextField
          label={CONSENT_LABELS.capacity_note!}
          name="capacity_note"
          value={form.capacity_note}
          onChange={(capacity_note) => edit({ capacity_note })}
          errors={errors("capacity_note")}
          multiline
        />
        <RadioGroup
          legend="Who it covers"
          name="recipients"
          options={[
            { value: "agency", label: `${recipient.name} only` },
            { value: "kind", label: `Any ${AGENCY_KIND_LABELS[recipient.kind].toLowerCase()} agency` },
          ]}
          value={form.recipients}
          onChange={(recipients) => edit({ recipients })}
          errors={errors("recipient_agencies") ?? errors("recipient_kinds")}
          required
        />
        <CheckboxGroup
          legend="Other kinds of agency it also covers"
          name="also_kinds"
          hint="Only if the child (or their parent or carer) agreed, e.g. the police joining their case team later."
          options={(Object.keys(AGENCY_KIND_LABELS) as Schemas["AgencyKind"][])
            .filter((kind) => kind !== recipient.kind)
            .map((value) => ({ value, label: AGENCY_KIND_LABELS[value] }))}
          value={form.also_kinds}
          onChange={(also_kinds) => edit({ also_kinds })}
        />
        <CheckboxGroup
          legend="Other information it also covers"
          name="also_categories"
          options={(Object.keys(DATA_CATEGORY_LABELS) as DataCategory[])
            .filter((category) => !draft.categories.includes(category))
            .map((value) => ({ value, label: DATA_CATEGORY_LABELS[value] }))}
          value={form.also_categories}
          onChange={(also_categories) => edit({ also_categories })}
        />
        <TextField
          label={CONSENT_LABELS.valid_until!}
          name="valid_until"
          type="date"
          value={form.valid_until}
          onChange={(valid_until) => edit({ valid_until })}
          hint="Leave empty when it has no end date; it can be withdrawn at any time."
          errors={errors("valid_until")}
        />
        <button type="submit" className="button button--primary" disabled={record.isPending}>
          {record.isPending ? "Recording…" : "Record consent decision"}
        </button>
      </form>
    </section>
  );
}

const OVERRIDE_LABELS = { lawful_basis: "Lawful basis", justification: "Justification" };

function decidedBy(override: Override): string {
  return override.authorised_by?.username ?? "a duty manager";
}

function OverrideSection({ draft, dispatch }: { draft: ReferralDraft; dispatch: Dispatch<DraftAction> }) {
  const me = useCurrentUser();
  const isDutyManager = can(me, "sharing.authorise_override");
  const queryClient = useQueryClient();
  const overrides = useCoveringOverrides(draft);
  const bases = useQuery({
    queryKey: ["lawful-bases"],
    queryFn: () => unwrap(api.GET("/api/v1/lawful-bases/")),
    staleTime: Infinity,
  });
  const form = draft.overrideForm;
  const request = useMutation({
    mutationFn: (body: Schemas["OverrideRequestRequest"]) =>
      unwrap(api.POST("/api/v1/sharing-overrides/", { body })),
    onSuccess: (override) => {
      dispatch({ type: "overrideRequested" });
      if (usable(override)) dispatch({ type: "useOverride", override: override.id });
      void queryClient.invalidateQueries({ queryKey: sharingKeys.overrides(draft.child?.id) });
    },
  });
  const errors = (field: string) =>
    request.error instanceof ApiError ? request.error.errorsFor(field) : undefined;
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    request.mutate({
      child: draft.child!.id,
      recipient_agency: draft.service!.agency.id,
      categories: draft.categories,
      purpose: draft.purpose,
      lawful_basis: form.lawful_basis as Schemas["LawfulBasisEnum"],
      justification: form.justification,
    });
  };
  const authorised = overrides.data?.filter((override) => usable(override)) ?? [];
  const waiting = overrides.data?.filter((override) => override.status === "requested") ?? [];
  const refused = overrides.data?.filter((override) => override.status === "refused") ?? [];

  return (
    <section aria-labelledby="override" className="subpanel">
      <h4 id="override">Share without consent</h4>
      <p className="field__hint">
        Only where there is a risk of significant harm and consent cannot be sought or was refused.
        {isDutyManager
          ? " As a duty manager, your own request is authorised at once."
          : " A duty manager of your agency must authorise it."}
      </p>
      {overrides.isError ? <LoadProblem error={overrides.error} /> : null}
      {authorised.length ? (
        <RadioGroup
          legend="Authorised to share without consent"
          name="override"
          hint="Choose the authorisation this referral relies on. Each lasts 72 hours."
          options={authorised.map((override) => ({
            value: override.id,
            label: `${override.lawful_basis_label}, authorised by ${decidedBy(override)}`,
            hint: override.expires_at ? `until ${formatDateTime(override.expires_at)}` : undefined,
          }))}
          value={draft.override ?? ""}
          onChange={(override) => dispatch({ type: "useOverride", override })}
          required
        />
      ) : null}
      {waiting.length ? (
        <div className="notice notice--waiting" role="status">
          <p>
            Waiting for a duty manager to authorise{" "}
            {waiting.length === 1 ? "your request" : `${waiting.length} requests`}{" "}
            (asked {formatDateTime(waiting[0]!.requested_at)}). They have been told. Once one is
            authorised it appears here to choose.
          </p>
          <button
            type="button"
            className="button button--small"
            disabled={overrides.isFetching}
            onClick={() => void overrides.refetch()}
          >
            {overrides.isFetching ? "Checking…" : "Check again"}
          </button>
        </div>
      ) : null}
      {refused.map((override) => (
        <p key={override.id} className="notice notice--warning">
          A request was refused by {decidedBy(override)}: {override.refusal_reason}
        </p>
      ))}
      <FormProblem error={request.error} fieldLabels={OVERRIDE_LABELS} />
      <form onSubmit={onSubmit} noValidate className="form">
        <SelectField
          label="Lawful basis"
          name="lawful_basis"
          value={form.lawful_basis}
          onChange={(lawful_basis) =>
            dispatch({
              type: "editOverride",
              changes: { lawful_basis: lawful_basis as Schemas["LawfulBasisEnum"] },
            })
          }
          options={(bases.data ?? []).map((basis) => ({ value: basis.value, label: basis.label }))}
          placeholder="Choose the lawful basis"
          errors={errors("lawful_basis")}
          required
        />
        <TextField
          label="Justification"
          name="justification"
          value={form.justification}
          onChange={(justification) => dispatch({ type: "editOverride", changes: { justification } })}
          multiline
          required
          hint={
            "Why sharing without consent is necessary and proportionate now. The duty manager " +
            "and the audit trail keep it."
          }
          errors={errors("justification")}
        />
        <button type="submit" className="button" disabled={request.isPending}>
          {request.isPending
            ? "Sending…"
            : isDutyManager
              ? "Authorise sharing without consent"
              : "Ask a duty manager to authorise"}
        </button>
      </form>
    </section>
  );
}
