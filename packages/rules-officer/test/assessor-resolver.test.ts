/** OFF-2..5 in milliseconds: the assessor resolver's plans and blockers against a fake OneFile view. */
import { it } from "@effect/vitest";
import { fakeOneFileView, planningContext, type FakeOneFile } from "@pics/core/testing";
import { Learner, Officer } from "@pics/pics-store";
import { Effect, Schema } from "effect";
import { describe, expect } from "vitest";
import { resolveAssessor } from "../src/assessor-resolver.ts";

const officer = (fields: Partial<Officer> = {}) =>
  Schema.decodeUnknownSync(Officer)({ id: "O1", ident: "OFF-A", firstName: "Ann", surname: "Assessor", ...fields });
const learner = Schema.decodeUnknownSync(Learner)({ id: "L1", firstName: "Lea", surname: "Learner", mainOfficerId: "O1" });

const contextWith = (onefile: FakeOneFile, o: Officer = officer(), multipleCentres = false) =>
  planningContext({ learner, officers: [o], view: fakeOneFileView(onefile), multipleCentres });

describe("resolveAssessor", () => {
  it.effect("OFF-2: in a single centre a stored OneFile id is used without asking OneFile", () =>
    Effect.gen(function* () {
      // No users given: any OneFile read would die naming itself.
      const ctx = contextWith({}, officer({ onefileId: 42 }));
      expect(yield* resolveAssessor(ctx, "O1", "main officer")).toBe(42);
      expect(ctx.plan.steps).toEqual([]);
      expect(ctx.report.items).toMatchObject([{ entity: "officer", id: "O1", outcome: "matched", onefileId: 42 }]);
    }),
  );

  it.effect(
    "OFF-3, OFF-6: with several centres the stored id is not trusted; a match by MIS reference is stored as that centre's link",
    () =>
      Effect.gen(function* () {
        const ctx = contextWith(
          { users: [{ ID: 7, OrganisationID: 100, Role: 5, MISID: "off-a" }] },
          officer({ onefileId: 42 }),
          true,
        );
        expect(yield* resolveAssessor(ctx, "O1", "main officer")).toBe(7);
        expect(ctx.plan.steps.map((s) => s.write)).toEqual([
          { pics: { target: { entity: "officer", id: "O1" }, fields: { onefileLink: { centreId: 100, onefileId: 7 } } } },
        ]);
        expect(ctx.plan.blockers).toEqual([]);
      }),
  );

  it.effect("OFF-5: two OneFile assessors with the same MIS reference block; nothing is planned", () =>
    Effect.gen(function* () {
      const ctx = contextWith({
        users: [
          { ID: 7, OrganisationID: 100, Role: 5, MISID: "OFF-A" },
          { ID: 8, OrganisationID: 100, Role: 5, MISID: "OFF-A", Archived: true },
        ],
      });
      expect(yield* resolveAssessor(ctx, "O1", "main officer")).toBe(null);
      expect(ctx.plan.steps).toEqual([]);
      expect(ctx.plan.blockers).toMatchObject([{ code: "ambiguous_assessor", entityId: "O1", details: { candidates: [7, 8] } }]);
    }),
  );

  it.effect("OFF-4: no match creates an assessor with name, email and MIS reference, then stores its id", () =>
    Effect.gen(function* () {
      const ctx = contextWith({ users: [] }, officer({ email: "ann@example.test" }));
      const created = yield* resolveAssessor(ctx, "O1", "main officer");
      expect(created).toEqual({ ref: 1, label: "create OneFile assessor for officer O1" });
      expect(ctx.plan.steps[0]).toMatchObject({
        write: {
          onefile: {
            call: "createUser",
            body: {
              OrganisationID: 100,
              Role: 5,
              FirstName: "Ann",
              LastName: "Assessor",
              Email: "ann@example.test",
              MISID: "OFF-A",
            },
          },
        },
        intent: { key: "assessor:O1@100", ifAnswerLost: "lookup" },
      });
      expect(ctx.plan.steps[1]!.write).toEqual({
        pics: { target: { entity: "officer", id: "O1" }, fields: { onefileId: created } },
      });
      // Needed again for another role: the same decision, no second create.
      expect(yield* resolveAssessor(ctx, "O1", "assessor of Q1")).toBe(created);
      expect(ctx.plan.steps).toHaveLength(2);
      expect(ctx.report.items[0]!.detail).toMatchObject({ roles: ["main officer", "assessor of Q1"] });
    }),
  );

  it.effect("OFF-4: an officer to create without an email blocks, as does an officer PICS does not have", () =>
    Effect.gen(function* () {
      const ctx = contextWith({ users: [] });
      expect(yield* resolveAssessor(ctx, "O1", "main officer")).toBe(null);
      expect(yield* resolveAssessor(ctx, "O404", "review officer")).toBe(null);
      expect(ctx.plan.blockers.map((b) => [b.code, b.entityId])).toEqual([
        ["officer_email_missing", "O1"],
        ["unknown_officer", "O404"],
      ]);
      expect(ctx.plan.steps).toEqual([]);
    }),
  );
});
