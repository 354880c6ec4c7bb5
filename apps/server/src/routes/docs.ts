/** Response descriptions shared by several areas' RouteDocs (GET /openapi.json). */
export const listResponses = { 200: "a page: {items, nextCursor}", 400: "bad query" };
export const getResponses = { 200: "the record", 400: "invalid id", 404: "unknown id" };
export const createResponses = {
  201: "created",
  400: "bad input (details = offending fields)",
  409: "the id exists",
  413: "body too large",
};
export const patchResponses = { 200: "the merged record", 400: "bad input", 404: "unknown id", 413: "body too large" };
