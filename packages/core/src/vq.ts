/**
 * ENR-5: a OneFile Standard's VQ reference is the code in the last square brackets of its title,
 * compared like a MIS reference (trimmed, any case) with the PICS qualification's VQ reference.
 */
import { sameMisReference } from "./mis-reference.ts";
export const vqReferenceOf = (title: string | null | undefined): string | null => {
  if (!title) return null;
  const all = [...title.matchAll(/\[([^\[\]]*)\]/g)];
  const last = all[all.length - 1]?.[1]?.trim();
  return last ? last : null;
};

export const sameVqReference = (a: string | null | undefined, b: string | null | undefined): boolean =>
  !!a && !!b && sameMisReference(a, b);
