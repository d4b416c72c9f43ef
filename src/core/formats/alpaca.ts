/**
 * Alpaca: `{"instruction": "…", "input": "…", "output": "…"}`, the Stanford Alpaca data format
 * most open-source trainers read.
 *
 * `input` holds optional context and may be empty or absent (trainers read a missing one as
 * ""). LLaMA-Factory's extensions are accepted: a `system` string and a `history` of earlier
 * `[instruction, response]` pairs. Other keys (`id`, `category`…) are common and ignored by the
 * trainers, so they are not reported.
 */
import type { FormatModule, Issue, JsonObject, JsonPath, LineLocator, RecordView } from '../lint/types';
import { LazySchema, schemaIssues, type SchemaError, type Wording } from './schema';
import { capitalize, describeValue, Fields, has, NONE, sorted } from './shared';

const LABEL = 'Alpaca';

const schema = new LazySchema({
  type: 'object',
  required: ['instruction', 'output'],
  properties: {
    instruction: { type: 'string' },
    input: { type: 'string' },
    output: { type: 'string' },
    system: { type: 'string' },
    history: { type: 'array', items: { type: 'array', minItems: 2, maxItems: 2, items: { type: 'string' } } },
  },
});

function name(path: JsonPath): string {
  const [key, pair, side] = path;
  if (key === 'history' && typeof pair === 'number') {
    if (side === undefined) return `history pair ${pair + 1}`;
    return `the ${side === 0 ? 'instruction' : side === 1 ? 'response' : `item ${Number(side) + 1}`} of history pair ${pair + 1}`;
  }
  return path.length === 0 ? 'the record' : `"${String(key)}"`;
}

const wording: Wording = {
  label: LABEL,
  name,
  isText: (path: JsonPath) => path.length === 1 ? path[0] !== 'history' : path.length === 3,
  explain(e: SchemaError): string | undefined {
    if (e.keyword === 'required' && e.path.length === 0) {
      const what = e.key === 'output' ? 'the response the model should learn' : 'the task or question';
      return `The record has no "${e.key ?? ''}". Add "${e.key ?? ''}" with ${what}: an Alpaca example is {"instruction": "…", "input": "", "output": "…"}.`;
    }
    if (e.path[0] === 'history' && (e.keyword === 'minItems' || e.keyword === 'maxItems' || (e.keyword === 'type' && e.path.length <= 2))) {
      const Name = capitalize(name(e.path));
      const shape = '"history" is a list of earlier [instruction, response] pairs of strings';
      return e.keyword === 'type' ? `${Name} must be an array, not ${describeValue(e.value)}: ${shape}.` : `${Name} must have exactly two strings: ${shape}.`;
    }
    return undefined;
  },
};

export const alpaca: FormatModule = {
  id: 'alpaca',
  label: LABEL,
  description: 'Alpaca instruction data: instruction, input (may be empty) and output, as read by most open-source trainers.',

  matches(record: JsonObject): boolean {
    return has(record, 'instruction') && has(record, 'output');
  },

  check(record: JsonObject, at: LineLocator): Issue[] {
    if (schema.valid(record)) return NONE;
    return sorted(schemaIssues(schema, record, at, wording, undefined));
  },

  view(record: JsonObject): RecordView {
    const fields = new Fields();
    for (const key of Object.keys(record)) {
      const v = record[key];
      switch (key) {
        case 'system': fields.add([key], 'system', v); break;
        case 'instruction': fields.add([key], 'prompt', v); break;
        case 'input': fields.add([key], 'context', v); break;
        case 'output': fields.add([key], 'answer', v); break;
        case 'history':
          if (!Array.isArray(v)) break;
          for (let i = 0; i < v.length; i++) {
            const pair = v[i];
            if (!Array.isArray(pair)) continue;
            fields.add([key, i, 0], 'prompt', pair[0]);
            fields.add([key, i, 1], 'answer', pair[1]);
          }
          break;
        default:
          break;
      }
    }
    return fields.view('alpaca');
  },
};
