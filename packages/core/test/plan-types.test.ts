/**
 * Plan bodies are the OneFile client's request types (its Schemas' types), with a `Ref` allowed
 * only in the id fields a plan can create. The `@ts-expect-error` lines are the test: typecheck
 * (`tsc -p packages/core/tsconfig.json`, which includes test/) fails when one of them compiles.
 */
import { describe, expect, it } from "@effect/vitest";
import type { UserChanges } from "@pics/onefile-client";
import {
  diffDemographics,
  PlanBuilder,
  resolveBody,
  type FieldPair,
  type NewReviewBody,
  type OneFileWrite,
  type Ref,
} from "../src/index.ts";

const assessor: Ref = { ref: 1, label: "create assessor" };

describe("plan bodies are typed with the OneFile client's request types", () => {
  it("does not compile a misspelt OneFile field, in a write or in a rule's plan", () => {
    const update: OneFileWrite = {
      call: "updateUser",
      id: 42,
      // @ts-expect-error `FristName` is not a field of the client's UserChanges: it would be dropped by the encoder.
      body: { FristName: "Ann" },
    };
    const plan = new PlanBuilder();
    plan.add({
      description: "create placement",
      write: {
        onefile: {
          call: "createPlacement",
          // @ts-expect-error `MISId` is not a field of the client's NewPlacement (it is `MISID`).
          body: { OrganisationID: 100, Name: "Acme Ltd", MISId: "G1" },
        },
      },
      journal: [],
    });
    const learnerAim: OneFileWrite = {
      call: "updateLearningAim",
      id: 7,
      // @ts-expect-error element counts are never written: `TotalElements` is not in LearningAimChanges.
      body: { TotalElements: 12 },
    };
    expect([update.call, learnerAim.call, plan.steps.length]).toEqual(["updateUser", "updateLearningAim", 1]);
  });

  it("takes a Ref where an id field takes one, and nowhere else", () => {
    const body: NewReviewBody = {
      LearnerID: 9,
      AssessorID: assessor,
      Status: 1,
      ScheduledFor: "2024-03-01T09:00:00.000Z",
      EndTime: "2024-03-01T10:00:00.000Z",
      VisitID: { ref: 2, label: "create visit" },
    };
    const review: OneFileWrite = { call: "createReview", body };
    const user: OneFileWrite = {
      call: "createUser",
      body: {
        OrganisationID: 100,
        // @ts-expect-error a role is not an id a step creates: no Ref.
        Role: assessor,
        FirstName: "Olive",
        LastName: "Officer",
        Email: "olive@example.org",
      },
    };
    // Apply resolves the refs to the ids the earlier steps produced: the client's own type.
    const resolved = resolveBody(
      body,
      new Map([
        [1, 501],
        [2, 502],
      ]),
    );
    const assessorId: number = resolved.AssessorID;
    expect([assessorId, resolved.VisitID, resolved.LearnerID, review.call, user.call]).toEqual([
      501,
      502,
      9,
      "createReview",
      "createUser",
    ]);
  });

  it("does not compile a demographics pair naming a field the OneFile body does not have", () => {
    const fields: ReadonlyArray<FieldPair<UserChanges>> = [
      { pics: "firstName", onefile: "FirstName" },
      // @ts-expect-error `Surname` is not a field of UserChanges (it is `LastName`).
      { pics: "surname", onefile: "Surname" },
      // @ts-expect-error `Archived` is not a text field: a PICS text value cannot fill it.
      { pics: "archived", onefile: "Archived" },
    ];
    const diff = diffDemographics("PushToOneFile", { firstName: "Ann" }, { FirstName: "Anne" }, fields.slice(0, 1), {
      entity: "officer",
      entityId: "O1",
      onefileId: 42,
    });
    const write: OneFileWrite = { call: "updateUser", id: 42, body: diff.toOneFile };
    expect(write.body).toEqual({ FirstName: "Ann" });
  });
});
