/**
 * Reading rule options defensively. The engine validates options against each rule's schema,
 * but they are user JSON and a rule must never throw on them: every reader falls back to the
 * default when a value has the wrong type.
 */
import type { FieldRole, Json, RuleOptions } from '../lint/types';

export const FIELD_ROLES: readonly FieldRole[] = ['system', 'prompt', 'context', 'answer', 'rejected', 'text', 'other'];

/** The strings of the array option `key` (non-strings dropped), or `fallback` when it is not an array. */
export function stringList(options: RuleOptions, key: string, fallback: readonly string[]): readonly string[] {
  const v: Json | undefined = options[key];
  if (!Array.isArray(v)) return fallback;
  return v.filter((x): x is string => typeof x === 'string');
}

/** The integer option `key` if it is one at least `min`, else `fallback`. */
export function intOption(options: RuleOptions, key: string, fallback: number, min: number): number {
  const v = options[key];
  return typeof v === 'number' && Number.isInteger(v) && v >= min ? v : fallback;
}

/** The option `key` if it is one of `values`, else `fallback`. */
export function enumOption<T extends string>(options: RuleOptions, key: string, values: readonly T[], fallback: T): T {
  const v = options[key];
  return typeof v === 'string' && (values as readonly string[]).includes(v) ? (v as T) : fallback;
}

/**
 * Memoizes what a rule derives from its options (compiled patterns, role sets). The engine hands
 * a rule the same options object for every line, so the work is done once per configuration.
 */
export function perOptions<T>(derive: (options: RuleOptions) => T): (options: RuleOptions) => T {
  const cache = new WeakMap<RuleOptions, T>();
  // The last options seen, checked before the map: one comparison on the path every line takes.
  let lastOptions: RuleOptions | undefined;
  let lastValue: T | undefined;
  return (options) => {
    if (options === lastOptions && lastValue !== undefined) return lastValue;
    let v = cache.get(options);
    if (v === undefined) {
      v = derive(options);
      cache.set(options, v);
    }
    lastOptions = options;
    lastValue = v;
    return v;
  };
}

/**
 * The most findings one rule reports on one record. A line with thousands of placeholders needs
 * fixing as a whole, not thousands of squiggles; and each finding's columns cost a pass over its
 * string, so the cap also keeps a pathological line from costing quadratic time.
 */
export const MAX_ISSUES_PER_RECORD = 20;

/** Quotes a value for a message, shortened to `max` characters. */
export function quote(text: string, max = 60): string {
  const t = text.length > max ? `${text.slice(0, max - 1)}…` : text;
  return JSON.stringify(t);
}

/** True for the whitespace `String.prototype.trim` removes (checked one code unit at a time). */
export function isSpace(c: number): boolean {
  return c === 0x20 || (c >= 0x09 && c <= 0x0d) || c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a)
    || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff;
}
