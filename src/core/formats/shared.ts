/**
 * Small pieces every format module uses: safe reads of parsed JSON, wording of values and paths,
 * and building a record's view.
 *
 * Everything here must be total on any JSON value: `matches` and `view` run on records that may
 * have any shape, and must never throw.
 */
import type { FieldRole, FormatId, Issue, Json, JsonObject, JsonPath, RecordView, TextField } from '../lint/types';

/** Returned by a check that found nothing, so the happy path allocates no array. */
export const NONE: Issue[] = [];
Object.freeze(NONE);

export function isObject(v: Json | undefined): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * The record's own property `key`. `record[key]` alone would read inherited members for keys
 * such as "constructor" or "toString", which a dataset may well use as field names.
 */
export function own(o: JsonObject, key: string): Json | undefined {
  return Object.hasOwn(o, key) ? o[key] : undefined;
}

export function has(o: JsonObject, key: string): boolean {
  return Object.hasOwn(o, key);
}

/** "a number", "null", "an array"…: what a value is, for messages about wrong types. */
export function describeValue(v: Json | undefined): string {
  if (v === undefined) return 'missing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  switch (typeof v) {
    case 'string': return 'a string';
    case 'number': return 'a number';
    case 'boolean': return 'a boolean';
    default: return 'an object';
  }
}

/** A value as it would appear in the line, cut short so a message stays one line. */
export function show(v: Json | undefined): string {
  if (v === undefined) return 'missing';
  const s = JSON.stringify(v);
  return s.length > 40 ? `${s.slice(0, 37)}…` : s;
}

/** `"a"`, `"a" or "b"`, `"a", "b" or "c"`. */
export function orList(values: readonly unknown[]): string {
  const shown = values.map((v) => JSON.stringify(v));
  if (shown.length <= 1) return shown.join('');
  return `${shown.slice(0, -1).join(', ')} or ${shown[shown.length - 1] ?? ''}`;
}

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/** `messages[2].content`: a path the way a user would write it in JavaScript. */
export function renderPath(path: JsonPath): string {
  let out = '';
  for (const k of path) {
    if (typeof k === 'number') out += `[${k}]`;
    else if (IDENTIFIER.test(k)) out += out === '' ? k : `.${k}`;
    else out += `[${JSON.stringify(k)}]`;
  }
  return out;
}

export function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/**
 * Names the value at a path for a message. `lists` maps the rendered path of each list of turns
 * (e.g. `messages`, `input.messages`) to what one item is called (`turn`, `input turn`), so
 * `['messages', 2, 'content']` reads "the "content" of turn 3" rather than a raw path.
 * The result starts lower-case; `capitalize` it at the start of a sentence.
 */
export function namePath(path: JsonPath, lists: ReadonlyMap<string, string>): string {
  if (path.length === 0) return 'the record';
  for (let i = path.length - 1; i >= 1; i--) {
    const n = path[i];
    if (typeof n !== 'number') continue;
    const noun = lists.get(renderPath(path.slice(0, i)));
    if (noun === undefined) continue;
    const item = `${noun} ${n + 1}`;
    const rest = path.slice(i + 1);
    if (rest.length === 0) return item;
    const [first] = rest;
    if (rest.length === 1 && typeof first === 'string') return `the "${first}" of ${item}`;
    return `"${renderPath(rest)}" in ${item}`;
  }
  return `"${renderPath(path)}"`;
}

/** Collects a record's text fields in document order, skipping whatever is not a string. */
export class Fields {
  readonly list: TextField[] = [];

  add(path: JsonPath, role: FieldRole, value: Json | undefined): void {
    if (typeof value === 'string') this.list.push({ path, role, text: value });
  }

  /** The view: `prompt` is the prompt-side text (prompt and context fields), joined with line breaks. */
  view(format: FormatId): RecordView {
    let prompt = '';
    let first = true;
    for (const f of this.list) {
      if (f.role !== 'prompt' && f.role !== 'context') continue;
      prompt = first ? f.text : `${prompt}\n${f.text}`;
      first = false;
    }
    return { format, fields: this.list, prompt };
  }
}

/** Issues in the order a user reads the line. */
export function sorted(issues: Issue[] | undefined): Issue[] {
  if (issues === undefined || issues.length === 0) return NONE;
  return issues.sort((a, b) => a.start - b.start || a.end - b.end);
}
