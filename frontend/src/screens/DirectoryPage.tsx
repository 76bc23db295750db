/**
 * The directory: every staff member browses and searches services and pathways; agency
 * admins also find their tasks here (new entries, freshness, HSDS interchange).
 */
import { useState, type FormEvent } from "react";
import { Link } from "react-router";

import type { Schemas } from "../api/client";
import { can, useCurrentUser } from "../auth/session";
import { choicesFrom } from "../components/Choices";
import { SelectField, TextField } from "../components/Field";
import { Loading, Page } from "../components/Page";
import { Pager } from "../components/Pager";
import { LoadProblem } from "../components/Problem";
import { ageRange } from "../directory/labels";
import { PAGE_SIZE, usePathways, useRegions, useServices, type PathwayFilters, type ServiceFilters } from "../directory/queries";
import { IntakeTag, NeedList, StatusTag } from "../directory/parts";
import { formatDate, INTAKE_STATUS_LABELS, NEED_CATEGORY_LABELS, URGENCY_LABELS } from "../labels";

import "../directory/directory.css";

const NEED_OPTIONS = choicesFrom(NEED_CATEGORY_LABELS);
const INTAKE_OPTIONS = choicesFrom(INTAKE_STATUS_LABELS);

export function DirectoryPage() {
  const me = useCurrentUser();
  return (
    <Page title="Directory">
      <p className="lede">
        Services you can refer children and young people to, and the pathways agencies have agreed
        for each situation.
      </p>
      {can(me, "directory.manage") ? (
        <nav aria-label="Directory tasks" className="task-links">
          <ul>
            <li>
              <Link to="/directory/services/new">Add a service</Link>
            </li>
            <li>
              <Link to="/directory/pathways/new">Draft a pathway</Link>
            </li>
            <li>
              <Link to="/directory/verify">Services to check</Link>
            </li>
            <li>
              <Link to="/directory/hsds">Import and export (HSDS)</Link>
            </li>
          </ul>
        </nav>
      ) : null}
      <ServiceBrowser />
      <PathwayBrowser admin={can(me, "directory.manage")} />
    </Page>
  );
}

interface ServiceSearch {
  search: string;
  need: string;
  region: string;
  intake_status: string;
  age: string;
}

const NO_SEARCH: ServiceSearch = { search: "", need: "", region: "", intake_status: "", age: "" };

function serviceFilters(search: ServiceSearch, page: number): ServiceFilters {
  const filters: ServiceFilters = { is_active: true, page, page_size: PAGE_SIZE };
  if (search.search.trim()) filters.search = search.search.trim();
  if (search.need) filters.need = search.need as ServiceFilters["need"];
  if (search.region) filters.region = search.region;
  if (search.intake_status) filters.intake_status = search.intake_status as ServiceFilters["intake_status"];
  if (/^[0-9]{1,3}$/.test(search.age.trim())) filters.age = Number(search.age.trim());
  return filters;
}

function ServiceBrowser() {
  // Filters stay in the page (not the address): words typed here never reach a URL.
  const [typed, setTyped] = useState(NO_SEARCH);
  const [applied, setApplied] = useState(NO_SEARCH);
  const [page, setPage] = useState(1);
  const services = useServices(serviceFilters(applied, page));
  const regions = useRegions();
  const set = (field: keyof ServiceSearch) => (value: string) =>
    setTyped((current) => ({ ...current, [field]: value }));
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    setApplied(typed);
    setPage(1);
  };
  const onClear = () => {
    setTyped(NO_SEARCH);
    setApplied(NO_SEARCH);
    setPage(1);
  };

  return (
    <section aria-labelledby="services-heading" className="panel">
      <h2 id="services-heading">Services</h2>
      <form role="search" aria-label="Find services" onSubmit={onSubmit} className="filters">
        <TextField label="Words" name="search" type="search" value={typed.search} onChange={set("search")} hint="In the name or description, e.g. therapy" />
        <SelectField label="Need" name="need" value={typed.need} onChange={set("need")} options={NEED_OPTIONS} placeholder="Any need" />
        <SelectField
          label="Region"
          name="region"
          value={typed.region}
          onChange={set("region")}
          options={(regions.data ?? []).map((region) => ({ value: region.code, label: region.name }))}
          placeholder="Any region"
        />
        <SelectField label="Intake" name="intake_status" value={typed.intake_status} onChange={set("intake_status")} options={INTAKE_OPTIONS} placeholder="Any intake status" />
        <TextField label="Child's age" name="age" type="number" value={typed.age} onChange={set("age")} hint="In years" />
        <div className="filters__actions">
          <button type="submit" className="button button--primary">
            Search
          </button>
          <button type="button" className="button button--quiet" onClick={onClear}>
            Clear
          </button>
        </div>
      </form>
      {services.isPending ? <Loading what="services" /> : null}
      {services.isError ? <LoadProblem error={services.error} /> : null}
      {services.data ? (
        <>
          <p role="status" className="result-count">
            {services.data.count === 1 ? "1 service found." : `${services.data.count} services found.`}
          </p>
          {services.data.results.length ? <ServiceTable services={services.data.results} /> : null}
          <Pager label="Service pages" page={page} count={services.data.count} pageSize={PAGE_SIZE} onPage={setPage} />
        </>
      ) : null}
    </section>
  );
}

function ServiceTable({ services }: { services: Schemas["Service"][] }) {
  return (
    <div className="table-wrap">
      <table className="table">
        <thead>
          <tr>
            <th scope="col">Service</th>
            <th scope="col">Agency</th>
            <th scope="col">Needs met</th>
            <th scope="col">Ages</th>
            <th scope="col">Intake</th>
            <th scope="col">Last checked</th>
          </tr>
        </thead>
        <tbody>
          {services.map((service) => (
            <tr key={service.id}>
              <th scope="row">
                <Link to={`/directory/services/${service.id}`}>{service.name}</Link>
              </th>
              <td>{service.agency.name}</td>
              <td>
                <NeedList needs={service.need_categories} />
              </td>
              <td>{ageRange(service.minimum_age, service.maximum_age)}</td>
              <td>
                <IntakeTag status={service.intake_status} />
              </td>
              <td>{service.last_verified_at ? formatDate(service.last_verified_at) : "Never"}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

type PathwayStatusFilter = NonNullable<PathwayFilters["status"]>;

function PathwayBrowser({ admin }: { admin: boolean }) {
  const [need, setNeed] = useState("");
  const [status, setStatus] = useState<PathwayStatusFilter>("published");
  const [page, setPage] = useState(1);
  const filters: PathwayFilters = { status, page, page_size: PAGE_SIZE };
  if (need) filters.need = need as PathwayFilters["need"];
  const pathways = usePathways(filters);
  const statusOptions = [
    { value: "published", label: "Published (in use)" },
    ...(admin ? [{ value: "draft", label: "Drafts of my agency" }] : []),
    { value: "retired", label: "Retired" },
    { value: "all", label: "Every version" },
  ];

  return (
    <section aria-labelledby="pathways-heading" className="panel">
      <h2 id="pathways-heading">Pathways</h2>
      <p className="field__hint">
        A pathway is the agreed route for a situation: the services to refer to, in order, and how
        quickly each should respond.
      </p>
      <div className="filters">
        <SelectField
          label="Need"
          name="pathway-need"
          value={need}
          onChange={(value) => {
            setNeed(value);
            setPage(1);
          }}
          options={NEED_OPTIONS}
          placeholder="Any need"
        />
        <SelectField
          label="Versions"
          name="pathway-status"
          value={status}
          onChange={(value) => {
            setStatus(value as PathwayStatusFilter);
            setPage(1);
          }}
          options={statusOptions}
          required
        />
      </div>
      {pathways.isPending ? <Loading what="pathways" /> : null}
      {pathways.isError ? <LoadProblem error={pathways.error} /> : null}
      {pathways.data ? (
        <>
          <p role="status" className="result-count">
            {pathways.data.count === 1 ? "1 pathway found." : `${pathways.data.count} pathways found.`}
          </p>
          {pathways.data.results.length ? (
            <div className="table-wrap">
              <table className="table">
                <thead>
                  <tr>
                    <th scope="col">Pathway</th>
                    <th scope="col">Version</th>
                    <th scope="col">Agency</th>
                    <th scope="col">Need</th>
                    <th scope="col">Urgency</th>
                    <th scope="col">Steps</th>
                  </tr>
                </thead>
                <tbody>
                  {pathways.data.results.map((pathway) => (
                    <tr key={pathway.id}>
                      <th scope="row">
                        <Link to={`/directory/pathways/${pathway.id}`}>{pathway.name}</Link>
                      </th>
                      <td>
                        {pathway.version} <StatusTag status={pathway.status} />
                      </td>
                      <td>{pathway.agency.name}</td>
                      <td>{NEED_CATEGORY_LABELS[pathway.need_category]}</td>
                      <td>{URGENCY_LABELS[pathway.urgency]}</td>
                      <td>{pathway.steps.length}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          ) : null}
          <Pager label="Pathway pages" page={page} count={pathways.data.count} pageSize={PAGE_SIZE} onPage={setPage} />
        </>
      ) : null}
    </section>
  );
}
