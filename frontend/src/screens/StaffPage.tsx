import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";

import { api, unwrap, type Schemas } from "../api/client";
import { ApiError } from "../api/errors";
import { activeAgency, ME_KEY, useCurrentUser } from "../auth/session";
import { SelectField, TextField } from "../components/Field";
import { Loading, Page } from "../components/Page";
import { FormProblem, LoadProblem } from "../components/Problem";
import { formatDate, fullName, ROLE_LABELS } from "../labels";

type Membership = Schemas["Membership"];
type Role = Schemas["Role"];

const PAGE_SIZE = 50;
const ROLE_OPTIONS = Object.entries(ROLE_LABELS).map(([value, label]) => ({ value, label }));

function useInvalidateStaff() {
  const queryClient = useQueryClient();
  return () => {
    void queryClient.invalidateQueries({ queryKey: ["memberships"] });
    // The admin may have changed their own roles.
    void queryClient.invalidateQueries({ queryKey: ME_KEY });
  };
}

export function StaffPage() {
  const me = useCurrentUser();
  const agency = activeAgency(me);
  return (
    <Page title="Staff">
      {agency ? (
        <>
          <p className="lede">People and their roles at {agency.name}.</p>
          <StaffList agencyId={agency.id} />
          <AddStaffForm agencyId={agency.id} />
        </>
      ) : null}
    </Page>
  );
}

function StaffList({ agencyId }: { agencyId: number }) {
  const [page, setPage] = useState(1);
  const [notice, setNotice] = useState("");
  const staff = useQuery({
    queryKey: ["memberships", agencyId, page],
    queryFn: () =>
      unwrap(
        api.GET("/api/v1/memberships/", {
          params: { query: { agency: agencyId, page, page_size: PAGE_SIZE } },
        }),
      ),
    placeholderData: keepPreviousData,
  });

  return (
    <section aria-labelledby="staff-list" className="panel">
      <h2 id="staff-list">Current and past roles</h2>
      <p role="status" className="notice-slot">
        {notice}
      </p>
      {staff.isPending ? <Loading what="staff" /> : null}
      {staff.isError ? <LoadProblem error={staff.error} /> : null}
      {staff.data ? (
        <>
          <div className="table-wrap">
            <table className="table">
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Username</th>
                  <th scope="col">Role</th>
                  <th scope="col">Since</th>
                  <th scope="col">Status</th>
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {staff.data.results.map((membership) => (
                  <tr key={membership.id} className={membership.is_active ? undefined : "row--ended"}>
                    <th scope="row">{fullName(membership.user)}</th>
                    <td>{membership.user.username}</td>
                    <td>{ROLE_LABELS[membership.role]}</td>
                    <td>{formatDate(membership.created_at)}</td>
                    <td>
                      {membership.is_active
                        ? "Active"
                        : `Ended${membership.ended_at ? ` ${formatDate(membership.ended_at)}` : ""}`}
                    </td>
                    <td>
                      {membership.is_active ? (
                        <EndRole membership={membership} onEnded={setNotice} />
                      ) : null}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {staff.data.previous || staff.data.next ? (
            <nav aria-label="Staff pages" className="pager">
              <button
                type="button"
                className="button button--small"
                disabled={!staff.data.previous}
                onClick={() => setPage((current) => current - 1)}
              >
                Previous page
              </button>
              <span>
                Page {page} of {Math.ceil(staff.data.count / PAGE_SIZE)}
              </span>
              <button
                type="button"
                className="button button--small"
                disabled={!staff.data.next}
                onClick={() => setPage((current) => current + 1)}
              >
                Next page
              </button>
            </nav>
          ) : null}
        </>
      ) : null}
    </section>
  );
}

/** Ending a role takes two presses: the first asks, in place, whether it is meant. */
function EndRole({
  membership,
  onEnded,
}: {
  membership: Membership;
  onEnded: (message: string) => void;
}) {
  const [confirming, setConfirming] = useState(false);
  const invalidate = useInvalidateStaff();
  const who = fullName(membership.user);
  const role = ROLE_LABELS[membership.role];
  const end = useMutation({
    mutationFn: () =>
      unwrap(api.DELETE("/api/v1/memberships/{id}/", { params: { path: { id: membership.id } } })),
    onSuccess: () => {
      onEnded(`${who} no longer has the role ${role}.`);
      invalidate();
    },
  });
  if (!confirming) {
    return (
      <button
        type="button"
        className="button button--small"
        aria-label={`End role: ${who}, ${role}`}
        onClick={() => setConfirming(true)}
      >
        End role
      </button>
    );
  }
  return (
    <div className="confirm" role="group" aria-label={`End ${who}'s role as ${role}?`}>
      <span>End this role?</span>
      <button
        type="button"
        className="button button--small button--danger"
        disabled={end.isPending}
        onClick={() => end.mutate()}
      >
        Yes, end role
      </button>
      <button type="button" className="button button--small button--quiet" onClick={() => setConfirming(false)}>
        Keep
      </button>
      {end.isError ? <LoadProblem error={end.error} /> : null}
    </div>
  );
}

const EMPTY_PERSON = {
  username: "",
  role: "" as Role | "",
  first_name: "",
  last_name: "",
  email: "",
  password: "",
};

const PERSON_LABELS: Record<string, string> = {
  username: "Username",
  role: "Role",
  first_name: "First name",
  last_name: "Last name",
  email: "Email",
  password: "First password",
  agency: "Agency",
};

function AddStaffForm({ agencyId }: { agencyId: number }) {
  const [person, setPerson] = useState(EMPTY_PERSON);
  const [added, setAdded] = useState("");
  const invalidate = useInvalidateStaff();
  const add = useMutation({
    mutationFn: (body: Schemas["MembershipRequest"]) =>
      unwrap(api.POST("/api/v1/memberships/", { body })),
    onSuccess: (membership) => {
      setAdded(`${fullName(membership.user)} now has the role ${ROLE_LABELS[membership.role]}.`);
      setPerson(EMPTY_PERSON);
      invalidate();
    },
  });
  const set = (field: keyof typeof EMPTY_PERSON) => (value: string) =>
    setPerson((current) => ({ ...current, [field]: value }));
  const errors = (field: string) =>
    add.error instanceof ApiError ? add.error.errorsFor(field) : undefined;

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    setAdded("");
    const body: Schemas["MembershipRequest"] = {
      agency: agencyId,
      username: person.username.trim(),
      role: person.role as Role,
    };
    // Only send what was filled in: an empty password means "no password yet".
    if (person.first_name) body.first_name = person.first_name;
    if (person.last_name) body.last_name = person.last_name;
    if (person.email) body.email = person.email;
    if (person.password) body.password = person.password;
    add.mutate(body);
  };

  return (
    <section aria-labelledby="add-staff" className="panel">
      <h2 id="add-staff">Add a person or a role</h2>
      <p className="field__hint">
        For someone already on the platform, their username and the new role are enough.
      </p>
      <p role="status" className="notice-slot">
        {added}
      </p>
      <FormProblem error={add.error} fieldLabels={PERSON_LABELS} />
      <form onSubmit={onSubmit} noValidate className="form">
        <div className="form__row">
          <TextField
            label={PERSON_LABELS.username!}
            name="username"
            value={person.username}
            onChange={set("username")}
            autoComplete="off"
            required
            errors={errors("username")}
          />
          <SelectField
            label={PERSON_LABELS.role!}
            name="role"
            value={person.role}
            onChange={set("role")}
            options={ROLE_OPTIONS}
            placeholder="Choose a role"
            required
            errors={errors("role")}
          />
        </div>
        <div className="form__row">
          <TextField
            label={PERSON_LABELS.first_name!}
            name="first_name"
            value={person.first_name}
            onChange={set("first_name")}
            autoComplete="off"
            errors={errors("first_name")}
          />
          <TextField
            label={PERSON_LABELS.last_name!}
            name="last_name"
            value={person.last_name}
            onChange={set("last_name")}
            autoComplete="off"
            errors={errors("last_name")}
          />
        </div>
        <TextField
          label={PERSON_LABELS.email!}
          name="email"
          type="email"
          value={person.email}
          onChange={set("email")}
          autoComplete="off"
          errors={errors("email")}
        />
        <TextField
          label={PERSON_LABELS.password!}
          name="password"
          type="password"
          value={person.password}
          onChange={set("password")}
          autoComplete="new-password"
          hint="Only for someone new to the platform: at least 12 characters. Leave empty for someone who already has an account."
          errors={errors("password")}
        />
        <button type="submit" className="button button--primary" disabled={add.isPending}>
          {add.isPending ? "Adding…" : "Add"}
        </button>
      </form>
    </section>
  );
}
