/**
 * Open Referral HSDS 3.0 interchange: download the directory, or upload a file to create and
 * update the admin's own agencies' services, with what happened to each record and why.
 */
import { useMutation } from "@tanstack/react-query";
import { useEffect, useId, useRef, useState, type FormEvent } from "react";
import { Link } from "react-router";

import { api, unwrap, type Schemas } from "../api/client";
import { downloadJson, today } from "../components/download";
import { errorsFor } from "../components/formErrors";
import { Page } from "../components/Page";
import { FormProblem, LoadProblem } from "../components/Problem";
import { useInvalidateDirectory } from "../directory/queries";

import "../directory/directory.css";

type Report = Schemas["ImportReport"];

const OUTCOMES: { key: keyof Report; heading: string; meaning: string }[] = [
  { key: "created", heading: "Created", meaning: "New in the directory." },
  { key: "updated", heading: "Updated", meaning: "Changed to match the file." },
  { key: "unchanged", heading: "Unchanged", meaning: "Already the same as the file." },
  { key: "skipped", heading: "Skipped", meaning: "Left out, for the reason given." },
];

const RECORD_TYPES: Record<Schemas["HsdsObjectType"], string> = {
  organization: "Organisation",
  service: "Service",
  location: "Location",
  service_at_location: "Service at location",
};

export function DirectoryHsdsPage() {
  return (
    <Page title="Import and export">
      <p>
        <Link to="/directory">Back to the directory</Link>
      </p>
      <p className="lede">
        Exchange the directory with other systems in the Open Referral HSDS 3.0 format.
      </p>
      <Export />
      <Import />
    </Page>
  );
}

function Export() {
  const [done, setDone] = useState("");
  const exportDirectory = useMutation({
    mutationFn: () => unwrap(api.GET("/api/v1/directory/export/")),
    onSuccess: (document_) => {
      downloadJson(`directory-hsds-${today()}.json`, document_);
      setDone(`Downloaded ${document_.services.length} services as an HSDS file.`);
    },
  });
  return (
    <section aria-labelledby="hsds-export" className="panel">
      <h2 id="hsds-export">Export</h2>
      <p>The whole directory: agencies (as organisations), services and their locations.</p>
      <button
        type="button"
        className="button"
        disabled={exportDirectory.isPending}
        onClick={() => {
          setDone("");
          exportDirectory.mutate();
        }}
      >
        {exportDirectory.isPending ? "Preparing the file…" : "Download the directory (HSDS JSON)"}
      </button>
      <p role="status" className="notice-slot">
        {done}
      </p>
      {exportDirectory.isError ? <LoadProblem error={exportDirectory.error} /> : null}
    </section>
  );
}

class UnreadableFile extends Error {}

function Import() {
  const fileId = useId();
  const [file, setFile] = useState<File | null>(null);
  const [localProblem, setLocalProblem] = useState("");
  const invalidate = useInvalidateDirectory();
  const importFile = useMutation({
    mutationFn: async (chosen: File) => {
      let body: unknown;
      try {
        body = JSON.parse(await chosen.text());
      } catch {
        throw new UnreadableFile();
      }
      return unwrap(api.POST("/api/v1/directory/import/", { body }));
    },
    onSuccess: () => void invalidate(),
    onError: (error) => {
      if (error instanceof UnreadableFile) setLocalProblem("This file is not JSON. Choose an HSDS file ending in .json.");
    },
  });
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    setLocalProblem("");
    if (!file) {
      setLocalProblem("Choose a file to import.");
      return;
    }
    importFile.mutate(file);
  };
  const serverProblem = importFile.error instanceof UnreadableFile ? null : importFile.error;
  const fileErrors = [...(localProblem ? [localProblem] : []), ...(errorsFor(serverProblem, "file") ?? [])];
  const hintId = `${fileId}-hint`;
  const errorId = `${fileId}-error`;

  return (
    <section aria-labelledby="hsds-import" className="panel">
      <h2 id="hsds-import">Import</h2>
      <p>
        Services in the file are created or updated for the agencies you administer, matched by their
        HSDS id, so importing the same file twice changes nothing the second time. Records of other
        agencies are skipped. A file that is not valid HSDS 3.0 changes nothing at all.
      </p>
      <FormProblem error={serverProblem} fieldLabels={{ file: "File" }} />
      <form onSubmit={onSubmit} noValidate className="form">
        <div className={fileErrors.length ? "field field--invalid" : "field"}>
          <label htmlFor={fileId} className="field__label">
            HSDS file
          </label>
          <p id={hintId} className="field__hint">
            A JSON file: an export, one service, an organisation with its services, or a list of these.
          </p>
          {fileErrors.length ? (
            <ul id={errorId} className="field__errors">
              {fileErrors.map((message) => (
                <li key={message}>
                  <span className="visually-hidden">Error:</span> {message}
                </li>
              ))}
            </ul>
          ) : null}
          <input
            id={fileId}
            type="file"
            name="file"
            accept="application/json,.json"
            aria-describedby={fileErrors.length ? `${hintId} ${errorId}` : hintId}
            aria-invalid={fileErrors.length ? true : undefined}
            onChange={(event) => {
              setFile(event.target.files?.[0] ?? null);
              setLocalProblem("");
              importFile.reset();
            }}
          />
        </div>
        <button type="submit" className="button button--primary" disabled={importFile.isPending}>
          {importFile.isPending ? "Importing…" : "Import"}
        </button>
      </form>
      {importFile.data ? <ImportReport report={importFile.data} /> : null}
    </section>
  );
}

function ImportReport({ report }: { report: Report }) {
  // The report replaces the form's focus: keyboard and screen reader users land on it.
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), [report]);
  return (
    <div className="report">
      <h3 tabIndex={-1} ref={heading}>
        What the import did
      </h3>
      <ul>
        {OUTCOMES.map(({ key, heading }) => (
          <li key={key}>
            {heading}: {report[key].length}
          </li>
        ))}
      </ul>
      {OUTCOMES.filter(({ key }) => report[key].length).map(({ key, heading, meaning }) => (
        <div key={key}>
          <h3>
            {heading} ({report[key].length})
          </h3>
          <p className="field__hint">{meaning}</p>
          <div className="table-wrap">
            <table className="table">
              <thead>
                <tr>
                  <th scope="col">Record</th>
                  <th scope="col">Where in the file</th>
                  <th scope="col">HSDS id</th>
                  {key === "skipped" ? <th scope="col">Reason</th> : null}
                </tr>
              </thead>
              <tbody>
                {report[key].map((outcome) => (
                  <tr key={`${outcome.type}-${outcome.id}-${outcome.where}`}>
                    <th scope="row">{RECORD_TYPES[outcome.type]}</th>
                    <td>{outcome.where}</td>
                    <td>
                      <code>{outcome.id}</code>
                    </td>
                    {key === "skipped" ? <td>{outcome.reason}</td> : null}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </div>
      ))}
    </div>
  );
}
