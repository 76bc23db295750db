/** Agency admins keep their entries fresh: services nobody has confirmed for a while. */
import { keepPreviousData, useMutation, useQuery } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { Link } from "react-router";

import { api, unwrap, type Schemas } from "../api/client";
import { TextField } from "../components/Field";
import { errorsFor } from "../components/formErrors";
import { Loading, Page } from "../components/Page";
import { Pager } from "../components/Pager";
import { LoadProblem } from "../components/Problem";
import { directoryKeys, PAGE_SIZE, useInvalidateDirectory } from "../directory/queries";
import { formatDate, fullName } from "../labels";

import "../directory/directory.css";

export function DirectoryCheckPage() {
  const [typedDays, setTypedDays] = useState("");
  const [days, setDays] = useState<number | undefined>(undefined);
  const [page, setPage] = useState(1);
  const [notice, setNotice] = useState("");
  const stale = useQuery({
    queryKey: [...directoryKeys.stale(days), page],
    queryFn: () =>
      unwrap(
        api.GET("/api/v1/services/stale/", {
          params: { query: { page, page_size: PAGE_SIZE, ...(days !== undefined ? { days } : {}) } },
        }),
      ),
    placeholderData: keepPreviousData,
  });
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    const trimmed = typedDays.trim();
    setDays(trimmed ? Number(trimmed) : undefined);
    setPage(1);
  };

  return (
    <Page title="Services to check">
      <p>
        <Link to="/directory">Back to the directory</Link>
      </p>
      <p className="lede">
        Your agency's services that nobody has confirmed recently. Referrers rely on these details: check
        each one, edit what has changed, then confirm it.
      </p>
      <form onSubmit={onSubmit} className="filters" aria-label="How long ago">
        <TextField
          label="Not checked for more than (days)"
          name="days"
          type="number"
          value={typedDays}
          onChange={setTypedDays}
          hint="Empty: the platform's usual interval."
          errors={errorsFor(stale.error, "days")}
        />
        <div className="filters__actions">
          <button type="submit" className="button">
            Show
          </button>
        </div>
      </form>
      <p role="status" className="notice-slot">
        {notice}
      </p>
      {stale.isPending ? <Loading what="services to check" /> : null}
      {stale.isError ? <LoadProblem error={stale.error} /> : null}
      {stale.data ? (
        stale.data.results.length ? (
          <>
            <div className="table-wrap">
              <table className="table">
                <thead>
                  <tr>
                    <th scope="col">Service</th>
                    <th scope="col">Agency</th>
                    <th scope="col">Last checked</th>
                    <th scope="col">
                      <span className="visually-hidden">Actions</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {stale.data.results.map((service) => (
                    <StaleRow key={service.id} service={service} onChecked={setNotice} />
                  ))}
                </tbody>
              </table>
            </div>
            <Pager label="Pages of services to check" page={page} count={stale.data.count} pageSize={PAGE_SIZE} onPage={setPage} />
          </>
        ) : (
          <p>Every one of your agency's services has been checked recently.</p>
        )
      ) : null}
    </Page>
  );
}

function StaleRow({ service, onChecked }: { service: Schemas["Service"]; onChecked: (notice: string) => void }) {
  const invalidate = useInvalidateDirectory();
  const verify = useMutation({
    mutationFn: () => unwrap(api.POST("/api/v1/services/{id}/verify/", { params: { path: { id: service.id } } })),
    onSuccess: () => {
      onChecked(`${service.name} is marked as checked today.`);
      void invalidate();
    },
  });
  return (
    <tr>
      <th scope="row">
        <Link to={`/directory/services/${service.id}`}>{service.name}</Link>
      </th>
      <td>{service.agency.name}</td>
      <td>
        {service.last_verified_at
          ? `${formatDate(service.last_verified_at)}${service.last_verified_by ? ` by ${fullName(service.last_verified_by)}` : ""}`
          : "Never"}
      </td>
      <td>
        <div className="actions">
          <Link className="button button--small" to={`/directory/services/${service.id}/edit`} aria-label={`Edit: ${service.name}`}>
            Edit
          </Link>
          <button
            type="button"
            className="button button--small"
            disabled={verify.isPending}
            aria-label={`Confirm correct: ${service.name}`}
            onClick={() => verify.mutate()}
          >
            Confirm correct
          </button>
        </div>
        {verify.isError ? <LoadProblem error={verify.error} /> : null}
      </td>
    </tr>
  );
}
