/**
 * What a notification says (NOT-2, http-api.md "Notifications"): what happened, which run, how
 * many learners failed and the first reasons, and a link to the console. Only PICS ids identify
 * anything: reasons are cut short and scrubbed of e-mail addresses and of every configured secret,
 * in case a OneFile error echoed one.
 */
import type { NotificationEvent, Run } from "@pics/pics-store";

export type Event = NotificationEvent | "test";

export interface FailedLearner {
  readonly learnerId: string;
  readonly code: string;
  readonly reason: string;
}

/** The webhook body; the e-mail says the same in words. */
export interface Notification {
  readonly type: Event;
  /** Also the `webhook-id`: the same across retries, so a receiver can drop a repeat. */
  readonly id: string;
  readonly at: string;
  readonly run: {
    readonly id: string;
    readonly kind: Run["kind"];
    readonly status: Run["status"];
    readonly total: number;
    readonly failed: number;
    readonly startedAt: string;
    readonly endedAt: string | null;
    /** Why the run as a whole failed (e.g. the token was refused), when it says. */
    readonly message: string | null;
  } | null;
  /** daily_run_missed: the slot no daily run completed for, and when it was due by. */
  readonly slot?: { readonly at: string; readonly dueBy: string };
  readonly failedLearners: ReadonlyArray<FailedLearner>;
  readonly consoleUrl: string;
}

export const FIRST_REASONS = 20;
const REASON_MAX = 300;

const EMAIL_LIKE = /[^\s@<>"'()]+@[^\s@<>"'()]+/g;

/** A reason fit to send: no secret, no e-mail address, at most 300 characters. */
export const scrub = (text: string, secrets: ReadonlyArray<string>): string => {
  let out = text;
  for (const secret of secrets) if (secret.length >= 4) out = out.replaceAll(secret, "[secret]");
  out = out.replace(EMAIL_LIKE, "[e-mail]");
  return out.length > REASON_MAX ? `${out.slice(0, REASON_MAX - 3)}...` : out;
};

/** Every part of a secret worth hiding: the whole, and the user and password of a URL. */
export const secretParts = (secrets: ReadonlyArray<string | null>): Array<string> => {
  const parts: Array<string> = [];
  for (const secret of secrets) {
    if (!secret) continue;
    parts.push(secret);
    try {
      const url = new URL(secret);
      if (url.password) parts.push(url.password, decodeURIComponent(url.password));
      if (url.username) parts.push(url.username, decodeURIComponent(url.username));
    } catch {
      // not a URL: the whole is enough
    }
  }
  // Longest first, so a password inside a URL does not break the URL's own replacement.
  return [...new Set(parts)].sort((a, b) => b.length - a.length);
};

export const newNotificationId = (): string => `ntf_${crypto.randomUUID().replaceAll("-", "")}`;

const base = (publicUrl: string) => publicUrl.replace(/\/+$/, "");
export const runConsoleUrl = (publicUrl: string, runId: string) => `${base(publicUrl)}/console/runs/${encodeURIComponent(runId)}`;
export const consoleHome = (publicUrl: string) => `${base(publicUrl)}/console`;

const TITLES: Record<Event, string> = {
  run_failed: "failed",
  run_partially_succeeded: "partially succeeded",
  daily_run_missed: "did not complete",
  test: "test notification",
};

/** The e-mail: a one-line subject and a plain-text body with the same facts as the webhook. */
export const emailOf = (n: Notification): { subject: string; text: string } => {
  if (n.type === "test") {
    return {
      subject: "PICS-OneFile: test notification",
      text: `This is a test notification from the PICS-OneFile integration (${n.id}).\n\nConsole: ${n.consoleUrl}\n`,
    };
  }
  if (n.type === "daily_run_missed") {
    const slot = n.slot;
    return {
      subject: `PICS-OneFile: the daily run of ${slot?.at ?? "its slot"} did not complete`,
      text: [
        `No daily run completed within 6 hours of its slot (${slot?.at}; due by ${slot?.dueBy}).`,
        "The scheduler may be stopped or stuck.",
        "",
        `Console: ${n.consoleUrl}`,
        `Notification: ${n.id}`,
        "",
      ].join("\n"),
    };
  }
  const run = n.run!;
  const lines = [
    `The ${run.kind} run ${run.id} ${TITLES[n.type]}: ${run.failed} of ${run.total} learners failed.`,
    `Started ${run.startedAt}, ended ${run.endedAt ?? "-"}.`,
    ...(run.message ? [`Reason: ${run.message}`] : []),
    "",
    ...(n.failedLearners.length > 0
      ? [
          `First ${n.failedLearners.length} failed learners (PICS id, code, reason):`,
          ...n.failedLearners.map((f) => `- ${f.learnerId}: ${f.code}: ${f.reason}`),
          "",
        ]
      : []),
    `Console: ${n.consoleUrl}`,
    `Notification: ${n.id}`,
    "",
  ];
  return {
    subject: `PICS-OneFile: ${run.kind} run ${TITLES[n.type]} (${run.failed} of ${run.total} learners failed)`,
    text: lines.join("\n"),
  };
};
