/**
 * `GET /openapi.json`: the route table (hand-listed in app.ts) plus the JSON Schemas of the
 * request bodies, generated with `JSONSchema.make` from the very Schemas that validate them.
 */
import { JSONSchema, type Schema } from "effect";

export type Method = "get" | "post" | "put" | "patch" | "delete";

export interface RouteDoc {
  readonly method: Method;
  /** Hono syntax: `/api/v1/officers/:id`. */
  readonly path: string;
  readonly summary: string;
  readonly tag: string;
  /** False only for `/health`. */
  readonly auth?: boolean;
  readonly body?: {
    readonly schema: Schema.Schema<any, any>;
    /** PATCH: any subset of the fields (the merged whole is then validated). */
    readonly partial?: boolean;
    readonly required?: boolean;
  };
  readonly query?: { readonly fields: Readonly<Record<string, Schema.Schema.All | Schema.PropertySignature.All>> };
  readonly responses: Readonly<Record<number, string>>;
  /** The component schema of the success answer, as one record or a `{items, nextCursor}` page. */
  readonly returns?: { readonly ref: string; readonly page?: boolean };
  /** Content type of the success answer; JSON unless said. */
  readonly produces?: string;
}

type Json = Record<string, unknown>;

/** JSONSchema.make, with its `$defs` moved into the document's components. */
const schemaOf = (schema: Schema.Schema<any, any>, components: Json): Json => {
  const { $schema: _s, $defs, ...rest } = JSONSchema.make(schema, { target: "openApi3.1" }) as unknown as Json;
  for (const [name, def] of Object.entries(($defs ?? {}) as Json)) components[name] = def;
  return JSON.parse(JSON.stringify(rest).replaceAll('"#/$defs/', '"#/components/schemas/')) as Json;
};

const withoutRequired = (schema: Json): Json => {
  const { required: _r, ...rest } = schema;
  return rest;
};

const returnSchema = (returns: NonNullable<RouteDoc["returns"]>): Json => {
  const ref = { $ref: `#/components/schemas/${returns.ref}` };
  return returns.page
    ? {
        type: "object",
        required: ["items", "nextCursor"],
        properties: { items: { type: "array", items: ref }, nextCursor: { anyOf: [{ type: "string" }, { type: "null" }] } },
      }
    : ref;
};

const openApiPath = (path: string) => path.replace(/:([A-Za-z]+)/g, "{$1}");

const ERROR_SCHEMA = {
  type: "object",
  required: ["error", "message"],
  properties: {
    error: { type: "string", description: "machine code, e.g. invalid_input, not_found, unauthorized" },
    message: { type: "string", description: "a sentence a person understands" },
    details: { description: "the offending fields/paths, blockers or candidates" },
  },
};

export const buildOpenApi = (routes: ReadonlyArray<RouteDoc>, named: Readonly<Record<string, Schema.Schema<any, any>>>) => {
  const components: Json = { Error: ERROR_SCHEMA };
  for (const [name, schema] of Object.entries(named)) components[name] = schemaOf(schema, components);
  const paths: Record<string, Json> = {};
  for (const route of routes) {
    const parameters: Array<Json> = [
      ...[...route.path.matchAll(/:([A-Za-z]+)/g)].map((m) => ({
        name: m[1],
        in: "path",
        required: true,
        schema: { type: "string", pattern: "^[A-Za-z0-9_.-]{1,64}$" },
      })),
      ...Object.entries(route.query?.fields ?? {}).map(([name, field]) => {
        const ast = (field as { ast: { _tag: string; type?: unknown } }).ast;
        const optional = ast._tag === "PropertySignatureDeclaration" || ast._tag === "PropertySignatureTransformation";
        return { name, in: "query", required: !optional, schema: { type: "string" } };
      }),
    ];
    const operation: Json = {
      summary: route.summary,
      tags: [route.tag],
      operationId: `${route.method}${openApiPath(route.path).replace(/[^A-Za-z0-9]+(.)?/g, (_m, ch: string | undefined) => (ch ?? "").toUpperCase())}`,
      ...(route.auth === false ? { security: [] } : {}),
      ...(parameters.length > 0 ? { parameters } : {}),
      responses: Object.fromEntries(
        Object.entries(route.responses).map(([status, description]) => {
          const ok = Number(status) < 400;
          const content =
            Number(status) === 204
              ? undefined
              : ok
                ? { [route.produces ?? "application/json"]: route.returns ? { schema: returnSchema(route.returns) } : {} }
                : { "application/json": { schema: { $ref: "#/components/schemas/Error" } } };
          return [status, content ? { description, content } : { description }];
        }),
      ),
    };
    if (route.body) {
      const schema = schemaOf(route.body.schema, components);
      operation.requestBody = {
        required: route.body.required ?? true,
        content: { "application/json": { schema: route.body.partial ? withoutRequired(schema) : schema } },
      };
    }
    const key = openApiPath(route.path);
    paths[key] = { ...(paths[key] ?? {}), [route.method]: operation };
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "PICS ↔ OneFile API",
      version: "1.0.0",
      description:
        "The product's HTTP API (shared/spec/http-api.md). Every route but /health needs 'Authorization: Bearer <token>'.",
    },
    components: {
      schemas: components,
      securitySchemes: { bearer: { type: "http", scheme: "bearer" } },
    },
    security: [{ bearer: [] }],
    paths,
  };
};
