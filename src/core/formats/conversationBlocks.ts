/**
 * The conversation shape Bedrock conversation records and Amazon Nova both read: `system` a list
 * of text blocks, `messages` user and assistant turns whose content is a list of one-key blocks.
 * The schema of that shape, the wording of its errors and the record's text fields are the same
 * for both formats, so they live here; what differs (the keys a record requires, the kinds of
 * block, Nova's own rules) stays in bedrockConversation.ts and nova.ts.
 */
import type { FieldRole, FormatId, JsonObject, JsonPath, RecordView } from '../lint/types';
import type { SchemaError } from './schema';
import { capitalize, describeValue, Fields, isObject, namePath, own, show } from './shared';
import { userAssistantField } from './turns';

/** Every Bedrock example carries this schemaVersion (see bedrockConversation.ts for what may stand there). */
export const SCHEMA_VERSION = 'bedrock-conversation-2024';

export const EXAMPLE = `{"schemaVersion": "${SCHEMA_VERSION}", "messages": [{"role": "user", "content": [{"text": "…"}]}, {"role": "assistant", "content": [{"text": "…"}]}]}`;

/** How messages name a place: `messages[2]` is turn 3, `system[0]` system block 1. */
export const LISTS: ReadonlyMap<string, string> = new Map([['messages', 'turn'], ['system', 'system block']]);

/** The schema of each kind of content block: `text` a string, any other an object whose inner shape the service checks. */
export function blockProperties(kinds: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of kinds) out[k] = { type: k === 'text' ? 'string' : 'object' };
  return out;
}

/** `system`: a list of `{"text": …}` blocks. */
export const SYSTEM_SCHEMA: Readonly<Record<string, unknown>> = {
  type: 'array',
  items: { type: 'object', required: ['text'], properties: { text: { type: 'string' } }, additionalProperties: false },
};

/** `messages`: turns of a role and a non-empty list of blocks, each holding exactly one of `blocks`. */
export function messagesSchema(blocks: Readonly<Record<string, unknown>>): Record<string, unknown> {
  return {
    type: 'array',
    items: {
      type: 'object',
      required: ['role', 'content'],
      properties: {
        role: { enum: ['user', 'assistant'] },
        content: {
          type: 'array',
          minItems: 1,
          items: { type: 'object', minProperties: 1, maxProperties: 1, properties: blocks, additionalProperties: false },
        },
      },
      additionalProperties: false,
    },
  };
}

/**
 * The wording of a turn's schema errors, the same in both formats; undefined for an error that
 * is not about a turn. `label` names the format ("Amazon Nova"), `aLabel` with its article
 * ("an Amazon Nova").
 */
export function explainTurn(e: SchemaError, label: string, aLabel: string): string | undefined {
  const Name = capitalize(namePath(e.path, LISTS));
  const last = e.path[e.path.length - 1];
  if (e.keyword === 'enum' && last === 'role') {
    if (e.value === 'system') return `${Name} is "system", but ${label} keeps the system prompt outside the turns. Move it to "system": [{"text": "…"}].`;
    return `${Name} is ${show(e.value)}; ${label} turns are "user" or "assistant".`;
  }
  if (e.keyword === 'type' && last === 'content') return `${Name} must be a list of blocks like [{"text": "…"}], not ${describeValue(e.value)}.`;
  if (e.keyword === 'minItems' && last === 'content') return `${Name} is empty. Add a block with the message, e.g. [{"text": "…"}].`;
  if (e.keyword === 'maxProperties') return `${Name} holds several things, but each content block holds one (text, image, video…). Split it into one block per key.`;
  if (e.keyword === 'additionalProperties' && e.path.length === 2 && e.path[0] === 'messages') {
    return `${Name} has the key "${e.key ?? ''}", but ${aLabel} turn holds only "role" and "content". Remove it.`;
  }
  return undefined;
}

/**
 * The record's text fields in its key order: each system block's text, then each turn's block
 * texts as the user's prompt or the assistant's answer. `more` adds what else a turn's block
 * holds that the format reads (Nova's reasoning), right after the block's text.
 */
export function conversationView(record: JsonObject, format: FormatId, more?: (fields: Fields, block: JsonObject, path: JsonPath) => void): RecordView {
  const fields = new Fields();
  for (const key of Object.keys(record)) {
    const v = record[key];
    if (!Array.isArray(v)) continue;
    if (key === 'system') {
      for (let j = 0; j < v.length; j++) {
        const block = v[j];
        if (isObject(block)) fields.add(['system', j, 'text'], 'system', own(block, 'text'));
      }
    } else if (key === 'messages') {
      for (let i = 0; i < v.length; i++) {
        const m = v[i];
        if (!isObject(m)) continue;
        const content = own(m, 'content');
        if (!Array.isArray(content)) continue;
        const role: FieldRole = userAssistantField(own(m, 'role'));
        for (let j = 0; j < content.length; j++) {
          const block = content[j];
          if (!isObject(block)) continue;
          const path: JsonPath = ['messages', i, 'content', j];
          fields.add([...path, 'text'], role, own(block, 'text'));
          more?.(fields, block, path);
        }
      }
    }
  }
  return fields.view(format);
}
