/**
 * A disclosure narrative stays closed until someone chooses to read it: staff are not exposed
 * to distressing detail they do not need, and each reading is audited by the platform. The
 * text lives in this component only (never the query cache or storage), so it is gone once
 * hidden or once the person leaves the page. Used for a referral's concern and a case plan's.
 */
import { useId, useState } from "react";

import { LoadProblem } from "../components/Problem";

export function HiddenNarrative({ read, what = "concern" }: { read: () => Promise<string>; what?: string }) {
  const [text, setText] = useState<string | null>(null);
  const [problem, setProblem] = useState<unknown>(null);
  const [loading, setLoading] = useState(false);
  const regionId = useId();
  const show = async () => {
    setProblem(null);
    setLoading(true);
    try {
      setText(await read());
    } catch (error) {
      setProblem(error);
    } finally {
      setLoading(false);
    }
  };
  return (
    <>
      <p className="field__hint">
        The {what} may describe abuse in detail. It stays hidden until you choose to read it, and
        each reading is recorded in the audit trail.
      </p>
      <button
        type="button"
        className="button"
        aria-expanded={text !== null}
        aria-controls={regionId}
        disabled={loading}
        onClick={() => (text === null ? void show() : setText(null))}
      >
        {text === null ? (loading ? "Opening…" : `Show ${what}`) : `Hide ${what}`}
      </button>
      {problem ? <LoadProblem error={problem} /> : null}
      <div id={regionId} className="concern" hidden={text === null}>
        {text !== null ? <p className="narrative">{text}</p> : null}
      </div>
    </>
  );
}
