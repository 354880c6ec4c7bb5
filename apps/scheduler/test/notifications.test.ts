/**
 * NOT-1/NOT-2 end to end in the scheduler: a real daily run against the real sandbox, with one
 * learner failing, notifies a real webhook receiver (signature verified with standardwebhooks)
 * and a real SMTP server once — and the server's watch, looking afterwards from another
 * connection, does not notify it again.
 */
import { Notifier } from "@pics/notifications";
import {
  configureChannels,
  CUSTOMER_TOKEN,
  eventually,
  SMTP_PASSWORD,
  smtpSink,
  WEBHOOK_SECRET,
  webhookReceiver,
} from "@pics/notifications/testing";
import { generateDemoData, startSandbox } from "@pics/onefile-sandbox";
import { PicsRecords, SettingsStore } from "@pics/pics-store";
import { IntegrationLayer } from "@pics/product";
import { Effect, Exit, ManagedRuntime, Scope } from "effect";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { tick } from "../src/daemon.ts";

const PUBLIC_URL = "https://pics.provider.example";

describe("notifications from the scheduler", () => {
  it("NOT-1, NOT-2: a partially succeeded daily run notifies the webhook and the e-mail once, with the failed learner by PICS id", async () => {
    const data = generateDemoData({ learners: 4, seed: 5, reviewsPerLearner: 1, differingShare: 0.5 });
    const sandbox = await startSandbox({ port: 0, state: data.onefile });
    const databaseUrl = `file:${join(mkdtempSync(join(tmpdir(), "scheduler-notify-")), "pics.db")}`;
    const layer = (processName: string) =>
      IntegrationLayer({
        store: { url: databaseUrl, secretKey: "scheduler-notify-secret", allowCustomOneFileUrl: true },
        publicUrl: PUBLIC_URL,
        processName,
      });
    const scheduler = ManagedRuntime.make(layer("scheduler"));
    const server = ManagedRuntime.make(layer("server"));
    const receivers = await Effect.runPromise(
      Effect.gen(function* () {
        const scope = yield* Scope.make();
        const hook = yield* Scope.extend(webhookReceiver(), scope);
        const smtp = yield* Scope.extend(smtpSink, scope);
        return { hook, smtp, close: Scope.close(scope, Exit.void) };
      }),
    );
    const { hook, smtp } = receivers;
    try {
      const victim = data.pics.learners.find((l: any) => l.onefileId !== null)!;
      await scheduler.runPromise(
        Effect.gen(function* () {
          yield* (yield* SettingsStore).update({
            integrationEnabled: true,
            environment: "custom",
            baseUrl: sandbox.baseUrl,
            dailySync: { cron: "* * * * *", timeZone: "UTC" },
          });
          yield* (yield* PicsRecords).importDocument(data.pics);
          yield* configureChannels(hook.url, smtp.url, { customerToken: data.customerToken });
        }),
      );
      await fetch(`${sandbox.adminUrl}/faults`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ learnerId: victim.onefileId, action: "status", status: 500 }),
      });

      const logs: Array<{ event: string; fields?: Record<string, unknown> }> = [];
      const ran = await scheduler.runPromise(tick({ tickMs: 1000, log: (event, fields) => logs.push({ event, fields }) }));
      expect(ran).toBe("ran");
      const finished = logs.find((l) => l.event === "daily_run_finished")!.fields!;
      expect(finished.status).toBe("partially_succeeded");
      await Effect.runPromise(eventually(() => hook.received.length === 1 && smtp.messages.length === 1));

      // The server's watch looks after the scheduler: already notified, nothing more is sent.
      expect(await server.runPromise(Effect.flatMap(Notifier, (n) => n.notifyEndedRuns))).toEqual([]);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(hook.received).toHaveLength(1);
      expect(smtp.messages).toHaveLength(1);

      const body = JSON.parse(hook.received[0]!.body);
      expect(hook.received[0]!.verified.ok).toBe(true);
      expect(body).toMatchObject({
        type: "run_partially_succeeded",
        run: { id: finished.runId, kind: "daily", status: "partially_succeeded", failed: 1 },
        consoleUrl: `${PUBLIC_URL}/console/runs/${finished.runId}`,
      });
      expect(body.run.total).toBeGreaterThanOrEqual(2);
      expect(body.failedLearners).toEqual([{ learnerId: victim.id, code: expect.any(String), reason: expect.any(String) }]);
      expect(smtp.messages[0]!.subject).toBe(
        `PICS-OneFile: daily run partially succeeded (1 of ${body.run.total} learners failed)`,
      );
      expect(smtp.messages[0]!.text).toContain(`- ${victim.id}: `);

      // No secret, and nothing personal about the learner beyond its PICS id.
      for (const text of [hook.received[0]!.body, smtp.messages[0]!.raw]) {
        for (const secret of [WEBHOOK_SECRET, SMTP_PASSWORD, CUSTOMER_TOKEN, data.customerToken])
          expect(text).not.toContain(secret);
        for (const personal of [victim.firstName, victim.surname, victim.email].filter(Boolean))
          expect(text).not.toContain(personal);
      }
    } finally {
      await Effect.runPromise(receivers.close);
      await scheduler.dispose();
      await server.dispose();
      await sandbox.close();
    }
  });
});
