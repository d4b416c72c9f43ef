/**
 * Amazon SageMaker JumpStart chat fine-tuning: `{"dialog": [{"role": "user", "content": "…"}, …]}`
 * (newer JumpStart models also read the list as `messages` or `conversations`).
 *
 * The chat template of the model needs a strict shape: an optional system turn first, then user
 * and assistant turns alternating, starting with the user and ending with the assistant.
 */
import type { FieldRole, FormatModule, Issue, Json, JsonObject, JsonPath, LineLocator, RecordView } from '../lint/types';
import { LazySchema, schemaIssues, type SchemaError, type Wording } from './schema';
import { capitalize, describeValue, Fields, has, isObject, namePath, NONE, own, show, sorted } from './shared';
import { checkTurnOrder, type Side, type TurnSpec } from './turns';

const LABEL = 'JumpStart chat';
const TURN_KEYS = ['dialog', 'messages', 'conversations'] as const;
const ROLES: ReadonlySet<string> = new Set(['system', 'user', 'assistant']);

const turns = {
  type: 'array',
  items: {
    type: 'object',
    required: ['role', 'content'],
    properties: { role: { enum: ['system', 'user', 'assistant'] }, content: { type: 'string' } },
    additionalProperties: false,
  },
};

const schema = new LazySchema({
  type: 'object',
  properties: { dialog: turns, messages: turns, conversations: turns },
  additionalProperties: false,
});

const LISTS: ReadonlyMap<string, string> = new Map(TURN_KEYS.map((k) => [k, 'turn']));

const wording: Wording = {
  label: LABEL,
  name: (path: JsonPath) => namePath(path, LISTS),
  isText: (path: JsonPath) => path.length === 3 && path[2] === 'content',
  explain(e: SchemaError): string | undefined {
    const Name = capitalize(namePath(e.path, LISTS));
    const depth = e.path.length;
    if (e.keyword === 'additionalProperties' && depth === 0) {
      return `The record has the key "${e.key ?? ''}", which ${LABEL} does not use: a line holds one list of turns, "dialog" (or "messages" or "conversations"). Remove it.`;
    }
    if (e.keyword === 'additionalProperties' && depth === 2) {
      return `${Name} has the key "${e.key ?? ''}", which ${LABEL} turns do not have: a turn is {"role": …, "content": …}. Remove it.`;
    }
    if (e.keyword === 'enum') return `${Name} is ${show(e.value)}; ${LABEL} roles are "system", "user" and "assistant".`;
    if (e.keyword === 'required' && e.key === 'content') return `${Name} has no "content". Add the message text.`;
    if (e.keyword === 'required' && e.key === 'role') return `${Name} has no "role". Add "role": "user" or "assistant".`;
    if (e.keyword === 'type' && depth === 2) return `${Name} must be an object like {"role": "user", "content": "…"}, not ${describeValue(e.value)}.`;
    if (e.keyword === 'type' && depth === 1) return `${Name} must be an array of turns like [{"role": "user", "content": "…"}, {"role": "assistant", "content": "…"}], not ${describeValue(e.value)}.`;
    return undefined;
  },
};

const SPEC: TurnSpec = {
  roleKey: 'role',
  side: (role: string): Side | undefined => (ROLES.has(role) ? (role as Side) : undefined),
  system: true,
  user: 'user',
  assistant: 'assistant',
  userOf: 'user\'s',
  assistantOf: 'assistant\'s',
};

/** Every item a `{role, content}` object; `exact` also refuses other keys (OpenAI's weight, tool_calls…). */
function roleContentTurns(list: Json | undefined, exact: boolean): boolean {
  if (!Array.isArray(list)) return false;
  for (const t of list) {
    if (!isObject(t) || !has(t, 'role') || !has(t, 'content')) return false;
    if (exact && (Object.keys(t).length !== 2 || typeof t.role !== 'string' || !ROLES.has(t.role))) return false;
  }
  return true;
}

function turnsKey(record: JsonObject): (typeof TURN_KEYS)[number] | undefined {
  for (const k of TURN_KEYS) if (has(record, k)) return k;
  return undefined;
}

const ROLE_FIELDS: ReadonlyMap<Json | undefined, FieldRole> = new Map([['system', 'system'], ['user', 'prompt'], ['assistant', 'answer']]);

export const jumpstartChat: FormatModule = {
  id: 'jumpstart-chat',
  label: LABEL,
  description: 'Amazon SageMaker JumpStart chat fine-tuning: dialog (or messages, conversations) of role/content turns.',

  /**
   * `dialog` is JumpStart's own key. `messages` is OpenAI's too: only plain `{role, content}`
   * turns of system, user and assistant, with no tools (and no top-level `system`, which is
   * Bedrock's Claude 3 Haiku format), count as JumpStart chat.
   */
  matches(record: JsonObject): boolean {
    if (has(record, 'dialog')) return true;
    if (has(record, 'messages')) return !has(record, 'tools') && !has(record, 'system') && roleContentTurns(own(record, 'messages'), true);
    return roleContentTurns(own(record, 'conversations'), false);
  },

  check(record: JsonObject, at: LineLocator): Issue[] {
    let out: Issue[] | undefined;
    if (!schema.valid(record)) out = schemaIssues(schema, record, at, wording, out);
    const key = turnsKey(record);
    if (key === undefined) {
      (out ??= []).push({
        rule: 'schema', ...at.valueRange([]),
        message: `The record has no list of turns. A ${LABEL} example is {"dialog": [{"role": "user", "content": "…"}, {"role": "assistant", "content": "…"}]}.`,
      });
      return sorted(out);
    }
    for (const other of TURN_KEYS) {
      if (other !== key && has(record, other)) {
        (out ??= []).push({ rule: 'schema', ...at.keyRange([other]), message: `The record has both "${key}" and "${other}", and JumpStart reads only one list of turns. Merge them into "${key}".` });
      }
    }
    const list = own(record, key);
    if (Array.isArray(list)) out = checkTurnOrder(list, [key], at, SPEC, out);
    return out === undefined ? NONE : sorted(out);
  },

  view(record: JsonObject): RecordView {
    const fields = new Fields();
    const key = turnsKey(record);
    const list = key === undefined ? undefined : own(record, key);
    if (key !== undefined && Array.isArray(list)) {
      for (let i = 0; i < list.length; i++) {
        const t = list[i];
        if (!isObject(t)) continue;
        fields.add([key, i, 'content'], ROLE_FIELDS.get(own(t, 'role')) ?? 'other', own(t, 'content'));
      }
    }
    return fields.view('jumpstart-chat');
  },
};
