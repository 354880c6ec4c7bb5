import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PicsStore } from "../src/index.ts";

export const TEST_SECRET = "test-secret-key-0123456789";

/** A fresh database file in its own temp folder. */
export const tempDatabaseUrl = (): string => `file:${join(mkdtempSync(join(tmpdir(), "pics-store-")), "pics.db")}`;

export const testStore = (url = tempDatabaseUrl()) =>
  PicsStore.layer({ url, secretKey: TEST_SECRET, allowCustomOneFileUrl: true });

export const officer = (id: string, extra: Record<string, unknown> = {}) => ({
  id,
  ident: `I-${id}`,
  firstName: "Olive",
  surname: `Officer ${id}`,
  email: `${id.toLowerCase()}@provider.test`,
  ...extra,
});

export const organisation = (id: string, extra: Record<string, unknown> = {}) => ({
  id,
  ident: `ORG-${id}`,
  name: `Employer ${id}`,
  ...extra,
});

export const learner = (id: string, extra: Record<string, unknown> = {}) => ({
  id,
  firstName: "Lee",
  surname: `Learner ${id}`,
  email: `${id.toLowerCase()}@learner.test`,
  mainOfficerId: "O1",
  officers: [{ officerId: "O1", type: "Assessor" }],
  placements: [{ id: "P1", organisationId: "G1", type: "P", startDate: "2026-01-05" }],
  qualifications: [{ id: "Q1", vqReference: "ST0795", startDate: "2026-01-05", assessorId: "O1" }],
  reviews: [{ id: "R1", scheduledDate: "2026-07-01", startTime: "10:00", officerId: "O1" }],
  ...extra,
});
