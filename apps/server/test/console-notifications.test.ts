/**
 * /console/notifications (NOT-3, NOT-4 in the console) without a browser: the channels saved
 * through the form with the secrets write-only, a refusal shown beside its field, a test send to
 * a real webhook receiver and a real SMTP server reporting each channel, and the deliveries log.
 */
import { SMTP_PASSWORD, smtpSink, WEBHOOK_SECRET, webhookReceiver } from "@pics/notifications/testing";
import { SettingsStore } from "@pics/pics-store";
import { Effect, Exit, Scope } from "effect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startConsole, textOf, type ConsoleHarness } from "./console-support.ts";

let harness: ConsoleHarness;
let receivers: { hook: any; smtp: any; close: Effect.Effect<void> };

beforeAll(async () => {
  harness = await startConsole();
  receivers = await Effect.runPromise(
    Effect.gen(function* () {
      const scope = yield* Scope.make();
      const hook = yield* Scope.extend(webhookReceiver(), scope);
      const smtp = yield* Scope.extend(smtpSink, scope);
      return { hook, smtp, close: Scope.close(scope, Exit.void) };
    }),
  );
});
afterAll(async () => {
  await harness.close();
  await Effect.runPromise(receivers.close);
});

describe("/console/notifications", () => {
  it("NOT-3, NOT-4: saves the channels with write-only secrets, sends a test to each channel, lists the deliveries", async () => {
    const browser = harness.browser();
    await browser.signIn();
    const empty = await browser.get("/console/notifications");
    expect(empty.status).toBe(200);
    expect(textOf(empty.html)).toContain("Webhook secret: Not set");
    expect(textOf(empty.html)).toContain("No notification has been sent yet.");
    expect(empty.html).toContain('href="/console/notifications" aria-current="page"');

    // A bad secret is refused beside its field; it is not repeated back.
    const refused = await browser.post("/console/notifications", {
      webhookUrl: receivers.hook.url,
      webhookSecret: "not-a-standard-secret",
      "event.run_failed": "true",
    });
    expect(refused.status).toBe(400);
    expect(refused.html).toMatch(/id="webhookSecret-error"[^>]*>must be a Standard Webhooks secret/);
    expect(refused.html).not.toContain("not-a-standard-secret");

    const saved = await browser.post("/console/notifications", {
      webhookUrl: receivers.hook.url,
      webhookSecret: WEBHOOK_SECRET,
      emailTo: "ops@provider.example, mis@provider.example",
      emailFrom: "pics@provider.example",
      smtpUrl: receivers.smtp.url,
      "event.run_failed": "true",
      "event.daily_run_missed": "true",
    });
    expect(saved.status).toBe(303);
    const shown = await browser.get(saved.location!);
    expect(textOf(shown.html)).toContain("The notification settings were saved.");
    expect(textOf(shown.html)).toContain("Webhook secret: Set");
    expect(textOf(shown.html)).toContain("SMTP server: Set");
    for (const secret of [WEBHOOK_SECRET, SMTP_PASSWORD]) expect(shown.html).not.toContain(secret);
    const stored = await harness.run(Effect.flatMap(SettingsStore, (s) => s.get));
    expect(stored.notifications).toMatchObject({
      emailTo: ["ops@provider.example", "mis@provider.example"],
      events: ["run_failed", "daily_run_missed"],
      webhookSecretSet: true,
      smtpUrlSet: true,
    });

    // Saving again with the secret boxes empty keeps the secrets.
    expect(
      (
        await browser.post("/console/notifications", {
          webhookUrl: receivers.hook.url,
          emailTo: "ops@provider.example",
          emailFrom: "pics@provider.example",
        })
      ).status,
    ).toBe(303);
    expect((await harness.run(Effect.flatMap(SettingsStore, (s) => s.get))).notifications).toMatchObject({
      webhookSecretSet: true,
      smtpUrlSet: true,
      events: [],
    });

    // The test send, as htmx asks for it (a fragment) and without JavaScript (the whole page).
    const fragment = await browser.post("/console/notifications/test", {}, { "hx-request": "true" });
    expect(fragment.status).toBe(200);
    expect(fragment.html).not.toContain("<html");
    expect(textOf(fragment.html)).toMatch(/^Webhook: delivered \(200\) E-mail: delivered \(250\) Deliveries/);
    // The deliveries log comes along, swapped in out of band, with this send's two attempts.
    expect(fragment.html).toContain('id="deliveries"');
    expect(fragment.html).toContain('hx-swap-oob="true"');
    expect(textOf(fragment.html).match(/test (webhook|email)/g)).toHaveLength(2);
    expect(receivers.hook.received).toHaveLength(1);
    expect(receivers.hook.received[0].verified.ok).toBe(true);
    expect(receivers.smtp.messages).toHaveLength(1);
    const whole = await browser.post("/console/notifications/test");
    expect(textOf(whole.html)).toContain("Webhook: delivered (200)");

    const log = textOf((await browser.get("/console/notifications")).html);
    expect(log.match(/test webhook/g)).toHaveLength(2);
    expect(log.match(/test email/g)).toHaveLength(2);
  });
});
