/**
 * Amazon Bedrock fine-tuning of Anthropic Claude 3 Haiku:
 * `{"system": "…", "messages": [{"role": "user", "content": "…"}, {"role": "assistant", "content": "…"}]}`.
 *
 * Sources: https://docs.aws.amazon.com/bedrock/latest/userguide/preparing-text-data.html and
 * Anthropic's cookbook for it (anthropics/anthropic-cookbook,
 * finetuning/finetuning_on_bedrock.ipynb): "The system field is optional. There must be at least
 * two messages. The first message must be from the "user". The last message must be from the
 * "assistant". User and assistant messages must alternate. No extraneous keys are allowed."
 * Contents are plain strings (the cookbook's json_mode_dataset.jsonl).
 */
import type { FormatModule, Issue, JsonObject, JsonPath, LineLocator, RecordView } from '../lint/types';
import { LazySchema, schemaIssues, type SchemaError, type Wording } from './schema';
import { capitalize, describeValue, Fields, has, isObject, namePath, NONE, own, show, sorted } from './shared';
import { checkTwoOrMoreTurns, USER_ASSISTANT, userAssistantField } from './turns';

const LABEL = 'Bedrock Claude 3 Haiku';

const schema = new LazySchema({
  type: 'object',
  required: ['messages'],
  properties: {
    system: { type: 'string' },
    messages: {
      type: 'array',
      items: {
        type: 'object',
        required: ['role', 'content'],
        properties: { role: { enum: ['user', 'assistant'] }, content: { type: 'string' } },
        additionalProperties: false,
      },
    },
  },
  additionalProperties: false,
});

const LISTS: ReadonlyMap<string, string> = new Map([['messages', 'turn']]);
const EXAMPLE = '{"system": "…", "messages": [{"role": "user", "content": "…"}, {"role": "assistant", "content": "…"}]}';

const wording: Wording = {
  label: LABEL,
  name: (path: JsonPath) => namePath(path, LISTS),
  isText: (path: JsonPath) => (path.length === 1 && path[0] === 'system') || (path.length === 3 && path[2] === 'content'),
  explain(e: SchemaError): string | undefined {
    const Name = capitalize(namePath(e.path, LISTS));
    const depth = e.path.length;
    if (depth === 0 && e.keyword === 'required') return `The record has no "messages". A ${LABEL} example is ${EXAMPLE}.`;
    if (depth === 0 && e.keyword === 'additionalProperties') {
      return `The record has the key "${e.key ?? ''}", but ${LABEL} records hold only "system" and "messages" (no extraneous keys are allowed). Remove it.`;
    }
    if (depth === 2 && e.keyword === 'additionalProperties') {
      return `${Name} has the key "${e.key ?? ''}", but a ${LABEL} turn holds only "role" and "content". Remove it.`;
    }
    if (e.keyword === 'enum') {
      if (e.value === 'system') return `${Name} is "system", but ${LABEL} keeps the system prompt in the top-level "system" string. Move it there.`;
      return `${Name} is ${show(e.value)}; ${LABEL} turns are "user" or "assistant".`;
    }
    if (e.keyword === 'type' && depth === 1 && e.path[0] === 'messages') return `"messages" must be a list of turns like [{"role": "user", "content": "…"}], not ${describeValue(e.value)}.`;
    if (e.keyword === 'type' && depth === 2) return `${Name} must be an object like {"role": "user", "content": "…"}, not ${describeValue(e.value)}.`;
    return undefined;
  },
};

export const bedrockHaiku: FormatModule = {
  id: 'bedrock-haiku',
  label: LABEL,
  description: 'Amazon Bedrock fine-tuning of Claude 3 Haiku: a system string and messages of user/assistant strings.',

  /** Messages with roles, and a `system` that is a string when present; no Bedrock schemaVersion. */
  matches(record: JsonObject): boolean {
    const messages = own(record, 'messages');
    if (!Array.isArray(messages) || has(record, 'schemaVersion')) return false;
    const system = own(record, 'system');
    if (system !== undefined && typeof system !== 'string') return false;
    for (const m of messages) if (!isObject(m) || !has(m, 'role')) return false;
    return true;
  },

  check(record: JsonObject, at: LineLocator): Issue[] {
    let out: Issue[] | undefined;
    if (!schema.valid(record)) out = schemaIssues(schema, record, at, wording, out);
    const messages = own(record, 'messages');
    if (Array.isArray(messages)) {
      out = checkTwoOrMoreTurns(messages, ['messages'], at, USER_ASSISTANT, `${LABEL} needs at least two messages, the user's and the assistant's reply. Add the assistant's reply.`, out);
    }
    return out === undefined ? NONE : sorted(out);
  },

  view(record: JsonObject): RecordView {
    const fields = new Fields();
    for (const key of Object.keys(record)) {
      const v = record[key];
      if (key === 'system') fields.add(['system'], 'system', v);
      if (key !== 'messages' || !Array.isArray(v)) continue;
      for (let i = 0; i < v.length; i++) {
        const m = v[i];
        if (isObject(m)) fields.add(['messages', i, 'content'], userAssistantField(own(m, 'role')), own(m, 'content'));
      }
    }
    return fields.view('bedrock-haiku');
  },
};
