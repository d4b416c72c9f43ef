/**
 * What OpenAI's fine-tuning formats share (supervised SFT, preference DPO, reinforcement RFT):
 * the message, tool and tool-call schemas, the per-turn checks a schema cannot express (which
 * keys and content parts a role may have, tool and function results after their call), and the
 * fields of a list of messages.
 *
 * Source: the OpenAPI spec (github.com/openai/openai-openapi, openapi.yaml, 2.3.0):
 * `FineTuneChatRequestInput` (SFT) and `FineTunePreferenceRequestInput` (DPO) take
 * ChatCompletionRequestSystemMessage, …UserMessage, FineTuneChatCompletionRequestAssistantMessage,
 * …ToolMessage and …FunctionMessage, and no developer message; `FineTuneReinforcementRequestInput`
 * (RFT) takes …DeveloperMessage, …UserMessage, FineTuneChatCompletionRequestAssistantMessage and
 * …ToolMessage. Content parts per role come from the same message schemas: system, developer and
 * tool messages take text parts; user messages text and image parts (fine-tuning takes no audio
 * or file input: "Input messages may contain text or image content only"); assistant messages
 * text and refusal parts.
 */
import type { FieldRole, Issue, Json, JsonObject, JsonPath, LineLocator } from '../lint/types';
import type { SchemaError } from './schema';
import { capitalize, describeValue, Fields, has, isObject, orList, own, show } from './shared';

/** The roles of supervised (SFT) and preference (DPO) lines, in the spec's order. */
export const SFT_ROLES: readonly string[] = ['system', 'user', 'assistant', 'tool', 'function'];
/** The roles of reinforcement fine-tuning (RFT) lines. */
export const RFT_ROLES: readonly string[] = ['developer', 'user', 'assistant', 'tool'];

/** Which content part types each role may use. */
const PARTS_OF: Readonly<Record<string, readonly string[]>> = {
  system: ['text'],
  developer: ['text'],
  tool: ['text'],
  user: ['text', 'image_url'],
  assistant: ['text', 'refusal'],
  function: [],
};

const CONTENT_PART = {
  type: 'object',
  required: ['type'],
  properties: {
    type: { enum: ['text', 'image_url', 'refusal'] },
    text: { type: 'string' },
    refusal: { type: 'string' },
    image_url: {
      type: 'object',
      required: ['url'],
      properties: { url: { type: 'string' }, detail: { enum: ['auto', 'low', 'high'] } },
      additionalProperties: false,
    },
  },
  additionalProperties: false,
} as const;

const TOOL_CALL = {
  type: 'object',
  required: ['id', 'type', 'function'],
  properties: {
    id: { type: 'string' },
    type: { const: 'function' },
    function: {
      type: 'object',
      required: ['name', 'arguments'],
      properties: { name: { type: 'string' }, arguments: { type: 'string' } },
      additionalProperties: false,
    },
  },
  additionalProperties: false,
} as const;

/** The legacy `function_call` of an assistant message (ChatCompletionRequestAssistantMessage, deprecated but accepted). */
const FUNCTION_CALL = {
  type: 'object',
  required: ['name', 'arguments'],
  properties: { name: { type: 'string' }, arguments: { type: 'string' } },
  additionalProperties: false,
} as const;

export const TOOL = {
  type: 'object',
  required: ['type', 'function'],
  properties: {
    type: { const: 'function' },
    function: {
      type: 'object',
      required: ['name'],
      properties: { name: { type: 'string' }, description: { type: 'string' }, parameters: { type: 'object' }, strict: { type: 'boolean' } },
      additionalProperties: false,
    },
  },
  additionalProperties: false,
} as const;

/** One of the legacy top-level `functions` (ChatCompletionFunctions). */
export const FUNCTION = {
  type: 'object',
  required: ['name'],
  properties: { name: { type: 'string' }, description: { type: 'string' }, parameters: { type: 'object' } },
  additionalProperties: false,
} as const;

/** The schema of one message; which keys a role may use is checked by hand, to say so per role. */
export function messageSchema(roles: readonly string[], weight: boolean): Record<string, unknown> {
  const properties: Record<string, unknown> = {
    role: { enum: [...roles] },
    content: { type: ['string', 'array', 'null'], items: CONTENT_PART },
    name: { type: 'string' },
    tool_calls: { type: 'array', minItems: 1, items: TOOL_CALL },
    tool_call_id: { type: 'string' },
    function_call: FUNCTION_CALL,
    refusal: { type: ['string', 'null'] },
    audio: { type: 'object', required: ['id'], properties: { id: { type: 'string' } }, additionalProperties: false },
  };
  if (weight) properties.weight = { enum: [0, 1] };
  return { type: 'object', required: ['role'], properties, additionalProperties: false };
}

/** True for the message text a trainer reads: a turn's `content`, or a content part's `text`. */
export function isMessageText(path: JsonPath): boolean {
  const last = path[path.length - 1];
  return last === 'content' || last === 'refusal' || ((last === 'text' || last === 'refusal') && path[path.length - 3] === 'content');
}

/** Roles as a message lists them: `"system", "user" or "assistant"`. */
function roleList(roles: readonly string[]): string {
  return orList(roles).replace(/ or /, ' and ');
}

/** OpenAI-specific wording for errors inside messages; undefined for the general wording. */
export function explainMessage(e: SchemaError, name: string, label: string, roles: readonly string[] = SFT_ROLES): string | undefined {
  const last = e.path[e.path.length - 1];
  const Name = capitalize(name);
  if (e.keyword === 'type' && last === 'arguments') {
    return `${Name} must be a string holding the arguments as JSON, e.g. "{\\"city\\": \\"Paris\\"}", not ${describeValue(e.value)}. Encode the object as a string.`;
  }
  if (e.keyword === 'enum' && last === 'weight') {
    return `${Name} is ${show(e.value)}; a weight is 0 (do not train on this reply) or 1 (train on it).`;
  }
  if (e.keyword === 'enum' && last === 'role') {
    if (e.value === 'developer' && roles.includes('system')) {
      return `${Name} is "developer", but ${label} takes no developer messages (its lines hold system, user, assistant, tool and function messages). Rename it to "system".`;
    }
    if (e.value === 'system' && roles.includes('developer')) {
      return `${Name} is "system", but ${label} lines take developer messages, not system ones. Rename it to "developer".`;
    }
    return `${Name} is ${show(e.value)}; ${label} roles are ${roleList(roles)}.`;
  }
  if (e.keyword === 'enum' && last === 'type' && e.path[e.path.length - 3] === 'content') {
    return `${Name} is ${show(e.value)}; a content part is {"type": "text", "text": …}, {"type": "image_url", "image_url": {"url": …}} (user turns) or {"type": "refusal", "refusal": …} (assistant turns).`;
  }
  if (e.keyword === 'minItems' && last === 'tool_calls') {
    return `${Name} is empty. Add the calls, or remove "tool_calls".`;
  }
  if (e.keyword === 'required' && e.key === 'role') {
    return `${Name} has no "role". Add "role": ${orList(roles)}.`;
  }
  if (e.keyword === 'additionalProperties' && typeof last === 'number') {
    return `${Name} has the key "${e.key ?? ''}", which ${label} messages do not have (they have role, content, name, refusal, tool_calls, function_call, tool_call_id, audio and weight). Remove it, or check its spelling.`;
  }
  if (e.keyword === 'type' && typeof last === 'number' && e.path[e.path.length - 2] !== 'content' && e.path[e.path.length - 2] !== 'tool_calls' && e.path[e.path.length - 2] !== 'tools') {
    return `${Name} must be an object like {"role": "user", "content": "…"}, not ${describeValue(e.value)}.`;
  }
  return undefined;
}

/** What a list of messages holds, for the format's own end-of-list checks. */
export interface MessagesSummary {
  /** Some turn is not an object or has an unknown role (the schema reports it). */
  unknown: boolean;
  assistants: number;
  /** Assistant turns without weight 0: the ones the model learns from. */
  trained: number;
  users: number;
  lastRole: string | undefined;
  lastIndex: number;
}

/** How a format's messages are checked: the roles it takes and whether assistant turns take a weight. */
export interface MessageRules {
  readonly roles: readonly string[];
  readonly weight: boolean;
}

/** Keys only some roles may have, and which. */
const ONLY: readonly (readonly [string, string, readonly string[]])[] = [
  ['tool_calls', 'make tool calls', ['assistant']],
  ['function_call', 'make function calls', ['assistant']],
  ['refusal', 'carry a "refusal"', ['assistant']],
  ['audio', 'carry "audio"', ['assistant']],
  ['tool_call_id', 'take a "tool_call_id"', ['tool']],
];

type Report = (rule: Issue['rule'], range: { start: number; end: number }, message: string) => void;

/** The per-turn checks of a list of messages at `listPath`; `noun` names one item ("turn"). */
export function checkMessages(
  messages: readonly Json[], listPath: JsonPath, noun: string, at: LineLocator, rules: MessageRules, out: Issue[] | undefined,
): { out: Issue[] | undefined; summary: MessagesSummary } {
  const summary: MessagesSummary = { unknown: false, assistants: 0, trained: 0, users: 0, lastRole: undefined, lastIndex: -1 };
  const roles = new Set(rules.roles);
  // '' before the first turn; undefined after a turn the schema reports, so the next is judged on its own.
  let prevRole: string | undefined = '';
  let prevCalled = false;
  let prevFunctionCall = false;
  let callIds: Set<string> | undefined;
  const report: Report = (rule, range, message) => {
    (out ??= []).push({ rule, ...range, message });
  };
  // Names and paths are built only when a turn has something to report.
  const Here = (i: number): string => `${capitalize(noun)} ${i + 1}`;
  const of = (i: number): string => `${noun} ${i + 1}`;
  const path = (i: number, ...rest: (string | number)[]): JsonPath => [...listPath, i, ...rest];
  for (let i = 0; i < messages.length; i++) {
    const m = messages[i];
    const role = isObject(m) ? own(m, 'role') : undefined;
    if (!isObject(m) || typeof role !== 'string' || !roles.has(role)) {
      summary.unknown = true;
      prevRole = undefined;
      continue;
    }
    const content = own(m, 'content');
    const calls = own(m, 'tool_calls');
    const called = Array.isArray(calls) && calls.length > 0;
    const functionCall = isObject(own(m, 'function_call'));

    for (const [key, what, allowed] of ONLY) {
      if (has(m, key) && !allowed.includes(role)) {
        const fix = key === 'tool_call_id' ? 'Remove it.' : `Remove "${key}", or make it an assistant turn.`;
        report('schema', at.keyRange(path(i, key)), `${Here(i)} is "${role}", but only ${allowed[0] === 'tool' ? 'tool results' : 'assistant turns'} ${what}. ${fix}`);
      }
    }
    if (has(m, 'weight') && role !== 'assistant' && rules.weight) {
      report('schema', at.keyRange(path(i, 'weight')), `${Here(i)} is "${role}", and only assistant turns take a "weight" (whether to train on that reply). Remove it.`);
    }
    if (Array.isArray(content)) {
      checkParts(content, path(i, 'content'), role, of(i), Here(i), at, report);
    }

    if (role === 'assistant') {
      summary.assistants++;
      if (own(m, 'weight') !== 0) summary.trained++;
      // The spec: content is "Required unless tool_calls or function_call is specified"; a
      // refusal is the reply of a turn that declines.
      const replied = called || functionCall || typeof own(m, 'refusal') === 'string';
      if (!replied) {
        if (!has(m, 'content')) {
          report('schema', at.valueRange(path(i)), `${Here(i)} is an assistant turn with neither "content" nor "tool_calls", "function_call" or "refusal". Add the reply as "content".`);
        } else if (content === null) {
          report('non-string-content', at.valueRange(path(i, 'content')), `The "content" of ${of(i)} is null, but an assistant turn without "tool_calls", "function_call" or "refusal" needs its reply as a string. Write the reply, or add the calls.`);
        }
      }
    } else if (role === 'function') {
      // ChatCompletionRequestFunctionMessage: content (string or null) and name, both required.
      if (!has(m, 'name')) report('schema', at.valueRange(path(i)), `${Here(i)} is a function result without "name". Add the name of the function it answers.`);
      if (!has(m, 'content')) report('schema', at.valueRange(path(i)), `${Here(i)} has no "content". Add the function's result (null if it returned nothing).`);
      if (prevRole !== undefined && !(prevRole === 'assistant' && prevFunctionCall)) {
        report('role-order', at.valueRange(path(i, 'role')), `${Here(i)} is a "function" result, but the turn before it is not an assistant turn with "function_call". Put the result right after the assistant turn that calls the function.`);
      }
    } else if (!has(m, 'content')) {
      report('schema', at.valueRange(path(i)), `${Here(i)} has no "content". Add the ${role} message's text.`);
    } else if (content === null) {
      report('non-string-content', at.valueRange(path(i, 'content')), `The "content" of ${of(i)} is null. Write the ${role} message as a string.`);
    }

    if (role === 'tool') {
      const id = own(m, 'tool_call_id');
      if (!has(m, 'tool_call_id')) {
        report('schema', at.valueRange(path(i)), `${Here(i)} is a tool result without "tool_call_id". Add the id of the call it answers.`);
      } else if (typeof id === 'string' && callIds !== undefined && !callIds.has(id)) {
        report('schema', at.valueRange(path(i, 'tool_call_id')), `The "tool_call_id" of ${of(i)}, ${show(id)}, matches no call of the assistant turn before it. Use the "id" of the call this result answers.`);
      }
      if (prevRole !== undefined && prevRole !== 'tool' && !(prevRole === 'assistant' && prevCalled)) {
        report('role-order', at.valueRange(path(i, 'role')), `${Here(i)} is a "tool" result, but the turn before it is not an assistant turn with "tool_calls". Put each tool result right after the assistant turn that calls the tool.`);
      }
    }

    if (role === 'assistant') callIds = called ? idsOf(calls) : undefined;
    else if (role !== 'tool') callIds = undefined;
    if (role === 'user') summary.users++;
    prevCalled = role === 'assistant' && called;
    prevFunctionCall = role === 'assistant' && functionCall;
    prevRole = role;
    summary.lastRole = role;
    summary.lastIndex = i;
  }
  return { out, summary };
}

function idsOf(calls: Json | undefined): Set<string> {
  const ids = new Set<string>();
  if (Array.isArray(calls)) {
    for (const c of calls) {
      const id = isObject(c) ? own(c, 'id') : undefined;
      if (typeof id === 'string') ids.add(id);
    }
  }
  return ids;
}

const PART_SHAPES: Readonly<Record<string, string>> = {
  text: '{"type": "text", "text": "…"}',
  image_url: '{"type": "image_url", "image_url": {"url": "…"}}',
  refusal: '{"type": "refusal", "refusal": "…"}',
};

/**
 * Content parts: each of a type the role takes (a function result takes none), with its payload;
 * the schema checks the payloads' types.
 */
function checkParts(parts: readonly Json[], contentPath: JsonPath, role: string, of: string, Here: string, at: LineLocator, report: Report): void {
  const allowed = PARTS_OF[role] ?? [];
  if (allowed.length === 0) {
    report('non-string-content', at.valueRange(contentPath), `${Here} is "${role}" with content parts, but a ${role} result's content is a string. Write it as one string.`);
    return;
  }
  for (let j = 0; j < parts.length; j++) {
    const part = parts[j];
    if (!isObject(part)) continue;
    const type = own(part, 'type');
    if (typeof type !== 'string' || PART_SHAPES[type] === undefined) continue; // the schema reports it
    if (!allowed.includes(type)) {
      const shapes = allowed.map((t) => PART_SHAPES[t] ?? t).join(' or ');
      report('schema', at.valueRange([...contentPath, j, 'type']), `Content part ${j + 1} of ${of} is "${type}", which ${role} messages do not take: their parts are ${shapes}.`);
    } else if (!has(part, type)) {
      const what = type === 'image_url' ? 'Add {"url": "https://…"} or a data URL.' : `Add the ${type === 'text' ? 'text' : 'refusal text'}.`;
      report('schema', at.valueRange([...contentPath, j]), `Content part ${j + 1} of ${of} is "${type}" but has no "${type}". ${what}`);
    }
  }
}

/** The roles of OpenAI turns in a view; weight 0 turns are context, not something the model learns. */
export function chatRole(role: Json | undefined, m: JsonObject): FieldRole {
  switch (role) {
    case 'system':
    case 'developer':
      return 'system';
    case 'user':
      return 'prompt';
    case 'assistant':
      return own(m, 'weight') === 0 ? 'other' : 'answer';
    default:
      return 'other';
  }
}

/** Adds the text of a list of messages to `fields`, in document order; `roleOf` labels each turn. */
export function messageFields(fields: Fields, messages: Json | undefined, listPath: JsonPath,
  roleOf: (role: Json | undefined, m: JsonObject) => FieldRole): void {
  if (!Array.isArray(messages)) return;
  for (let i = 0; i < messages.length; i++) {
    const m = messages[i];
    if (!isObject(m)) continue;
    const role = roleOf(own(m, 'role'), m);
    for (const key of Object.keys(m)) {
      if (key === 'content') contentFields(fields, m[key], [...listPath, i, 'content'], own(m, 'role') === 'function' ? 'other' : role);
      else if (key === 'refusal') fields.add([...listPath, i, key], role, m[key]);
      else if (key === 'tool_calls') callFields(fields, m[key], [...listPath, i, 'tool_calls']);
      else if (key === 'function_call') {
        const call = m[key];
        if (isObject(call)) fields.add([...listPath, i, key, 'arguments'], 'other', own(call, 'arguments'));
      }
    }
  }
}

function contentFields(fields: Fields, content: Json | undefined, path: JsonPath, role: FieldRole): void {
  if (typeof content === 'string') {
    fields.add(path, role, content);
  } else if (Array.isArray(content)) {
    for (let j = 0; j < content.length; j++) {
      const part = content[j];
      if (!isObject(part)) continue;
      const key = own(part, 'type') === 'refusal' ? 'refusal' : 'text';
      fields.add([...path, j, key], role, own(part, key));
    }
  }
}

/** A call's arguments are text the model writes, though not prose: role `other`. */
function callFields(fields: Fields, calls: Json | undefined, path: JsonPath): void {
  if (!Array.isArray(calls)) return;
  for (let k = 0; k < calls.length; k++) {
    const call = calls[k];
    const fn = isObject(call) ? own(call, 'function') : undefined;
    if (isObject(fn)) fields.add([...path, k, 'function', 'arguments'], 'other', own(fn, 'arguments'));
  }
}
