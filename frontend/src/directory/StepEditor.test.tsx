import { QueryClientProvider } from "@tanstack/react-query";
import { render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { useState } from "react";
import { describe, expect, it } from "vitest";

import { createQueryClient } from "../App";
import type { Schemas } from "../api/client";
import { ApiError } from "../api/errors";
import { agency, json, mockPlatform } from "../test/platform";
import { moveStep, StepEditor, type StepDraft } from "./StepEditor";

function step(id: number, name: string, hours = "24"): StepDraft {
  return { key: `service-${id}`, service: { id, name, agency: "North Police" }, response_hours: hours, note: "" };
}

const POLICE = step(1, "Investigation Unit", "1");
const SOCIAL = step(2, "Family Support", "2");
const THERAPY = step(3, "Therapy", "48");

function service(id: number, name: string): Schemas["Service"] {
  return {
    id,
    hsds_id: `00000000-0000-4000-8000-00000000000${id}`,
    agency: agency(5, "North NGO"),
    name,
    alternate_name: "",
    description: "",
    need_categories: ["therapy"],
    is_active: true,
    intake_status: "accepting",
    minimum_age: null,
    maximum_age: null,
    eligibility_description: "",
    service_areas: [],
    languages: [],
    email: "",
    phone: "",
    url: "",
    contact_name: "",
    opening_hours: "",
    acknowledgement_hours: { immediate: 1, within_24h: 4, within_72h: 24, routine: 72 },
    last_verified_at: null,
    last_verified_by: null,
    updated_at: "2026-01-01T00:00:00Z",
  };
}

function Editor({ initial, error = null }: { initial: StepDraft[]; error?: unknown }) {
  const [steps, setSteps] = useState(initial);
  return (
    <QueryClientProvider client={createQueryClient()}>
      <StepEditor steps={steps} onChange={setSteps} error={error} />
    </QueryClientProvider>
  );
}

function directory(results: Schemas["Service"][] = []) {
  return mockPlatform({
    "GET /api/v1/services/": () => json({ count: results.length, next: null, previous: null, results }),
  });
}

const stepNames = () =>
  within(screen.getByRole("list")).getAllByRole("listitem").map((item) => item.querySelector(".step__name")?.textContent);

describe("moveStep", () => {
  it("swaps a step with its neighbour and leaves the ends alone", () => {
    const steps = [POLICE, SOCIAL, THERAPY];
    expect(moveStep(steps, 2, "up").map((s) => s.key)).toEqual(["service-1", "service-3", "service-2"]);
    expect(moveStep(steps, 0, "down").map((s) => s.key)).toEqual(["service-2", "service-1", "service-3"]);
    expect(moveStep(steps, 0, "up")).toEqual(steps);
    expect(moveStep(steps, 2, "down")).toEqual(steps);
    expect(steps.map((s) => s.key)).toEqual(["service-1", "service-2", "service-3"]);
  });
});

describe("the pathway step editor", () => {
  it("moves a step up, keeps focus on it and says where it went", async () => {
    directory();
    render(<Editor initial={[POLICE, SOCIAL, THERAPY]} />);
    await userEvent.click(screen.getByRole("button", { name: "Move up: Therapy" }));
    expect(stepNames()).toEqual(["Step 1: Investigation Unit", "Step 2: Therapy", "Step 3: Family Support"]);
    expect(screen.getByRole("button", { name: "Move up: Therapy" })).toHaveFocus();
    expect(screen.getByRole("status")).toHaveTextContent("Therapy is now step 2 of 3.");

    // At the top "Move up" is disabled: focus stays on the step, on its other button.
    await userEvent.click(screen.getByRole("button", { name: "Move up: Therapy" }));
    expect(stepNames()[0]).toBe("Step 1: Therapy");
    expect(screen.getByRole("button", { name: "Move up: Therapy" })).toBeDisabled();
    expect(screen.getByRole("button", { name: "Move down: Therapy" })).toHaveFocus();
  });

  it("is operable from the keyboard alone", async () => {
    directory();
    render(<Editor initial={[POLICE, SOCIAL]} />);
    screen.getByRole("button", { name: "Move down: Investigation Unit" }).focus();
    await userEvent.keyboard("{Enter}");
    expect(stepNames()).toEqual(["Step 1: Family Support", "Step 2: Investigation Unit"]);
    expect(screen.getByRole("button", { name: "Move up: Investigation Unit" })).toHaveFocus();
  });

  it("keeps each step's response time with the step when it moves", async () => {
    directory();
    render(<Editor initial={[POLICE, SOCIAL]} />);
    const hours = screen.getByLabelText("Response time for Family Support (hours)");
    await userEvent.clear(hours);
    await userEvent.type(hours, "6");
    await userEvent.click(screen.getByRole("button", { name: "Move up: Family Support" }));
    expect(screen.getByLabelText("Response time for Family Support (hours)")).toHaveValue(6);
    expect(screen.getByLabelText("Response time for Investigation Unit (hours)")).toHaveValue(1);
  });

  it("adds a chosen service at the end, without offering ones already on the pathway", async () => {
    directory([service(1, "Investigation Unit"), service(3, "Therapy")]);
    render(<Editor initial={[POLICE]} />);
    const picker = screen.getByLabelText(/Service to add/);
    await screen.findByRole("option", { name: "Therapy (North NGO)" });
    expect(within(picker).queryByRole("option", { name: /Investigation Unit/ })).not.toBeInTheDocument();
    await userEvent.selectOptions(picker, "Therapy (North NGO)");
    await userEvent.clear(screen.getByLabelText(/Its response time/));
    await userEvent.type(screen.getByLabelText(/Its response time/), "72");
    await userEvent.click(screen.getByRole("button", { name: "Add step" }));
    expect(stepNames()).toEqual(["Step 1: Investigation Unit", "Step 2: Therapy"]);
    expect(screen.getByLabelText("Response time for Therapy (hours)")).toHaveValue(72);
  });

  it("asks for a service before adding a step", async () => {
    directory();
    render(<Editor initial={[]} />);
    await userEvent.click(screen.getByRole("button", { name: "Add step" }));
    expect(screen.getByLabelText(/Service to add/)).toHaveAccessibleDescription(/Choose a service to add\./);
    expect(screen.getByText("No steps yet.")).toBeInTheDocument();
  });

  it("removes a step", async () => {
    directory();
    render(<Editor initial={[POLICE, SOCIAL]} />);
    await userEvent.click(screen.getByRole("button", { name: "Remove: Investigation Unit" }));
    expect(stepNames()).toEqual(["Step 1: Family Support"]);
    expect(screen.getByRole("status")).toHaveTextContent("Investigation Unit removed from the pathway.");
  });

  it("shows the server's messages beside the step they are about, and list messages above", () => {
    directory();
    const error = new ApiError(400, "invalid", "", {
      steps: ["A service can appear only once."],
      "steps.1.response_hours": ["Ensure this value is greater than or equal to 1."],
    });
    render(<Editor initial={[POLICE, SOCIAL]} error={error} />);
    expect(screen.getByLabelText("Response time for Family Support (hours)")).toHaveAccessibleDescription(
      "Error: Ensure this value is greater than or equal to 1.",
    );
    expect(screen.getByLabelText("Response time for Investigation Unit (hours)")).not.toHaveAttribute("aria-invalid");
    expect(screen.getByText("A service can appear only once.")).toBeInTheDocument();
  });
});
