/**
 * Vertex AI supervised tuning of Gemini models:
 * `{"systemInstruction": {"role": "system", "parts": [{"text": "…"}]}, "contents": [{"role": "user", "parts": [{"text": "…"}]}, {"role": "model", "parts": [{"text": "…"}]}]}`.
 *
 * Source: https://cloud.google.com/vertex-ai/generative-ai/docs/models/gemini-supervised-tuning-prepare
 * (the dataset example and its fields: `contents` of `role` user or model with `parts`, an
 * optional `systemInstruction` of text parts, optional `tools`), whose `contents` and
 * `systemInstruction` use the generateContent API's Content schema
 * (https://cloud.google.com/vertex-ai/generative-ai/docs/reference/rest/v1/Content): a part holds
 * one datum, text, inlineData, fileData, functionCall or functionResponse.
 *
 * The model learns from the model turns, so a line needs one and should end with one.
 */
import type { FieldRole, FormatModule, Issue, Json, JsonObject, JsonPath, LineLocator, RecordView } from '../lint/types';
import { LazySchema, schemaIssues, type SchemaError, type Wording } from './schema';
import { capitalize, describeValue, Fields, has, isObject, namePath, NONE, own, show, sorted } from './shared';

const LABEL = 'Vertex AI Gemini';
const PART_KEYS = ['text', 'inlineData', 'fileData', 'functionCall', 'functionResponse'];
const partProperties: Record<string, unknown> = {};
for (const k of PART_KEYS) partProperties[k] = { type: k === 'text' ? 'string' : 'object' };

const part = { type: 'object', minProperties: 1, maxProperties: 1, properties: partProperties, additionalProperties: false };

const schema = new LazySchema({
  type: 'object',
  required: ['contents'],
  properties: {
    systemInstruction: {
      type: 'object',
      required: ['parts'],
      properties: {
        role: { type: 'string' },
        parts: { type: 'array', items: { type: 'object', required: ['text'], properties: { text: { type: 'string' } }, additionalProperties: false } },
      },
      additionalProperties: false,
    },
    contents: {
      type: 'array',
      items: {
        type: 'object',
        required: ['role', 'parts'],
        properties: { role: { enum: ['user', 'model'] }, parts: { type: 'array', minItems: 1, items: part } },
        additionalProperties: false,
      },
    },
    tools: { type: 'array' },
  },
  additionalProperties: false,
});

const LISTS: ReadonlyMap<string, string> = new Map([['contents', 'turn'], ['systemInstruction.parts', 'system part']]);
const EXAMPLE = '{"contents": [{"role": "user", "parts": [{"text": "…"}]}, {"role": "model", "parts": [{"text": "…"}]}]}';

const wording: Wording = {
  label: LABEL,
  name: (path: JsonPath) => namePath(path, LISTS),
  isText: (path: JsonPath) => path[path.length - 1] === 'text',
  explain(e: SchemaError): string | undefined {
    const Name = capitalize(namePath(e.path, LISTS));
    const last = e.path[e.path.length - 1];
    const depth = e.path.length;
    if (depth === 0 && e.keyword === 'required') return `The record has no "contents". A ${LABEL} example is ${EXAMPLE}.`;
    if (depth === 0 && e.keyword === 'additionalProperties') {
      return `The record has the key "${e.key ?? ''}", but ${LABEL} tuning lines hold "contents", "systemInstruction" and "tools". Remove it.`;
    }
    if (e.keyword === 'enum' && last === 'role') {
      if (e.value === 'assistant') return `${Name} is "assistant", but Gemini names the reply's role "model". Rename it to "model".`;
      if (e.value === 'system') return `${Name} is "system", but Gemini keeps the system prompt in "systemInstruction": {"parts": [{"text": "…"}]}. Move it there.`;
      return `${Name} is ${show(e.value)}; ${LABEL} turns are "user" or "model".`;
    }
    if (e.keyword === 'additionalProperties' && depth === 2 && e.path[0] === 'contents') {
      if (e.key === 'content') return `${Name} has "content", but Gemini turns hold their text in "parts": [{"text": "…"}]. Rename it.`;
      return `${Name} has the key "${e.key ?? ''}", but a ${LABEL} turn holds only "role" and "parts". Remove it.`;
    }
    if (e.keyword === 'additionalProperties' && depth === 4) {
      return `${Name} has the key "${e.key ?? ''}", which is not a Gemini part (text, inlineData, fileData, functionCall, functionResponse). Check its spelling.`;
    }
    if (e.keyword === 'maxProperties') return `${Name} holds several things, but a Gemini part holds one (text, fileData…). Split it into one part per key.`;
    if (e.keyword === 'type' && last === 'parts') return `${Name} must be a list of parts like [{"text": "…"}], not ${describeValue(e.value)}.`;
    if (e.keyword === 'minItems' && last === 'parts') return `${Name} is empty. Add a part with the message, e.g. [{"text": "…"}].`;
    return undefined;
  },
};

const ROLE_FIELDS: ReadonlyMap<Json | undefined, FieldRole> = new Map<Json | undefined, FieldRole>([['user', 'prompt'], ['model', 'answer']]);

export const vertexGemini: FormatModule = {
  id: 'vertex-gemini',
  label: LABEL,
  description: 'Vertex AI supervised tuning of Gemini: contents of user and model turns with parts, and a systemInstruction.',

  matches(record: JsonObject): boolean {
    return Array.isArray(own(record, 'contents'));
  },

  check(record: JsonObject, at: LineLocator): Issue[] {
    let out: Issue[] | undefined;
    if (!schema.valid(record)) out = schemaIssues(schema, record, at, wording, out);
    const contents = own(record, 'contents');
    if (Array.isArray(contents)) out = checkOrder(contents, at, out);
    return out === undefined ? NONE : sorted(out);
  },

  view(record: JsonObject): RecordView {
    const fields = new Fields();
    for (const key of Object.keys(record)) {
      const v = record[key];
      if (key === 'systemInstruction' && isObject(v)) {
        partsFields(fields, own(v, 'parts'), ['systemInstruction', 'parts'], 'system');
      } else if (key === 'contents' && Array.isArray(v)) {
        for (let i = 0; i < v.length; i++) {
          const turn = v[i];
          if (isObject(turn)) partsFields(fields, own(turn, 'parts'), ['contents', i, 'parts'], ROLE_FIELDS.get(own(turn, 'role')) ?? 'other');
        }
      }
    }
    return fields.view('vertex-gemini');
  },
};

function partsFields(fields: Fields, parts: Json | undefined, path: JsonPath, role: FieldRole): void {
  if (!Array.isArray(parts)) return;
  for (let j = 0; j < parts.length; j++) {
    const p = parts[j];
    if (isObject(p)) fields.add([...path, j, 'text'], role, own(p, 'text'));
  }
}

/** A model turn to learn from, and a line that ends with one. */
function checkOrder(contents: readonly Json[], at: LineLocator, out: Issue[] | undefined): Issue[] | undefined {
  const push = (range: { start: number; end: number }, message: string): void => { (out ??= []).push({ rule: 'missing-assistant', ...range, message }); };
  if (contents.length === 0) {
    push(at.valueRange(['contents']), '"contents" is empty. Add the user\'s turn and the model\'s reply.');
    return out;
  }
  let models = 0;
  for (const t of contents) {
    if (!isObject(t)) return out;
    const role = own(t, 'role');
    if (role !== 'user' && role !== 'model') return out; // the schema reports it
    if (role === 'model') models++;
  }
  const last = contents[contents.length - 1];
  if (models === 0) {
    push(at.valueRange(['contents']), 'The conversation has no "model" turn, so there is nothing for the model to learn. Add the model\'s reply after the user\'s turn.');
  } else if (isObject(last) && own(last, 'role') !== 'model' && has(last, 'role')) {
    push(at.valueRange(['contents', contents.length - 1, 'role']), 'The conversation ends with a "user" turn: the model learns from its replies, so a last turn with no reply teaches nothing. Add the model\'s reply, or remove the turn.');
  }
  return out;
}
