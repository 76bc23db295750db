/**
 * The children whose records the person's agency may see, newest first, found by their
 * reference. The list shows references only, never names: names appear on the record itself,
 * to those it was shared with, when someone opens it.
 */
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { Link } from "react-router";

import { api, unwrap } from "../api/client";
import { can, useCurrentUser } from "../auth/session";
import { TextField } from "../components/Field";
import { Loading, Page } from "../components/Page";
import { Pager } from "../components/Pager";
import { LoadProblem } from "../components/Problem";
import { childKeys } from "../children/queries";
import { formatDateTime } from "../labels";

import "../children/children.css";

const PAGE_SIZE = 25;

export function ChildrenPage() {
  const me = useCurrentUser();
  const [typed, setTyped] = useState("");
  const [reference, setReference] = useState("");
  const [page, setPage] = useState(1);
  const children = useQuery({
    queryKey: childKeys.list(reference, page),
    queryFn: () =>
      unwrap(
        api.GET("/api/v1/children/", {
          params: { query: { page, page_size: PAGE_SIZE, ...(reference ? { reference } : {}) } },
        }),
      ),
    placeholderData: keepPreviousData,
  });
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    setReference(typed.trim().toUpperCase());
    setPage(1);
  };

  return (
    <Page title="Children">
      <p className="lede">Children and young people whose records your agency may see.</p>
      {can(me, "children.create") ? (
        <p>
          <Link className="button" to="/children/new">
            Record a child
          </Link>
        </p>
      ) : null}
      <section aria-labelledby="children-list" className="panel">
        <h2 id="children-list">Records</h2>
        <form role="search" aria-label="Find a child by reference" onSubmit={onSubmit} className="search-form">
          <TextField
            label="Reference"
            name="reference"
            type="search"
            value={typed}
            onChange={setTyped}
            autoComplete="off"
            hint="The whole reference, e.g. C-7K3F9Q"
          />
          <div className="filters__actions">
            <button type="submit" className="button button--primary">
              Find
            </button>
            {reference ? (
              <button
                type="button"
                className="button button--quiet"
                onClick={() => {
                  setTyped("");
                  setReference("");
                  setPage(1);
                }}
              >
                Show all
              </button>
            ) : null}
          </div>
        </form>
        {children.isPending ? <Loading what="children" /> : null}
        {children.isError ? <LoadProblem error={children.error} /> : null}
        {children.data ? (
          <>
            <p role="status" className="result-count">
              {reference && !children.data.count
                ? "No record with that reference that your agency may see."
                : children.data.count === 1
                  ? "1 record."
                  : `${children.data.count} records.`}
            </p>
            {children.data.results.length ? (
              <div className="table-wrap">
                <table className="table">
                  <thead>
                    <tr>
                      <th scope="col">Reference</th>
                      <th scope="col">Kept by</th>
                      <th scope="col">Recorded</th>
                      <th scope="col">Known by name</th>
                    </tr>
                  </thead>
                  <tbody>
                    {children.data.results.map((child) => (
                      <tr key={child.id}>
                        <th scope="row">
                          <Link to={`/children/${child.id}`}>{child.reference}</Link>
                        </th>
                        <td>{child.record_keeper.name}</td>
                        <td>{formatDateTime(child.created_at)}</td>
                        <td>{child.is_anonymous ? "Anonymous so far" : "Yes"}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            ) : null}
            <Pager label="Pages of children" page={page} count={children.data.count} pageSize={PAGE_SIZE} onPage={setPage} />
          </>
        ) : null}
      </section>
    </Page>
  );
}
