/** The data protection officer's subject access export: the child's record as one JSON file. */
import { useMutation } from "@tanstack/react-query";
import { useState } from "react";

import { api, unwrap } from "../api/client";
import { downloadJson, today } from "../components/download";
import { LoadProblem } from "../components/Problem";

export function SubjectAccess({ child, reference }: { child: string; reference: string }) {
  const [done, setDone] = useState("");
  const exportRecord = useMutation({
    mutationFn: () =>
      unwrap(api.GET("/api/v1/children/{id}/subject-access-export/", { params: { path: { id: child } } })),
    onSuccess: ({ document }) => {
      // The file is named by the pseudonymous reference only, never by a name.
      downloadJson(`subject-access-${reference}-${today()}.json`, document);
      setDone("The subject access export has downloaded. Review the free text it lists before releasing it.");
    },
  });
  return (
    <section aria-labelledby="subject-access-heading" className="panel">
      <h2 id="subject-access-heading">Subject access</h2>
      <p>
        Everything the platform holds about this child: the record, consent decisions and what was shared
        with whom. Other people's personal data is redacted; free text written by staff is listed for your
        review before release. The export is recorded in the audit trail.
      </p>
      <button
        type="button"
        className="button"
        disabled={exportRecord.isPending}
        onClick={() => {
          setDone("");
          exportRecord.mutate();
        }}
      >
        {exportRecord.isPending ? "Preparing the export…" : "Download the subject access export"}
      </button>
      <p role="status" className="notice-slot">
        {done}
      </p>
      {exportRecord.isError ? <LoadProblem error={exportRecord.error} /> : null}
    </section>
  );
}
