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
  readonly reason: "timeout" | "network";
  readonly message: string;
}> {}

export interface Request {
  readonly method: "GET" | "POST";
  readonly url: string;
  readonly headers: Record<string, string>;
  /** JSON text, or undefined for no body. */
  readonly body: string | undefined;
  readonly timeoutMs: number;
}

const describe = (e: unknown): string => {
  // Never include request options: they hold the tokens. Name, message and the cause's code only.
  if (e instanceof Error) {
    const cause = (e as { cause?: unknown }).cause;
    const code =
      typeof cause === "object" && cause !== null && "code" in cause ? ` (${String((cause as { code: unknown }).code)})` : "";
    return `${e.message}${code}`;
  }
  return String(e);
};

export const send = (request: Request): Effect.Effect<RawResponse, TransportFailure> =>
  Effect.tryPromise({
    try: async (signal) => {
      const response = await ofetch.raw<string, "text">(request.url, {
        method: request.method,
        headers: request.headers,
        ...(request.body === undefined ? {} : { body: request.body }),
        retry: 0,
        ignoreResponseError: true,
        responseType: "text",
        signal,
      });
      const data: unknown = response._data;
      return {
        status: response.status,
        text: typeof data === "string" ? data : "",
        retryAfter: response.headers.get("retry-after"),
      };
    },
    catch: (e) => new TransportFailure({ reason: "network", message: describe(e) }),
  }).pipe(
    // Interrupting the attempt aborts the fetch (headers and body alike) through `signal`.
    Effect.timeoutFail({
      duration: Duration.millis(request.timeoutMs),
      onTimeout: () => new TransportFailure({ reason: "timeout", message: `no answer within ${request.timeoutMs} ms` }),
    }),
  );
