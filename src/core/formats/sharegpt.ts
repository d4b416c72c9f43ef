/**
 * ShareGPT: `{"conversations": [{"from": "human", "value": "…"}, {"from": "gpt", "value": "…"}]}`,
 * as read by FastChat, LLaMA-Factory and Axolotl.
 *
 * The convention names the sides `human` and `gpt`, with an optional `system` turn first (or a
 * top-level `system` string). LLaMA-Factory's tool turns are accepted: `function_call` speaks for
 * the assistant and `observation` (the tool's result) for the user, so the two sides still
 * alternate. `user` / `assistant` are not ShareGPT names: FastChat and LLaMA-Factory reject them,
 * so they are reported with the name to use. Other top-level keys (`id`, `source`…) are common
 * and every trainer ignores them.
 */
import type { FieldRole, FormatModule, Issue, Json, JsonObject, JsonPath, LineLocator, RecordView } from '../lint/types';
import { LazySchema, schemaIssues, type SchemaError, type Wording } from './schema';
import { capitalize, describeValue, Fields, isObject, namePath, NONE, own, show, sorted } from './shared';
import { checkTurnOrder, type Side, type TurnSpec } from './turns';

const LABEL = 'ShareGPT';
const FROM = ['system', 'human', 'gpt', 'function_call', 'observation'];

const schema = new LazySchema({
  type: 'object',
  required: ['conversations'],
  properties: {
    conversations: {
      type: 'array',
      items: {
        type: 'object',
        required: ['from', 'value'],
        properties: { from: { enum: FROM }, value: { type: 'string' } },
      },
    },
    system: { type: 'string' },
  },
});

const LISTS: ReadonlyMap<string, string> = new Map([['conversations', 'turn']]);

/** The ShareGPT name for roles other conventions use. */
const RENAME: ReadonlyMap<Json | undefined, string> = new Map([['user', 'human'], ['assistant', 'gpt'], ['bot', 'gpt'], ['model', 'gpt'], ['chatgpt', 'gpt']]);

const wording: Wording = {
  label: LABEL,
  name: (path: JsonPath) => namePath(path, LISTS),
  isText: (path: JsonPath) => (path.length === 3 && path[2] === 'value') || (path.length === 1 && path[0] === 'system'),
  explain(e: SchemaError): string | undefined {
    const Name = capitalize(namePath(e.path, LISTS));
    if (e.keyword === 'enum') {
      const rename = RENAME.get(e.value);
      if (rename !== undefined) return `${Name} is ${show(e.value)}, but ShareGPT names the user "human" and the assistant "gpt". Rename it to "${rename}".`;
      return `${Name} is ${show(e.value)}; ShareGPT turns are from "human", "gpt" or "system" (and "function_call", "observation" for tools).`;
    }
    if (e.keyword === 'required' && e.path.length === 0) {
      return 'The record has no "conversations". A ShareGPT example is {"conversations": [{"from": "human", "value": "…"}, {"from": "gpt", "value": "…"}]}.';
    }
    if (e.keyword === 'required' && e.key === 'value') return `${Name} has no "value". Add the message text.`;
    if (e.keyword === 'required' && e.key === 'from') return `${Name} has no "from". Add "from": "human" or "gpt".`;
    if (e.keyword === 'type' && e.path.length === 2) return `${Name} must be an object like {"from": "human", "value": "…"}, not ${describeValue(e.value)}.`;
    return undefined;
  },
};

const SIDES: ReadonlyMap<string, Side> = new Map<string, Side>([
  ['system', 'system'], ['human', 'user'], ['observation', 'user'], ['gpt', 'assistant'], ['function_call', 'assistant'],
]);

const SPEC: TurnSpec = {
  roleKey: 'from',
  side: (from: string) => SIDES.get(from),
  system: true,
  user: 'human',
  assistant: 'gpt',
  userOf: 'human',
  assistantOf: 'gpt',
};

const ROLE_FIELDS: ReadonlyMap<Json | undefined, FieldRole> = new Map<Json | undefined, FieldRole>([['system', 'system'], ['human', 'prompt'], ['gpt', 'answer']]);

export const sharegpt: FormatModule = {
  id: 'sharegpt',
  label: LABEL,
  description: 'ShareGPT conversations of from/value turns (human, gpt), as read by FastChat, LLaMA-Factory and Axolotl.',

  matches(record: JsonObject): boolean {
    const list = own(record, 'conversations');
    if (!Array.isArray(list)) return false;
    for (const t of list) if (!isObject(t) || own(t, 'from') === undefined) return false;
    return true;
  },

  check(record: JsonObject, at: LineLocator): Issue[] {
    let out: Issue[] | undefined;
    if (!schema.valid(record)) out = schemaIssues(schema, record, at, wording, out);
    const list = own(record, 'conversations');
    if (Array.isArray(list)) out = checkTurnOrder(list, ['conversations'], at, SPEC, out);
    return out === undefined ? NONE : sorted(out);
  },

  view(record: JsonObject): RecordView {
    const fields = new Fields();
    for (const key of Object.keys(record)) {
      if (key === 'system') fields.add(['system'], 'system', record[key]);
      if (key !== 'conversations') continue;
      const list = record[key];
      if (!Array.isArray(list)) continue;
      for (let i = 0; i < list.length; i++) {
        const t = list[i];
        if (isObject(t)) fields.add(['conversations', i, 'value'], ROLE_FIELDS.get(own(t, 'from')) ?? 'other', own(t, 'value'));
      }
    }
    return fields.view('sharegpt');
  },
};
