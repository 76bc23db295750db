import { act, renderHook } from "@testing-library/react";
import { describe, expect, it } from "vitest";

import {
  ageOn,
  childBody,
  consentBody,
  createBody,
  draftReducer,
  draftUpdateBody,
  EMPTY_CONSENT,
  initialDraft,
  missingFor,
  stepsFor,
  useReferralDraft,
  type ChosenService,
  type DraftAction,
  type ReferralDraft,
} from "./draft";

const police: ChosenService = {
  id: 11,
  name: "Child Abuse Investigation Unit",
  agency: { id: 4, name: "North Police", kind: "police", region: { id: 1, name: "North", code: "north" } },
  pathway: 2,
  pathwayName: "Online sexual exploitation — immediate risk",
};
const family: ChosenService = {
  id: 12,
  name: "Family Support Service",
  agency: { id: 3, name: "North Social Services", kind: "social_services", region: { id: 1, name: "North", code: "north" } },
  pathway: null,
  pathwayName: null,
};
const amira = { id: "child-1", reference: "C-AAAAAA", date_of_birth: "2010-03-14" };

function run(draft: ReferralDraft, ...actions: DraftAction[]): ReferralDraft {
  return actions.reduce(draftReducer, draft);
}

describe("the new referral's state", () => {
  it("keeps everything typed while moving between steps", () => {
    const { result } = renderHook(() => useReferralDraft({ region: "north" }));
    const [, dispatch] = result.current;
    act(() => {
      dispatch({ type: "chooseChildMode", mode: "new" });
      dispatch({ type: "editNewChild", field: "given_name", value: "Robin" });
      dispatch({ type: "go", step: "concern" });
      dispatch({ type: "setConcern", concern: "Asked for pictures." });
      dispatch({ type: "setUrgency", urgency: "within_24h" });
      dispatch({ type: "go", step: "needs" });
      dispatch({ type: "go", step: "child" });
    });
    const [draft] = result.current;
    expect(draft.step).toBe("child");
    expect(draft.newChild.given_name).toBe("Robin");
    expect(draft.concern).toBe("Asked for pictures.");
    expect(draft.urgency).toBe("within_24h");
    expect(draft.region).toBe("north");
  });

  it("says what is missing before a step can be left, field by field", () => {
    const draft = initialDraft();
    expect(missingFor("child", draft)).toEqual({
      child_mode: ["Choose whether the child is already on record, new, or anonymous."],
    });
    expect(missingFor("child", run(draft, { type: "chooseChildMode", mode: "existing" }))).toHaveProperty("reference");
    expect(missingFor("child", run(draft, { type: "chooseChildMode", mode: "anonymous" }))).toEqual({});
    expect(Object.keys(missingFor("concern", run(draft, { type: "setConcern", concern: "  " })))).toEqual([
      "concern",
      "urgency",
    ]);
    expect(missingFor("needs", draft)).toHaveProperty("need_categories");
    expect(missingFor("service", run(draft, { type: "chooseService", service: family }))).toEqual({});
  });

  it("works out the child's age from the date of birth for matching", () => {
    expect(ageOn("2010-03-14", new Date(2026, 2, 13))).toBe(15);
    expect(ageOn("2010-03-14", new Date(2026, 2, 14))).toBe(16);
    expect(ageOn("not a date", new Date())).toBeNull();
    const draft = run(initialDraft(), { type: "setChild", child: amira });
    expect(Number(draft.age)).toBe(ageOn("2010-03-14", new Date()));
  });

  it("matches services for a chosen need while it is still wanted", () => {
    let draft = run(initialDraft(), { type: "setNeeds", needs: ["police_investigation", "therapy"] });
    expect(draft.matchNeed).toBe("police_investigation");
    draft = run(draft, { type: "setMatch", field: "matchNeed", value: "therapy" }, { type: "setNeeds", needs: ["therapy"] });
    expect(draft.matchNeed).toBe("therapy");
    draft = run(draft, { type: "setNeeds", needs: ["family_support"] });
    expect(draft.matchNeed).toBe("family_support");
  });

  it("always shares the concern narrative, in a fixed order", () => {
    const draft = run(initialDraft(), { type: "setCategories", categories: ["health", "identity"] });
    expect(draft.categories).toEqual(["identity", "health", "disclosure_narrative"]);
    expect(run(draft, { type: "setCategories", categories: [] }).categories).toEqual(["disclosure_narrative"]);
  });

  it("drops a chosen override when it no longer fits the share", () => {
    const withOverride = run(
      initialDraft(),
      { type: "setChild", child: amira },
      { type: "chooseService", service: police },
      { type: "useOverride", override: "override-1" },
    );
    expect(withOverride.override).toBe("override-1");
    expect(run(withOverride, { type: "chooseService", service: { ...police, pathway: null } }).override).toBe(
      "override-1",
    );
    expect(run(withOverride, { type: "chooseService", service: family }).override).toBeNull();
    expect(run(withOverride, { type: "setPurpose", purpose: "investigation" }).override).toBeNull();
    expect(run(withOverride, { type: "setCategories", categories: ["contact"] }).override).toBeNull();
    expect(run(withOverride, { type: "setChild", child: { ...amira, id: "child-2" } }).override).toBeNull();
  });

  it("keeps the child once the draft referral exists: a retry must not change who it is about", () => {
    const created = run(initialDraft(), { type: "setChild", child: amira }, { type: "created", referralId: "r-1" });
    expect(run(created, { type: "setChild", child: { ...amira, id: "child-2" } }).child).toEqual(amira);
    expect(run(created, { type: "chooseChildMode", mode: "anonymous" }).childMode).toBe(created.childMode);
  });

  it("reuses the record it saved for a new child rather than recording another", () => {
    const saved = { id: "child-9", reference: "C-NEW999", date_of_birth: null };
    let draft = run(initialDraft(), { type: "chooseChildMode", mode: "new" }, { type: "savedChild", child: saved });
    expect(draft.child).toEqual(saved);
    draft = run(draft, { type: "chooseChildMode", mode: "existing" }, { type: "chooseChildMode", mode: "new" });
    expect(draft.child).toBeNull();
    expect(draft.savedChild).toEqual(saved);
  });

  it("leaves the child step out of an onward referral", () => {
    const onward = initialDraft({ parent: "referral-1" });
    expect(onward.step).toBe("concern");
    expect(stepsFor(onward)).toEqual(["concern", "needs", "service", "sharing", "review"]);
    expect(run(onward, { type: "go", step: "child" }).step).toBe("concern");
  });
});

describe("what the flow sends", () => {
  const ready = run(
    initialDraft(),
    { type: "setChild", child: amira },
    { type: "setConcern", concern: "Asked for pictures." },
    { type: "setUrgency", urgency: "immediate" },
    { type: "setNeeds", needs: ["police_investigation"] },
    { type: "chooseService", service: police },
  );

  it("creates the referral for the chosen child, service and pathway", () => {
    expect(createBody(ready)).toEqual({
      child: "child-1",
      service: 11,
      pathway: 2,
      urgency: "immediate",
      need_categories: ["police_investigation"],
      concern: "Asked for pictures.",
      shared_categories: ["identity", "disclosure_narrative"],
      purpose: "support",
      override: null,
    });
    expect(draftUpdateBody(ready)).not.toHaveProperty("child");
  });

  it("names the parent, not a child, for an onward referral", () => {
    const onward = { ...ready, parent: "referral-1" };
    expect(createBody(onward)).toMatchObject({ parent: "referral-1" });
    expect(createBody(onward)).not.toHaveProperty("child");
  });

  it("sends only what was filled in for a new child, and clears emptied fields on update", () => {
    const details = { given_name: " Robin ", family_name: "", preferred_name: "", date_of_birth: "", gender: "", languages: "English, Polish" };
    expect(childBody(details)).toEqual({ given_name: "Robin", languages: ["English", "Polish"] });
    expect(childBody(details, true)).toEqual({
      given_name: "Robin",
      family_name: "",
      preferred_name: "",
      gender: "",
      date_of_birth: null,
      languages: ["English", "Polish"],
    });
  });

  it("records consent for this recipient, these categories and this purpose", () => {
    expect(
      consentBody(ready, { ...EMPTY_CONSENT, given_by: "parent_carer", given_by_relationship: " Mother " }),
    ).toEqual({
      child: "child-1",
      decision: "active",
      given_by: "parent_carer",
      given_by_relationship: "Mother",
      recipient_agencies: [4],
      categories: ["identity", "disclosure_narrative"],
      purposes: ["support"],
    });
    expect(
      consentBody(ready, { ...EMPTY_CONSENT, given_by: "child", child_competent: "yes", recipients: "kind" }),
    ).toMatchObject({ child_competent: true, recipient_kinds: ["police"] });
  });

  it("widens the consent to other kinds of agency and further information when asked", () => {
    expect(
      consentBody(ready, {
        ...EMPTY_CONSENT,
        given_by: "child",
        child_competent: "yes",
        also_kinds: ["social_services", "police"],
        also_categories: ["case_plan", "identity"],
      }),
    ).toMatchObject({
      recipient_agencies: [4],
      recipient_kinds: ["social_services", "police"],
      categories: ["identity", "disclosure_narrative", "case_plan"],
    });
  });
});
