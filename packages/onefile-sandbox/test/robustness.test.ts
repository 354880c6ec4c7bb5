import { afterAll, beforeAll, expect, it } from "vitest";
import { endpointNames, type Counters, type RunningSandbox } from "../src/index.ts";
import { admin, authenticate, client, start } from "./helpers.ts";

let sandbox: RunningSandbox;
beforeAll(async () => {
  sandbox = await start();
});
afterAll(() => sandbox.close());

// Odd bodies sent to every endpoint: each must get a 2xx/4xx answer, never a 500.
const oddBodies = [
  "",
  "null",
  "123",
  '"text"',
  "[]",
  "{",
  '{"OrganisationID": 10.5}',
  '{"LearnerID": "51", "UserID": null}',
  '{"Role": 1, "DOB": "yesterday"}',
  '{"ScheduledFor": 5, "DateFrom": "2025-13-01"}',
  '{"PathwayID": {}}',
  '{"Level": 2, "LearnerID": 51}',
];

it("answers every endpoint with odd input without a 500", async () => {
  const call = client(sandbox, await authenticate(sandbox));
  const paths = endpointNames
    .filter((name) => name !== "POST Authentication")
    .map((name) => {
      const [method, path] = name.split(" ") as ["GET" | "POST", string];
      const concrete =
        path === "Standard/Assign"
          ? "Standard/41/Assign/51"
          : path === "User/Assign"
            ? "User/50/Assign"
            : path.replace(
                "{id}",
                path.startsWith("LearningAim")
                  ? "60"
                  : path.startsWith("Review")
                    ? "70"
                    : path.startsWith("Placement")
                      ? "30"
                      : "51",
              );
      return [method, concrete] as const;
    });
  for (const [method, path] of [...paths, ["POST", "User/Search/1"] as const, ["GET", "User/"] as const]) {
    for (const body of method === "GET" ? [undefined] : oddBodies) {
      const answer = await call(method, path, body);
      expect(answer.status, `${method} ${path} ${body}`).toBeLessThan(500);
    }
  }
  const counters = (await admin(sandbox, "GET", "/counters")).json as Counters;
  expect(counters.unexpectedErrors).toBe(0);
});
