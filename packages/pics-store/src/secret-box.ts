/**
 * Encrypts the OneFile customer token at rest with AES-GCM (WebCrypto, present in Node and Deno),
 * so a copied database file does not leak it. The key is derived from the configured secret.
 */
import { Data, Effect } from "effect";

export class SecretUnreadable extends Data.TaggedError("SecretUnreadable")<{ readonly reason: string }> {
  override get message(): string {
    return `the stored customer token cannot be decrypted (${this.reason}); set it again or restore SECRET_KEY`;
  }
}

const VERSION = "v1";

/** Byte by byte: spreading a long token's bytes into one call overflows the stack (SEC-3). */
const toBase64Url = (bytes: Uint8Array): string => {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
};

const fromBase64Url = (text: string): Uint8Array<ArrayBuffer> => {
  const binary = atob(text.replaceAll("-", "+").replaceAll("_", "/"));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
};

export interface SecretBox {
  readonly seal: (plaintext: string) => Effect.Effect<string>;
  readonly open: (sealed: string) => Effect.Effect<string, SecretUnreadable>;
}

/** Builds a box from any secret string (≥ 16 characters); the AES-256 key is its SHA-256. */
export const makeSecretBox = (secret: string): Effect.Effect<SecretBox> =>
  Effect.promise(async () => {
    const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(secret));
    const key = await crypto.subtle.importKey("raw", digest, "AES-GCM", false, ["encrypt", "decrypt"]);
    const seal = (plaintext: string) =>
      Effect.promise(async () => {
        const iv = crypto.getRandomValues(new Uint8Array(12));
        const data = await crypto.subtle.encrypt({ name: "AES-GCM", iv }, key, new TextEncoder().encode(plaintext));
        return `${VERSION}.${toBase64Url(iv)}.${toBase64Url(new Uint8Array(data))}`;
      });
    const open = (sealed: string) => {
      const [version, iv, data] = sealed.split(".");
      if (version !== VERSION || iv === undefined || data === undefined) {
        return Effect.fail(new SecretUnreadable({ reason: "unknown format" }));
      }
      return Effect.tryPromise({
        try: async () =>
          new TextDecoder().decode(
            await crypto.subtle.decrypt({ name: "AES-GCM", iv: fromBase64Url(iv) }, key, fromBase64Url(data)),
          ),
        catch: () => new SecretUnreadable({ reason: "wrong key or damaged value" }),
      });
    };
    return { seal, open };
  });
