import { describe, expect, it } from "@effect/vitest";
import { Effect, Either } from "effect";
import {
  buildRegistry,
  dateToOneFile,
  diffDemographics,
  type FieldPair,
  instantToLocalDate,
  joinAddress,
  localToUtc,
  parseRuleList,
  planChanges,
  PlanBuilder,
  sameVqReference,
  THIS_STEP,
  utcToLocal,
  vqReferenceOf,
  type RulePackage,
} from "../src/index.ts";

describe("local time ↔ OneFile UTC", () => {
  it("a review at 10:00 on a July day in London is 09:00Z, and 10:00 in December is 10:00Z", () => {
    expect(localToUtc("2026-07-01", "10:00", "Europe/London")).toBe("2026-07-01T09:00:00.000Z");
    expect(localToUtc("2026-12-01", "10:00", "Europe/London")).toBe("2026-12-01T10:00:00.000Z");
    expect(utcToLocal("2026-07-01T09:00:00.000Z", "Europe/London")).toEqual({ date: "2026-07-01", time: "10:00" });
  });
  it("handles the daylight-saving change days and other zones", () => {
    expect(localToUtc("2026-03-29", "09:00", "Europe/London")).toBe("2026-03-29T08:00:00.000Z");
    expect(localToUtc("2026-10-25", "09:00", "Europe/London")).toBe("2026-10-25T09:00:00.000Z");
    expect(localToUtc("2026-07-01", "10:00", "America/New_York")).toBe("2026-07-01T14:00:00.000Z");
    expect(instantToLocalDate("2026-07-01T23:30:00.000Z", "Europe/London")).toBe("2026-07-02");
    expect(dateToOneFile("2004-05-06")).toBe("2004-05-06T00:00:00.000Z");
  });
});

describe("ENR-5 VQ references", () => {
  it("is the code in the last square brackets of the title, compared trimmed and case-insensitively", () => {
    expect(vqReferenceOf("Level 3 Data Technician [ST0795]")).toBe("ST0795");
    expect(vqReferenceOf("Maths [L2] Functional Skills [ fs-m2 ]")).toBe("fs-m2");
    expect(vqReferenceOf("No code here")).toBe(null);
    expect(vqReferenceOf("Empty []")).toBe(null);
    expect(sameVqReference(" st0795", "ST0795 ")).toBe(true);
    expect(sameVqReference("ST0795", "ST0796")).toBe(false);
    expect(sameVqReference(null, "ST0795")).toBe(false);
  });
});

describe("DEM-X demographics", () => {
  const fields: ReadonlyArray<FieldPair<{ FirstName?: string; Postcode?: string }>> = [
    { pics: "firstName", onefile: "FirstName" },
    { pics: "postcode", onefile: "Postcode", pushOnly: true },
  ];
  const subject = { entity: "learner" as const, entityId: "L1", onefileId: 9 };
  it("Ignore changes nothing; push writes only differing, non-blank fields", () => {
    expect(diffDemographics("Ignore", { firstName: "A" }, { FirstName: "B" }, fields, subject).journal).toEqual([]);
    const push = diffDemographics(
      "PushToOneFile",
      { firstName: "Ann", postcode: null },
      { FirstName: "Anne", Postcode: "M1" },
      fields,
      subject,
    );
    expect(push.toOneFile).toEqual({ FirstName: "Ann" });
    expect(push.journal).toEqual([{ ...subject, field: "firstName", before: "Anne", after: "Ann", direction: "toOneFile" }]);
  });
  it("pull never writes a blank and never pulls push-only fields", () => {
    const pull = diffDemographics(
      "PullFromOneFile",
      { firstName: "Ann", postcode: "X" },
      { FirstName: "  ", Postcode: "M1" },
      fields,
      subject,
    );
    expect(pull.toPics).toEqual({});
    expect(diffDemographics("PullFromOneFile", { firstName: "Ann" }, { FirstName: "Anne" }, fields, subject).toPics).toEqual({
      firstName: "Anne",
    });
  });
  it("joins address lines, postcode last, leaving blanks out", () => {
    expect(joinAddress(["1 High St", null, " ", "Leeds", "LS1 1AA"])).toBe("1 High St\nLeeds\nLS1 1AA");
    expect(joinAddress([null, ""])).toBe(null);
  });
});

describe("plans", () => {
  it("shows refs as new in a dry run and as ids once applied", () => {
    const plan = new PlanBuilder();
    const created = plan.add({
      description: "create assessor",
      write: {
        onefile: {
          call: "createUser",
          body: { OrganisationID: 100, Role: 5, FirstName: "Olive", LastName: "Officer", Email: "o1@example.org", MISID: "O1" },
        },
      },
      journal: [
        { entity: "officer", entityId: "O1", field: "onefileId", before: null, after: "created", direction: "toOneFile" },
      ],
    });
    plan.add({
      description: "store it",
      write: { pics: { target: { entity: "officer", id: "O1" }, fields: { onefileId: created } } },
      journal: [
        {
          entity: "officer",
          entityId: "O1",
          field: "onefileId",
          before: null,
          after: created,
          direction: "toPics",
          onefileId: created,
        },
      ],
    });
    expect(planChanges(plan.steps)[1]).toMatchObject({ after: "(new: create assessor)", onefileId: null });
    expect(planChanges(plan.steps, new Map([[1, 42]]))[1]).toMatchObject({ after: 42, onefileId: 42 });
  });
});

describe("JRN-2 journal rows of a create", () => {
  it("carry the id the create produced, as onefileId and as the value after", () => {
    const plan = new PlanBuilder();
    plan.add({
      description: "create placement",
      write: { onefile: { call: "createPlacement", body: { OrganisationID: 100, Name: "Acme Ltd", MISID: "G2" } } },
      journal: [
        {
          entity: "organisation",
          entityId: "G2",
          field: "onefilePlacement",
          before: null,
          after: THIS_STEP,
          direction: "toOneFile",
          onefileId: THIS_STEP,
        },
      ],
    });
    expect(planChanges(plan.steps)[0]).toMatchObject({ after: "(new: create placement)", onefileId: null });
    expect(planChanges(plan.steps, new Map([[1, 777]]))[0]).toMatchObject({ after: 777, onefileId: 777 });
  });
});

describe("JRN-4 rule registry", () => {
  const pkg = (name: RulePackage["name"], needs: RulePackage["needs"] = []): RulePackage => ({ name, needs, reads: [] });
  const all = [pkg("officer"), pkg("organisation"), pkg("learner", ["officer", "organisation"]), pkg("review", ["officer"])];

  it.effect("unset or blank means every package; names may carry the rules- prefix", () =>
    Effect.gen(function* () {
      expect(yield* parseRuleList(undefined)).toEqual(["officer", "organisation", "learner", "review"]);
      expect(yield* parseRuleList(" ")).toEqual(["officer", "organisation", "learner", "review"]);
      expect(yield* parseRuleList("rules-review, OFFICER")).toEqual(["officer", "review"]);
    }),
  );

  it.effect("refuses unknown names and a package whose needs are disabled, naming each problem", () =>
    Effect.gen(function* () {
      const unknown = yield* Effect.either(parseRuleList("officer,reviews"));
      expect(Either.isLeft(unknown) && unknown.left.message).toContain('unknown rule package "reviews"');
      const missing = yield* Effect.either(buildRegistry(all, ["learner", "review"]));
      expect(Either.isLeft(missing) && missing.left.problems).toEqual([
        "rules-learner needs rules-officer, which is disabled: enable it or disable rules-learner",
        "rules-learner needs rules-organisation, which is disabled: enable it or disable rules-learner",
        "rules-review needs rules-officer, which is disabled: enable it or disable rules-review",
      ]);
      const registry = yield* buildRegistry(all, ["officer", "review"]);
      expect(registry.enabled).toEqual(["officer", "review"]);
      expect(registry.has("learner")).toBe(false);
    }),
  );
});
