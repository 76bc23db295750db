import { render, screen, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";

import type { Schemas } from "../api/client";
import { overallItem, placeItems, RiskMatrix } from "./RiskMatrix";

const LIKELIHOOD = ["Rare", "Unlikely", "Possible", "Likely", "Almost certain"];
const SEVERITY = ["Minimal", "Minor", "Moderate", "Serious", "Severe"];

function level(score: number): Schemas["RiskLevel"] {
  return score <= 4 ? "low" : score <= 9 ? "medium" : score <= 15 ? "high" : "very_high";
}

const MATRIX: Schemas["RiskMatrix"] = {
  likelihood: LIKELIHOOD.map((label, i) => ({ value: i + 1, label })),
  severity: SEVERITY.map((label, i) => ({ value: i + 1, label })),
  bands: [],
  cells: [1, 2, 3, 4, 5].flatMap((likelihood) =>
    [1, 2, 3, 4, 5].map((severity) => ({
      likelihood,
      severity,
      score: likelihood * severity,
      level: level(likelihood * severity),
    })),
  ),
};

function item(
  domain: Schemas["RiskDomain"],
  [likelihood, severity]: [number, number],
  [residualLikelihood, residualSeverity]: [number, number],
): Schemas["RiskItem"] {
  return {
    id: `${domain}-${likelihood}${severity}`,
    domain,
    likelihood,
    severity,
    score: likelihood * severity,
    level: level(likelihood * severity),
    mitigation: "",
    residual_likelihood: residualLikelihood,
    residual_severity: residualSeverity,
    residual_score: residualLikelihood * residualSeverity,
    residual_level: level(residualLikelihood * residualSeverity),
  };
}

const ITEMS = [
  item("online_contact", [5, 4], [3, 4]),
  item("self_harm", [3, 3], [2, 3]),
  item("home_and_family", [2, 2], [2, 3]),
];

function cell(table: HTMLElement, likelihood: string, severity: number): HTMLElement {
  const row = within(table).getByRole("rowheader", { name: likelihood }).closest("tr")!;
  return within(row).getAllByRole("cell")[severity - 1]!;
}

describe("the risk matrix", () => {
  it("is a 5 x 5 table with likelihood rows (most likely first) and severity columns", () => {
    render(<RiskMatrix matrix={MATRIX} items={ITEMS} caption="Current assessment" />);
    const table = screen.getByRole("table", { name: "Current assessment" });
    expect(within(table).getAllByRole("rowheader").map((h) => h.textContent)).toEqual([
      "5 Almost certain",
      "4 Likely",
      "3 Possible",
      "2 Unlikely",
      "1 Rare",
    ]);
    expect(within(table).getAllByRole("columnheader").map((h) => h.textContent)).toEqual([
      "Severity",
      "Likelihood",
      "1 Minimal",
      "2 Minor",
      "3 Moderate",
      "4 Serious",
      "5 Severe",
    ]);
    expect(table.querySelectorAll("tbody td")).toHaveLength(25);
    // Every cell says its score and level in words.
    expect(cell(table, "5 Almost certain", 5)).toHaveTextContent("25 Very high");
    expect(cell(table, "1 Rare", 1)).toHaveTextContent("1 Low");
  });

  it("marks where each risk stands after mitigation, and the overall one, in words as well as a frame", () => {
    render(<RiskMatrix matrix={MATRIX} items={ITEMS} caption="Current assessment" />);
    const table = screen.getByRole("table");
    const overall = cell(table, "3 Possible", 4);
    expect(overall).toHaveTextContent("12 High");
    expect(overall).toHaveTextContent("Overall: risk 1");
    expect(overall).toHaveAttribute("aria-current", "true");
    expect(overall).toHaveClass("risk-cell--marked");

    const shared = cell(table, "2 Unlikely", 3);
    expect(shared).toHaveTextContent("risks 2, 3");
    expect(shared).not.toHaveTextContent("Overall");
    expect(shared).not.toHaveAttribute("aria-current");

    const before = cell(table, "5 Almost certain", 4);
    expect(before).toHaveTextContent(/^20 Very high$/);
    expect(before).not.toHaveClass("risk-cell--marked");
    expect(table.querySelectorAll("[aria-current]")).toHaveLength(1);
  });

  it("marks nothing for an assessment without risks", () => {
    render(<RiskMatrix matrix={MATRIX} items={[]} caption="Empty" />);
    expect(screen.getByRole("table").querySelectorAll(".risk-cell--marked, [aria-current]")).toHaveLength(0);
  });

  it("numbers risks by cell and finds the highest residual score", () => {
    expect([...placeItems(ITEMS).entries()]).toEqual([
      ["3:4", [1]],
      ["2:3", [2, 3]],
    ]);
    expect(overallItem(ITEMS)?.domain).toBe("online_contact");
    expect(overallItem([])).toBeUndefined();
  });
});
