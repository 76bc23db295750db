import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";

import { api, unwrap, type Schemas } from "../api/client";
import { ApiError } from "../api/errors";
import { activeAgency, useCurrentUser } from "../auth/session";
import { TextField } from "../components/Field";
import { Loading, Page } from "../components/Page";
import { FormProblem, LoadProblem } from "../components/Problem";
import { AGENCY_KIND_LABELS } from "../labels";

type Agency = Schemas["Agency"];
type Contact = Pick<Agency, "email" | "phone" | "address" | "website">;

const CONTACT_LABELS: Record<keyof Contact, string> = {
  email: "Email",
  phone: "Phone",
  address: "Address",
  website: "Website",
};

export function AgencyPage() {
  const me = useCurrentUser();
  const agencyId = activeAgency(me)?.id;
  const agency = useQuery({
    queryKey: ["agencies", agencyId],
    queryFn: () =>
      unwrap(api.GET("/api/v1/agencies/{id}/", { params: { path: { id: agencyId! } } })),
    enabled: agencyId !== undefined,
  });
  return (
    <Page title="Agency">
      {agency.isPending ? <Loading what="the agency" /> : null}
      {agency.isError ? <LoadProblem error={agency.error} /> : null}
      {agency.data ? <AgencyDetails key={agency.data.id} agency={agency.data} /> : null}
    </Page>
  );
}

function AgencyDetails({ agency }: { agency: Agency }) {
  return (
    <>
      <section aria-labelledby="agency-summary" className="panel">
        <h2 id="agency-summary">{agency.name}</h2>
        <dl className="facts">
          <div>
            <dt>Kind</dt>
            <dd>{AGENCY_KIND_LABELS[agency.kind]}</dd>
          </div>
          <div>
            <dt>Region</dt>
            <dd>{agency.region.name}</dd>
          </div>
        </dl>
      </section>
      <ContactForm agency={agency} />
    </>
  );
}

function ContactForm({ agency }: { agency: Agency }) {
  const queryClient = useQueryClient();
  // What the admin types stays here until it is saved, whatever the server answers.
  const [contact, setContact] = useState<Required<Contact>>({
    email: agency.email ?? "",
    phone: agency.phone ?? "",
    address: agency.address ?? "",
    website: agency.website ?? "",
  });
  const [saved, setSaved] = useState(false);
  const save = useMutation({
    mutationFn: (body: Schemas["PatchedAgencyRequest"]) =>
      unwrap(api.PATCH("/api/v1/agencies/{id}/", { params: { path: { id: agency.id } }, body })),
    onSuccess: (updated) => {
      setSaved(true);
      queryClient.setQueryData(["agencies", agency.id], updated);
    },
  });
  const set = (field: keyof Contact) => (value: string) => {
    setSaved(false);
    setContact((current) => ({ ...current, [field]: value }));
  };
  const errors = (field: keyof Contact) =>
    save.error instanceof ApiError ? save.error.errorsFor(field) : undefined;
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    setSaved(false);
    save.mutate(contact);
  };

  return (
    <section aria-labelledby="agency-contact" className="panel">
      <h2 id="agency-contact">Contact details</h2>
      <p className="field__hint">Other agencies use these to reach you about a referral.</p>
      <p role="status" className="notice-slot">
        {saved ? "Contact details saved." : ""}
      </p>
      <FormProblem error={save.error} fieldLabels={CONTACT_LABELS} />
      <form onSubmit={onSubmit} noValidate className="form">
        <TextField
          label={CONTACT_LABELS.email}
          name="email"
          type="email"
          value={contact.email}
          onChange={set("email")}
          autoComplete="off"
          errors={errors("email")}
        />
        <TextField
          label={CONTACT_LABELS.phone}
          name="phone"
          type="tel"
          value={contact.phone}
          onChange={set("phone")}
          autoComplete="off"
          errors={errors("phone")}
        />
        <TextField
          label={CONTACT_LABELS.address}
          name="address"
          value={contact.address}
          onChange={set("address")}
          autoComplete="off"
          multiline
          errors={errors("address")}
        />
        <TextField
          label={CONTACT_LABELS.website}
          name="website"
          type="url"
          value={contact.website}
          onChange={set("website")}
          autoComplete="off"
          hint="The full address, starting with https://"
          errors={errors("website")}
        />
        <button type="submit" className="button button--primary" disabled={save.isPending}>
          {save.isPending ? "Saving…" : "Save contact details"}
        </button>
      </form>
    </section>
  );
}
