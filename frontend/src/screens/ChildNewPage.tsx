/** Record a child: with whatever details are known, or none at all for an anonymous contact. */
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { Link, useNavigate } from "react-router";

import { api, unwrap, type Schemas } from "../api/client";
import { Page } from "../components/Page";
import { ChildForm, childDraft } from "../children/ChildForm";
import type { ChildSavedState } from "./ChildPage";

import "../children/children.css";

export function ChildNewPage() {
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const record = useMutation({
    mutationFn: (body: Schemas["ChildWriteRequest"]) => unwrap(api.POST("/api/v1/children/", { body })),
    onSuccess: (saved) => {
      void queryClient.invalidateQueries({ queryKey: ["children", "list"] });
      const state: ChildSavedState = {
        notice: `Recorded as ${saved.reference}.`,
        duplicate: saved.possible_duplicate,
      };
      navigate(`/children/${saved.id}`, { state });
    },
  });
  return (
    <Page title="Record a child">
      <p>
        <Link to="/children">Back to children</Link>
      </p>
      <p className="lede">
        Record what the child or young person is happy to tell you. Every detail is optional: leave
        them all empty to keep the record anonymous, and complete it later.
      </p>
      <ChildForm
        initial={childDraft()}
        error={record.error}
        pending={record.isPending}
        submitLabel="Record the child"
        onSubmit={(body) => record.mutate(body)}
      />
    </Page>
  );
}
