/**
 * ENR-3..7 in milliseconds: the learner rule's enrolment plan and blockers, with the officer and
 * organisation capabilities as fail-loud test layers and a fake OneFile view.
 */
import { it } from "@effect/vitest";
import { AssessorResolver, PlacementResolver, type EnrolmentContext, type EnrolmentRequest } from "@pics/core";
import { fakeOneFileView, planningContext, testLayer, type FakeOneFile } from "@pics/core/testing";
import { Learner } from "@pics/pics-store";
import { Effect, Layer, Schema } from "effect";
import { describe, expect } from "vitest";
import { enrolLearner } from "../src/enrolment.ts";

const learnerOf = (fields: Record<string, unknown> = {}) =>
  Schema.decodeUnknownSync(Learner)({ id: "L1", firstName: "Lea", surname: "Learner", ...fields });

const enrolmentContext = (learner: Learner, onefile: FakeOneFile, request: Partial<EnrolmentRequest> = {}): EnrolmentContext => ({
  ...planningContext({ learner, view: fakeOneFileView(onefile) }),
  request: { learnerId: learner.id, centreId: 100, ...request },
  onefileLearner: null,
});

describe("enrolLearner", () => {
  it.effect("ENR-4: every problem is a blocker, all reported together; no resolver is asked for what is missing", () =>
    Effect.gen(function* () {
      const ctx = enrolmentContext(learnerOf(), { standards: {} });
      // The learner has no main officer and no placement: AssessorResolver.resolve and
      // PlacementResolver.resolve are not supplied, so a call to either would die naming itself.
      yield* enrolLearner(ctx).pipe(
        Effect.provide(Layer.merge(testLayer(AssessorResolver)({}), testLayer(PlacementResolver)({ employerOf: () => null }))),
      );
      expect(ctx.plan.blockers.map((b) => b.code)).toEqual(["missing_field", "no_main_officer", "no_placement", "no_classroom"]);
    }),
  );

  it.effect(
    "ENR-3, ENR-7: creates the learner with the resolved assessor, placement and classroom; two pathways need a choice",
    () =>
      Effect.gen(function* () {
        const learner = learnerOf({
          email: "lea@example.test",
          mainOfficerId: "O1",
          qualifications: [{ id: "Q1", vqReference: "ST0001" }],
        });
        const ctx = enrolmentContext(
          learner,
          {
            classrooms: { 100: [{ ID: 300, Name: "Group A" }] },
            standards: {
              100: [
                {
                  ID: 900,
                  OrganisationID: 100,
                  Title: "Widget maker [ST0001]",
                  Pathways: [
                    { ID: 1, Title: "Red" },
                    { ID: 2, Title: "Blue" },
                  ],
                },
              ],
            },
          },
          { classroomId: 300 },
        );
        const resolvers = Layer.merge(
          testLayer(AssessorResolver)({ resolve: (_ctx, officerId) => Effect.succeed(officerId === "O1" ? 130 : null) }),
          testLayer(PlacementResolver)({ employerOf: () => "G1", resolve: () => Effect.succeed(140) }),
        );
        yield* enrolLearner(ctx).pipe(Effect.provide(resolvers));
        expect(ctx.plan.steps[0]).toMatchObject({
          write: {
            onefile: {
              call: "createUser",
              body: {
                FirstName: "Lea",
                LastName: "Learner",
                Email: "lea@example.test",
                DefaultAssessorID: 130,
                PlacementID: 140,
                ClassroomID: 300,
              },
            },
          },
          intent: { key: "learner:L1", ifAnswerLost: "lookup" },
        });
        expect(ctx.plan.blockers).toMatchObject([
          {
            code: "needs_pathway",
            entityId: "Q1",
            details: {
              choices: [
                { id: 1, title: "Red" },
                { id: 2, title: "Blue" },
              ],
            },
          },
        ]);
      }),
  );
});
