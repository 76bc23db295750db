/**
 * An agency admin drafts a pathway or edits one. A draft changes in place; editing a
 * published version saves the next draft version (the platform answers 201), which opens.
 */
import { useMutation } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { Link, useNavigate } from "react-router";

import { api, unwrap, type Schemas } from "../api/client";
import { activeAgency, useCurrentUser } from "../auth/session";
import { CheckboxGroup, choicesFrom } from "../components/Choices";
import { SelectField, TextField } from "../components/Field";
import { errorsFor, optionalNumber, wholeNumber } from "../components/formErrors";
import { Loading, Page } from "../components/Page";
import { FormProblem, LoadProblem } from "../components/Problem";
import { administeredAgencies, administers, type Pathway } from "../directory/labels";
import { NOT_FOUND, useInvalidateDirectory, useNumericId, usePathway, useRegions } from "../directory/queries";
import { StepEditor, stepsFrom, type StepDraft } from "../directory/StepEditor";
import { AGENCY_KIND_LABELS, NEED_CATEGORY_LABELS, URGENCY_LABELS } from "../labels";
import { NotYours } from "./ServiceFormPage";
import type { SavedNotice } from "./ServicePage";

import "../directory/directory.css";

interface PathwayDraft {
  agency: string;
  name: string;
  description: string;
  need_category: Schemas["NeedCategory"] | "";
  urgency: Schemas["Urgency"] | "";
  minimum_age: string;
  maximum_age: string;
  regions: string[];
  referring_agency_kinds: Schemas["AgencyKind"][];
  steps: StepDraft[];
}

const FIELD_LABELS: Record<string, string> = {
  agency: "Agency",
  name: "Name",
  description: "Description",
  need_category: "Need",
  urgency: "Urgency",
  minimum_age: "Youngest age",
  maximum_age: "Oldest age",
  regions: "Regions",
  referring_agency_kinds: "Referring agencies",
  steps: "Steps",
};

function draftFrom(pathway: Pathway | undefined, agency: number | undefined): PathwayDraft {
  return {
    agency: String(pathway?.agency.id ?? agency ?? ""),
    name: pathway?.name ?? "",
    description: pathway?.description ?? "",
    need_category: pathway?.need_category ?? "",
    urgency: pathway?.urgency ?? "",
    minimum_age: pathway?.minimum_age?.toString() ?? "",
    maximum_age: pathway?.maximum_age?.toString() ?? "",
    regions: pathway?.regions.map((region) => region.code) ?? [],
    referring_agency_kinds: [...(pathway?.referring_agency_kinds ?? [])],
    steps: stepsFrom(pathway?.steps ?? []),
  };
}

function toPathwayRequest(draft: PathwayDraft): Schemas["PathwayWriteRequest"] {
  return {
    ...(draft.agency ? { agency: Number(draft.agency) } : {}),
    name: draft.name.trim(),
    description: draft.description.trim(),
    // An unanswered choice goes as it is, for the platform to ask for it beside the field.
    need_category: draft.need_category as Schemas["NeedCategory"],
    urgency: draft.urgency as Schemas["Urgency"],
    minimum_age: optionalNumber(draft.minimum_age),
    maximum_age: optionalNumber(draft.maximum_age),
    regions: draft.regions,
    referring_agency_kinds: draft.referring_agency_kinds,
    steps: draft.steps.map((step) => ({
      service: step.service.id,
      response_hours: wholeNumber(step.response_hours),
      note: step.note.trim(),
    })),
  };
}

export function PathwayNewPage() {
  const me = useCurrentUser();
  return (
    <Page title="Draft a pathway">
      <p>
        <Link to="/directory">Back to the directory</Link>
      </p>
      <PathwayForm initial={draftFrom(undefined, activeAgency(me)?.id)} />
    </Page>
  );
}

export function PathwayEditPage() {
  const me = useCurrentUser();
  const id = useNumericId();
  const pathway = usePathway(id);
  if (pathway.data && !administers(me, pathway.data.agency.id)) return <NotYours what="pathway" />;
  return (
    <Page title="Edit a pathway">
      <p>{id !== null ? <Link to={`/directory/pathways/${id}`}>Back to the pathway</Link> : null}</p>
      {id === null ? <LoadProblem error={NOT_FOUND} /> : null}
      {pathway.isPending && id !== null ? <Loading what="the pathway" /> : null}
      {pathway.isError ? <LoadProblem error={pathway.error} /> : null}
      {pathway.data?.status === "retired" ? (
        <p>This version is retired and can no longer change. Edit the version in use instead.</p>
      ) : null}
      {pathway.data && pathway.data.status !== "retired" ? (
        <>
          {pathway.data.status === "published" ? (
            <p className="notice">
              Version {pathway.data.version} is published. Your changes will be saved as version{" "}
              {pathway.data.version + 1}, a draft; staff keep following version {pathway.data.version}{" "}
              until you publish the new one.
            </p>
          ) : null}
          <PathwayForm key={pathway.data.id} existing={pathway.data} initial={draftFrom(pathway.data, undefined)} />
        </>
      ) : null}
    </Page>
  );
}

function PathwayForm({ initial, existing }: { initial: PathwayDraft; existing?: Pathway }) {
  const me = useCurrentUser();
  const navigate = useNavigate();
  const invalidate = useInvalidateDirectory();
  const regions = useRegions();
  const agencies = administeredAgencies(me);
  // What the admin types stays here, whatever the server answers, until it is saved.
  const [draft, setDraft] = useState(initial);
  const save = useMutation({
    mutationFn: (body: Schemas["PathwayWriteRequest"]) =>
      existing
        ? unwrap(api.PATCH("/api/v1/pathways/{id}/", { params: { path: { id: existing.id } }, body }))
        : unwrap(api.POST("/api/v1/pathways/", { body })),
    onSuccess: (saved) => {
      void invalidate();
      const notice =
        existing && saved.id !== existing.id
          ? `Saved as draft version ${saved.version}. Version ${existing.version} stays in use until you publish this one.`
          : existing
            ? "Pathway saved."
            : "Pathway drafted. Publish it when it is ready.";
      const state: SavedNotice = { notice };
      navigate(`/directory/pathways/${saved.id}`, { state });
    },
  });
  const set =
    <K extends keyof PathwayDraft>(field: K) =>
    (value: PathwayDraft[K]) =>
      setDraft((current) => ({ ...current, [field]: value }));
  const errors = (field: string) => errorsFor(save.error, field);
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    const body = toPathwayRequest(draft);
    // A pathway never moves agency: only a new one names its agency.
    if (existing) delete body.agency;
    save.mutate(body);
  };

  return (
    <form onSubmit={onSubmit} noValidate className="form form--wide">
      <FormProblem error={save.error} fieldLabels={FIELD_LABELS} />
      <fieldset className="group">
        <legend>The situation it is for</legend>
        {!existing && agencies.length > 1 ? (
          <SelectField
            label={FIELD_LABELS.agency!}
            name="agency"
            value={draft.agency}
            onChange={set("agency")}
            options={agencies.map((agency) => ({ value: String(agency.id), label: agency.name }))}
            required
            errors={errors("agency")}
          />
        ) : null}
        <TextField label={FIELD_LABELS.name!} name="name" value={draft.name} onChange={set("name")} required errors={errors("name")} />
        <TextField label={FIELD_LABELS.description!} name="description" value={draft.description} onChange={set("description")} multiline errors={errors("description")} />
        <div className="form__row">
          <SelectField
            label={FIELD_LABELS.need_category!}
            name="need_category"
            value={draft.need_category}
            onChange={(value) => set("need_category")(value as PathwayDraft["need_category"])}
            options={choicesFrom(NEED_CATEGORY_LABELS)}
            placeholder="Choose a need"
            required
            errors={errors("need_category")}
          />
          <SelectField
            label={FIELD_LABELS.urgency!}
            name="urgency"
            value={draft.urgency}
            onChange={(value) => set("urgency")(value as PathwayDraft["urgency"])}
            options={choicesFrom(URGENCY_LABELS)}
            placeholder="Choose an urgency"
            required
            errors={errors("urgency")}
          />
        </div>
        <div className="form__row">
          <TextField label={FIELD_LABELS.minimum_age!} name="minimum_age" type="number" value={draft.minimum_age} onChange={set("minimum_age")} errors={errors("minimum_age")} hint="In years; empty for no lower limit." />
          <TextField label={FIELD_LABELS.maximum_age!} name="maximum_age" type="number" value={draft.maximum_age} onChange={set("maximum_age")} errors={errors("maximum_age")} hint="In years; empty for no upper limit." />
        </div>
        <CheckboxGroup
          legend={FIELD_LABELS.regions!}
          name="regions"
          options={(regions.data ?? []).map((region) => ({ value: region.code, label: region.name }))}
          value={draft.regions}
          onChange={set("regions")}
          errors={errors("regions")}
          hint="Tick none for every region."
        />
        <CheckboxGroup
          legend={FIELD_LABELS.referring_agency_kinds!}
          name="referring_agency_kinds"
          options={choicesFrom(AGENCY_KIND_LABELS)}
          value={draft.referring_agency_kinds}
          onChange={set("referring_agency_kinds")}
          errors={errors("referring_agency_kinds")}
          hint="The kinds of agency that refer on this route; tick none for any."
        />
      </fieldset>
      <div className="group">
        <StepEditor steps={draft.steps} onChange={set("steps")} error={save.error} />
      </div>
      <button type="submit" className="button button--primary" disabled={save.isPending}>
        {save.isPending
          ? "Saving…"
          : existing?.status === "published"
            ? "Save as a new draft version"
            : existing
              ? "Save draft"
              : "Save draft pathway"}
      </button>
    </form>
  );
}
