/**
 * @pics/notifications — NOT-1..4: a signed webhook (Standard Webhooks) and e-mail over SMTP when
 * a daily or full run fails or partly fails, or a daily run did not complete within 6 hours of
 * its slot; deliveries retried with backoff and logged in the store.
 */
export * from "./channels.ts";
export * from "./message.ts";
export * from "./notifier.ts";
