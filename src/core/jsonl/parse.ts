/**
 * The line parser for JSON Lines training datasets: text in, one finding per line out.
 *
 * Pure: no `vscode`, no file I/O. Columns are 0-based UTF-16 offsets within a line (what VS Code
 * uses) and `line` is 0-based. Valid lines take the native `JSON.parse` fast path; only a line it
 * rejects is scanned again with jsonc-parser (strict: no comments, no trailing commas) to find the
 * exact column and say what to do.
 */
import { printParseErrorCode, visit, type ParseErrorCode } from 'jsonc-parser';

/** A property name that occurs more than once in the same object; columns of the repeated key token. */
export interface KeyIssue { readonly key: string; readonly start: number; readonly end: number }

export type ParsedLine =
  /** Empty or whitespace-only: an error for JumpStart. */
  | { readonly kind: 'blank'; readonly line: number }
  | { readonly kind: 'error'; readonly line: number; readonly start: number; readonly end: number; readonly message: string }
  | { readonly kind: 'record'; readonly line: number; readonly value: unknown; readonly duplicateKeys: readonly KeyIssue[] };

export interface SplitText { lines: string[]; bom: boolean; eol: '\n' | '\r\n'; finalNewline: boolean }

const BOM = '\uFEFF';
const STRICT = { disallowComments: true, allowTrailingComma: false } as const;

/**
 * Splits a document into lines the way VS Code numbers them (`\r\n`, `\n` or a lone `\r`). A BOM is
 * removed from the first line; the empty piece after a final newline is not a line.
 */
export function splitLines(text: string): SplitText {
  const bom = text.startsWith(BOM);
  const body = bom ? text.slice(1) : text;
  const firstBreak = /\r\n|\n|\r/.exec(body);
  const eol = firstBreak?.[0] === '\r\n' ? '\r\n' : '\n';
  if (body === '') return { lines: [], bom, eol, finalNewline: false };
  const lines = body.split(/\r\n|\n|\r/);
  const finalNewline = lines.length > 1 && lines[lines.length - 1] === '';
  if (finalNewline) lines.pop();
  return { lines, bom, eol, finalNewline };
}

/** Parses every line of a JSON Lines document. */
export function parseDocument(text: string): { lines: ParsedLine[]; bom: boolean; eol: '\n' | '\r\n'; finalNewline: boolean } {
  const split = splitLines(text);
  return { ...split, lines: split.lines.map((l, i) => parseLine(l, i)) };
}

/** Parses one line (without its line break) as one JSON object. */
export function parseLine(text: string, line: number): ParsedLine {
  if (text.trim() === '') return { kind: 'blank', line };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return { kind: 'error', line, ...locateError(text, e) };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { kind: 'error', line, start: 0, end: text.length, message: `Each line must be one JSON object ({ … }); this line is ${describe(value)}. Wrap it in an object, e.g. {"messages": …}.` };
  }
  return { kind: 'record', line, value, duplicateKeys: duplicateKeys(text, value) };
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  switch (typeof value) {
    case 'string': return 'a string';
    case 'number': return 'a number';
    case 'boolean': return `the boolean ${String(value)}`;
    default: return 'not an object';
  }
}

// ---------------------------------------------------------------------------------------------
// Duplicate keys

/**
 * `JSON.parse` silently keeps the last of repeated keys. Every key token ends with `"` and a
 * colon, so the number of `"…:` matches bounds the keys in the text from above; only when it
 * exceeds the keys that survived parsing can a key be repeated, and only then is the line visited.
 */
/** Shared by every line without a repeated key (nearly all): one empty array, not one per line. */
const NO_KEY_ISSUES: readonly KeyIssue[] = Object.freeze([]);

function duplicateKeys(text: string, value: object): readonly KeyIssue[] {
  const candidates = keyTokenBound(text);
  if (candidates <= countKeys(value)) return NO_KEY_ISSUES;
  const issues: KeyIssue[] = [];
  const seen: Set<string>[] = [];
  try {
    visit(text, {
      onObjectBegin: () => { seen.push(new Set()); },
      onObjectEnd: () => { seen.pop(); },
      onObjectProperty: (key, offset, length) => {
        const keys = seen[seen.length - 1];
        if (keys === undefined) return;
        if (keys.has(key)) issues.push({ key, start: offset, end: offset + length });
        else keys.add(key);
      },
    }, STRICT);
  } catch {
    return issues; // a nesting too deep for the visitor's recursion: report what was found
  }
  return issues;
}

/**
 * The number of matches of /"\s*:/g in `text`, without the regular expression: it jumps from quote
 * to quote with `indexOf` (a vectorized search) instead of trying the pattern at every
 * character, which was a twentieth of a full lint. Two matches never share a quote, so each
 * quote is tried on its own.
 */
function keyTokenBound(text: string): number {
  let n = 0;
  for (let i = text.indexOf('"'); i >= 0; i = text.indexOf('"', i + 1)) {
    let j = i + 1;
    while (j < text.length && isJsSpace(text.charCodeAt(j))) j++;
    if (text.charCodeAt(j) === 0x3a) n++;
  }
  return n;
}

/** `\s` of JavaScript regular expressions: WhiteSpace and LineTerminator (ECMA-262, CharacterClassEscape). */
function isJsSpace(c: number): boolean {
  if (c === 0x20 || (c >= 0x09 && c <= 0x0d)) return true;
  if (c < 0xa0) return false;
  return c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff;
}

/** The number of properties in the value and every object nested in it. */
function countKeys(root: unknown): number {
  let n = 0;
  const stack: unknown[] = [root];
  for (let v = stack.pop(); v !== undefined || stack.length > 0; v = stack.pop()) {
    if (typeof v !== 'object' || v === null) continue;
    if (Array.isArray(v)) {
      for (const item of v as unknown[]) stack.push(item);
    } else {
      const values = Object.values(v);
      n += values.length;
      for (const item of values) stack.push(item);
    }
  }
  return n;
}

// ---------------------------------------------------------------------------------------------
// Errors

interface Located { start: number; end: number; message: string }

interface FirstError { code: string; offset: number; length: number; container: '{' | '[' | undefined }

/** Finds the first syntax error with jsonc-parser and words it; falls back when it finds none. */
function locateError(text: string, thrown: unknown): Located {
  let first: FirstError | undefined;
  const stack: ('{' | '[')[] = [];
  try {
    visit(text, {
      onObjectBegin: () => { stack.push('{'); },
      onObjectEnd: () => { stack.pop(); },
      onArrayBegin: () => { stack.push('['); },
      onArrayEnd: () => { stack.pop(); },
      onError: (error: ParseErrorCode, offset: number, length: number) => {
        first ??= { code: printParseErrorCode(error), offset, length, container: stack[stack.length - 1] };
      },
    }, STRICT);
  } catch {
    // Nesting too deep for the visitor's recursion; fall through to the fallback.
  }
  if (first === undefined) return fallback(text, thrown);
  return describeError(text, first);
}

/** JSON.parse failed but jsonc-parser accepted the line: use the engine's position if it gives one. */
function fallback(text: string, thrown: unknown): Located {
  const detail = thrown instanceof Error ? thrown.message : String(thrown);
  const at = /position (\d+)/.exec(detail);
  const message = `This line is not valid JSON (${detail}). Fix the syntax so the line holds one JSON object.`;
  if (at?.[1] !== undefined) return { ...span(text, Number(at[1]), 1), message };
  return { start: 0, end: text.length, message };
}

/** A range clamped to the line; an empty range widens to the character before the end of the line. */
function span(text: string, offset: number, length: number): { start: number; end: number } {
  const len = text.length;
  let start = Math.min(Math.max(offset, 0), len);
  let end = Math.min(Math.max(offset + length, start), len);
  if (start === end) {
    if (start < len) end = start + 1;
    else {
      const last = lastNonSpace(text);
      start = Math.max(last, 0);
      end = Math.min(start + 1, len);
    }
  }
  return { start, end };
}

function lastNonSpace(text: string): number {
  let i = text.length - 1;
  while (i >= 0 && /\s/.test(text.charAt(i))) i--;
  return i;
}

function prevNonSpace(text: string, offset: number): number {
  let i = offset - 1;
  while (i >= 0 && /\s/.test(text.charAt(i))) i--;
  return i;
}

function codePointLabel(ch: string): string {
  return `U+${(ch.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;
}

const CONTROL_ESCAPES: Readonly<Record<string, string>> = { '\t': '\\t', '\n': '\\n', '\r': '\\r', '\b': '\\b', '\f': '\\f' };

function describeError(text: string, e: FirstError): Located {
  const at = (start: number, length: number, message: string): Located => ({ ...span(text, start, length), message });
  const atEnd = e.offset >= text.length || e.offset > lastNonSpace(text);
  const ch = text.charAt(e.offset);
  const prev = prevNonSpace(text, e.offset);
  const closer = e.container === '[' ? ']' : '}';
  const what = e.container === '[' ? 'the array' : 'the object';

  switch (e.code) {
    case 'InvalidCommentToken':
    case 'UnexpectedEndOfComment':
      return at(e.offset, e.length, 'Comments are not allowed in JSON Lines: remove the comment (put notes in a field instead).');
    case 'UnexpectedEndOfString':
      return at(e.offset, e.length, 'Unterminated string: add the closing \'"\' (a record must fit on one line; write line breaks as \\n).');
    case 'InvalidCharacter':
    case 'InvalidEscapeCharacter':
    case 'InvalidUnicode':
      return stringProblem(text, e);
    case 'UnexpectedEndOfNumber':
      return at(e.offset, e.length, `Incomplete number '${text.slice(e.offset, e.offset + e.length)}': add digits after the '.', 'e' or '-'.`);
    case 'InvalidNumberFormat':
      return at(e.offset, e.length, 'Invalid number: JSON numbers have no leading zeros, no leading \'+\' and no hex; write it in plain decimal.');
    case 'EndOfFileExpected':
      return at(e.offset, e.length, `Unexpected '${ch}' after the end of the object: remove it (a line holds exactly one JSON object).`);
    case 'ColonExpected':
      if (atEnd) return at(e.offset, 0, 'Unexpected end of line: the object is not closed; add \':\', a value and \'}\' (a record must fit on one line).');
      return at(e.offset, e.length, 'Expected \':\' after the property name: add a colon between the name and its value.');
    case 'CommaExpected':
      if (/[0-9]/.test(ch) && text.charAt(e.offset - 1) === '0' && /[-:,[\s]/.test(text.charAt(e.offset - 2))) {
        const digits = /^[0-9]*/.exec(text.slice(e.offset))?.[0].length ?? 0;
        return at(e.offset - 1, digits + 1, 'Numbers must not have leading zeros: remove the leading 0 (or quote the value if it is a code).');
      }
      if (e.container === '[') return at(e.offset, e.length, 'Expected a comma or \']\' after an array element: add \',\' between elements or close the array.');
      return at(e.offset, e.length, 'Expected a comma or \'}\' after a property value: add \',\' between properties or close the object.');
    case 'CloseBraceExpected':
    case 'CloseBracketExpected':
      if (atEnd) return at(e.offset, 0, `Unexpected end of line: ${what} is not closed; add '${closer}' (a record must fit on one line).`);
      return at(e.offset, e.length, `Expected '${closer}' to close ${what}.`);
    case 'PropertyNameExpected':
    case 'ValueExpected':
      if (atEnd) return at(e.offset, 0, `Unexpected end of line: ${what} is not closed; complete the value and close it (a record must fit on one line).`);
      if (prev >= 0 && text.charAt(prev) === ',' && (ch === '}' || ch === ']')) {
        return at(prev, 1, `Trailing comma: remove the ',' before '${ch}'.`);
      }
      if (ch === ',') return at(e.offset, 1, 'Extra comma: remove it, or add the missing property or element.');
      if (e.code === 'PropertyNameExpected') return at(e.offset, e.length, 'Expected a property name in double quotes, e.g. "role".');
      if (prev >= 0 && text.charAt(prev) === ':') return at(e.offset, e.length, 'Expected a value after \':\': add a string, number, object, array, true, false or null.');
      return at(e.offset, e.length, 'Expected a JSON value: a string, number, object, array, true, false or null.');
    case 'InvalidSymbol':
      return invalidSymbol(text, e, at);
    default:
      return at(e.offset, e.length, `This line is not valid JSON (${e.code}). Fix the syntax so the line holds one JSON object.`);
  }
}

function invalidSymbol(text: string, e: FirstError, at: (start: number, length: number, message: string) => Located): Located {
  const token = text.slice(e.offset, e.offset + Math.max(e.length, 1));
  const ch = text.charAt(e.offset);
  const prev = prevNonSpace(text, e.offset);
  const prevCh = prev >= 0 ? text.charAt(prev) : '';
  if (ch === '\'') return at(e.offset, e.length, 'Strings and property names need double quotes ("), not single quotes.');
  if (/\s/.test(ch)) return at(e.offset, 1, `The character ${codePointLabel(ch)} is not JSON whitespace: replace it with a normal space or remove it.`);
  if (e.container === undefined && e.offset > 0) {
    return at(e.offset, text.length - e.offset, 'Unexpected text after the end of the object: remove it, or move it to its own line (a line holds exactly one JSON object).');
  }
  if (e.container === '{' && (prevCh === '{' || prevCh === ',')) {
    return at(e.offset, e.length, `Property names must be in double quotes: write "${token}".`);
  }
  if (/^(NaN|-?Infinity|undefined)$/.test(token)) return at(e.offset, e.length, `${token} is not a JSON value: use null or a number.`);
  if (/^[A-Za-z_]/.test(token)) return at(e.offset, e.length, `Unknown word '${token}': use true, false or null, or put text in double quotes.`);
  return at(e.offset, e.length, `Unexpected character '${ch}': expected a JSON value.`);
}

/** Points at the exact bad character or escape inside the string token jsonc-parser reports. */
function stringProblem(text: string, e: FirstError): Located {
  const end = Math.min(e.offset + e.length, text.length);
  for (let i = e.offset + 1; i < end; i++) {
    const c = text.charAt(i);
    if (c === '\\') {
      const next = text.charAt(i + 1);
      if (next === 'u') {
        if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) {
          const bad = text.slice(i + 2, i + 6).search(/[^0-9a-fA-F]|$/);
          return { ...span(text, i, 2 + Math.max(bad, 0)), message: 'Invalid \\u escape: write exactly four hex digits, e.g. \\u00e9.' };
        }
        i += 5;
      } else if ('"\\/bfnrt'.includes(next) && next !== '') {
        i += 1;
      } else {
        return { ...span(text, i, 2), message: `Invalid escape '\\${next}': use \\", \\\\, \\/, \\b, \\f, \\n, \\r, \\t or \\uXXXX (write a backslash as \\\\).` };
      }
    } else if (c < ' ') {
      const how = CONTROL_ESCAPES[c] ?? `\\u${(c.codePointAt(0) ?? 0).toString(16).padStart(4, '0')}`;
      return { ...span(text, i, 1), message: `Control character ${codePointLabel(c)} inside a string: write it as ${how}.` };
    }
  }
  return { ...span(text, e.offset, e.length), message: 'Invalid string: check its escapes and control characters.' };
}
