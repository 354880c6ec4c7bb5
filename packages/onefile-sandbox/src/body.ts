import { normaliseDate } from "./dates.ts";
import { invalid, missing, OneFileError, Codes } from "./errors.ts";

/** How a field is read from a request body. */
export type FieldKind =
  | "int" // integer JSON number
  | "str" // JSON string
  | "text" // free text; a JSON number is accepted and kept as its decimal string (ULN, MISID, phones)
  | "code" // ILR code: string or number, kept as sent (L12, L13, L15)
  | "date" // ISO-8601, normalised to YYYY-MM-DDTHH:mm:ss.sssZ
  | "bool";

/**
 * A JSON request body whose field names match case-insensitively (OneFile is ASP.NET: `firstname`
 * and `FirstName` are the same field). `undefined` means absent; `null` means sent as null.
 */
export class RequestBody {
  private readonly fields = new Map<string, unknown>();

  private constructor(object: Record<string, unknown>) {
    for (const [key, value] of Object.entries(object)) this.fields.set(key.toLowerCase(), value);
  }

  static empty(): RequestBody {
    return new RequestBody({});
  }

  static fromObject(object: Record<string, unknown>): RequestBody {
    return new RequestBody(object);
  }

  /** Parses a raw body; an empty body is an empty object. Malformed JSON or a non-object is −2. */
  static parse(text: string): RequestBody {
    if (text.trim() === "") return RequestBody.empty();
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new OneFileError(Codes.invalidValue, "Invalid value for body: not valid JSON");
    }
    if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
      throw new OneFileError(Codes.invalidValue, "Invalid value for body: expected a JSON object");
    }
    return new RequestBody(parsed as Record<string, unknown>);
  }

  /** The body's fields in a fixed order, as one string: equal for bodies OneFile reads the same. */
  canonical(): string {
    return JSON.stringify([...this.fields].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  }

  has(field: string): boolean {
    return this.fields.has(field.toLowerCase());
  }

  raw(field: string): unknown {
    return this.fields.get(field.toLowerCase());
  }

  /** The value converted to `kind`; undefined when absent, null when sent as null. */
  read(field: string, kind: FieldKind): unknown {
    const value = this.raw(field);
    if (value === undefined || value === null) return value;
    switch (kind) {
      case "int":
        if (typeof value !== "number" || !Number.isInteger(value)) throw invalid(field, "expected an integer");
        return value;
      case "str":
        if (typeof value !== "string") throw invalid(field, "expected a string");
        return value;
      case "text":
        if (typeof value === "number" && Number.isFinite(value)) return String(value);
        if (typeof value !== "string") throw invalid(field, "expected a string");
        return value;
      case "code":
        if (typeof value === "string" || (typeof value === "number" && Number.isFinite(value))) return value;
        throw invalid(field, "expected a string or a number");
      case "date":
        return normaliseDate(field, value);
      case "bool":
        if (typeof value !== "boolean") throw invalid(field, "expected true or false");
        return value;
    }
  }

  int(field: string): number | null | undefined {
    return this.read(field, "int") as number | null | undefined;
  }

  str(field: string): string | null | undefined {
    return this.read(field, "str") as string | null | undefined;
  }

  text(field: string): string | null | undefined {
    return this.read(field, "text") as string | null | undefined;
  }

  date(field: string): string | null | undefined {
    return this.read(field, "date") as string | null | undefined;
  }

  bool(field: string): boolean | null | undefined {
    return this.read(field, "bool") as boolean | null | undefined;
  }

  requireInt(field: string): number {
    const value = this.int(field);
    if (value === undefined || value === null) throw missing(field);
    return value;
  }

  requireText(field: string): string {
    const value = this.text(field);
    if (value === undefined || value === null || value.trim() === "") throw missing(field);
    return value;
  }

  requireDate(field: string): string {
    const value = this.date(field);
    if (value === undefined || value === null) throw missing(field);
    return value;
  }
}

/** Fails with −1 listing every absent/null/blank field among `fields`, in the given order. */
export const requireAll = (body: RequestBody, fields: readonly string[]): void => {
  const absent = fields.filter((field) => {
    const value = body.raw(field);
    return value === undefined || value === null || (typeof value === "string" && value.trim() === "");
  });
  if (absent.length > 0) {
    throw new OneFileError(Codes.requiredMissing, `Required field missing: ${absent.join(", ")}`);
  }
};
