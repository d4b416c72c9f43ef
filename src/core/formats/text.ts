/**
 * Domain adaptation (continued pre-training), as JumpStart reads it: `{"text": "…"}`, one
 * document per line, no prompt and no answer. Other keys (`id`, `source`…) are not read and
 * not reported.
 */
import type { FormatModule, Issue, JsonObject, JsonPath, LineLocator, RecordView } from '../lint/types';
import { LazySchema, schemaIssues, type SchemaError, type Wording } from './schema';
import { Fields, has, NONE, own, sorted } from './shared';

const LABEL = 'Text (domain adaptation)';

const schema = new LazySchema({
  type: 'object',
  required: ['text'],
  properties: { text: { type: 'string' } },
});

const wording: Wording = {
  label: LABEL,
  name: (path: JsonPath) => (path.length === 0 ? 'the record' : `"${String(path[0])}"`),
  isText: (path: JsonPath) => path.length === 1 && path[0] === 'text',
  explain(e: SchemaError): string | undefined {
    if (e.keyword === 'required') return 'The record has no "text". Add the document as {"text": "…"}.';
    return undefined;
  },
};

export const text: FormatModule = {
  id: 'text',
  label: LABEL,
  description: 'Domain adaptation (continued pre-training): one document per line in a text field.',

  matches(record: JsonObject): boolean {
    return has(record, 'text');
  },

  check(record: JsonObject, at: LineLocator): Issue[] {
    if (schema.valid(record)) return NONE;
    return sorted(schemaIssues(schema, record, at, wording, undefined));
  },

  view(record: JsonObject): RecordView {
    const fields = new Fields();
    fields.add(['text'], 'text', own(record, 'text'));
    return fields.view('text');
  },
};
