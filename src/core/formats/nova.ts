/**
 * Amazon Nova fine-tuning (SFT on Bedrock and SageMaker): Bedrock's conversation shape with
 * Nova's own rules.
 * `{"schemaVersion": "bedrock-conversation-2024", "system": [{"text": "…"}], "messages": [{"role": "user", "content": [{"text": "…"}]}, {"role": "assistant", "content": [{"text": "…"}]}]}`
 *
 * Sources:
 * - https://docs.aws.amazon.com/nova/latest/userguide/fine-tune-prepare-data-understanding.html:
 *   "`schemaVersion` can be any string value"; roles user and assistant; the first turn is the
 *   user's and the last the assistant's.
 * - https://docs.aws.amazon.com/nova/latest/nova2-userguide/nova-data-prep-sft-2.html: Nova 2.0
 *   adds `reasoningContent` blocks ({"reasoningText": {"text": …}}) in assistant turns; images
 *   and videos only in user turns.
 * - AWS's dataset validator, aws-samples/amazon-nova-samples
 *   customization/bedrock-finetuning/understanding/dataset_validation/nova_ft_dataset_validator.py:
 *   `INVALID_TOKENS_TEXT` (the reserved words below, matched case-sensitively anywhere in a text,
 *   system and reasoning text included), at least two messages alternating from the user,
 *   schemaVersion optional, no empty text, at most 10 images and one video per turn and never both.
 *
 * The shape is Bedrock conversation's: a record is detected as Nova only when it has a reasoning
 * block (nothing else trains on one); otherwise set the format to `nova` for Nova's checks.
 */
import type { FormatModule, Issue, Json, JsonObject, JsonPath, LineLocator, RecordView } from '../lint/types';
import { isBedrockShape } from './bedrockConversation';
import { blockProperties, conversationView, EXAMPLE, explainTurn, LISTS, messagesSchema, SYSTEM_SCHEMA } from './conversationBlocks';
import { LazySchema, schemaIssues, type SchemaError, type Wording } from './schema';
import { capitalize, Fields, isObject, namePath, NONE, own, show, sorted } from './shared';
import { checkTwoOrMoreTurns, USER_ASSISTANT } from './turns';

const LABEL = 'Amazon Nova';

/**
 * Words Nova's trainer reserves for its own prompt format; a dataset whose text holds one fails
 * the job. From INVALID_TOKENS_TEXT in nova_ft_dataset_validator.py (see above).
 */
export const NOVA_RESERVED: readonly string[] = [
  'System:', 'SYSTEM:', 'User:', 'USER:', 'Bot:', 'BOT:', 'Assistant:', 'ASSISTANT:', 'Thought:', '[EOS]', '<image>', '<video>', '<unk>',
];

const blocks = blockProperties(['text', 'image', 'video', 'document', 'reasoningContent', 'toolUse', 'toolResult']);
blocks.reasoningContent = {
  type: 'object',
  required: ['reasoningText'],
  properties: {
    reasoningText: {
      type: 'object', required: ['text'], properties: { text: { type: 'string' }, signature: { type: 'string' } }, additionalProperties: false,
    },
  },
  additionalProperties: false,
};

const schema = new LazySchema({
  type: 'object',
  required: ['messages'],
  properties: {
    schemaVersion: { type: 'string' },
    system: SYSTEM_SCHEMA,
    messages: messagesSchema(blocks),
    toolConfig: { type: 'object' },
  },
  additionalProperties: false,
});

const wording: Wording = {
  label: LABEL,
  name: (path: JsonPath) => namePath(path, LISTS),
  isText: (path: JsonPath) => path[path.length - 1] === 'text' && (path.length === 3 || path.length === 5 || path.length === 7),
  explain(e: SchemaError): string | undefined {
    const Name = capitalize(namePath(e.path, LISTS));
    const depth = e.path.length;
    if (depth === 0 && e.keyword === 'required') return `The record has no "${e.key ?? ''}". An ${LABEL} example is ${EXAMPLE}.`;
    if (depth === 0 && e.keyword === 'additionalProperties') {
      return `The record has the key "${e.key ?? ''}", but ${LABEL} records hold only "schemaVersion", "system", "messages" (and "toolConfig"). Remove it.`;
    }
    const turn = explainTurn(e, LABEL, `an ${LABEL}`);
    if (turn !== undefined) return turn;
    if (e.keyword === 'additionalProperties' && depth === 4) {
      return `${Name} has the key "${e.key ?? ''}", which is not an ${LABEL} content block (text, image, video, document, reasoningContent, toolUse, toolResult). Check its spelling.`;
    }
    return undefined;
  },
};

type Report = (rule: Issue['rule'], range: { start: number; end: number }, message: string) => void;

export const nova: FormatModule = {
  id: 'nova',
  label: LABEL,
  description: 'Amazon Nova fine-tuning: Bedrock conversation records with Nova\'s rules (reserved words, reasoning blocks).',

  /** Bedrock's conversation shape, any schemaVersion or none. */
  matches(record: JsonObject): boolean {
    return isBedrockShape(record);
  },

  check(record: JsonObject, at: LineLocator): Issue[] {
    let out: Issue[] | undefined;
    const report: Report = (rule, range, message) => { (out ??= []).push({ rule, ...range, message }); };
    if (!schema.valid(record)) out = schemaIssues(schema, record, at, wording, out);
    const system = own(record, 'system');
    if (Array.isArray(system)) {
      for (let j = 0; j < system.length; j++) {
        const block = system[j];
        if (isObject(block)) reserved(own(block, 'text'), ['system', j, 'text'], `system block ${j + 1}`, at, report);
      }
    }
    const messages = own(record, 'messages');
    if (Array.isArray(messages)) {
      for (let i = 0; i < messages.length; i++) checkTurn(messages[i], i, at, report);
      out = checkTwoOrMoreTurns(messages, ['messages'], at, USER_ASSISTANT, `${LABEL} needs at least two turns, the user's and the assistant's reply. Add the assistant's reply.`, out);
    }
    return out === undefined ? NONE : sorted(out);
  },

  view(record: JsonObject): RecordView {
    return conversationView(record, 'nova', reasoningField);
  },
};

/** A reasoning trace is trained on but is not the reply: role `other`. */
function reasoningField(fields: Fields, block: JsonObject, path: JsonPath): void {
  const trace = reasoningText(block);
  if (trace !== undefined) fields.add([...path, 'reasoningContent', 'reasoningText', 'text'], 'other', trace);
}

function reasoningText(block: JsonObject): Json | undefined {
  const reasoning = own(block, 'reasoningContent');
  const text = isObject(reasoning) ? own(reasoning, 'reasoningText') : undefined;
  return isObject(text) ? own(text, 'text') : undefined;
}

/** What the validator checks inside one turn: blocks by role, media counts, empty text, reserved words. */
function checkTurn(m: Json | undefined, i: number, at: LineLocator, report: Report): void {
  if (!isObject(m)) return;
  const role = own(m, 'role');
  const content = own(m, 'content');
  if (!Array.isArray(content)) return;
  const n = i + 1;
  let images = 0;
  let videos = 0;
  let texts = 0;
  let textLength = 0;
  let other = false;
  for (let j = 0; j < content.length; j++) {
    const block = content[j];
    if (!isObject(block)) continue;
    const path: JsonPath = ['messages', i, 'content', j];
    const text = own(block, 'text');
    if (typeof text === 'string') {
      texts++;
      textLength += text.length;
      reserved(text, [...path, 'text'], `turn ${n}`, at, report);
    }
    if (Object.hasOwn(block, 'image')) images++;
    if (Object.hasOwn(block, 'video')) videos++;
    if (Object.hasOwn(block, 'image') || Object.hasOwn(block, 'video') || Object.hasOwn(block, 'document') || Object.hasOwn(block, 'reasoningContent')) other = true;
    if (role === 'assistant' && (Object.hasOwn(block, 'image') || Object.hasOwn(block, 'video'))) {
      report('schema', at.keyRange([...path, Object.hasOwn(block, 'image') ? 'image' : 'video']), `Turn ${n} is the assistant's, but ${LABEL} takes images and videos only in user turns. Move it to the user's turn.`);
    }
    if (role !== 'assistant' && Object.hasOwn(block, 'reasoningContent')) {
      report('schema', at.keyRange([...path, 'reasoningContent']), `Turn ${n} is ${show(role)}, but reasoning content belongs in the assistant's turns. Move it to the reply.`);
    }
    const trace = reasoningText(block);
    if (typeof trace === 'string') reserved(trace, [...path, 'reasoningContent', 'reasoningText', 'text'], `the reasoning of turn ${n}`, at, report);
  }
  const list: JsonPath = ['messages', i, 'content'];
  if (videos > 1) report('schema', at.valueRange(list), `Turn ${n} has ${videos} videos; ${LABEL} takes at most one video per turn. Keep one.`);
  if (images > 10) report('schema', at.valueRange(list), `Turn ${n} has ${images} images; ${LABEL} takes at most 10 per turn. Remove the extra ones.`);
  if (images > 0 && videos > 0) report('schema', at.valueRange(list), `Turn ${n} mixes images and a video; ${LABEL} takes one or the other. Split them into separate examples.`);
  if (texts > 0 && textLength === 0 && !other) report('schema', at.valueRange(list), `The text of turn ${n} is empty, which ${LABEL} rejects. Write the message.`);
}

/** Reports each reserved word in `text` at its exact columns. */
function reserved(text: Json | undefined, path: JsonPath, where: string, at: LineLocator, report: Report): void {
  if (typeof text !== 'string') return;
  for (const word of NOVA_RESERVED) {
    for (let k = text.indexOf(word); k >= 0; k = text.indexOf(word, k + word.length)) {
      report('schema', at.stringRange(path, k, k + word.length),
        `"${word}" in ${where} is a word ${LABEL} reserves for its own prompt format, and a training job whose data holds it fails. Rephrase it (e.g. "${rephrase(word)}").`);
    }
  }
}

function rephrase(word: string): string {
  if (word.endsWith(':')) return `${word.slice(0, -1).toLowerCase()} -`;
  return word.replace(/[[\]<>]/g, '');
}
