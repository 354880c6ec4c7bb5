/**
 * Bearer-token check. Both tokens are hashed with SHA-256 (WebCrypto: Node and Deno alike) and the
 * digests compared with a loop that always walks all 32 bytes, so the time taken says nothing about
 * how much of a guess was right, nor about the token's length. hono/bearer-auth reads the header
 * (app.ts) and calls this as its `verifyToken`.
 */

const sha256 = async (text: string): Promise<Uint8Array> =>
  new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)));

const sameBytes = (a: Uint8Array, b: Uint8Array): boolean => {
  let difference = a.length ^ b.length;
  for (let i = 0; i < a.length; i++) difference |= a[i]! ^ (b[i] ?? 0);
  return difference === 0;
};

/** Builds a checker for one configured token; its digest is computed once. */
export const makeTokenCheck = (expected: string): ((presented: string | null) => Promise<boolean>) => {
  const expectedDigest = sha256(expected);
  return async (presented) => {
    // Hash something even when nothing was presented, so both paths cost the same.
    const [want, got] = await Promise.all([expectedDigest, sha256(presented ?? "")]);
    return sameBytes(want, got) && presented !== null;
  };
};
