import { render, screen, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";

import { ApiError } from "../api/errors";
import { explanation, FormProblem, LoadProblem } from "./Problem";

describe("FormProblem", () => {
  it("renders nothing without an error", () => {
    const { container } = render(<FormProblem error={null} />);
    expect(container).toBeEmptyDOMElement();
  });

  it("summarises form-wide and field messages with the fields' labels, and takes focus", () => {
    const error = new ApiError(400, "invalid", "Some of the information is not valid.", {
      non_field_errors: ["This person already has this role."],
      email: ["Enter a valid email address."],
    });
    render(<FormProblem error={error} fieldLabels={{ email: "Email" }} />);
    const alert = screen.getByRole("alert");
    expect(within(alert).getByRole("heading")).toHaveTextContent("Some of the information needs correcting.");
    expect(within(alert).getAllByRole("listitem").map((li) => li.textContent)).toEqual([
      "This person already has this role.",
      "Email: Enter a valid email address.",
    ]);
    expect(alert).toHaveFocus();
  });

  it("adds the platform's reason to a refusal", () => {
    const error = new ApiError(403, "permission_denied", "Only this agency's admins can manage its staff.");
    render(<FormProblem error={error} />);
    expect(screen.getByRole("alert")).toHaveTextContent(
      "You don't have permission to do this.Only this agency's admins can manage its staff.",
    );
  });
});

describe("explanation", () => {
  it("hides technical CSRF wording and 404 details", () => {
    expect(explanation(new ApiError(403, "permission_denied", "CSRF check failed: token missing."))).toBeNull();
    expect(explanation(new ApiError(404, "not_found", "No Agency matches the given query."))).toBeNull();
    expect(explanation(new ApiError(409, "conflict", "Someone else accepted it first."))).toBe(
      "Someone else accepted it first.",
    );
  });
});

describe("LoadProblem", () => {
  it("shows a plain message for anything thrown", () => {
    render(<LoadProblem error={new Error("boom")} />);
    expect(screen.getByRole("alert")).toHaveTextContent("The request didn't work. Try again in a moment.");
  });
});

describe("FormProblem when the session has ended", () => {
  it("offers a sign-in in a new tab so the form is not lost", () => {
    render(<FormProblem error={new ApiError(401, "not_authenticated", "Authentication credentials were not provided.")} />);
    const link = screen.getByRole("link", { name: "Sign in again in a new tab" });
    expect(link).toHaveAttribute("href", "/sign-in");
    expect(link).toHaveAttribute("target", "_blank");
    expect(screen.getByRole("alert")).toHaveTextContent("what you typed is still here");
  });
});
