import { Hono, type Context } from "hono";
import { RequestBody } from "./body.ts";
import { normaliseDate } from "./dates.ts";
import { AdminError, OneFileError } from "./errors.ts";
import {
  learningAimWritableFields,
  placementFields,
  progressOf,
  reviewDirectFields,
  userCommonFields,
  userLearnerFields,
  type FieldTable,
} from "./records.ts";
import type { Sandbox } from "./sandbox.ts";
import { applyFields, type SandboxSeed } from "./state.ts";

/** The admin API under `/__sandbox` (not OneFile's; no auth). */
export const adminRoutes = (sandbox: Sandbox): Hono => {
  const admin = new Hono();
  const state = sandbox.state;

  admin.onError((error, c) => {
    if (error instanceof AdminError)
      return c.json({ error: error.status === 404 ? "not_found" : "bad_request", message: error.message }, error.status);
    console.error("onefile-sandbox admin: unexpected error", error);
    return c.json({ error: "internal", message: String(error) }, 500);
  });

  admin.post("/reset", (c) => {
    state.reset();
    sandbox.observer.clear();
    sandbox.faults.clear();
    return c.json({ ok: true });
  });

  admin.post("/seed", async (c) => {
    state.load((await readJson(c)) as SandboxSeed);
    return c.json({ ok: true, nextId: state.nextId, customers: state.customers.size });
  });

  admin.get("/state", (c) => c.json(state.snapshot()));

  admin.get("/config", (c) => c.json(sandbox.config));
  admin.post("/config", async (c) => c.json(sandbox.configure((await readJson(c)) as object)));
  admin.post("/sessions/expire", (c) => c.json({ expired: sandbox.expireSessions() }));

  admin.get("/calls", (c) => c.json(sandbox.observer.calls()));
  admin.get("/counters", (c) => c.json(sandbox.observer.counters()));
  admin.post("/calls/clear", (c) => {
    sandbox.observer.clear();
    return c.json({ ok: true });
  });

  admin.get("/faults", (c) => c.json(sandbox.faults.list()));
  admin.post("/faults", async (c) => c.json(sandbox.faults.add(await readJson(c))));
  admin.delete("/faults", (c) => {
    sandbox.faults.clear();
    return c.json({ ok: true });
  });
  admin.post("/hung/release", (c) => {
    const released = sandbox.hungCount;
    sandbox.releaseHung();
    return c.json({ released });
  });

  // What a person working in OneFile would do; each change bumps LastModified where the record has one.

  admin.post("/users/:id", async (c) => {
    const user = found(state.users.get(idParam(c)), "user");
    const updated = { ...user };
    const changed = direct(updated, await readBody(c), [...userCommonFields, ...userLearnerFields]);
    if (changed) updated.LastModified = state.now();
    state.users.set(updated.ID, updated);
    return c.json(updated);
  });

  admin.post("/users/:id/archive", async (c) => {
    const user = found(state.users.get(idParam(c)), "user");
    const archived = (await readBody(c)).raw("archived");
    const updated = { ...user, Archived: archived === undefined ? true : archived === true, LastModified: state.now() };
    state.users.set(updated.ID, updated);
    return c.json(updated);
  });

  admin.post("/placements/:id", async (c) => {
    const placement = found(state.placements.get(idParam(c)), "placement");
    const updated = { ...placement };
    if (direct(updated, await readBody(c), placementFields)) updated.LastModified = state.now();
    state.placements.set(updated.ID, updated);
    return c.json(updated);
  });

  admin.post("/learning-aims/:id/elements", async (c) => {
    const aim = found(state.learningAims.get(idParam(c)), "learning aim");
    const body = await readBody(c);
    const total = adminInt(body, "total") ?? aim.TotalElements;
    const done = adminInt(body, "done") ?? aim.ElementsDone;
    if (done > total) throw new AdminError("done must not exceed total");
    const updated = { ...aim, TotalElements: total, ElementsDone: done, Progress: progressOf(done, total) };
    state.learningAims.set(updated.ID, updated);
    return c.json(updated);
  });

  admin.post("/learning-aims/:id", async (c) => {
    const aim = found(state.learningAims.get(idParam(c)), "learning aim");
    const updated = { ...aim };
    direct(updated, await readBody(c), learningAimWritableFields);
    state.learningAims.set(updated.ID, updated);
    return c.json(updated);
  });

  admin.post("/reviews/:id/started", async (c) => {
    const review = found(state.reviews.get(idParam(c)), "review");
    const date = adminDate(await readBody(c), "date");
    const updated = { ...review, StartedOn: date ?? null };
    state.reviews.set(updated.ID, updated);
    return c.json(updated);
  });

  admin.post("/reviews/:id/signed", async (c) => {
    const review = found(state.reviews.get(idParam(c)), "review");
    const body = await readBody(c);
    const updated = { ...review };
    const assessor = adminDate(body, "assessor");
    const learner = adminDate(body, "learner");
    if (assessor !== undefined) updated.AssessorSignedOn = assessor;
    if (learner !== undefined) updated.LearnerSignedOn = learner;
    state.reviews.set(updated.ID, updated);
    return c.json(updated);
  });

  admin.post("/reviews/:id", async (c) => {
    const review = found(state.reviews.get(idParam(c)), "review");
    const updated = { ...review };
    direct(updated, await readBody(c), reviewDirectFields);
    state.reviews.set(updated.ID, updated);
    return c.json(updated);
  });

  return admin;
};

const readJson = async (c: Context): Promise<unknown> => {
  const text = await c.req.text();
  if (text.trim() === "") return {};
  try {
    return JSON.parse(text);
  } catch {
    throw new AdminError("body is not valid JSON");
  }
};

const readBody = async (c: Context): Promise<RequestBody> => {
  const value = await readJson(c);
  if (!value || typeof value !== "object" || Array.isArray(value)) throw new AdminError("body must be a JSON object");
  return RequestBody.fromObject(value as Record<string, unknown>);
};

const idParam = (c: Context): number => {
  const id = Number(c.req.param("id"));
  if (!Number.isInteger(id)) throw new AdminError(`'${c.req.param("id")}' is not an id`, 404);
  return id;
};

const found = <T>(record: T | undefined, kind: string): T => {
  if (record === undefined) throw new AdminError(`${kind} not found`, 404);
  return record;
};

const asAdmin = <T>(action: () => T): T => {
  try {
    return action();
  } catch (error) {
    if (error instanceof OneFileError) throw new AdminError(error.message);
    throw error;
  }
};

const direct = (target: object, body: RequestBody, table: FieldTable): boolean => asAdmin(() => applyFields(target, body, table));

const adminInt = (body: RequestBody, field: string): number | undefined => {
  const value = asAdmin(() => body.int(field));
  if (value === null || (value !== undefined && value < 0)) throw new AdminError(`${field} must be an integer ≥ 0`);
  return value;
};

/** undefined = absent (leave as is), null = clear. */
const adminDate = (body: RequestBody, field: string): string | null | undefined => {
  const value = body.raw(field);
  if (value === undefined || value === null) return value;
  return asAdmin(() => normaliseDate(field, value));
};
