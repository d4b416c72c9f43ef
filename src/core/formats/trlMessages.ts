/**
 * What Hugging Face TRL's conversational datasets share: a list of `{"role", "content"}`
 * messages, which TRL renders with the model's chat template.
 *
 * Source: https://huggingface.co/docs/trl/dataset_formats ("Conversational" datasets: "a list of
 * messages where each message has a role (e.g. "user", "assistant", "system") and a content").
 * Roles are whatever the chat template knows, so only their type is checked; a message's other
 * keys (tool_calls, name…) are the template's business.
 */
import type { FieldRole, Issue, Json, JsonPath, LineLocator } from '../lint/types';
import { describeValue, Fields, isObject, own } from './shared';

type Report = (rule: Issue['rule'], range: { start: number; end: number }, message: string) => void;

/** The list's messages: objects with a string role and string content (null beside tool calls). */
export function checkMessageList(list: Json | undefined, path: JsonPath, what: string, at: LineLocator, report: Report): void {
  if (!Array.isArray(list)) return;
  for (let i = 0; i < list.length; i++) {
    const m = list[i];
    const here = `Message ${i + 1} of ${what}`;
    if (!isObject(m)) {
      report('schema', at.valueRange([...path, i]), `${here} must be an object like {"role": "user", "content": "…"}, not ${describeValue(m)}.`);
      continue;
    }
    const role = own(m, 'role');
    const content = own(m, 'content');
    if (typeof role !== 'string') {
      report('schema', role === undefined ? at.valueRange([...path, i]) : at.valueRange([...path, i, 'role']), `${here} needs a "role" string ("system", "user" or "assistant").`);
    }
    if (content === undefined) {
      report('schema', at.valueRange([...path, i]), `${here} has no "content". Add the message text.`);
    } else if (typeof content !== 'string' && !(content === null && own(m, 'tool_calls') !== undefined)) {
      report('non-string-content', at.valueRange([...path, i, 'content']), `The "content" of ${here.charAt(0).toLowerCase()}${here.slice(1)} is ${describeValue(content)}, but the chat template reads text here. Write it as one string.`);
    }
  }
}

/** The role of the last message, if it is an object with a role. */
export function lastRole(list: Json | undefined): Json | undefined {
  if (!Array.isArray(list) || list.length === 0) return undefined;
  const m = list[list.length - 1];
  return isObject(m) ? own(m, 'role') : undefined;
}

export function hasRole(list: Json | undefined, role: string): boolean {
  return Array.isArray(list) && list.some((m) => isObject(m) && own(m, 'role') === role);
}

/** True for a list whose items are all objects with a role: a conversational value. */
export function isMessageList(v: Json | undefined): boolean {
  return Array.isArray(v) && v.length > 0 && v.every((m) => isObject(m) && Object.hasOwn(m, 'role'));
}

/** Adds each message's content, labelled by `roleOf` its role. */
export function messageListFields(fields: Fields, list: Json | undefined, path: JsonPath, roleOf: (role: Json | undefined) => FieldRole): void {
  if (!Array.isArray(list)) return;
  for (let i = 0; i < list.length; i++) {
    const m = list[i];
    if (isObject(m)) fields.add([...path, i, 'content'], roleOf(own(m, 'role')), own(m, 'content'));
  }
}

/** user → prompt, system → system, assistant → `assistant`, anything else (tool results) → other. */
export function roleMapper(assistant: FieldRole, user: FieldRole = 'prompt'): (role: Json | undefined) => FieldRole {
  return (role) => (role === 'user' ? user : role === 'system' ? 'system' : role === 'assistant' ? assistant : 'other');
}
