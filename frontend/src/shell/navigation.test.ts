import { describe, expect, it } from "vitest";

import { currentEntry } from "./AppShell";

describe("the current navigation entry", () => {
  const paths = ["/", "/referrals", "/referrals/new", "/directory"];

  it("is the longest entry the address is at or under", () => {
    expect(currentEntry(paths, "/referrals/new")).toBe("/referrals/new");
    expect(currentEntry(paths, "/referrals/5f0c7a52")).toBe("/referrals");
    expect(currentEntry(paths, "/referrals")).toBe("/referrals");
    expect(currentEntry(paths, "/directory/services/3")).toBe("/directory");
  });

  it("marks home only at home, and nothing for pages outside the navigation", () => {
    expect(currentEntry(paths, "/")).toBe("/");
    expect(currentEntry(paths, "/notifications")).toBeUndefined();
    expect(currentEntry(paths, "/referrals-archive")).toBeUndefined();
  });
});
