/** The path prefix of the OneFile API, matched case-insensitively. */
export const apiPrefix = "/api/v2.1/";

const ID = Symbol("id");
type Segment = string | typeof ID;

interface EndpointPattern {
  method: "GET" | "POST";
  segments: Segment[];
  name: string;
  paged?: boolean;
}

// Names are "METHOD Path" with `{id}` for an id in the path; the two assign actions are named
// without their ids, as people say them ("POST Standard/Assign"). Call log, counters and fault
// rules all use these names.
const patterns: EndpointPattern[] = [
  { method: "POST", segments: ["authentication"], name: "POST Authentication" },
  { method: "GET", segments: ["customer"], name: "GET Customer" },
  { method: "POST", segments: ["organisation", "search"], name: "POST Organisation/Search" },
  { method: "POST", segments: ["user", "search"], name: "POST User/Search", paged: true },
  { method: "GET", segments: ["user", ID], name: "GET User/{id}" },
  { method: "POST", segments: ["user"], name: "POST User" },
  { method: "POST", segments: ["user", ID], name: "POST User/{id}" },
  { method: "POST", segments: ["user", ID, "assign"], name: "POST User/Assign" },
  { method: "POST", segments: ["classroom", "search"], name: "POST Classroom/Search" },
  { method: "POST", segments: ["classroom"], name: "POST Classroom" },
  { method: "POST", segments: ["placement", "search"], name: "POST Placement/Search", paged: true },
  { method: "GET", segments: ["placement", ID], name: "GET Placement/{id}" },
  { method: "POST", segments: ["placement"], name: "POST Placement" },
  { method: "POST", segments: ["placement", ID], name: "POST Placement/{id}" },
  { method: "POST", segments: ["standard", "search"], name: "POST Standard/Search" },
  { method: "POST", segments: ["standard", ID, "assign", ID], name: "POST Standard/Assign" },
  { method: "POST", segments: ["learningaim", "search"], name: "POST LearningAim/Search", paged: true },
  { method: "GET", segments: ["learningaim", ID], name: "GET LearningAim/{id}" },
  { method: "POST", segments: ["learningaim", ID], name: "POST LearningAim/{id}" },
  { method: "POST", segments: ["visit"], name: "POST Visit" },
  { method: "POST", segments: ["review"], name: "POST Review" },
  { method: "POST", segments: ["review", "search"], name: "POST Review/Search", paged: true },
  { method: "GET", segments: ["review", ID], name: "GET Review/{id}" },
];

export const endpointNames: readonly string[] = patterns.map((p) => p.name);

export type Paging = { page: number; size: number } | { invalid: string };

export interface ResolvedEndpoint {
  /** e.g. "POST User/Search"; `"<METHOD> (unknown)"` when no endpoint matches. */
  name: string;
  known: boolean;
  /** Ids from the path, in order (e.g. [standardId, learnerId]). */
  ids: number[];
  paging?: Paging;
}

export const maxPageSize = 100;

/** True when the path is under `/api/v2.1/` (any letter case). */
export const isApiPath = (pathname: string): boolean =>
  pathname.toLowerCase().startsWith(apiPrefix) || pathname.toLowerCase() === apiPrefix.slice(0, -1);

/** Maps a request to its endpoint name: case-insensitive, trailing slash allowed. */
export const resolveEndpoint = (method: string, pathname: string): ResolvedEndpoint => {
  const upperMethod = method.toUpperCase();
  const rest = isApiPath(pathname) ? pathname.slice(apiPrefix.length - 1) : pathname;
  const segments = rest
    .split("/")
    .filter((s) => s !== "")
    .map((s) => safeDecode(s).toLowerCase());
  for (const pattern of patterns) {
    if (pattern.method !== upperMethod) continue;
    const matched = matchSegments(pattern, segments);
    if (matched) return { name: pattern.name, known: true, ...matched };
  }
  return { name: `${upperMethod} (unknown)`, known: false, ids: [] };
};

const matchSegments = (pattern: EndpointPattern, segments: string[]): Omit<ResolvedEndpoint, "name" | "known"> | undefined => {
  const base = pattern.segments.length;
  const extra = segments.length - base;
  if (extra !== 0 && !(pattern.paged && extra === 2)) return undefined;
  const ids: number[] = [];
  for (let i = 0; i < base; i++) {
    const expected = pattern.segments[i];
    const actual = segments[i] ?? "";
    if (expected === ID) {
      if (!/^\d{1,15}$/.test(actual)) return undefined;
      ids.push(Number(actual));
    } else if (expected !== actual) {
      return undefined;
    }
  }
  if (extra === 0) return { ids };
  return { ids, paging: parsePaging(segments[base] ?? "", segments[base + 1] ?? "") };
};

const parsePaging = (pageText: string, sizeText: string): Paging => {
  if (!/^\d{1,9}$/.test(pageText) || !/^\d{1,9}$/.test(sizeText)) {
    return { invalid: `page and size must be whole numbers (got '${pageText}/${sizeText}')` };
  }
  const page = Number(pageText);
  const size = Number(sizeText);
  if (page < 1) return { invalid: "page starts at 1" };
  if (size < 1 || size > maxPageSize) return { invalid: `size must be between 1 and ${maxPageSize}` };
  return { page, size };
};

const safeDecode = (segment: string): string => {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
};

/**
 * The endpoint name a fault rule means. Accepts the names above in any case, and also paths with
 * placeholders or real ids ("POST Standard/{id}/Assign/{learner}", "post user/12/assign").
 */
export const canonicalEndpoint = (text: string): string => {
  const trimmed = text.trim().replace(/\s+/g, " ");
  const lower = trimmed.toLowerCase();
  const known = endpointNames.find((name) => name.toLowerCase() === lower);
  if (known) return known;
  const space = trimmed.indexOf(" ");
  if (space > 0) {
    const method = trimmed.slice(0, space);
    const path = trimmed.slice(space + 1).replace(/\{[^}]*\}/g, "1");
    const resolved = resolveEndpoint(method, `${apiPrefix}${path.replace(/^\/+/, "")}`);
    if (resolved.known) return resolved.name;
  }
  return trimmed;
};
