/**
 * The dataset formats TuneLab knows, and detection: which format a file's records are in.
 */
import type { FormatContext, FormatId, FormatModule, JsonObject } from '../lint/types';
import { alpaca } from './alpaca';
import { bedrockConversation } from './bedrockConversation';
import { bedrockPrompt } from './bedrockPrompt';
import { jumpstartChat } from './jumpstartChat';
import { jumpstartInstruction } from './jumpstartInstruction';
import { openaiChat } from './openaiChat';
import { openaiDpo } from './openaiDpo';
import { sharegpt } from './sharegpt';
import { text } from './text';

/**
 * Every format, in detection order: a record counts for the first format it matches, so a
 * format whose shape another's contains comes before it.
 *
 * - JumpStart instruction first: with a template.json its keys are whatever the template names
 *   (they may be Alpaca's or Bedrock's), and the template is the strongest sign there is.
 * - OpenAI DPO before the chat formats: its `preferred_output` / `non_preferred_output` are
 *   unique, and its `input` holds `messages` of its own.
 * - Bedrock conversation before OpenAI chat: both have `messages`; Bedrock's `schemaVersion`
 *   and content blocks without `"type"` tell it apart.
 * - OpenAI chat before JumpStart chat: a plain `{"messages": [{role, content}…]}` line fits both,
 *   and is far more often an OpenAI file. JumpStart chat still wins with `dialog` or
 *   `conversations` of role/content turns, or when the format is set.
 * - JumpStart chat before ShareGPT: both may use `conversations`; the turns' keys decide
 *   (`role` / `content` against `from` / `value`), so the order only breaks the tie of an empty list.
 * - Alpaca and Bedrock prompt/completion: flat keys no other format uses together.
 * - Text last: `{"text": …}` is the loosest shape, and a record with other known keys is not it.
 */
export const FORMATS: readonly FormatModule[] = [
  jumpstartInstruction,
  openaiDpo,
  bedrockConversation,
  openaiChat,
  jumpstartChat,
  sharegpt,
  alpaca,
  bedrockPrompt,
  text,
];

/** Every format id, in the order settings and documentation list them. */
export const FORMAT_IDS: readonly FormatId[] = [
  'jumpstart-instruction',
  'jumpstart-chat',
  'openai-chat',
  'openai-dpo',
  'alpaca',
  'sharegpt',
  'bedrock-prompt',
  'bedrock-conversation',
  'text',
];

const BY_ID: Readonly<Record<FormatId, FormatModule>> = {
  'jumpstart-instruction': jumpstartInstruction,
  'jumpstart-chat': jumpstartChat,
  'openai-chat': openaiChat,
  'openai-dpo': openaiDpo,
  alpaca,
  sharegpt,
  'bedrock-prompt': bedrockPrompt,
  'bedrock-conversation': bedrockConversation,
  text,
};

export function formatById(id: FormatId): FormatModule {
  return BY_ID[id];
}

/** The first format, in detection order, whose shape the record has. */
export function matchFormat(record: JsonObject, ctx: FormatContext): FormatId | undefined {
  for (const f of FORMATS) if (f.matches(record, ctx)) return f.id;
  return undefined;
}

/**
 * The format most records match, each record counted once, for the first format it matches;
 * a tie goes to the format earlier in `FORMATS`. Undefined when no record matches any format.
 */
export function detectFormat(records: Iterable<JsonObject>, ctx: FormatContext): { format: FormatId | undefined; counts: Map<FormatId, number> } {
  const counts = new Map<FormatId, number>();
  for (const record of records) {
    const id = matchFormat(record, ctx);
    if (id !== undefined) counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  let format: FormatId | undefined;
  let best = 0;
  for (const f of FORMATS) {
    const c = counts.get(f.id) ?? 0;
    if (c > best) {
      format = f.id;
      best = c;
    }
  }
  return { format, counts };
}
