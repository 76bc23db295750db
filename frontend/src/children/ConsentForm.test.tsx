import { QueryClientProvider } from "@tanstack/react-query";
import { render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";

import { createQueryClient } from "../App";
import { fill, FORM_TIMEOUT } from "../test/forms";
import { agency, CSRF, json, mockPlatform, type Handler } from "../test/platform";
import { ConsentForm, EMPTY_CONSENT, toConsentRequest } from "./ConsentForm";

const CHILD = "6b1f1c1e-8a0c-4b7e-9a51-0d6f1c6b2a11";

function platform(extra: Record<string, Handler> = {}) {
  const agencies = [agency(4, "North Police"), agency(6, "North Health")];
  return mockPlatform({
    ...CSRF,
    "GET /api/v1/agencies/": () => json({ count: 2, next: null, previous: null, results: agencies }),
    ...extra,
  });
}

function renderForm(onRecorded = vi.fn()) {
  render(
    <QueryClientProvider client={createQueryClient()}>
      <ConsentForm child={CHILD} onRecorded={onRecorded} />
    </QueryClientProvider>,
  );
  return onRecorded;
}

/** A question's group of options, found by its legend (role queries are slow on a form this size). */
function group(name: RegExp | string): HTMLElement {
  const matches = (text: string) => (typeof name === "string" ? text === name : name.test(text));
  const legend = screen.getAllByText((_, element) => element?.tagName === "LEGEND" && matches(element.textContent ?? ""));
  return legend[0]!.closest("fieldset")!;
}

describe("toConsentRequest", () => {
  it("sends the child's competence, not a relationship, when the child decides", () => {
    const body = toConsentRequest(CHILD, {
      ...EMPTY_CONSENT,
      decision: "active",
      given_by: "child",
      child_competent: "yes",
      given_by_relationship: "left over from before",
      recipient_kinds: ["police"],
      categories: ["identity"],
      purposes: ["investigation"],
    });
    expect(body).toEqual({
      child: CHILD,
      decision: "active",
      given_by: "child",
      child_competent: true,
      capacity_note: "",
      recipient_kinds: ["police"],
      recipient_agencies: [],
      categories: ["identity"],
      purposes: ["investigation"],
    });
  });

  it("runs a validity from the start of its first day to the end of its last, in local time", () => {
    const body = toConsentRequest(CHILD, { ...EMPTY_CONSENT, valid_from: "2026-03-01", valid_until: "2026-03-31" });
    expect(new Date(body.valid_from!).getHours()).toBe(0);
    expect(new Date(body.valid_from!).getDate()).toBe(1);
    const until = new Date(body.valid_until!);
    expect([until.getDate(), until.getHours(), until.getMinutes()]).toEqual([31, 23, 59]);
  });
});

describe("the consent form", () => {
  it("asks about competence only when the child decides, and about the relationship otherwise", async () => {
    platform();
    renderForm();
    const decider = group("Who decided");
    expect(screen.queryByText(/Is the child competent/)).not.toBeInTheDocument();

    await userEvent.click(within(decider).getByLabelText("The child or young person"));
    expect(group(/Is the child competent/)).toBeInTheDocument();
    expect(screen.queryByLabelText(/Relationship to the child/)).not.toBeInTheDocument();

    await userEvent.click(within(decider).getByLabelText("A parent or carer"));
    expect(screen.queryByText(/Is the child competent/)).not.toBeInTheDocument();
    expect(screen.getByLabelText(/Relationship to the child/)).toBeRequired();
  }, FORM_TIMEOUT);

  it("sends the whole scope: kinds and named agencies, information, purposes, validity", async () => {
    const { sent } = platform({
      "POST /api/v1/consents/": (request) => json({ id: "c1", status: "active", ...(request.body as object) }, 201),
    });
    const onRecorded = renderForm();
    await userEvent.click(within(group("Was consent given?")).getByLabelText("Consent given"));
    await userEvent.click(within(group("Who decided")).getByLabelText("A parent or carer"));
    await fill(screen.getByLabelText(/Relationship to the child/), "mother");
    await fill(screen.getByLabelText(/Their name/), "Sana Khan");
    await fill(screen.getByLabelText(/How understanding was assessed/), "Explained who and why.");
    await userEvent.click(within(group(/Kinds of agency/)).getByLabelText("Social services"));
    await userEvent.click(await within(group(/Named agencies/)).findByLabelText("North Health"));
    await userEvent.click(within(group("Information")).getByLabelText("Health"));
    await userEvent.click(within(group("Information")).getByLabelText("Identity"));
    await userEvent.click(within(group("Purposes")).getByLabelText("Support"));
    await userEvent.click(screen.getByRole("button", { name: "Record the decision" }));

    await waitFor(() => expect(onRecorded).toHaveBeenCalled());
    const body = sent.find((s) => s.method === "POST")?.body as Record<string, unknown>;
    expect(body).toEqual({
      child: CHILD,
      decision: "active",
      given_by: "parent_carer",
      given_by_relationship: "mother",
      given_by_name: "Sana Khan",
      capacity_note: "Explained who and why.",
      recipient_kinds: ["social_services"],
      recipient_agencies: [6],
      // In the options' order, whatever order they were ticked in.
      categories: ["identity", "health"],
      purposes: ["support"],
    });
  }, FORM_TIMEOUT);

  it("shows the platform's messages beside the fields and keeps every answer", async () => {
    platform({
      "POST /api/v1/consents/": () =>
        json(
          {
            detail: "Some of the information is not valid.",
            code: "invalid",
            errors: {
              child_competent: ["A child judged not competent cannot give consent: record the decision of a parent or carer."],
              purposes: ["This list may not be empty."],
            },
          },
          400,
        ),
    });
    const onRecorded = renderForm();
    await userEvent.click(within(group("Was consent given?")).getByLabelText("Consent given"));
    await userEvent.click(within(group("Who decided")).getByLabelText("The child or young person"));
    await userEvent.click(within(group(/Is the child competent/)).getByLabelText(/^No/));
    await userEvent.click(within(group(/Kinds of agency/)).getByLabelText("Police"));
    await userEvent.click(within(group("Information")).getByLabelText("Identity"));
    await userEvent.click(screen.getByRole("button", { name: "Record the decision" }));

    await screen.findByRole("alert");
    const competence = group(/Is the child competent/);
    expect(competence).toHaveAccessibleDescription(expect.stringContaining("record the decision of a parent or carer"));
    expect(group("Purposes")).toHaveAccessibleDescription("Error: This list may not be empty.");
    expect(screen.getByRole("alert")).toHaveTextContent("Purposes: This list may not be empty.");
    expect(within(competence).getByLabelText(/^No/)).toBeChecked();
    expect(within(group(/Kinds of agency/)).getByLabelText("Police")).toBeChecked();
    expect(within(group("Information")).getByLabelText("Identity")).toBeChecked();
    expect(onRecorded).not.toHaveBeenCalled();
  }, FORM_TIMEOUT);
});
