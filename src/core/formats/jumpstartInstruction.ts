/**
 * Amazon SageMaker JumpStart instruction tuning: one flat object per line whose keys are the
 * placeholders of the `template.json` beside the dataset (by default `instruction`, `context`,
 * `response`), every value a string. JumpStart fills the template's prompt and completion with
 * them; a missing key fails the job, and a key the template does not name is never read.
 *
 * An extra key is `unused-field` (a warning by default), not a schema error: the trainer fills the
 * template with Python's `str.format(**record)`, and `str.format` ignores keyword arguments the
 * format string does not name (string.Formatter.check_unused_args "does nothing" by default:
 * https://docs.python.org/3/library/string.html#string.Formatter.check_unused_args). The job
 * trains; only that text is not trained on.
 */
import type { FieldRole, FormatContext, FormatModule, Issue, JsonObject, JsonPath, LineLocator, RecordView } from '../lint/types';
import { LazySchema, schemaIssues, type SchemaError, type Wording } from './schema';
import { Fields, has, NONE, sorted } from './shared';

const DEFAULT_KEYS: readonly string[] = ['instruction', 'context', 'response'];
const DEFAULT_COMPLETION: readonly string[] = ['response'];

function expectedKeys(ctx: FormatContext): readonly string[] {
  const keys = ctx.templateKeys;
  return keys !== undefined && keys.length > 0 ? keys : DEFAULT_KEYS;
}

function completionKeys(ctx: FormatContext): readonly string[] {
  return ctx.templateKeys !== undefined && ctx.templateKeys.length > 0 && ctx.completionKeys !== undefined ? ctx.completionKeys : DEFAULT_COMPLETION;
}

/** One schema per key set; a workspace has one or two templates, so the cache stays tiny. */
const schemas = new Map<string, LazySchema>();

let last: { keys: readonly string[]; schema: LazySchema } | undefined;

function schemaFor(keys: readonly string[]): LazySchema {
  // Every line of a dataset passes the same keys array: skip the lookup for it.
  if (last?.keys === keys) return last.schema;
  const id = keys.join('\u0000');
  let s = schemas.get(id);
  if (s === undefined) {
    // fromEntries defines own properties, so even a field named "__proto__" becomes a property.
    const unique = [...new Set(keys)];
    const properties = Object.fromEntries(unique.map((k) => [k, { type: 'string' }]));
    s = new LazySchema({ type: 'object', required: unique, properties });
    schemas.set(id, s);
  }
  last = { keys, schema: s };
  return s;
}

const placeholders = (keys: readonly string[]): string => keys.map((k) => `{${k}}`).join(', ');

function wording(ctx: FormatContext): Wording {
  const fromFile = ctx.templateKeys !== undefined && ctx.templateKeys.length > 0;
  const template = fromFile ? 'template.json' : 'the default JumpStart instruction template';
  return {
    label: 'JumpStart instruction',
    name: (path: JsonPath) => (path.length === 0 ? 'the record' : `"${String(path[0])}"`),
    isText: (path: JsonPath) => path.length === 1,
    explain(e: SchemaError): string | undefined {
      if (e.keyword === 'required' && e.key !== undefined) {
        const empty = e.key === 'context' ? ' ("" when there is none)' : '';
        return `The record has no "${e.key}", and ${template} needs {${e.key}}. Add "${e.key}"${empty}.`;
      }
      if (e.keyword === 'type' && e.path.length === 0) {
        return 'The record must be a JSON object.';
      }
      return undefined;
    },
  };
}

function unusedMessage(key: string, keys: readonly string[], ctx: FormatContext): string {
  const fromFile = ctx.templateKeys !== undefined && ctx.templateKeys.length > 0;
  const template = fromFile ? 'template.json' : 'the default JumpStart instruction template';
  const fix = fromFile ? `add {${key}} to template.json` : 'add a template.json that uses it';
  return `"${key}" is not a placeholder of ${template} (${placeholders(keys)}): JumpStart fills the template with Python's str.format, which ignores keys it does not name, so this text is never trained on. Remove it, or ${fix}.`;
}

/** One path per key, shared by every row's view (paths are read-only): three fewer arrays a row. Only template keys get here. */
const keyPaths = new Map<string, JsonPath>();

function keyPath(key: string): JsonPath {
  let path = keyPaths.get(key);
  if (path === undefined) {
    path = [key];
    keyPaths.set(key, path);
  }
  return path;
}

function roleOf(key: string, completion: readonly string[]): FieldRole {
  if (completion.includes(key)) return 'answer';
  if (key === 'context' || key === 'input') return 'context';
  if (key === 'system') return 'system';
  return 'prompt';
}

export const jumpstartInstruction: FormatModule = {
  id: 'jumpstart-instruction',
  label: 'JumpStart instruction',
  description: 'Amazon SageMaker JumpStart instruction tuning: the fields of template.json (by default instruction, context, response).',

  matches(record: JsonObject, ctx: FormatContext): boolean {
    for (const k of expectedKeys(ctx)) if (!has(record, k)) return false;
    return true;
  },

  check(record: JsonObject, at: LineLocator, ctx: FormatContext): Issue[] {
    const keys = expectedKeys(ctx);
    const schema = schemaFor(keys);
    // The wording is built only for a failing line; a clean line costs one validator call and a key count.
    let out = schema.valid(record) ? undefined : schemaIssues(schema, record, at, wording(ctx), undefined);
    for (const k of Object.keys(record)) {
      if (keys.includes(k)) continue;
      (out ??= []).push({ rule: 'unused-field', ...at.keyRange([k]), message: unusedMessage(k, keys, ctx) });
    }
    return out === undefined ? NONE : sorted(out);
  },

  view(record: JsonObject, ctx: FormatContext): RecordView {
    const keys = expectedKeys(ctx);
    const completion = completionKeys(ctx);
    const fields = new Fields();
    for (const k of Object.keys(record)) {
      if (keys.includes(k)) fields.add(keyPath(k), roleOf(k, completion), record[k]);
    }
    return fields.view('jumpstart-instruction');
  },
};
