/**
 * Real receivers for the tests: an HTTP server on 127.0.0.1 that verifies every request with the
 * `standardwebhooks` library and answers from a script, and an in-process SMTP server
 * (smtp-server) that keeps every message. Plus a store on a temp file and a test-clock driver.
 */
import { PicsStore, SettingsStore } from "@pics/pics-store";
import { Chunk, Clock, Effect, Fiber, Layer, Option, TestClock } from "effect";
import { mkdtempSync } from "node:fs";
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SMTPServer } from "smtp-server";
import { Webhook } from "standardwebhooks";
import { Notifier, type NotifierConfig } from "../src/index.ts";

export const WEBHOOK_SECRET = `whsec_${Buffer.from("notifications-test-secret-32bytes!").toString("base64")}`;
export const SMTP_USER = "mailer";
export const SMTP_PASSWORD = "smtp-Pa55word-never-shown";
export const CUSTOMER_TOKEN = "onefile-customer-token-never-shown";
export const PUBLIC_URL = "https://pics.provider.example";

export const tempDatabaseUrl = (): string => `file:${join(mkdtempSync(join(tmpdir(), "notifications-")), "pics.db")}`;
export const storeLayer = (url: string) => PicsStore.layer({ url, secretKey: "notifications-test-key-0123" });

/** The store plus a Notifier, as one process (server or scheduler) would have them. */
export const notifierLayer = (url: string, config: Partial<NotifierConfig> = {}) =>
  Notifier.layer({ publicUrl: PUBLIC_URL, ...config }).pipe(Layer.provideMerge(storeLayer(url)));

export interface ReceivedWebhook {
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  /** The body as `standardwebhooks` verified it, or the verification error. */
  readonly verified: { ok: true; payload: any } | { ok: false; error: string };
}

/** A webhook receiver answering each request with the next status of `script` (then 200). */
export const webhookReceiver = (script: ReadonlyArray<number> = []) =>
  Effect.acquireRelease(
    Effect.promise(
      () =>
        new Promise<{ url: string; received: Array<ReceivedWebhook>; close: () => Promise<void> }>((resolve) => {
          const received: Array<ReceivedWebhook> = [];
          const verifier = new Webhook(WEBHOOK_SECRET);
          const server = createServer((req, res) => {
            const chunks: Array<Buffer> = [];
            req.on("data", (c: Buffer) => chunks.push(c));
            req.on("end", () => {
              const body = Buffer.concat(chunks).toString("utf8");
              let verified: ReceivedWebhook["verified"];
              try {
                verified = { ok: true, payload: verifier.verify(body, req.headers as Record<string, string>) };
              } catch (error) {
                verified = { ok: false, error: String(error) };
              }
              const status = script[received.length] ?? 200;
              received.push({ headers: req.headers, body, verified });
              res.writeHead(status, { "content-type": "text/plain" }).end(status < 300 ? "thanks" : "not now");
            });
          });
          server.listen(0, "127.0.0.1", () => {
            const { port } = server.address() as AddressInfo;
            resolve({
              url: `http://127.0.0.1:${port}/hooks/pics`,
              received,
              close: () => new Promise<void>((done) => server.close(() => done())),
            });
          });
        }),
    ),
    (receiver) => Effect.promise(receiver.close),
  );

export interface ReceivedMail {
  readonly from: string;
  readonly to: ReadonlyArray<string>;
  readonly raw: string;
  readonly subject: string;
  /** The text part, quoted-printable decoded. */
  readonly text: string;
}

const decodeQuotedPrintable = (text: string) =>
  text.replace(/=\r?\n/g, "").replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));

const parseMail = (raw: string, from: string, to: ReadonlyArray<string>): ReceivedMail => {
  const split = raw.indexOf("\r\n\r\n");
  const head = raw.slice(0, split).replace(/\r\n[ \t]+/g, " ");
  const body = raw.slice(split + 4);
  const subject = /^Subject: (.*)$/im.exec(head)?.[1] ?? "";
  const qp = /content-transfer-encoding: quoted-printable/i.test(head);
  return { from, to, raw, subject, text: qp ? decodeQuotedPrintable(body) : body };
};

/** An SMTP server that requires SMTP_USER / SMTP_PASSWORD and keeps every message. */
export const smtpSink = Effect.acquireRelease(
  Effect.promise(
    () =>
      new Promise<{ url: string; messages: Array<ReceivedMail>; close: () => Promise<void> }>((resolve) => {
        const messages: Array<ReceivedMail> = [];
        const server = new SMTPServer({
          disabledCommands: ["STARTTLS"],
          allowInsecureAuth: true,
          authMethods: ["PLAIN", "LOGIN"],
          logger: false,
          onAuth(auth, _session, callback) {
            if (auth.username === SMTP_USER && auth.password === SMTP_PASSWORD) callback(null, { user: auth.username });
            else callback(Object.assign(new Error("Invalid username or password"), { responseCode: 535 }));
          },
          onData(stream, session, callback) {
            const chunks: Array<Buffer> = [];
            stream.on("data", (c: Buffer) => chunks.push(c));
            stream.on("end", () => {
              const from = session.envelope.mailFrom ? session.envelope.mailFrom.address : "";
              messages.push(
                parseMail(
                  Buffer.concat(chunks).toString("utf8"),
                  from,
                  session.envelope.rcptTo.map((r) => r.address),
                ),
              );
              callback();
            });
          },
        });
        server.listen(0, "127.0.0.1", () => {
          const { port } = server.server.address() as AddressInfo;
          resolve({
            url: `smtp://${SMTP_USER}:${SMTP_PASSWORD}@127.0.0.1:${port}`,
            messages,
            close: () => new Promise<void>((done) => server.close(() => done())),
          });
        });
      }),
  ),
  (sink) => Effect.promise(sink.close),
);

/** Both channels configured, the customer token set too (it must never leak either). */
export const configureChannels = (webhookUrl: string, smtpUrl: string, extra: Record<string, unknown> = {}) =>
  Effect.flatMap(SettingsStore, (settings) =>
    settings.update({
      customerToken: CUSTOMER_TOKEN,
      ...extra,
      notifications: {
        webhookUrl,
        webhookSecret: WEBHOOK_SECRET,
        emailTo: ["ops@provider.example", "mis@provider.example"],
        emailFrom: "pics@provider.example",
        smtpUrl,
      },
    }),
  );

const realPause = (ms: number) => Effect.promise(() => new Promise<void>((resolve) => setTimeout(resolve, ms)));

/**
 * Runs a fiber to its end under the TestClock: whenever something sleeps on the clock, the clock
 * jumps to the earliest wake-up; otherwise real I/O is under way and the driver waits a little in
 * real time. So hours of backoff pass at once, and no attempt is cut short by a jump.
 */
export const driveTestClock = <A, E>(fiber: Fiber.Fiber<A, E>, maxRealMs = 30_000) =>
  Effect.gen(function* () {
    const deadline = Date.now() + maxRealMs;
    while (Date.now() < deadline) {
      if (Option.isSome(yield* Fiber.poll(fiber))) return yield* Fiber.join(fiber);
      const sleeps = Chunk.toReadonlyArray(yield* TestClock.sleeps());
      if (sleeps.length > 0) {
        const now = yield* Clock.currentTimeMillis;
        yield* TestClock.adjust(Math.max(0, Math.min(...sleeps) - now));
      }
      yield* realPause(5);
    }
    return yield* Effect.die(new Error("the fiber did not finish in time"));
  });

/** Waits in real time until `check` holds (or fails after `ms`). */
export const eventually = (check: () => boolean, ms = 20_000) =>
  Effect.gen(function* () {
    const deadline = Date.now() + ms;
    while (!check()) {
      if (Date.now() > deadline) return yield* Effect.die(new Error("condition not reached in time"));
      yield* realPause(10);
    }
  });
