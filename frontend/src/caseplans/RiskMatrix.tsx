/**
 * The 5 x 5 risk matrix of an assessment: likelihood (rows, most likely first) by severity
 * (columns). A real table with row and column headers; each cell says its score and level in
 * words, and the cells holding the assessment's risks (after mitigation) say which, in words
 * and with a frame, so nothing rests on colour alone.
 */
import type { Schemas } from "../api/client";
import { RISK_DOMAIN_LABELS, RISK_LEVEL_LABELS } from "./labels";

type Item = Schemas["RiskItem"];

/** The risks in each cell, numbered as in the list beside the matrix (1-based). */
export function placeItems(items: readonly Item[]): Map<string, number[]> {
  const cells = new Map<string, number[]>();
  items.forEach((item, index) => {
    const key = `${item.residual_likelihood}:${item.residual_severity}`;
    cells.set(key, [...(cells.get(key) ?? []), index + 1]);
  });
  return cells;
}

/** The item that sets the overall level: the highest residual score (the first of equals). */
export function overallItem(items: readonly Item[]): Item | undefined {
  return items.reduce<Item | undefined>(
    (highest, item) => (!highest || item.residual_score > highest.residual_score ? item : highest),
    undefined,
  );
}

export function RiskMatrix({
  matrix,
  items,
  caption,
}: {
  matrix: Schemas["RiskMatrix"];
  items: readonly Item[];
  caption: string;
}) {
  const placed = placeItems(items);
  const overall = overallItem(items);
  const byPosition = new Map(matrix.cells.map((cell) => [`${cell.likelihood}:${cell.severity}`, cell]));
  const likelihoods = [...matrix.likelihood].sort((a, b) => b.value - a.value);
  const severities = [...matrix.severity].sort((a, b) => a.value - b.value);
  return (
    <div className="table-wrap">
      <table className="risk-matrix">
        <caption>{caption}</caption>
        <thead>
          <tr>
            <td />
            <th scope="colgroup" colSpan={severities.length}>
              Severity
            </th>
          </tr>
          <tr>
            <th scope="col">Likelihood</th>
            {severities.map((axis) => (
              <th key={axis.value} scope="col">
                {axis.value} {axis.label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {likelihoods.map((row) => (
            <tr key={row.value}>
              <th scope="row">
                {row.value} {row.label}
              </th>
              {severities.map((column) => {
                const key = `${row.value}:${column.value}`;
                const cell = byPosition.get(key);
                const here = placed.get(key) ?? [];
                const isOverall =
                  overall !== undefined &&
                  overall.residual_likelihood === row.value &&
                  overall.residual_severity === column.value;
                const classes = [
                  cell ? `risk-cell--${cell.level}` : "",
                  here.length ? "risk-cell--marked" : "",
                ].join(" ");
                return (
                  <td key={column.value} className={classes.trim() || undefined} aria-current={isOverall ? "true" : undefined}>
                    {cell ? (
                      <span className="risk-cell__score">
                        {cell.score} {RISK_LEVEL_LABELS[cell.level]}
                      </span>
                    ) : null}
                    {here.length ? (
                      <span className="risk-cell__marker">
                        {isOverall ? "Overall: " : ""}
                        {here.length === 1 ? "risk" : "risks"} {here.join(", ")}
                      </span>
                    ) : null}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** The numbered risks the matrix points to, before and after mitigation. */
export function RiskItems({ items }: { items: readonly Item[] }) {
  return (
    <ol className="risk-items">
      {items.map((item) => (
        <li key={item.id}>
          <strong>{RISK_DOMAIN_LABELS[item.domain]}</strong>: likelihood {item.likelihood} × severity{" "}
          {item.severity} = {item.score} ({RISK_LEVEL_LABELS[item.level]}); after mitigation{" "}
          {item.residual_likelihood} × {item.residual_severity} = {item.residual_score} (
          {RISK_LEVEL_LABELS[item.residual_level]})
          {item.mitigation ? <span className="cell-note">Mitigation: {item.mitigation}</span> : null}
        </li>
      ))}
    </ol>
  );
}
