import { describe, expect, it } from "vitest";

import { ApiError, flattenErrors, plainMessage, toApiError } from "./errors";

describe("plainMessage", () => {
  it.each([
    [401, /sign in again/],
    [403, /don't have permission/],
    [404, /couldn't find this/],
    [409, /changed since you opened it/],
    [429, /Wait a minute/],
    [500, /nothing was saved/],
    [503, /nothing was saved/],
    [418, /didn't work/],
  ])("says something a person can act on for %i", (status, pattern) => {
    expect(plainMessage(status)).toMatch(pattern);
  });
});

describe("toApiError", () => {
  it("keeps the platform's detail and code beside the plain message", () => {
    const error = toApiError(409, { detail: "Someone else accepted it first.", code: "conflict" });
    expect(error.message).toBe(plainMessage(409));
    expect(error.detail).toBe("Someone else accepted it first.");
    expect(error.code).toBe("conflict");
    expect(error.fieldErrors).toEqual({});
  });

  it("accepts bodies that are not the platform's shape", () => {
    for (const body of [undefined, "Bad gateway", ["x"], null]) {
      const error = toApiError(502, body);
      expect(error).toBeInstanceOf(ApiError);
      expect(error.detail).toBe("");
      expect(error.code).toBe("error");
    }
  });

  it("knows a 401 means the person is signed out", () => {
    expect(toApiError(401, {}).isSignedOut).toBe(true);
    expect(toApiError(403, {}).isSignedOut).toBe(false);
  });
});

describe("flattenErrors", () => {
  it("gives nested and listed fields dotted names", () => {
    expect(
      flattenErrors({
        username: ["Required."],
        contact: { email: ["Enter a valid email address."] },
        items: [{ name: ["Too long."] }, {}],
        reason: "Give a reason.",
      }),
    ).toEqual({
      username: ["Required."],
      "contact.email": ["Enter a valid email address."],
      "items.0.name": ["Too long."],
      reason: ["Give a reason."],
    });
  });
});
