/**
 * What OpenAI chat fine-tuning (SFT) and preference fine-tuning (DPO) share: the message, tool
 * and tool-call schemas, the per-turn checks a schema cannot express (which keys a role may
 * have, tool results after the call), and the fields of a list of messages.
 */
import type { FieldRole, Issue, Json, JsonObject, JsonPath, LineLocator } from '../lint/types';
import type { SchemaError } from './schema';
import { capitalize, describeValue, Fields, has, isObject, own, show } from './shared';

export const OPENAI_ROLES: readonly string[] = ['system', 'developer', 'user', 'assistant', 'tool'];
const ROLES: ReadonlySet<string> = new Set(OPENAI_ROLES);

const CONTENT_PART = {
  type: 'object',
  required: ['type'],
  properties: {
    type: { enum: ['text', 'image_url'] },
    text: { type: 'string' },
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

/** The schema of one message; which keys a role may use is checked by hand, to say so per role. */
export function messageSchema(roles: readonly string[], weight: boolean): Record<string, unknown> {
  const properties: Record<string, unknown> = {
    role: { enum: [...roles] },
    content: { type: ['string', 'array', 'null'], items: CONTENT_PART },
    name: { type: 'string' },
    tool_calls: { type: 'array', minItems: 1, items: TOOL_CALL },
    tool_call_id: { type: 'string' },
  };
  if (weight) properties.weight = { enum: [0, 1] };
  return { type: 'object', required: ['role'], properties, additionalProperties: false };
}

/** True for the message text a trainer reads: a turn's `content`, or a content part's `text`. */
export function isMessageText(path: JsonPath): boolean {
  const last = path[path.length - 1];
  return last === 'content' || (last === 'text' && path[path.length - 3] === 'content');
}

/** OpenAI-specific wording for errors inside messages; undefined for the general wording. */
export function explainMessage(e: SchemaError, name: string, label: string): string | undefined {
  const last = e.path[e.path.length - 1];
  const Name = capitalize(name);
  if (e.keyword === 'type' && last === 'arguments') {
    return `${Name} must be a string holding the arguments as JSON, e.g. "{\\"city\\": \\"Paris\\"}", not ${describeValue(e.value)}. Encode the object as a string.`;
  }
  if (e.keyword === 'enum' && last === 'weight') {
    return `${Name} is ${show(e.value)}; a weight is 0 (do not train on this reply) or 1 (train on it).`;
  }
  if (e.keyword === 'enum' && last === 'role') {
    return `${Name} is ${show(e.value)}; ${label} roles are "system", "developer", "user", "assistant" and "tool".`;
  }
  if (e.keyword === 'enum' && last === 'type' && e.path[e.path.length - 3] === 'content') {
    return `${Name} is ${show(e.value)}; a content part is {"type": "text", "text": …} or {"type": "image_url", "image_url": {"url": …}}.`;
  }
  if (e.keyword === 'minItems' && last === 'tool_calls') {
    return `${Name} is empty. Add the calls, or remove "tool_calls".`;
  }
  if (e.keyword === 'required' && e.key === 'role') {
    return `${Name} has no "role". Add "role": "user", "assistant", "system", "developer" or "tool".`;
  }
  if (e.keyword === 'additionalProperties' && typeof last === 'number') {
    return `${Name} has the key "${e.key ?? ''}", which ${label} messages do not have (they have role, content, name, tool_calls, tool_call_id and weight). Remove it, or check its spelling.`;
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

/** The per-turn checks of a list of messages at `listPath`; `noun` names one item ("turn"). */
export function checkMessages(
  messages: readonly Json[], listPath: JsonPath, noun: string, at: LineLocator, weight: boolean, out: Issue[] | undefined,
): { out: Issue[] | undefined; summary: MessagesSummary } {
  const summary: MessagesSummary = { unknown: false, assistants: 0, trained: 0, users: 0, lastRole: undefined, lastIndex: -1 };
  // '' before the first turn; undefined after a turn the schema reports, so the next is judged on its own.
  let prevRole: string | undefined = '';
  let prevCalled = false;
  let callIds: Set<string> | undefined;
  const report = (rule: Issue['rule'], range: { start: number; end: number }, message: string): void => {
    (out ??= []).push({ rule, ...range, message });
  };
  // Names and paths are built only when a turn has something to report.
  const Here = (i: number): string => `${capitalize(noun)} ${i + 1}`;
  const of = (i: number): string => `${noun} ${i + 1}`;
  const path = (i: number, ...rest: (string | number)[]): JsonPath => [...listPath, i, ...rest];
  for (let i = 0; i < messages.length; i++) {
    const m = messages[i];
    const role = isObject(m) ? own(m, 'role') : undefined;
    if (!isObject(m) || typeof role !== 'string' || !ROLES.has(role)) {
      summary.unknown = true;
      prevRole = undefined;
      continue;
    }
    const content = own(m, 'content');
    const calls = own(m, 'tool_calls');
    const called = Array.isArray(calls) && calls.length > 0;

    if (role === 'assistant') {
      summary.assistants++;
      if (own(m, 'weight') !== 0) summary.trained++;
      if (Array.isArray(content)) {
        report('non-string-content', at.valueRange(path(i, 'content')), `${Here(i)} is an assistant turn with content parts, which only user turns may have. Write the reply as one string.`);
      } else if (!called) {
        if (!has(m, 'content')) {
          report('schema', at.valueRange(path(i)), `${Here(i)} is an assistant turn with neither "content" nor "tool_calls". Add the reply as "content".`);
        } else if (content === null) {
          report('non-string-content', at.valueRange(path(i, 'content')), `The "content" of ${of(i)} is null, but an assistant turn without "tool_calls" needs its reply as a string. Write the reply, or add the tool calls.`);
        }
      }
    } else {
      if (weight && has(m, 'weight')) {
        report('schema', at.keyRange(path(i, 'weight')), `${Here(i)} is "${role}", and only assistant turns take a "weight" (whether to train on that reply). Remove it.`);
      }
      if (has(m, 'tool_calls')) {
        report('schema', at.keyRange(path(i, 'tool_calls')), `${Here(i)} is "${role}", but only assistant turns make tool calls. Remove "tool_calls", or make it an assistant turn.`);
      }
      if (!has(m, 'content')) {
        report('schema', at.valueRange(path(i)), `${Here(i)} has no "content". Add the ${role} message's text.`);
      } else if (content === null) {
        report('non-string-content', at.valueRange(path(i, 'content')), `The "content" of ${of(i)} is null. Write the ${role} message as a string.`);
      } else if (Array.isArray(content)) {
        if (role === 'user') checkParts(content, path(i, 'content'), of(i), at, report);
        else report('non-string-content', at.valueRange(path(i, 'content')), `${Here(i)} is "${role}" with content parts, which only user turns may have. Write the message as one string.`);
      }
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
    } else if (has(m, 'tool_call_id')) {
      report('schema', at.keyRange(path(i, 'tool_call_id')), `${Here(i)} is "${role}", but only tool results take a "tool_call_id". Remove it.`);
    }

    if (role === 'assistant') callIds = called ? idsOf(calls) : undefined;
    else if (role !== 'tool') callIds = undefined;
    if (role === 'user') summary.users++;
    prevCalled = role === 'assistant' && called;
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

/** A text part needs its text and an image part its image; the schema checks their types. */
function checkParts(parts: readonly Json[], contentPath: JsonPath, of: string, at: LineLocator,
  report: (rule: Issue['rule'], range: { start: number; end: number }, message: string) => void): void {
  for (let j = 0; j < parts.length; j++) {
    const part = parts[j];
    if (!isObject(part)) continue;
    const type = own(part, 'type');
    if (type === 'text' && !has(part, 'text')) {
      report('schema', at.valueRange([...contentPath, j]), `Content part ${j + 1} of ${of} is "text" but has no "text". Add the text.`);
    } else if (type === 'image_url' && !has(part, 'image_url')) {
      report('schema', at.valueRange([...contentPath, j]), `Content part ${j + 1} of ${of} is "image_url" but has no "image_url". Add {"url": "https://…"} or a data URL.`);
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
      if (key === 'content') contentFields(fields, m[key], [...listPath, i, 'content'], role);
      else if (key === 'tool_calls') callFields(fields, m[key], [...listPath, i, 'tool_calls']);
    }
  }
}

function contentFields(fields: Fields, content: Json | undefined, path: JsonPath, role: FieldRole): void {
  if (typeof content === 'string') {
    fields.add(path, role, content);
  } else if (Array.isArray(content)) {
    for (let j = 0; j < content.length; j++) {
      const part = content[j];
      if (isObject(part)) fields.add([...path, j, 'text'], role, own(part, 'text'));
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
