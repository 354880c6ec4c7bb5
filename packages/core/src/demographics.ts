/**
 * DEM-X, shared by the learner, officer and organisation rules: compares a PICS record with its
 * OneFile record field by field in the configured direction. Only differing fields are written;
 * neither direction ever overwrites a value with a blank.
 */
import type { DemographicsMode, JournalEntity } from "@pics/pics-store";
import type { PicsTarget } from "@pics/pics-store";
import type { ChangeTemplate, OneFileWrite, PlanBuilder } from "./plan.ts";

/** The fields of a OneFile request body `O` that take a string: those a PICS text field can fill. */
export type TextField<O> = { [K in keyof O]-?: string extends O[K] ? K : never }[keyof O] & string;

/** OneFile fields a diff writes, typed by the request body `O` they go into. */
export type Pushed<O> = { readonly [K in TextField<O>]?: string };

export interface FieldPair<O> {
  /** The PICS field name (http-api.md); PICS keeps these as text. */
  readonly pics: string;
  /** The OneFile field name (onefile-api.md §6), a field of the request body `O`. */
  readonly onefile: TextField<O>;
  /** Push-only fields (address, postcode, ULN) are never pulled. */
  readonly pushOnly?: boolean;
  /** PICS value → OneFile value (dates to instants). */
  readonly toOneFile?: (value: string) => string;
  /** OneFile value → PICS value. */
  readonly toPics?: (value: unknown) => unknown;
}

export interface FieldDiff<O> {
  readonly toOneFile: Pushed<O>;
  readonly toPics: Record<string, unknown>;
  readonly journal: Array<ChangeTemplate>;
}

const isBlank = (value: unknown) => value === null || value === undefined || (typeof value === "string" && value.trim() === "");
const same = (a: unknown, b: unknown) => (isBlank(a) && isBlank(b)) || String(a ?? "").trim() === String(b ?? "").trim();

export const diffDemographics = <O>(
  mode: DemographicsMode,
  pics: Readonly<Record<string, unknown>>,
  onefile: Readonly<Record<string, unknown>>,
  fields: ReadonlyArray<FieldPair<O>>,
  subject: {
    readonly entity: JournalEntity;
    readonly entityId: string;
    readonly onefileId: number;
    readonly learnerId?: string | null;
  },
): FieldDiff<O> => {
  const toOneFile: { [K in TextField<O>]?: string } = {};
  const diff: FieldDiff<O> = { toOneFile, toPics: {}, journal: [] };
  if (mode === "Ignore") return diff;
  for (const field of fields) {
    if (mode === "PullFromOneFile" && field.pushOnly) continue;
    const picsValue = pics[field.pics];
    const onefileAsPics = (field.toPics ?? ((v) => v))(onefile[field.onefile]);
    if (same(picsValue, onefileAsPics)) continue;
    if (mode === "PushToOneFile" && typeof picsValue === "string" && !isBlank(picsValue)) {
      const value = (field.toOneFile ?? ((v) => v))(picsValue);
      toOneFile[field.onefile] = value;
      diff.journal.push({
        ...subject,
        field: field.pics,
        before: onefile[field.onefile] ?? null,
        after: value,
        direction: "toOneFile",
      });
    } else if (mode === "PullFromOneFile" && !isBlank(onefileAsPics)) {
      diff.toPics[field.pics] = onefileAsPics;
      diff.journal.push({ ...subject, field: field.pics, before: picsValue ?? null, after: onefileAsPics, direction: "toPics" });
    }
  }
  return diff;
};

/** OneFile keeps an address as one string: lines joined by newlines, the postcode last (§6). */
export const joinAddress = (lines: ReadonlyArray<string | null>): string | null => {
  const kept = lines.filter((line): line is string => !isBlank(line)).map((line) => line.trim());
  return kept.length === 0 ? null : kept.join("\n");
};

/**
 * Plans a diff's writes: the OneFile fields in one call for the record, the PICS fields in one
 * write. `onefile` builds that call from the fields; `label` names the pair for people.
 */
export const planDemographics = <O>(
  plan: PlanBuilder,
  diff: FieldDiff<O>,
  record: {
    readonly onefile: (body: Pushed<O>) => OneFileWrite;
    readonly pics: PicsTarget;
    readonly label: string;
  },
): void => {
  if (Object.keys(diff.toOneFile).length > 0) {
    plan.add({
      description: `update OneFile from ${record.label}`,
      write: { onefile: record.onefile(diff.toOneFile) },
      journal: diff.journal.filter((row) => row.direction === "toOneFile"),
    });
  }
  if (Object.keys(diff.toPics).length > 0) {
    plan.add({
      description: `update ${record.label} from OneFile`,
      write: { pics: { target: record.pics, fields: diff.toPics } },
      journal: diff.journal.filter((row) => row.direction === "toPics"),
    });
  }
};
