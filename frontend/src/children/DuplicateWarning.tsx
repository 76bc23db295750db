/**
 * The platform found an earlier record with the same name and date of birth. The worker is
 * told the references they may see; matches they may not see have gone to the duty managers.
 */
import type { Schemas } from "../api/client";

export function DuplicateWarning({ duplicate }: { duplicate: Schemas["PossibleDuplicate"] }) {
  return (
    <div className="warning" role="alert">
      <h3 className="warning__title">This may be a child already on record</h3>
      <p>{duplicate.message}</p>
      {duplicate.references.length ? (
        <p>
          Check {duplicate.references.length === 1 ? "the record" : "the records"}{" "}
          {duplicate.references.map((reference, index) => (
            <span key={reference}>
              {index ? ", " : ""}
              <strong>{reference}</strong>
            </span>
          ))}{" "}
          under Children before going on: one child should have one record.
        </p>
      ) : null}
    </div>
  );
}
