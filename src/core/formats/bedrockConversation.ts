/**
 * Amazon Bedrock conversation records, Bedrock's Converse-format fine-tuning data (Meta Llama 3.2
 * on Bedrock, distillation prompts):
 * `{"schemaVersion": "bedrock-conversation-2024", "system": [{"text": "…"}], "messages": [{"role": "user", "content": [{"text": "…"}]}, …]}`.
 *
 * The system prompt lives outside the turns; turns are user and assistant, alternating, starting
 * with the user and ending with the assistant. A content block holds one thing: text, or an
 * image, video, document, tool use, tool result or reasoning block, whose inner shape is left to
 * Bedrock's own validation.
 *
 * `schemaVersion` is required but may be any string. Sources: every Bedrock example carries it
 * (https://docs.aws.amazon.com/bedrock/latest/userguide/preparing-text-data.html,
 * …/preparing-image-text-data.html), and the Nova page that states a rule for it says
 * "`schemaVersion` can be any string value"
 * (https://docs.aws.amazon.com/nova/latest/userguide/fine-tune-prepare-data-understanding.html);
 * no page requires the value `bedrock-conversation-2024`.
 *
 * Amazon Nova reads the same shape with rules of its own (src/core/formats/nova.ts). A record
 * with a `reasoningContent` block is Nova's (only Nova 2.0 trains on reasoning), so it is not
 * matched here; any other record of this shape is Bedrock conversation unless the format is set.
 */
import type { FieldRole, FormatModule, Issue, Json, JsonObject, JsonPath, LineLocator, RecordView } from '../lint/types';
import { LazySchema, schemaIssues, type SchemaError, type Wording } from './schema';
import { capitalize, describeValue, Fields, has, isObject, namePath, NONE, own, show, sorted } from './shared';
import { checkTurnOrder, type Side, type TurnSpec } from './turns';

const LABEL = 'Bedrock conversation';
const VERSION = 'bedrock-conversation-2024';
const BLOCK_KEYS = ['text', 'image', 'video', 'document', 'toolUse', 'toolResult', 'reasoningContent'];

const blockProperties: Record<string, unknown> = {};
for (const k of BLOCK_KEYS) blockProperties[k] = { type: k === 'text' ? 'string' : 'object' };

const schema = new LazySchema({
  type: 'object',
  required: ['schemaVersion', 'messages'],
  properties: {
    schemaVersion: { type: 'string' },
    system: {
      type: 'array',
      items: { type: 'object', required: ['text'], properties: { text: { type: 'string' } }, additionalProperties: false },
    },
    messages: {
      type: 'array',
      items: {
        type: 'object',
        required: ['role', 'content'],
        properties: {
          role: { enum: ['user', 'assistant'] },
          content: {
            type: 'array',
            minItems: 1,
            items: { type: 'object', minProperties: 1, maxProperties: 1, properties: blockProperties, additionalProperties: false },
          },
        },
        additionalProperties: false,
      },
    },
  },
  additionalProperties: false,
});

const LISTS: ReadonlyMap<string, string> = new Map([['messages', 'turn'], ['system', 'system block']]);

const EXAMPLE = `{"schemaVersion": "${VERSION}", "messages": [{"role": "user", "content": [{"text": "…"}]}, {"role": "assistant", "content": [{"text": "…"}]}]}`;

const wording: Wording = {
  label: LABEL,
  name: (path: JsonPath) => namePath(path, LISTS),
  isText: (path: JsonPath) => path[path.length - 1] === 'text' && (path.length === 3 || path.length === 5),
  explain(e: SchemaError): string | undefined {
    const Name = capitalize(namePath(e.path, LISTS));
    const last = e.path[e.path.length - 1];
    const depth = e.path.length;
    if (depth === 0 && e.keyword === 'required') {
      if (e.key === 'schemaVersion') return `The record has no "schemaVersion". Bedrock conversation records start with "schemaVersion": "${VERSION}".`;
      return `The record has no "${e.key ?? ''}". A ${LABEL} example is ${EXAMPLE}.`;
    }
    if (depth === 0 && e.keyword === 'additionalProperties') {
      return `The record has the key "${e.key ?? ''}", but ${LABEL} records hold only "schemaVersion", "system" and "messages". Remove it.`;
    }
    if (e.keyword === 'type' && depth === 1 && e.path[0] === 'schemaVersion') {
      return `"schemaVersion" is ${describeValue(e.value)}; it is a string, e.g. "${VERSION}".`;
    }
    if (e.keyword === 'enum' && last === 'role') {
      if (e.value === 'system') return `${Name} is "system", but ${LABEL} keeps the system prompt outside the turns. Move it to "system": [{"text": "…"}].`;
      return `${Name} is ${show(e.value)}; ${LABEL} turns are "user" or "assistant".`;
    }
    if (e.keyword === 'type' && last === 'content') return `${Name} must be a list of blocks like [{"text": "…"}], not ${describeValue(e.value)}.`;
    if (e.keyword === 'minItems' && last === 'content') return `${Name} is empty. Add a block with the message, e.g. [{"text": "…"}].`;
    if (e.keyword === 'maxProperties') return `${Name} holds several things, but each content block holds one (text, image, video…). Split it into one block per key.`;
    if (e.keyword === 'minProperties') return `${Name} is empty. Put the message in it, e.g. {"text": "…"}.`;
    if (e.keyword === 'additionalProperties' && depth === 4) {
      return `${Name} has the key "${e.key ?? ''}", which is not a Bedrock content block (text, image, video, document, toolUse, toolResult, reasoningContent). Check its spelling.`;
    }
    if (e.keyword === 'additionalProperties' && depth === 2 && e.path[0] === 'messages') {
      return `${Name} has the key "${e.key ?? ''}", but a ${LABEL} turn holds only "role" and "content". Remove it.`;
    }
    if (e.keyword === 'type' && depth === 2) {
      return `${Name} must be an object like ${e.path[0] === 'system' ? '{"text": "…"}' : '{"role": "user", "content": [{"text": "…"}]}'}, not ${describeValue(e.value)}.`;
    }
    return undefined;
  },
};

const SPEC: TurnSpec = {
  roleKey: 'role',
  side: (role: string): Side | undefined => (role === 'user' || role === 'assistant' ? role : undefined),
  system: false,
  user: 'user',
  assistant: 'assistant',
  userOf: 'user\'s',
  assistantOf: 'assistant\'s',
};

export const bedrockConversation: FormatModule = {
  id: 'bedrock-conversation',
  label: LABEL,
  description: 'Amazon Bedrock conversation records (bedrock-conversation-2024, e.g. for Amazon Nova): system and messages of content blocks.',

  /**
   * Its schemaVersion, or messages whose content is a list of blocks without OpenAI's "type";
   * not a record with a reasoning block, which is Nova's.
   */
  matches(record: JsonObject): boolean {
    return isBedrockShape(record) && !hasReasoning(record);
  },

  check(record: JsonObject, at: LineLocator): Issue[] {
    let out: Issue[] | undefined;
    if (!schema.valid(record)) out = schemaIssues(schema, record, at, wording, out);
    const messages = own(record, 'messages');
    if (Array.isArray(messages)) out = checkTurnOrder(messages, ['messages'], at, SPEC, out);
    return out === undefined ? NONE : sorted(out);
  },

  view(record: JsonObject): RecordView {
    const fields = new Fields();
    for (const key of Object.keys(record)) {
      const v = record[key];
      if (!Array.isArray(v)) continue;
      if (key === 'system') {
        for (let j = 0; j < v.length; j++) textOf(fields, v[j], ['system', j], 'system');
      } else if (key === 'messages') {
        for (let i = 0; i < v.length; i++) {
          const m = v[i];
          if (!isObject(m)) continue;
          const role = own(m, 'role');
          const content = own(m, 'content');
          if (!Array.isArray(content)) continue;
          const fieldRole: FieldRole = role === 'user' ? 'prompt' : role === 'assistant' ? 'answer' : 'other';
          for (let j = 0; j < content.length; j++) textOf(fields, content[j], ['messages', i, 'content', j], fieldRole);
        }
      }
    }
    return fields.view('bedrock-conversation');
  },
};

function textOf(fields: Fields, block: Json | undefined, path: JsonPath, role: FieldRole): void {
  if (isObject(block)) fields.add([...path, 'text'], role, own(block, 'text'));
}

/** The shape Bedrock conversation and Nova share: a schemaVersion, or messages of content blocks without "type". */
export function isBedrockShape(record: JsonObject): boolean {
  if (has(record, 'schemaVersion')) return true;
  const messages = own(record, 'messages');
  if (!Array.isArray(messages)) return false;
  if (Array.isArray(own(record, 'system'))) return true;
  const first = messages[0];
  const content = isObject(first) ? own(first, 'content') : undefined;
  const block = Array.isArray(content) ? content[0] : undefined;
  return isObject(block) && !has(block, 'type');
}

/** Whether some turn holds a `reasoningContent` block. */
export function hasReasoning(record: JsonObject): boolean {
  const messages = own(record, 'messages');
  if (!Array.isArray(messages)) return false;
  for (const m of messages) {
    const content = isObject(m) ? own(m, 'content') : undefined;
    if (!Array.isArray(content)) continue;
    for (const block of content) if (isObject(block) && has(block, 'reasoningContent')) return true;
  }
  return false;
}
