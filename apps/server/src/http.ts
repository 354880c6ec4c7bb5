/**
 * Request reading: JSON bodies, path ids and query parameters, each decoded with Schema and
 * refused with 400 naming the offending field.
 */
import { decodeInput, PicsId } from "@pics/pics-store";
import { Effect, Either, Schema } from "effect";
import type { Context } from "hono";
import { badInput, HttpError } from "./errors.ts";

const ID_PATTERN = /^[A-Za-z0-9_.-]{1,64}$/;

/** A path id (PICS record or run id): 1-64 characters of `[A-Za-z0-9_.-]`, else 400. */
export const pathId = (c: Context, name: string): Effect.Effect<string, HttpError> => {
  const value = c.req.param(name) ?? "";
  return ID_PATTERN.test(value)
    ? Effect.succeed(value)
    : Effect.fail(
        badInput(`invalid id in the path: ${name} must be 1-64 characters of letters, digits, '_', '.' or '-'`, [
          { path: name, message: "must be 1-64 characters of letters, digits, '_', '.' or '-'" },
        ]),
      );
};

/** SEC-3: deeper JSON is refused before it is parsed (a deep value overflows the stack later). */
export const MAX_JSON_DEPTH = 64;

/**
 * Whether JSON text nests arrays/objects deeper than `max`: one pass over the text, brackets inside
 * strings skipped. Malformed text is left to JSON.parse to describe.
 */
export const nestsDeeperThan = (text: string, max: number): boolean => {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i += 1) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92 /* \\ */) i += 1;
      else if (c === 34 /* " */) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 /* { */ || c === 91 /* [ */) {
      depth += 1;
      if (depth > max) return true;
    } else if (c === 125 /* } */ || c === 93 /* ] */) depth -= 1;
  }
  return false;
};

/**
 * The request body as JSON. Empty bodies are `undefined` (routes that need a body say so);
 * malformed JSON is a 400 naming where it broke.
 */
export const readJson = (c: Context): Effect.Effect<unknown, HttpError> =>
  Effect.gen(function* () {
    const text = yield* Effect.tryPromise({
      try: () => c.req.text(),
      catch: () => new HttpError({ status: 400, code: "invalid_body", text: "the request body could not be read" }),
    });
    if (text.trim() === "") return undefined;
    if (nestsDeeperThan(text, MAX_JSON_DEPTH)) {
      return yield* new HttpError({
        status: 400,
        code: "too_deeply_nested",
        text: `the request body nests arrays or objects more than ${MAX_JSON_DEPTH} deep`,
        details: [{ path: "(body)", message: `nests more than ${MAX_JSON_DEPTH} levels deep` }],
      });
    }
    const parsed = Either.try({ try: () => JSON.parse(text) as unknown, catch: jsonProblem });
    if (Either.isLeft(parsed)) {
      return yield* new HttpError({
        status: 400,
        code: "malformed_json",
        text: `the request body is not valid JSON: ${parsed.left}`,
        details: [{ path: "(body)", message: parsed.left }],
      });
    }
    return parsed.right;
  });

/**
 * Where the JSON broke, never a quote of the text around it (SEC-2: the body may hold a token).
 */
const jsonProblem = (error: unknown): string => {
  const message = error instanceof Error ? error.message : "";
  const position = /position (\d+)/.exec(message);
  if (position) return `unexpected character at position ${position[1]}`;
  if (/end of (JSON )?input/i.test(message)) return "the text ends before the JSON value does";
  return "unexpected text";
};

/** A body that must be a JSON object. */
export const readObject = (c: Context, what: string): Effect.Effect<Record<string, unknown>, HttpError> =>
  Effect.flatMap(readJson(c), (value) =>
    typeof value === "object" && value !== null && !Array.isArray(value)
      ? Effect.succeed(value as Record<string, unknown>)
      : Effect.fail(
          badInput(`the request body must be a JSON object (${what})`, [
            { path: "(body)", message: value === undefined ? "is missing" : "must be a JSON object" },
          ]),
        ),
  );

/** An optional body: absent is `{}`; present must be an object. */
export const readOptionalObject = (c: Context, what: string): Effect.Effect<Record<string, unknown>, HttpError> =>
  Effect.flatMap(readJson(c), (value) => (value === undefined ? Effect.succeed({}) : readObjectValue(value, what)));

const readObjectValue = (value: unknown, what: string) =>
  typeof value === "object" && value !== null && !Array.isArray(value)
    ? Effect.succeed(value as Record<string, unknown>)
    : Effect.fail(
        badInput(`the request body must be a JSON object (${what})`, [{ path: "(body)", message: "must be a JSON object" }]),
      );

/** Decodes the named query parameters with a Schema; unknown parameters are ignored. */
export const decodeQuery = <F extends Schema.Struct.Fields>(c: Context, schema: Schema.Struct<F>, what: string) => {
  const input: Record<string, string> = {};
  for (const name of Object.keys(schema.fields)) {
    const value = c.req.query(name);
    if (value !== undefined) input[name] = value;
  }
  return decodeInput(schema as unknown as Schema.Schema<Schema.Struct.Type<F>, Schema.Struct.Encoded<F>>, what)(input);
};

// ---------------------------------------------------------------- query Schemas

const Limit = Schema.NumberFromString.pipe(
  Schema.int(),
  Schema.between(1, 500),
  Schema.annotations({ message: () => "must be a whole number from 1 to 500" }),
);

/** `?limit=&cursor=` of every list. */
export const ListQuery = Schema.Struct({
  limit: Schema.optional(Limit),
  cursor: Schema.optional(PicsId),
});

const BooleanFlag = Schema.Literal("true", "false", "1", "0").pipe(
  Schema.annotations({ message: () => "must be true or false" }),
);

export const DryRunQuery = Schema.Struct({ dryRun: Schema.optional(BooleanFlag) });
export const isTrue = (flag: string | undefined): boolean => flag === "true" || flag === "1";

export const PreviewQuery = Schema.Struct({
  centreId: Schema.NumberFromString.pipe(
    Schema.int(),
    Schema.positive(),
    Schema.annotations({
      message: () => "must be a OneFile centre id (a positive whole number)",
      missingMessage: () => "is required (the OneFile centre id)",
    }),
  ),
});
