import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { useState } from "react";
import { describe, expect, it } from "vitest";

import { SelectField, TextField } from "./Field";

function Controlled({ errors }: { errors?: string[] }) {
  const [value, setValue] = useState("");
  return (
    <TextField
      label="Email"
      name="email"
      value={value}
      onChange={setValue}
      hint="Where other agencies write to you."
      errors={errors}
    />
  );
}

describe("TextField", () => {
  it("labels the control and marks optional fields", () => {
    render(<Controlled />);
    const input = screen.getByLabelText(/Email/);
    expect(input).toHaveAttribute("name", "email");
    expect(screen.getByText("(optional)")).toBeInTheDocument();
    expect(input).not.toHaveAttribute("aria-invalid");
    expect(input).toHaveAccessibleDescription("Where other agencies write to you.");
  });

  it("shows the server's messages beside the field and ties them to it", () => {
    render(<Controlled errors={["Enter a valid email address."]} />);
    const input = screen.getByLabelText(/Email/);
    expect(input).toHaveAttribute("aria-invalid", "true");
    expect(input).toHaveAccessibleDescription(
      "Where other agencies write to you. Error: Enter a valid email address.",
    );
  });

  it("passes typing through", async () => {
    render(<Controlled />);
    const input = screen.getByLabelText(/Email/);
    await userEvent.type(input, "duty@north.example");
    expect(input).toHaveValue("duty@north.example");
  });
});

describe("SelectField", () => {
  it("offers a placeholder and the options, with errors", () => {
    render(
      <SelectField
        label="Role"
        name="role"
        value=""
        onChange={() => undefined}
        required
        placeholder="Choose a role"
        options={[{ value: "dpo", label: "Data protection officer" }]}
        errors={['"" is not a valid choice.']}
      />,
    );
    const select = screen.getByRole("combobox", { name: "Role" });
    expect(select).toBeRequired();
    expect(select).toHaveAttribute("aria-invalid", "true");
    expect(screen.getAllByRole("option").map((o) => o.textContent)).toEqual([
      "Choose a role",
      "Data protection officer",
    ]);
  });
});
