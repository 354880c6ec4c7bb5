/**
 * The console session (SEC-5): a signed, stateless cookie — `v1.<sessionId>.<expires>.<signature>`
 * — HttpOnly, SameSite=Strict, Path=/console, Secure when the request came over HTTPS. The signature
 * is an HMAC-SHA256 under a key derived from the deployment's API token, so changing the token ends
 * every session, and any replica can check a cookie without a table (decisions D70).
 *
 * CSRF: every form post carries a token that is the HMAC of the session id (`_csrf` field or the
 * `X-CSRF-Token` header htmx sends); the sign-in form, before any session, carries one bound to a
 * nonce in its own short-lived cookie. WebCrypto only: the same code runs under Node and Deno.
 */
import type { Context } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import type { Deployment } from "./deployment.ts";

export const SESSION_COOKIE = "pics_console";
export const SIGN_IN_COOKIE = "pics_console_sign_in";
/** A session lasts 8 hours: a working day (decisions D70). */
export const SESSION_SECONDS = 8 * 60 * 60;

export interface Session {
  readonly id: string;
  readonly expiresAt: number;
  /** The token every form of this session must carry. */
  readonly csrf: string;
}

const encoder = new TextEncoder();
const base64url = (bytes: Uint8Array): string =>
  btoa(String.fromCharCode(...bytes))
    .replaceAll("+", "-")
    .replaceAll("/", "_")
    .replace(/=+$/, "");
const randomId = (): string => base64url(crypto.getRandomValues(new Uint8Array(18)));

const keys = new Map<string, Promise<CryptoKey>>();
const keyFor = (deployment: Deployment): Promise<CryptoKey> => {
  let key = keys.get(deployment.secret);
  if (!key) {
    key = crypto.subtle.importKey("raw", encoder.encode(deployment.secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
    keys.set(deployment.secret, key);
  }
  return key;
};
const sign = async (deployment: Deployment, text: string): Promise<string> =>
  base64url(new Uint8Array(await crypto.subtle.sign("HMAC", await keyFor(deployment), encoder.encode(text))));

/** Same length and same bytes, walking the whole string whatever it holds. */
const sameText = (a: string, b: string): boolean => {
  let difference = a.length ^ b.length;
  for (let i = 0; i < Math.max(a.length, b.length); i++) difference |= (a.charCodeAt(i) || 0) ^ (b.charCodeAt(i) || 0);
  return difference === 0;
};

const isHttps = (c: Context): boolean =>
  new URL(c.req.url).protocol === "https:" || c.req.header("x-forwarded-proto")?.split(",")[0]?.trim() === "https";

const cookieOptions = (c: Context, deployment: Deployment, maxAge: number) => ({
  httpOnly: true,
  sameSite: "Strict" as const,
  secure: isHttps(c),
  path: deployment.basePath,
  maxAge,
});

const csrfFor = (deployment: Deployment, sessionId: string) => sign(deployment, `csrf|${deployment.id}|${sessionId}`);

/** Starts a session: sets the cookie and answers it. */
export const startSession = async (c: Context, deployment: Deployment, now = Date.now()): Promise<Session> => {
  const id = randomId();
  const expiresAt = Math.floor(now / 1000) + SESSION_SECONDS;
  const payload = `v1.${id}.${expiresAt}`;
  const signature = await sign(deployment, `session|${deployment.id}|${payload}`);
  setCookie(c, SESSION_COOKIE, `${payload}.${signature}`, cookieOptions(c, deployment, SESSION_SECONDS));
  return { id, expiresAt, csrf: await csrfFor(deployment, id) };
};

/** The request's session, or null when there is none, it is forged, or it has expired. */
export const readSession = async (c: Context, deployment: Deployment, now = Date.now()): Promise<Session | null> => {
  const cookie = getCookie(c, SESSION_COOKIE);
  const match = cookie ? /^v1\.([A-Za-z0-9_-]{10,64})\.(\d{1,12})\.([A-Za-z0-9_-]{20,100})$/.exec(cookie) : null;
  if (!match) return null;
  const [, id, expires, signature] = match as unknown as [string, string, string, string];
  const expected = await sign(deployment, `session|${deployment.id}|v1.${id}.${expires}`);
  if (!sameText(expected, signature)) return null;
  if (Number(expires) * 1000 <= now) return null;
  return { id, expiresAt: Number(expires), csrf: await csrfFor(deployment, id) };
};

export const endSession = (c: Context, deployment: Deployment): void => {
  deleteCookie(c, SESSION_COOKIE, cookieOptions(c, deployment, 0));
};

/** The token a form of this session carries, checked against `_csrf` or `X-CSRF-Token`. */
export const checkCsrf = (session: Session, presented: string | undefined | null): boolean =>
  typeof presented === "string" && sameText(session.csrf, presented);

/** The sign-in form's token: bound to a nonce kept in its own cookie for 30 minutes. */
export const signInToken = async (c: Context, deployment: Deployment): Promise<string> => {
  let nonce = getCookie(c, SIGN_IN_COOKIE);
  if (!nonce || !/^[A-Za-z0-9_-]{20,40}$/.test(nonce)) {
    nonce = randomId();
    setCookie(c, SIGN_IN_COOKIE, nonce, cookieOptions(c, deployment, 30 * 60));
  }
  return sign(deployment, `sign-in|${deployment.id}|${nonce}`);
};

export const checkSignInToken = async (c: Context, deployment: Deployment, presented: string | undefined): Promise<boolean> => {
  const nonce = getCookie(c, SIGN_IN_COOKIE);
  if (!nonce || typeof presented !== "string") return false;
  return sameText(await sign(deployment, `sign-in|${deployment.id}|${nonce}`), presented);
};

export const clearSignInCookie = (c: Context, deployment: Deployment): void => {
  deleteCookie(c, SIGN_IN_COOKIE, cookieOptions(c, deployment, 0));
};
