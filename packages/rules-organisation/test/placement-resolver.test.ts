/** ORG-1..4 in milliseconds: the employer choice and the placement resolver's plans and blockers. */
import { it } from "@effect/vitest";
import { fakeOneFileView, planningContext, type FakeOneFile } from "@pics/core/testing";
import { Learner, Organisation } from "@pics/pics-store";
import { Effect, Schema } from "effect";
import { describe, expect } from "vitest";
import { employerOf, resolvePlacement } from "../src/placement-resolver.ts";

const organisation = (fields: Partial<Organisation> = {}) =>
  Schema.decodeUnknownSync(Organisation)({ id: "G1", ident: "EMP-1", name: "Acme Ltd", ...fields });
const learnerWith = (placements: ReadonlyArray<Record<string, unknown>>) =>
  Schema.decodeUnknownSync(Learner)({ id: "L1", firstName: "Lea", surname: "Learner", placements });

const contextWith = (onefile: FakeOneFile, g: Organisation = organisation(), multipleCentres = false) =>
  planningContext({ learner: learnerWith([]), organisations: [g], view: fakeOneFileView(onefile), multipleCentres });

describe("employerOf (ORG-1)", () => {
  it("the latest placement of type P, else the latest of any type; equal dates: the one created last", () => {
    const p = (id: string, organisationId: string, type: string, startDate: string) => ({ id, organisationId, type, startDate });
    expect(employerOf(learnerWith([p("P1", "G1", "P", "2026-01-01"), p("P2", "G2", "W", "2026-05-01")]))).toBe("G1");
    expect(employerOf(learnerWith([p("P1", "G1", "W", "2026-01-01"), p("P2", "G2", "W", "2026-05-01")]))).toBe("G2");
    expect(employerOf(learnerWith([p("P1", "G1", "P", "2026-05-01"), p("P2", "G2", "P", "2026-05-01")]))).toBe("G2");
    expect(employerOf(learnerWith([]))).toBe(null);
  });
});

describe("resolvePlacement", () => {
  it.effect("ORG-2: in a single centre a stored OneFile id is used without asking OneFile", () =>
    Effect.gen(function* () {
      const ctx = contextWith({}, organisation({ onefileId: 55 }));
      expect(yield* resolvePlacement(ctx, "G1")).toBe(55);
      expect(ctx.plan.steps).toEqual([]);
    }),
  );

  it.effect("ORG-3: a match by MIS reference in the centre is stored on the organisation", () =>
    Effect.gen(function* () {
      const ctx = contextWith({
        placements: [
          { ID: 9, OrganisationID: 200, MISID: "EMP-1" },
          { ID: 10, OrganisationID: 100, MISID: " emp-1" },
        ],
      });
      expect(yield* resolvePlacement(ctx, "G1")).toBe(10);
      expect(ctx.plan.steps.map((s) => s.write)).toEqual([
        { pics: { target: { entity: "organisation", id: "G1" }, fields: { onefileId: 10 } } },
      ]);
    }),
  );

  it.effect("two placements with the MIS reference block; an organisation PICS does not have blocks", () =>
    Effect.gen(function* () {
      const ctx = contextWith({
        placements: [
          { ID: 9, OrganisationID: 100, MISID: "EMP-1" },
          { ID: 10, OrganisationID: 100, MISID: "EMP-1" },
        ],
      });
      expect(yield* resolvePlacement(ctx, "G1")).toBe(null);
      expect(yield* resolvePlacement(ctx, "G404")).toBe(null);
      expect(ctx.plan.blockers.map((b) => [b.code, b.entityId])).toEqual([
        ["ambiguous_placement", "G1"],
        ["unknown_organisation", "G404"],
      ]);
      expect(ctx.plan.steps).toEqual([]);
    }),
  );

  it.effect("ORG-4: no match creates a placement with the name and MIS reference only, once per plan", () =>
    Effect.gen(function* () {
      const ctx = contextWith({ placements: [] });
      const created = yield* resolvePlacement(ctx, "G1");
      expect(ctx.plan.steps[0]).toMatchObject({
        write: { onefile: { call: "createPlacement", body: { OrganisationID: 100, Name: "Acme Ltd", MISID: "EMP-1" } } },
        intent: { key: "placement:G1@100", ifAnswerLost: "lookup" },
      });
      expect(ctx.plan.steps[1]!.write).toEqual({
        pics: { target: { entity: "organisation", id: "G1" }, fields: { onefileId: created } },
      });
      expect(yield* resolvePlacement(ctx, "G1")).toBe(created);
      expect(ctx.plan.steps).toHaveLength(2);
    }),
  );
});
