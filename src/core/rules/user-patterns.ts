/**
 * Regular expressions from a user's or a workspace's configuration (unfilled-placeholder's
 * `patterns`), compiled for RE2 instead of JavaScript's backtracking engine. RE2 matches in time
 * linear in the text, so no pattern can stall the lint: natively `(a+)+$` over 28 `a`s and a `!`
 * takes seconds and triples with every two more. re2js is a pure-JavaScript port of RE2 (MIT, no
 * native build; https://github.com/le0pard/re2js); its matches are in UTF-16 code units, like
 * JavaScript's. RE2 has no backreferences and no lookaround (https://github.com/google/re2/wiki/Syntax):
 * a pattern that uses them is refused with a reason, never quietly run as something else.
 */
import { RE2JS } from 're2js';

export type UserPattern =
  | { readonly ok: true; readonly source: string; readonly regex: RE2JS }
  | { readonly ok: false; readonly source: string; readonly reason: string };

const cache = new Map<string, UserPattern>();
/** Compiled patterns kept: configurations have a handful, and a config reload should not recompile them. */
const CACHE_LIMIT = 256;

/** A pattern as the user wrote it (JavaScript syntax, no slashes), compiled for RE2 or refused with the reason why. */
export function compileUserPattern(source: string): UserPattern {
  let p = cache.get(source);
  if (p === undefined) {
    p = compile(source);
    if (cache.size >= CACHE_LIMIT) cache.clear();
    cache.set(source, p);
  }
  return p;
}

const RE2_SYNTAX = 'https://github.com/google/re2/wiki/Syntax';

function compile(source: string): UserPattern {
  const unsupported = unsupportedFeature(source);
  if (unsupported !== undefined) return { ok: false, source, reason: unsupported };
  let regex: RE2JS;
  try {
    // translateRegExp turns JavaScript-only syntax into RE2's: (?<name>…) → (?P<name>…), \u{…} and \uXXXX → \x{…}, \cX.
    regex = RE2JS.compile(RE2JS.translateRegExp(source));
  } catch (e) {
    const detail = (e instanceof Error ? e.message : String(e)).replace(/^error parsing regexp: /, '');
    const hint = /invalid repeat count/.test(detail) ? ' (RE2 allows a repeat count of at most 1000)' : '';
    return { ok: false, source, reason: `is not a regular expression RE2 can run: ${detail}${hint}. Fix it (RE2 syntax: ${RE2_SYNTAX})` };
  }
  if (regex.testExact('')) {
    return { ok: false, source, reason: 'matches empty text, so it would mark nothing; make it need at least one character (e.g. "x+" instead of "x*")' };
  }
  return { ok: true, source, regex };
}

/**
 * Backreferences and lookaround, found in the JavaScript source (outside character classes,
 * escapes skipped), with a reason worded for the user; RE2's own error for them is misleading
 * (a lookbehind reads as an "invalid named capture"), and translateRegExp would turn `\k<x>` into
 * the letters `k<x>`.
 */
function unsupportedFeature(source: string): string | undefined {
  let inClass = false;
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (c === '\\') {
      const next = source[i + 1] ?? '';
      if (!inClass && next >= '1' && next <= '9') return backreference(`\\${next}`);
      if (!inClass && next === 'k' && source[i + 2] === '<') {
        const close = source.indexOf('>', i + 3);
        return backreference(close === -1 ? '\\k<' : source.slice(i, close + 1));
      }
      i++;
    } else if (inClass) {
      if (c === ']') inClass = false;
    } else if (c === '[') {
      if (source[i + 1] === ']') i++; // `[]` is JavaScript's empty class, closed at once
      else inClass = true;
    } else if (c === '(' && source[i + 1] === '?') {
      const a = source[i + 2];
      const b = source[i + 3];
      if (a === '=' || a === '!') return lookaround('lookahead', `(?${a}`);
      if (a === '<' && (b === '=' || b === '!')) return lookaround('lookbehind', `(?<${b}`);
    }
  }
  return undefined;
}

function backreference(token: string): string {
  return `uses a backreference (${token}), which RE2 does not run (a backreference can make matching take exponential time). Match the text itself instead`;
}

function lookaround(kind: string, token: string): string {
  return `uses a ${kind} (${token}), which RE2 does not run. Match the surrounding text as part of the pattern instead, or drop it`;
}
