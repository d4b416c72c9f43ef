/**
 * The dataset formats TuneLab knows, and detection: which format a file's records are in.
 */
import type { FormatContext, FormatId, FormatModule, JsonObject } from '../lint/types';
import { alpaca } from './alpaca';
import { bedrockConversation } from './bedrockConversation';
import { bedrockHaiku } from './bedrockHaiku';
import { bedrockPrompt } from './bedrockPrompt';
import { jumpstartChat } from './jumpstartChat';
import { jumpstartInstruction } from './jumpstartInstruction';
import { nova } from './nova';
import { openaiChat } from './openaiChat';
import { openaiDpo } from './openaiDpo';
import { openaiRft } from './openaiRft';
import { sharegpt } from './sharegpt';
import { text } from './text';
import { trlPreference } from './trlPreference';
import { trlSft } from './trlSft';
import { vertexGemini } from './vertexGemini';

/**
 * Every format, in detection order: a record counts for the first format it matches, so a
 * format whose shape another's contains comes before it. Formats that share a shape exactly
 * (Nova and Bedrock conversation; TRL's standard prompt/completion and Bedrock's; TRL's
 * `messages` and OpenAI's; a Haiku line without `system` and OpenAI's) cannot be told apart by a
 * line: the more common reading is detected, and the other is checked when the format is set.
 * Each `matches` still accepts its whole shape, so a file set to the other format has no
 * `mixed-format` findings.
 *
 * - JumpStart instruction first: with a template.json its keys are whatever the template names
 *   (they may be Alpaca's or Bedrock's), and the template is the strongest sign there is.
 * - OpenAI DPO and TRL preference before the chat formats: `preferred_output` /
 *   `non_preferred_output` and `chosen` / `rejected` are unique, and DPO's `input` holds `messages`.
 * - Bedrock conversation before Nova and OpenAI: both have `messages`; `schemaVersion` and content
 *   blocks without `"type"` tell them from OpenAI's. Bedrock conversation does not match a record
 *   with a `reasoningContent` block (only Nova 2.0 trains on one), which leaves it to Nova.
 * - OpenAI RFT before OpenAI chat: messages ending with the user's, plus fields for the grader.
 * - OpenAI chat before JumpStart chat: a plain `{"messages": [{role, content}…]}` line fits both,
 *   and is far more often an OpenAI file. JumpStart chat still wins with `dialog` or
 *   `conversations` of role/content turns, or when the format is set.
 * - Bedrock Claude 3 Haiku after both: neither matches a line with a top-level `system` string.
 * - JumpStart chat before ShareGPT: both may use `conversations`; the turns' keys decide
 *   (`role` / `content` against `from` / `value`), so the order only breaks the tie of an empty list.
 * - Vertex AI Gemini: `contents`, which no other format uses.
 * - Alpaca and Bedrock prompt/completion: flat keys no other format uses together. Bedrock's
 *   prompt and completion are strings; lists of messages are TRL's, which comes after.
 * - Text last: `{"text": …}` is the loosest shape, and a record with other known keys is not it.
 */
export const FORMATS: readonly FormatModule[] = [
  jumpstartInstruction,
  openaiDpo,
  trlPreference,
  bedrockConversation,
  nova,
  openaiRft,
  openaiChat,
  jumpstartChat,
  bedrockHaiku,
  sharegpt,
  vertexGemini,
  alpaca,
  bedrockPrompt,
  trlSft,
  text,
];

/** Every format id, in the order settings and documentation list them. */
export const FORMAT_IDS: readonly FormatId[] = [
  'jumpstart-instruction',
  'jumpstart-chat',
  'openai-chat',
  'openai-dpo',
  'openai-rft',
  'alpaca',
  'sharegpt',
  'bedrock-prompt',
  'bedrock-conversation',
  'bedrock-haiku',
  'nova',
  'trl-sft',
  'trl-preference',
  'vertex-gemini',
  'text',
];

const BY_ID: Readonly<Record<FormatId, FormatModule>> = {
  'jumpstart-instruction': jumpstartInstruction,
  'jumpstart-chat': jumpstartChat,
  'openai-chat': openaiChat,
  'openai-dpo': openaiDpo,
  'openai-rft': openaiRft,
  alpaca,
  sharegpt,
  'bedrock-prompt': bedrockPrompt,
  'bedrock-conversation': bedrockConversation,
  'bedrock-haiku': bedrockHaiku,
  nova,
  'trl-sft': trlSft,
  'trl-preference': trlPreference,
  'vertex-gemini': vertexGemini,
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
export function detectFormat(
  records: Iterable<JsonObject>,
  ctx: FormatContext,
  /** The first format a record matches: `matchFormat`, or a caller's memo of it. */
  match: (record: JsonObject, ctx: FormatContext) => FormatId | undefined = matchFormat,
): { format: FormatId | undefined; counts: Map<FormatId, number> } {
  const counts = new Map<FormatId, number>();
  for (const record of records) {
    const id = match(record, ctx);
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
