/**
 * A child's record as the viewer may see it, with consent, sharing without consent, who knows
 * what and subject access, each for the roles that use it. The page title and address carry
 * no personal data: the title is generic and the address holds the record's id only.
 */
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Link, useLocation } from "react-router";

import { api, unwrap, type Schemas } from "../api/client";
import { can, useCurrentUser } from "../auth/session";
import { Loading, Page } from "../components/Page";
import { LoadProblem } from "../components/Problem";
import { ChildPlans, PLAN_READERS } from "../caseplans/OpenPlan";
import { ChildDetails } from "../children/ChildDetails";
import { ChildForm, childDraft } from "../children/ChildForm";
import { Consents } from "../children/Consents";
import { DuplicateWarning } from "../children/DuplicateWarning";
import type { Child } from "../children/labels";
import { Overrides } from "../children/Overrides";
import { childKeys, useChild, useChildId, useInvalidateChild } from "../children/queries";
import { SubjectAccess } from "../children/SubjectAccess";
import { WhoKnowsWhat } from "../children/WhoKnowsWhat";
import { NOT_FOUND } from "../directory/queries";
import { formatDateTime } from "../labels";

import "../children/children.css";

/** What the screen that recorded the child hands on (references and fixed words only). */
export interface ChildSavedState {
  notice?: string;
  duplicate?: Schemas["PossibleDuplicate"] | null;
}

export function ChildPage() {
  const id = useChildId();
  const child = useChild(id);
  return (
    <Page title="Child record" heading={child.data ? `Child ${child.data.reference}` : "Child record"}>
      <p>
        <Link to="/children">Back to children</Link>
      </p>
      {id === null ? <LoadProblem error={NOT_FOUND} /> : null}
      {child.isPending && id !== null ? <Loading what="the child's record" /> : null}
      {child.isError ? <LoadProblem error={child.error} /> : null}
      {child.data ? <ChildRecord key={child.data.id} child={child.data} /> : null}
    </Page>
  );
}

function ChildRecord({ child }: { child: Child }) {
  const me = useCurrentUser();
  const location = useLocation();
  const handedOn = (location.state as ChildSavedState | null) ?? {};
  return (
    <>
      <Details child={child} handedOn={handedOn} />
      {can(me, PLAN_READERS) ? <ChildPlans child={child.id} mayOpen /> : null}
      <Consents child={child.id} />
      <Overrides child={child.id} />
      {can(me, ["sharing.authorise_override", "children.subject_access", "caseplans.lead"]) ? (
        <WhoKnowsWhat child={child.id} />
      ) : null}
      {can(me, "children.subject_access") ? <SubjectAccess child={child.id} reference={child.reference} /> : null}
    </>
  );
}

function Details({ child, handedOn }: { child: Child; handedOn: ChildSavedState }) {
  const me = useCurrentUser();
  const queryClient = useQueryClient();
  const invalidate = useInvalidateChild(child.id);
  const [editing, setEditing] = useState(false);
  const [notice, setNotice] = useState(handedOn.notice ?? "");
  const [duplicate, setDuplicate] = useState(handedOn.duplicate ?? null);
  const keeps = me.active_agency === child.record_keeper.id;
  const mayEdit = keeps && can(me, ["children.create", "sharing.authorise_override"]);
  const save = useMutation({
    mutationFn: (body: Schemas["ChildWriteRequest"]) =>
      unwrap(api.PATCH("/api/v1/children/{id}/", { params: { path: { id: child.id } }, body })),
    onSuccess: ({ possible_duplicate, ...saved }) => {
      queryClient.setQueryData(childKeys.child(child.id), saved);
      void invalidate();
      setEditing(false);
      setNotice("The child's details are saved.");
      setDuplicate(possible_duplicate);
    },
  });

  return (
    <section aria-labelledby="details-heading" className="panel">
      <h2 id="details-heading">Details</h2>
      <p role="status" className="notice-slot">
        {notice}
      </p>
      {duplicate ? <DuplicateWarning duplicate={duplicate} /> : null}
      <p className="record-meta">
        {child.is_anonymous ? <span className="pill pill--anonymous">Anonymous so far</span> : null} Kept by{" "}
        {child.record_keeper.name}; recorded {formatDateTime(child.created_at)}.
      </p>
      {editing ? (
        <>
          <ChildForm
            initial={childDraft(child)}
            withheld={child.withheld_categories}
            error={save.error}
            pending={save.isPending}
            submitLabel="Save details"
            onSubmit={(body) => save.mutate(body)}
          />
          <button type="button" className="button button--quiet" onClick={() => setEditing(false)}>
            Cancel
          </button>
        </>
      ) : (
        <>
          <ChildDetails child={child} />
          {mayEdit ? (
            <button
              type="button"
              className="button"
              onClick={() => {
                setNotice("");
                save.reset();
                setEditing(true);
              }}
            >
              {child.is_anonymous ? "Complete the record" : "Correct the details"}
            </button>
          ) : null}
        </>
      )}
    </section>
  );
}
