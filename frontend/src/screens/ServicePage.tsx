/** One directory service: everything a referrer needs, and the admin's edit and check. */
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Link, useLocation } from "react-router";

import { api, unwrap } from "../api/client";
import { useCurrentUser } from "../auth/session";
import { Loading, Page } from "../components/Page";
import { LoadProblem } from "../components/Problem";
import { administers, ageRange, hours, regionNames, URGENCIES, type Service } from "../directory/labels";
import { IntakeTag, NeedList } from "../directory/parts";
import { directoryKeys, NOT_FOUND, useInvalidateDirectory, useNumericId, useService } from "../directory/queries";
import { formatDateTime, fullName, URGENCY_LABELS } from "../labels";

import "../directory/directory.css";

/** What a screen that saved something tells the next one (fixed wording, no personal data). */
export interface SavedNotice {
  notice?: string;
}

export function ServicePage() {
  const id = useNumericId();
  const service = useService(id);
  return (
    <Page title="Service" heading={service.data?.name ?? "Service"}>
      <p>
        <Link to="/directory">Back to the directory</Link>
      </p>
      {id === null ? <LoadProblem error={NOT_FOUND} /> : null}
      {service.isPending && id !== null ? <Loading what="the service" /> : null}
      {service.isError ? <LoadProblem error={service.error} /> : null}
      {service.data ? <ServiceDetails service={service.data} /> : null}
    </Page>
  );
}

function ServiceDetails({ service }: { service: Service }) {
  const me = useCurrentUser();
  const location = useLocation();
  const saved = (location.state as SavedNotice | null)?.notice ?? "";
  const own = administers(me, service.agency.id);
  return (
    <>
      <p role="status" className="notice-slot">
        {saved}
      </p>
      {own ? <AdminActions service={service} /> : null}
      <section aria-labelledby="service-about" className="panel">
        <h2 id="service-about">About the service</h2>
        <dl className="facts facts--stacked">
          <div>
            <dt>Agency</dt>
            <dd>
              {service.agency.name} ({service.agency.region.name})
            </dd>
          </div>
          {service.alternate_name ? (
            <div>
              <dt>Also known as</dt>
              <dd>{service.alternate_name}</dd>
            </div>
          ) : null}
          <div>
            <dt>Intake</dt>
            <dd>
              <IntakeTag status={service.intake_status} />
              {service.is_active ? null : <span className="pill pill--intake-closed">No longer offered</span>}
            </dd>
          </div>
          <div>
            <dt>Needs met</dt>
            <dd>
              <NeedList needs={service.need_categories} />
            </dd>
          </div>
        </dl>
        {service.description ? <p className="prose">{service.description}</p> : null}
      </section>

      <section aria-labelledby="service-who" className="panel">
        <h2 id="service-who">Who it is for</h2>
        <dl className="facts facts--stacked">
          <div>
            <dt>Ages</dt>
            <dd>{ageRange(service.minimum_age, service.maximum_age)}</dd>
          </div>
          <div>
            <dt>Areas served</dt>
            <dd>{regionNames(service.service_areas)}</dd>
          </div>
          <div>
            <dt>Languages</dt>
            <dd>{service.languages.length ? service.languages.join(", ") : "Not stated"}</dd>
          </div>
          {service.eligibility_description ? (
            <div>
              <dt>Eligibility</dt>
              <dd className="prose">{service.eligibility_description}</dd>
            </div>
          ) : null}
        </dl>
      </section>

      <section aria-labelledby="service-contact" className="panel">
        <h2 id="service-contact">Contact and hours</h2>
        <dl className="facts facts--stacked">
          <Fact label="Contact" value={service.contact_name} />
          <Fact label="Phone" value={service.phone} />
          <Fact label="Email" value={service.email} />
          <Fact label="Website" value={service.url} />
          <Fact label="Opening hours" value={service.opening_hours} />
        </dl>
      </section>

      <section aria-labelledby="service-ack" className="panel">
        <h2 id="service-ack">Acknowledging a referral</h2>
        <p className="field__hint">How soon the service confirms it has received a referral, by urgency.</p>
        <table className="table table--narrow">
          <thead>
            <tr>
              <th scope="col">Urgency</th>
              <th scope="col">Acknowledged within</th>
            </tr>
          </thead>
          <tbody>
            {URGENCIES.map((urgency) => (
              <tr key={urgency}>
                <th scope="row">{URGENCY_LABELS[urgency]}</th>
                <td>{hours(service.acknowledgement_hours[urgency])}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>

      <section aria-labelledby="service-checked" className="panel">
        <h2 id="service-checked">Last checked</h2>
        <p>
          {service.last_verified_at
            ? `Confirmed correct on ${formatDateTime(service.last_verified_at)}${
                service.last_verified_by ? ` by ${fullName(service.last_verified_by)}` : ""
              }.`
            : "Nobody has confirmed these details yet."}
        </p>
      </section>
    </>
  );
}

function Fact({ label, value }: { label: string; value: string }) {
  return (
    <div>
      <dt>{label}</dt>
      <dd>{value || "Not stated"}</dd>
    </div>
  );
}

function AdminActions({ service }: { service: Service }) {
  const queryClient = useQueryClient();
  const invalidate = useInvalidateDirectory();
  const [checked, setChecked] = useState("");
  const verify = useMutation({
    mutationFn: () => unwrap(api.POST("/api/v1/services/{id}/verify/", { params: { path: { id: service.id } } })),
    onSuccess: (updated) => {
      queryClient.setQueryData(directoryKeys.service(service.id), updated);
      setChecked("Thank you: the service is marked as checked today.");
      void invalidate();
    },
  });
  return (
    <section aria-labelledby="service-admin" className="panel">
      <h2 id="service-admin">Your agency's entry</h2>
      <div className="actions">
        <Link className="button" to={`/directory/services/${service.id}/edit`}>
          Edit service
        </Link>
        <button
          type="button"
          className="button"
          disabled={verify.isPending}
          onClick={() => {
            setChecked("");
            verify.mutate();
          }}
        >
          Confirm these details are correct
        </button>
      </div>
      <p role="status" className="notice-slot">
        {checked}
      </p>
      {verify.isError ? <LoadProblem error={verify.error} /> : null}
    </section>
  );
}
