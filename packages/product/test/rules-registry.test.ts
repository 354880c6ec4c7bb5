/**
 * JRN-4: rule packages are enabled per deployment (ONEFILE_SYNC_RULES); a disabled package's
 * behaviour is absent, and a package that an enabled one needs is reported at start-up.
 */
import { Enrolment, Rules } from "@pics/core";
import { Effect, Layer } from "effect";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { allRulePackages, IntegrationLayer } from "../src/index.ts";
import { CENTRE, customerOf, openWorld, picsDocument, type World } from "./world.ts";

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

/** Starts the assembled product with this ONEFILE_SYNC_RULES value, as the server does at start-up. */
const startUp = (rules: string | undefined) =>
  Effect.runPromise(
    Effect.scoped(
      Effect.either(
        Layer.build(
          IntegrationLayer({
            store: {
              url: `file:${join(mkdtempSync(join(tmpdir(), "rules-")), "pics.db")}`,
              secretKey: "integration-test-secret",
            },
            rules,
          }),
        ),
      ),
    ),
  );

describe("rule packages (JRN-4)", () => {
  it("JRN-4: with rules-review disabled no review is uploaded at enrolment, whatever SET-4 says", async () => {
    world = await openWorld({ pics: picsDocument(), settings: { uploadReviews: true }, rules: "officer,organisation,learner" });
    expect(await world.run(Effect.map(Rules, (r) => r.enabled))).toEqual(["officer", "organisation", "learner"]);
    const result = await world.run(
      Effect.flatMap(Enrolment, (e) => e.enrol({ learnerId: "L1", centreId: CENTRE, classroomId: 110 })),
    );
    const of = customerOf(await world.onefile());
    expect(of.Users.filter((u: any) => u.MISID === "L1")).toHaveLength(1); // the enrolment itself happened
    expect(of.Reviews ?? []).toEqual([]);
    expect(of.Visits ?? []).toEqual([]);
    expect(result.items.filter((i) => i.entity === "review")).toEqual([]);
    expect((await world.calls()).filter((c) => c.endpoint === "POST Review/Search" || c.endpoint === "POST Visit")).toEqual([]);
  });

  it("JRN-4: a package enabled without the packages it needs stops the product at start-up, naming each missing package", async () => {
    const learnerOnly = await startUp("learner");
    expect(learnerOnly._tag).toBe("Left");
    const error = (learnerOnly as any).left;
    expect(error._tag).toBe("RuleConfigurationError");
    expect(error.problems).toEqual([
      "rules-learner needs rules-officer, which is disabled: enable it or disable rules-learner",
      "rules-learner needs rules-organisation, which is disabled: enable it or disable rules-learner",
    ]);

    const reviewOnly = await startUp("rules-review");
    expect(reviewOnly._tag === "Left" && (reviewOnly.left as any).problems).toEqual([
      "rules-review needs rules-officer, which is disabled: enable it or disable rules-review",
    ]);
  });

  it("JRN-4: unknown package names are refused at start-up; unset or blank enables all four; names take an optional rules- prefix and any case", async () => {
    const unknown = await startUp("officer, reviews, teleport");
    expect(unknown._tag).toBe("Left");
    expect((unknown as any).left).toMatchObject({ _tag: "RuleConfigurationError" });
    expect((unknown as any).left.problems).toEqual([
      'ONEFILE_SYNC_RULES names an unknown rule package "reviews" (known: officer, organisation, learner, review)',
      'ONEFILE_SYNC_RULES names an unknown rule package "teleport" (known: officer, organisation, learner, review)',
    ]);

    for (const [value, enabled] of [
      [undefined, ["officer", "organisation", "learner", "review"]],
      ["  ", ["officer", "organisation", "learner", "review"]],
      ["Rules-Officer, rules-organisation", ["officer", "organisation"]],
    ] as const) {
      const registry = await Effect.runPromise(Effect.provide(Rules, Rules.layer(allRulePackages, value)));
      expect(registry.enabled).toEqual(enabled);
    }
  });

  it("JRN-4: an enrolment with rules-learner disabled is refused with RuleDisabled and OneFile is not written", async () => {
    world = await openWorld({ pics: picsDocument(), rules: "officer,organisation" });
    const refused = await world.either(
      Effect.flatMap(Enrolment, (e) => e.enrol({ learnerId: "L1", centreId: CENTRE, classroomId: 110 })),
    );
    expect(!refused.ok && refused.error).toMatchObject({ _tag: "RuleDisabled", rule: "learner" });
    expect(customerOf(await world.onefile()).Users).toHaveLength(1);
  });
});
