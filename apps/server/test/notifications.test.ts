/**
 * The notification routes over HTTP (NOT-3, NOT-4): channels set through PUT /settings with
 * write-only secrets, a test send to a real webhook receiver and a real SMTP server, the
 * deliveries log paged, and the routes published in /openapi.json.
 */
import { SMTP_PASSWORD, smtpSink, WEBHOOK_SECRET, webhookReceiver } from "@pics/notifications/testing";
import { Effect, Exit, Scope } from "effect";
import { afterEach, describe, expect, it } from "vitest";
import { startServer, type TestServer } from "./support.ts";

let server: TestServer | undefined;
let closeReceivers: (() => Promise<void>) | undefined;
afterEach(async () => {
  await server?.close();
  await closeReceivers?.();
  server = undefined;
});

const receivers = async () => {
  const opened = await Effect.runPromise(
    Effect.gen(function* () {
      const scope = yield* Scope.make();
      const hook = yield* Scope.extend(webhookReceiver(), scope);
      const smtp = yield* Scope.extend(smtpSink, scope);
      return { hook, smtp, close: Scope.close(scope, Exit.void) };
    }),
  );
  closeReceivers = () => Effect.runPromise(opened.close);
  return opened;
};

describe("notifications over HTTP", () => {
  it("NOT-3, NOT-4: settings keep the secrets write-only; a test send reports each channel; deliveries are paged", async () => {
    const { hook, smtp } = await receivers();
    server = await startServer();
    const put = await server.request("PUT", "/api/v1/settings", {
      body: {
        notifications: {
          webhookUrl: hook.url,
          webhookSecret: WEBHOOK_SECRET,
          emailTo: ["ops@provider.example"],
          emailFrom: "pics@provider.example",
          smtpUrl: smtp.url,
        },
      },
    });
    expect(put.status).toBe(200);
    expect(put.json.notifications).toEqual({
      webhookUrl: hook.url,
      webhookSecretSet: true,
      emailTo: ["ops@provider.example"],
      emailFrom: "pics@provider.example",
      smtpUrlSet: true,
      events: ["run_failed", "run_partially_succeeded", "daily_run_missed"],
    });

    const sent = await server.request("POST", "/api/v1/notifications/test");
    expect(sent.status).toBe(200);
    expect(sent.json).toEqual({
      deliveries: [
        { channel: "webhook", ok: true, status: 200 },
        { channel: "email", ok: true, status: 250 },
      ],
    });
    expect(hook.received).toHaveLength(1);
    expect(hook.received[0]!.verified.ok).toBe(true);
    expect(smtp.messages.map((m) => m.subject)).toEqual(["PICS-OneFile: test notification"]);

    // A receiver that refuses: its result says so, and the log keeps both attempts.
    const refusing = await server.request("PUT", "/api/v1/settings", {
      body: { notifications: { webhookUrl: "http://127.0.0.1:9/nobody", emailTo: [] } },
    });
    expect(refusing.status).toBe(200);
    const failed = await server.request("POST", "/api/v1/notifications/test");
    expect(failed.json.deliveries).toEqual([
      { channel: "webhook", ok: false, error: expect.stringMatching(/^the request failed/) },
    ]);

    const first = await server.request("GET", "/api/v1/notifications/deliveries?limit=2");
    expect(first.status).toBe(200);
    expect(first.json.items).toEqual([
      {
        id: expect.any(Number),
        notificationId: expect.any(String),
        event: "test",
        channel: "webhook",
        at: expect.any(String),
        ok: false,
        attempt: 1,
        error: expect.any(String),
      },
      expect.objectContaining({ event: "test", ok: true, attempt: 1 }),
    ]);
    expect(first.json.nextCursor).toEqual(expect.any(String));
    const second = await server.request("GET", `/api/v1/notifications/deliveries?limit=2&cursor=${first.json.nextCursor}`);
    expect(second.json).toEqual({ items: [expect.objectContaining({ event: "test", ok: true })], nextCursor: null });
    expect((await server.request("GET", "/api/v1/notifications/deliveries?limit=0")).status).toBe(400);
    expect((await server.request("GET", "/api/v1/notifications/deliveries?cursor=abc")).status).toBe(400);

    // Write-only: no answer ever carried a secret.
    for (const body of server.bodies) {
      expect(body).not.toContain(SMTP_PASSWORD);
      expect(body).not.toContain(WEBHOOK_SECRET.slice("whsec_".length));
    }
  });

  it("NOT-4: a bad secret is refused naming the field without echoing it; the flags are read-only", async () => {
    server = await startServer();
    const bad = await server.request("PUT", "/api/v1/settings", {
      body: { notifications: { webhookUrl: "https://hooks.example/x", webhookSecret: "hunter2-not-standard", smtpUrl: 42 } },
    });
    expect(bad.status).toBe(400);
    expect(bad.json.details.map((d: { path: string }) => d.path).sort()).toEqual([
      "notifications.smtpUrl",
      "notifications.webhookSecret",
    ]);
    expect(bad.text).not.toContain("hunter2-not-standard");
    const flag = await server.request("PUT", "/api/v1/settings", { body: { notifications: { smtpUrlSet: true } } });
    expect(flag.status).toBe(400);
    expect(flag.json.details).toEqual([
      { path: "notifications.smtpUrlSet", message: "is read-only: send smtpUrl to set it or null to clear it" },
    ]);
  });

  it("publishes the notification routes in /openapi.json; they need the bearer token", async () => {
    server = await startServer();
    const doc = await server.request("GET", "/openapi.json");
    expect(Object.keys(doc.json.paths)).toEqual(
      expect.arrayContaining(["/api/v1/notifications/test", "/api/v1/notifications/deliveries"]),
    );
    expect(doc.json.paths["/api/v1/notifications/test"].post.summary).toContain("test notification");
    expect((await server.request("POST", "/api/v1/notifications/test", { token: null })).status).toBe(401);
    // No channel configured: nothing to report, nothing sent.
    expect((await server.request("POST", "/api/v1/notifications/test")).json).toEqual({ deliveries: [] });
  });
});
