/**
 * How MIS references (and the names and codes matched like them) compare: trimmed, in any case.
 * One definition, so a search, a cache key and a match never disagree about "the same reference".
 */

/** The form a reference is compared and keyed in; blank for none. */
export const misKey = (value: string | null | undefined): string => (value ?? "").trim().toLowerCase();

/** True when both name the same reference (a blank matches only a blank). */
export const sameMisReference = (a: string | null | undefined, b: string | null | undefined): boolean => misKey(a) === misKey(b);
