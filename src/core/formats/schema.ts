/**
 * The structural JSON schemas of the formats, run with ajv, and the wording of what they find.
 *
 * Each schema is compiled twice, both lazily: a validator that stops at the first error (the
 * fast path every line takes) and, only once some line fails, one that collects every error of
 * a failing line so a user sees all of them at once. Activation compiles nothing; a clean
 * dataset never compiles the second validator.
 *
 * ajv's own messages ("must have required property …") never reach the user: each error is
 * reworded from its keyword and located in the line through the `LineLocator`.
 */
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import type { Issue, Json, JsonObject, JsonPath, LineLocator } from '../lint/types';
import { capitalize, describeValue, isObject, orList, own, show } from './shared';

let quickAjv: Ajv | undefined;
let thoroughAjv: Ajv | undefined;

/** Every schema made so far (one per format, and one per JumpStart template's keys), for the test that checks them. */
const made: Readonly<Record<string, unknown>>[] = [];

/** The schemas the formats have made so far; test/unit checks each against JSON Schema's meta-schema. */
export function madeSchemas(): readonly Readonly<Record<string, unknown>>[] {
  return made;
}

/** One format's schema, compiled on first use. */
export class LazySchema {
  private quick: ValidateFunction | undefined;
  private thorough: ValidateFunction | undefined;

  constructor(private readonly schema: Readonly<Record<string, unknown>>) {
    made.push(schema);
  }

  /** True when the record fits; the call every line makes. */
  valid(record: Json): boolean {
    this.quick ??= (quickAjv ??= newAjv(false)).compile(this.schema);
    return this.quick(record);
  }

  /** Every error of a record that does not fit. */
  errors(record: Json): readonly ErrorObject[] {
    this.thorough ??= (thoroughAjv ??= newAjv(true)).compile(this.schema);
    this.thorough(record);
    return this.thorough.errors ?? [];
  }
}

function newAjv(allErrors: boolean): Ajv {
  // messages: false — ajv's text is never shown, so it need not generate it.
  // validateSchema: false — checking a schema against the meta-schema compiles the meta-schema
  // first, about two thirds of the time the first line of a dataset waits for (the CLI pays it
  // at every start); these schemas are fixed, and a test checks every one of them instead.
  // https://ajv.js.org/options.html#validateschema
  return new Ajv({ allErrors, strict: true, allowUnionTypes: true, messages: false, validateSchema: false });
}

/** An ajv error, read: which value it is about, and the property it names, if any. */
export interface SchemaError {
  /** The ajv keyword that failed: type, required, additionalProperties, enum, const, minItems… */
  readonly keyword: string;
  /** The value the error is about (for `required` and `additionalProperties`, the object). */
  readonly path: JsonPath;
  /** The missing (`required`) or unexpected (`additionalProperties`) property. */
  readonly key: string | undefined;
  /** The value at `path`. */
  readonly value: Json | undefined;
  readonly params: Readonly<Record<string, unknown>>;
}

/** How one format words its schema errors. */
export interface Wording {
  /** The format's name as users know it, e.g. "OpenAI chat". */
  readonly label: string;
  /** What the value at `path` is called, starting lower-case: "the "content" of turn 3". */
  name(path: JsonPath): string;
  /** True when the value at `path` is text the trainer reads: a wrong type there is `non-string-content`. */
  isText(path: JsonPath): boolean;
  /** A format-specific message for an error, or undefined for the general wording. */
  explain?(e: SchemaError): string | undefined;
}

/** The issues of a record against a schema, appended to `out`; `out` unchanged when it fits. */
export function schemaIssues(schema: LazySchema, record: JsonObject, at: LineLocator, w: Wording, out: Issue[] | undefined): Issue[] | undefined {
  if (schema.valid(record)) return out;
  const seen = new Set<string>();
  for (const error of schema.errors(record)) {
    const e = readError(error, record);
    const issue = toIssue(e, at, w);
    const key = `${issue.start}:${issue.end}:${issue.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    (out ??= []).push(issue);
  }
  return out;
}

function readError(error: ErrorObject, record: JsonObject): SchemaError {
  const { path, value } = resolvePointer(error.instancePath, record);
  const params = error.params as Readonly<Record<string, unknown>>;
  let key: string | undefined;
  if (error.keyword === 'required' && typeof params.missingProperty === 'string') key = params.missingProperty;
  if (error.keyword === 'additionalProperties' && typeof params.additionalProperty === 'string') key = params.additionalProperty;
  return { keyword: error.keyword, path, key, value, params };
}

/** A JSON pointer as a path (array indices as numbers, which the locator needs) and the value there. */
function resolvePointer(pointer: string, root: Json): { path: JsonPath; value: Json | undefined } {
  const path: (string | number)[] = [];
  let v: Json | undefined = root;
  if (pointer === '') return { path, value: v };
  for (const raw of pointer.slice(1).split('/')) {
    const segment = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(v)) {
      const n = Number(segment);
      path.push(n);
      v = v[n];
    } else {
      path.push(segment);
      v = isObject(v) ? own(v, segment) : undefined;
    }
  }
  return { path, value: v };
}

function toIssue(e: SchemaError, at: LineLocator, w: Wording): Issue {
  const text = e.keyword === 'type' && w.isText(e.path);
  const message = w.explain?.(e) ?? (text ? textTypeMessage(e, w) : generalMessage(e, w));
  return { rule: text ? 'non-string-content' : 'schema', ...locate(e, at), message };
}

/** Where an error points: the missing property's object, the unexpected key, or the bad value. */
function locate(e: SchemaError, at: LineLocator): { start: number; end: number } {
  if (e.keyword === 'required') return e.path.length === 0 ? at.valueRange(e.path) : at.keyRange(e.path);
  if (e.keyword === 'additionalProperties' && e.key !== undefined) return at.keyRange([...e.path, e.key]);
  return at.valueRange(e.path);
}

function textTypeMessage(e: SchemaError, w: Wording): string {
  const name = capitalize(w.name(e.path));
  const v = e.value;
  if (v === null) return `${name} is null, but the trainer reads text here. Write a string ("" if there is none).`;
  if (typeof v === 'number' || typeof v === 'boolean') {
    return `${name} is ${describeValue(v)} (${show(v)}), but the trainer reads text here. Write it as a string: "${String(v)}".`;
  }
  return `${name} is ${describeValue(v)}, but the trainer reads text here. Put the text in one string.`;
}

const TYPE_WORDS: Readonly<Record<string, string>> = {
  string: 'a string', array: 'an array', object: 'an object', number: 'a number', integer: 'a whole number', boolean: 'true or false', null: 'null',
};

function expectedTypes(params: Readonly<Record<string, unknown>>): string {
  const t = params.type;
  const types = Array.isArray(t) ? t.map(String) : typeof t === 'string' ? t.split(',') : [];
  const words = types.map((x) => TYPE_WORDS[x] ?? x);
  if (words.length <= 1) return words.join('');
  return `${words.slice(0, -1).join(', ')} or ${words[words.length - 1] ?? ''}`;
}

/** The general wording of an error; formats override the ones where they can say more. */
function generalMessage(e: SchemaError, w: Wording): string {
  const name = capitalize(w.name(e.path));
  const limit = typeof e.params.limit === 'number' ? e.params.limit : 1;
  switch (e.keyword) {
    case 'required':
      return `${name} has no "${e.key ?? ''}", which ${w.label} requires. Add it.`;
    case 'additionalProperties':
      return `${name} has the key "${e.key ?? ''}", which ${w.label} does not use. Remove it, or check its spelling.`;
    case 'type':
      return `${name} must be ${expectedTypes(e.params)}, not ${describeValue(e.value)}.`;
    case 'enum':
      return `${name} is ${show(e.value)}; ${w.label} expects ${orList(Array.isArray(e.params.allowedValues) ? e.params.allowedValues : [])}.`;
    case 'const':
      return `${name} must be ${JSON.stringify(e.params.allowedValue)}, not ${show(e.value)}.`;
    case 'minItems':
      return limit === 1 ? `${name} is empty. Add at least one item.` : `${name} needs at least ${limit} items.`;
    case 'maxItems':
      return `${name} has ${Array.isArray(e.value) ? e.value.length : 'too many'} items; ${w.label} allows ${limit === 1 ? 'exactly one' : `at most ${limit}`}. Remove the extra ones.`;
    case 'minProperties':
      return `${name} is empty. Add its content.`;
    case 'maxProperties':
      return `${name} has ${isObject(e.value) ? Object.keys(e.value).length : 'too many'} keys; it may have at most ${limit}. Split it, or remove the extra keys.`;
    default:
      return `${name} does not have the shape ${w.label} expects. Compare it with the format's example in the README.`;
  }
}
