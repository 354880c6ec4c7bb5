/**
 * The two ways a notification leaves (NOT-1): a webhook signed as Standard Webhooks (the
 * `standardwebhooks` library signs; the same library verifies in the tests) and e-mail over SMTP
 * (nodemailer). A send never fails as an Effect: it answers what happened, for the deliveries log.
 * Timeouts are real time (the receiver's clock), so a test clock that skips hours of backoff
 * cannot cut an attempt short.
 */
import { Effect } from "effect";
import { createTransport } from "nodemailer";
import { Webhook } from "standardwebhooks";
import type { DeliveryChannel } from "@pics/pics-store";
import { emailOf, scrub, type Notification } from "./message.ts";

export interface AttemptOutcome {
  readonly ok: boolean;
  /** HTTP status of the receiver, or the SMTP reply code. */
  readonly status?: number;
  readonly error?: string;
}

export interface Channel {
  readonly name: DeliveryChannel;
  readonly send: (notification: Notification) => Effect.Effect<AttemptOutcome>;
}

export interface ChannelTimeouts {
  /** One webhook request, connection to answer (default 15 s). */
  readonly webhookMs?: number;
  /** Each SMTP stage: connection, greeting, a silent socket (default 30 s). */
  readonly smtpMs?: number;
}

const reasonOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

export const webhookChannel = (options: {
  readonly url: string;
  readonly secret: string;
  /** Secrets to keep out of error messages. */
  readonly redact: ReadonlyArray<string>;
  readonly timeoutMs?: number;
  /** The signature's timestamp: the wall clock, which receivers compare with theirs (replay window). */
  readonly now?: () => number;
}): Channel => {
  const signer = new Webhook(options.secret);
  return {
    name: "webhook",
    send: (notification) =>
      Effect.promise(async (): Promise<AttemptOutcome> => {
        const body = JSON.stringify(notification);
        const sentAt = new Date((options.now ?? Date.now)());
        try {
          const response = await fetch(options.url, {
            method: "POST",
            headers: {
              "content-type": "application/json",
              "user-agent": "pics-onefile-notifications",
              "webhook-id": notification.id,
              "webhook-timestamp": String(Math.floor(sentAt.getTime() / 1000)),
              "webhook-signature": signer.sign(notification.id, sentAt, body),
            },
            body,
            // A redirect is an answer to fix at the receiver, not one to follow with the payload.
            redirect: "manual",
            signal: AbortSignal.timeout(options.timeoutMs ?? 15_000),
          });
          await response.body?.cancel().catch(() => undefined);
          return response.ok
            ? { ok: true, status: response.status }
            : { ok: false, status: response.status, error: `the receiver answered ${response.status}` };
        } catch (error) {
          const cause = (error as { cause?: unknown }).cause;
          const detail = cause === undefined ? "" : ` (${reasonOf(cause)})`;
          return { ok: false, error: scrub(`the request failed: ${reasonOf(error)}${detail}`, options.redact) };
        }
      }),
  };
};

export const emailChannel = (options: {
  readonly smtpUrl: string;
  readonly from: string;
  readonly to: ReadonlyArray<string>;
  readonly redact: ReadonlyArray<string>;
  readonly timeoutMs?: number;
}): Channel => ({
  name: "email",
  send: (notification) =>
    Effect.promise(async (): Promise<AttemptOutcome> => {
      const timeout = options.timeoutMs ?? 30_000;
      const transport = createTransport({
        url: options.smtpUrl,
        connectionTimeout: timeout,
        greetingTimeout: timeout,
        socketTimeout: timeout,
      } as Parameters<typeof createTransport>[0]);
      const { subject, text } = emailOf(notification);
      try {
        const info = await transport.sendMail({
          from: options.from,
          to: [...options.to],
          subject,
          text,
          headers: { "X-PICS-Notification-Id": notification.id },
        });
        const status = Number.parseInt(String(info.response ?? "").slice(0, 3), 10);
        const rejected = (info.rejected ?? []).length;
        return rejected === 0
          ? { ok: true, ...(Number.isFinite(status) ? { status } : {}) }
          : {
              ok: false,
              ...(Number.isFinite(status) ? { status } : {}),
              error: `the server refused ${rejected} of ${options.to.length} recipients`,
            };
      } catch (error) {
        const code = (error as { responseCode?: unknown }).responseCode;
        return {
          ok: false,
          ...(typeof code === "number" ? { status: code } : {}),
          error: scrub(`sending failed: ${reasonOf(error)}`, options.redact),
        };
      } finally {
        transport.close();
      }
    }),
});
