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
 * Amazon Nova reads the same shape with rules of its own (src/core/formats/nova.ts); the schema,
 * wording and fields the two share are in conversationBlocks.ts. A record with a
 * `reasoningContent` block is Nova's (only Nova 2.0 trains on reasoning), so it is not matched
 * here; any other record of this shape is Bedrock conversation unless the format is set.
 */
import type { FormatModule, Issue, JsonObject, JsonPath, LineLocator, RecordView } from '../lint/types';
import { blockProperties, conversationView, EXAMPLE, explainTurn, LISTS, messagesSchema, SCHEMA_VERSION, SYSTEM_SCHEMA } from './conversationBlocks';
import { LazySchema, schemaIssues, type SchemaError, type Wording } from './schema';
import { capitalize, describeValue, has, isObject, namePath, NONE, own, sorted } from './shared';
import { checkTurnOrder, USER_ASSISTANT } from './turns';

const LABEL = 'Bedrock conversation';

const schema = new LazySchema({
  type: 'object',
  required: ['schemaVersion', 'messages'],
  properties: {
    schemaVersion: { type: 'string' },
    system: SYSTEM_SCHEMA,
    messages: messagesSchema(blockProperties(['text', 'image', 'video', 'document', 'toolUse', 'toolResult', 'reasoningContent'])),
  },
  additionalProperties: false,
});

const wording: Wording = {
  label: LABEL,
  name: (path: JsonPath) => namePath(path, LISTS),
  isText: (path: JsonPath) => path[path.length - 1] === 'text' && (path.length === 3 || path.length === 5),
  explain(e: SchemaError): string | undefined {
    const Name = capitalize(namePath(e.path, LISTS));
    const depth = e.path.length;
    if (depth === 0 && e.keyword === 'required') {
      if (e.key === 'schemaVersion') return `The record has no "schemaVersion". Bedrock conversation records start with "schemaVersion": "${SCHEMA_VERSION}".`;
      return `The record has no "${e.key ?? ''}". A ${LABEL} example is ${EXAMPLE}.`;
    }
    if (depth === 0 && e.keyword === 'additionalProperties') {
      return `The record has the key "${e.key ?? ''}", but ${LABEL} records hold only "schemaVersion", "system" and "messages". Remove it.`;
    }
    if (e.keyword === 'type' && depth === 1 && e.path[0] === 'schemaVersion') {
      return `"schemaVersion" is ${describeValue(e.value)}; it is a string, e.g. "${SCHEMA_VERSION}".`;
    }
    const turn = explainTurn(e, LABEL, `a ${LABEL}`);
    if (turn !== undefined) return turn;
    if (e.keyword === 'minProperties') return `${Name} is empty. Put the message in it, e.g. {"text": "…"}.`;
    if (e.keyword === 'additionalProperties' && depth === 4) {
      return `${Name} has the key "${e.key ?? ''}", which is not a Bedrock content block (text, image, video, document, toolUse, toolResult, reasoningContent). Check its spelling.`;
    }
    if (e.keyword === 'type' && depth === 2) {
      return `${Name} must be an object like ${e.path[0] === 'system' ? '{"text": "…"}' : '{"role": "user", "content": [{"text": "…"}]}'}, not ${describeValue(e.value)}.`;
    }
    return undefined;
  },
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
    if (Array.isArray(messages)) out = checkTurnOrder(messages, ['messages'], at, USER_ASSISTANT, out);
    return out === undefined ? NONE : sorted(out);
  },

  view(record: JsonObject): RecordView {
    return conversationView(record, 'bedrock-conversation');
  },
};

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
