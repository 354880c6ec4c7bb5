/**
 * One HTTP exchange with OneFile through ofetch (`retry: 0`: every retry decision is ours).
 * Only fetch/Web APIs underneath, so this runs under Node and Deno alike.
 */
import { Data, Duration, Effect } from "effect";
import { ofetch } from "ofetch";

export interface RawResponse {
  readonly status: number;
  readonly text: string;
  readonly retryAfter: string | null;
}

/** No HTTP answer: the request timed out, or the connection failed or dropped. */
export class TransportFailure extends Data.TaggedError("TransportFailure")<{
  readonly reason: "timeout" | "network" | "tooLarge";
  readonly message: string;
}> {}

export interface Request {
  readonly method: "GET" | "POST";
  readonly url: string;
  readonly headers: Record<string, string>;
  /** JSON text, or undefined for no body. */
  readonly body: string | undefined;
  readonly timeoutMs: number;
  /** Largest answer read, in bytes; a larger one fails `tooLarge`. */
  readonly maxAnswerBytes: number;
  /** Values never to appear in a failure's text (the tokens in the headers); default every header value. */
  readonly secrets?: ReadonlyArray<string>;
}

/**
 * SEC-2: the text of a failure with every header value (the customer or session token) cut out.
 * fetch quotes a header value it refuses ("Headers.append: "<token>" is an invalid header value"),
 * so each value, and each line of it, is replaced wherever it appears.
 */
export const scrubSecrets = (text: string, values: ReadonlyArray<string>): string => {
  const secrets = values
    .flatMap((value) => [value, ...value.split(/[\r\n]+/), JSON.stringify(value).slice(1, -1)])
    .map((piece) => piece.trim())
    .filter((piece) => piece.length >= 4)
    .sort((a, b) => b.length - a.length);
  let scrubbed = text;
  for (const secret of secrets) scrubbed = scrubbed.split(secret).join("[redacted]");
  return scrubbed;
};

const describe = (e: unknown, secrets: ReadonlyArray<string>): string => {
  // Never include request options: they hold the tokens. Name, message and the cause's code only.
  if (e instanceof Error) {
    const cause = (e as { cause?: unknown }).cause;
    const code =
      typeof cause === "object" && cause !== null && "code" in cause ? ` (${String((cause as { code: unknown }).code)})` : "";
    return scrubSecrets(`${e.message}${code}`, secrets);
  }
  return scrubSecrets(String(e), secrets);
};

/** An answer larger than the client accepts: read no further (a runaway or hostile answer). */
export class AnswerTooLarge extends Error {}

/** Reads a body as UTF-8 text, stopping with AnswerTooLarge past `maxBytes`. */
const readCapped = async (body: ReadableStream<Uint8Array> | null | undefined, maxBytes: number): Promise<string> => {
  if (body === null || body === undefined) return "";
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let bytes = 0;
  let text = "";
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    bytes += value.byteLength;
    if (bytes > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw new AnswerTooLarge(`the answer is larger than ${maxBytes} bytes`);
    }
    text += decoder.decode(value, { stream: true });
  }
  return text + decoder.decode();
};

export const send = (request: Request): Effect.Effect<RawResponse, TransportFailure> =>
  Effect.tryPromise({
    try: async (signal) => {
      const response = await ofetch.raw(request.url, {
        method: request.method,
        headers: request.headers,
        ...(request.body === undefined ? {} : { body: request.body }),
        retry: 0,
        ignoreResponseError: true,
        responseType: "stream",
        signal,
      });
      const text = await readCapped(response._data as ReadableStream<Uint8Array> | null | undefined, request.maxAnswerBytes);
      return { status: response.status, text, retryAfter: response.headers.get("retry-after") };
    },
    catch: (e) =>
      e instanceof AnswerTooLarge
        ? new TransportFailure({ reason: "tooLarge", message: e.message })
        : new TransportFailure({ reason: "network", message: describe(e, request.secrets ?? Object.values(request.headers)) }),
  }).pipe(
    // Interrupting the attempt aborts the fetch (headers and body alike) through `signal`.
    Effect.timeoutFail({
      duration: Duration.millis(request.timeoutMs),
      onTimeout: () => new TransportFailure({ reason: "timeout", message: `no answer within ${request.timeoutMs} ms` }),
    }),
  );
