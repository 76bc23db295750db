/** An agency admin adds a service to the directory or changes one of their agency's. */
import { useMutation } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { Link, useNavigate } from "react-router";

import { api, unwrap, type Schemas } from "../api/client";
import { useCurrentUser, activeAgency } from "../auth/session";
import { Checkbox, CheckboxGroup, choicesFrom, RadioGroup } from "../components/Choices";
import { SelectField, TextField } from "../components/Field";
import { errorsFor, optionalNumber, wholeNumber } from "../components/formErrors";
import { Loading, Page } from "../components/Page";
import { FormProblem, LoadProblem } from "../components/Problem";
import { administeredAgencies, administers, URGENCIES, type Service, type Urgency } from "../directory/labels";
import { NOT_FOUND, useInvalidateDirectory, useNumericId, useRegions, useService } from "../directory/queries";
import { INTAKE_STATUS_LABELS, NEED_CATEGORY_LABELS, URGENCY_LABELS } from "../labels";
import type { SavedNotice } from "./ServicePage";

import "../directory/directory.css";

type NeedCategory = Schemas["NeedCategory"];
type IntakeStatus = Schemas["IntakeStatus"];

interface ServiceDraft {
  agency: string;
  name: string;
  alternate_name: string;
  description: string;
  need_categories: NeedCategory[];
  is_active: boolean;
  intake_status: IntakeStatus;
  minimum_age: string;
  maximum_age: string;
  eligibility_description: string;
  service_areas: string[];
  languages: string;
  contact_name: string;
  phone: string;
  email: string;
  url: string;
  opening_hours: string;
  acknowledgement_hours: Record<Urgency, string>;
}

const FIELD_LABELS: Record<string, string> = {
  agency: "Agency",
  name: "Name",
  alternate_name: "Other name",
  description: "Description",
  need_categories: "Needs met",
  intake_status: "Intake",
  minimum_age: "Youngest age",
  maximum_age: "Oldest age",
  eligibility_description: "Eligibility",
  service_areas: "Areas served",
  languages: "Languages",
  contact_name: "Contact name",
  phone: "Phone",
  email: "Email",
  url: "Website",
  opening_hours: "Opening hours",
  ...Object.fromEntries(
    URGENCIES.map((urgency) => [`acknowledgement_hours.${urgency}`, `Acknowledge ${URGENCY_LABELS[urgency].toLowerCase()}`]),
  ),
};

const NEED_OPTIONS = choicesFrom(NEED_CATEGORY_LABELS);
const INTAKE_OPTIONS = choicesFrom(INTAKE_STATUS_LABELS);
/** The platform's own defaults for a new service. */
const DEFAULT_HOURS: Record<Urgency, string> = { immediate: "1", within_24h: "4", within_72h: "24", routine: "72" };

function draftFrom(service: Service | undefined, agency: number | undefined): ServiceDraft {
  return {
    agency: String(service?.agency.id ?? agency ?? ""),
    name: service?.name ?? "",
    alternate_name: service?.alternate_name ?? "",
    description: service?.description ?? "",
    need_categories: [...(service?.need_categories ?? [])],
    is_active: service?.is_active ?? true,
    intake_status: service?.intake_status ?? "accepting",
    minimum_age: service?.minimum_age?.toString() ?? "",
    maximum_age: service?.maximum_age?.toString() ?? "",
    eligibility_description: service?.eligibility_description ?? "",
    service_areas: service?.service_areas.map((region) => region.code) ?? [],
    languages: service?.languages.join(", ") ?? "",
    contact_name: service?.contact_name ?? "",
    phone: service?.phone ?? "",
    email: service?.email ?? "",
    url: service?.url ?? "",
    opening_hours: service?.opening_hours ?? "",
    acknowledgement_hours: service
      ? (Object.fromEntries(URGENCIES.map((u) => [u, String(service.acknowledgement_hours[u])])) as Record<Urgency, string>)
      : DEFAULT_HOURS,
  };
}

function toServiceRequest(draft: ServiceDraft): Schemas["ServiceWriteRequest"] {
  return {
    ...(draft.agency ? { agency: Number(draft.agency) } : {}),
    name: draft.name.trim(),
    alternate_name: draft.alternate_name.trim(),
    description: draft.description.trim(),
    need_categories: draft.need_categories,
    is_active: draft.is_active,
    intake_status: draft.intake_status,
    minimum_age: optionalNumber(draft.minimum_age),
    maximum_age: optionalNumber(draft.maximum_age),
    eligibility_description: draft.eligibility_description.trim(),
    service_areas: draft.service_areas,
    languages: draft.languages
      .split(/[,\s]+/)
      .map((code) => code.trim().toLowerCase())
      .filter(Boolean),
    contact_name: draft.contact_name.trim(),
    phone: draft.phone.trim(),
    email: draft.email.trim(),
    url: draft.url.trim(),
    opening_hours: draft.opening_hours.trim(),
    acknowledgement_hours: {
      immediate: wholeNumber(draft.acknowledgement_hours.immediate),
      within_24h: wholeNumber(draft.acknowledgement_hours.within_24h),
      within_72h: wholeNumber(draft.acknowledgement_hours.within_72h),
      routine: wholeNumber(draft.acknowledgement_hours.routine),
    },
  };
}

export function ServiceNewPage() {
  const me = useCurrentUser();
  return (
    <Page title="Add a service">
      <p>
        <Link to="/directory">Back to the directory</Link>
      </p>
      <ServiceForm initial={draftFrom(undefined, activeAgency(me)?.id)} />
    </Page>
  );
}

export function ServiceEditPage() {
  const me = useCurrentUser();
  const id = useNumericId();
  const service = useService(id);
  if (service.data && !administers(me, service.data.agency.id)) return <NotYours what="service" />;
  return (
    <Page title="Edit a service">
      <p>
        {id !== null ? <Link to={`/directory/services/${id}`}>Back to the service</Link> : null}
      </p>
      {id === null ? <LoadProblem error={NOT_FOUND} /> : null}
      {service.isPending && id !== null ? <Loading what="the service" /> : null}
      {service.isError ? <LoadProblem error={service.error} /> : null}
      {service.data ? <ServiceForm key={service.data.id} existing={service.data} initial={draftFrom(service.data, undefined)} /> : null}
    </Page>
  );
}

/** Another agency's entry: there is nothing here this person may change. */
export function NotYours({ what }: { what: "service" | "pathway" }) {
  return (
    <Page title="Not available">
      <p>
        This {what} belongs to another agency. Only that agency's admins can change it; you can still
        read it in the directory.
      </p>
      <p>
        <Link to="/directory">Go to the directory</Link>
      </p>
    </Page>
  );
}

function ServiceForm({ initial, existing }: { initial: ServiceDraft; existing?: Service }) {
  const me = useCurrentUser();
  const navigate = useNavigate();
  const invalidate = useInvalidateDirectory();
  const regions = useRegions();
  const agencies = administeredAgencies(me);
  // What the admin types stays here, whatever the server answers, until it is saved.
  const [draft, setDraft] = useState(initial);
  const save = useMutation({
    mutationFn: (body: Schemas["ServiceWriteRequest"]) =>
      existing
        ? unwrap(api.PATCH("/api/v1/services/{id}/", { params: { path: { id: existing.id } }, body }))
        : unwrap(api.POST("/api/v1/services/", { body })),
    onSuccess: (saved) => {
      void invalidate();
      const state: SavedNotice = { notice: existing ? "Service saved." : "Service added to the directory." };
      navigate(`/directory/services/${saved.id}`, { state });
    },
  });
  const set =
    <K extends keyof ServiceDraft>(field: K) =>
    (value: ServiceDraft[K]) =>
      setDraft((current) => ({ ...current, [field]: value }));
  const setHours = (urgency: Urgency) => (value: string) =>
    setDraft((current) => ({
      ...current,
      acknowledgement_hours: { ...current.acknowledgement_hours, [urgency]: value },
    }));
  const errors = (field: string) => errorsFor(save.error, field);
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    const body = toServiceRequest(draft);
    // A service never moves agency: only a new one names its agency.
    if (existing) delete body.agency;
    save.mutate(body);
  };

  return (
    <form onSubmit={onSubmit} noValidate className="form form--wide">
      <FormProblem error={save.error} fieldLabels={FIELD_LABELS} />
      <fieldset className="group">
        <legend>The service</legend>
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
        <TextField label={FIELD_LABELS.alternate_name!} name="alternate_name" value={draft.alternate_name} onChange={set("alternate_name")} errors={errors("alternate_name")} />
        <TextField label={FIELD_LABELS.description!} name="description" value={draft.description} onChange={set("description")} multiline errors={errors("description")} hint="What the service does for a child or young person." />
        <CheckboxGroup
          legend={FIELD_LABELS.need_categories!}
          name="need_categories"
          options={NEED_OPTIONS}
          value={draft.need_categories}
          onChange={set("need_categories")}
          required
          errors={errors("need_categories")}
        />
        <RadioGroup
          legend={FIELD_LABELS.intake_status!}
          name="intake_status"
          options={INTAKE_OPTIONS}
          value={draft.intake_status}
          onChange={set("intake_status")}
          required
          errors={errors("intake_status")}
          hint="Services closed to new referrals are never suggested first."
        />
        <Checkbox
          label="Still offered"
          name="is_active"
          checked={draft.is_active}
          onChange={set("is_active")}
          hint="Untick when the service has stopped: it stays on record but is no longer suggested."
        />
      </fieldset>

      <fieldset className="group">
        <legend>Who it is for</legend>
        <div className="form__row">
          <TextField label={FIELD_LABELS.minimum_age!} name="minimum_age" type="number" value={draft.minimum_age} onChange={set("minimum_age")} errors={errors("minimum_age")} hint="In years; empty for no lower limit." />
          <TextField label={FIELD_LABELS.maximum_age!} name="maximum_age" type="number" value={draft.maximum_age} onChange={set("maximum_age")} errors={errors("maximum_age")} hint="In years; empty for no upper limit." />
        </div>
        <TextField label={FIELD_LABELS.eligibility_description!} name="eligibility_description" value={draft.eligibility_description} onChange={set("eligibility_description")} multiline errors={errors("eligibility_description")} />
        <CheckboxGroup
          legend={FIELD_LABELS.service_areas!}
          name="service_areas"
          options={(regions.data ?? []).map((region) => ({ value: region.code, label: region.name }))}
          value={draft.service_areas}
          onChange={set("service_areas")}
          errors={errors("service_areas")}
          hint="Tick none for a service open to every region."
        />
        <TextField label={FIELD_LABELS.languages!} name="languages" value={draft.languages} onChange={set("languages")} errors={errors("languages")} hint="Language codes separated by commas, e.g. en, pl, ur." />
      </fieldset>

      <fieldset className="group">
        <legend>Contact and hours</legend>
        <TextField label={FIELD_LABELS.contact_name!} name="contact_name" value={draft.contact_name} onChange={set("contact_name")} errors={errors("contact_name")} autoComplete="off" />
        <div className="form__row">
          <TextField label={FIELD_LABELS.phone!} name="phone" type="tel" value={draft.phone} onChange={set("phone")} errors={errors("phone")} autoComplete="off" />
          <TextField label={FIELD_LABELS.email!} name="email" type="email" value={draft.email} onChange={set("email")} errors={errors("email")} autoComplete="off" />
        </div>
        <TextField label={FIELD_LABELS.url!} name="url" type="url" value={draft.url} onChange={set("url")} errors={errors("url")} hint="The full address, starting with https://" autoComplete="off" />
        <TextField label={FIELD_LABELS.opening_hours!} name="opening_hours" value={draft.opening_hours} onChange={set("opening_hours")} errors={errors("opening_hours")} hint="e.g. Mon–Fri 09:00–17:00; 24/7 phone line" />
      </fieldset>

      <fieldset className="group">
        <legend>Acknowledging referrals</legend>
        <p className="field__hint">
          Within how many hours the service confirms it has received a referral, for each urgency. The
          platform reminds your duty managers before each time passes.
        </p>
        <div className="form__row">
          {URGENCIES.map((urgency) => (
            <TextField
              key={urgency}
              label={`${URGENCY_LABELS[urgency]} (hours)`}
              name={`acknowledgement_hours.${urgency}`}
              type="number"
              value={draft.acknowledgement_hours[urgency]}
              onChange={setHours(urgency)}
              required
              errors={errors(`acknowledgement_hours.${urgency}`)}
            />
          ))}
        </div>
      </fieldset>

      <button type="submit" className="button button--primary" disabled={save.isPending}>
        {save.isPending ? "Saving…" : existing ? "Save service" : "Add service"}
      </button>
    </form>
  );
}
