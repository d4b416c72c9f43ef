/**
 * Hugging Face TRL supervised fine-tuning (SFTTrainer) datasets:
 * - conversational language modeling: `{"messages": [{"role": "user", "content": "…"}, {"role": "assistant", "content": "…"}]}`
 * - prompt-completion, standard: `{"prompt": "…", "completion": "…"}`
 * - prompt-completion, conversational: `{"prompt": [{"role": "user", "content": "…"}], "completion": [{"role": "assistant", "content": "…"}]}`
 *
 * Source: https://huggingface.co/docs/trl/dataset_formats (the "Language modeling" and
 * "Prompt-completion" types, standard and conversational) and
 * https://huggingface.co/docs/trl/sft_trainer. Other columns are not read by the trainer and are
 * not reported.
 *
 * Detection: standard prompt/completion strings are shape-for-shape Bedrock's, and plain
 * `messages` OpenAI's; those stay Bedrock prompt/completion and OpenAI chat unless the format is
 * set. A prompt or completion that is a list of messages is TRL's alone, never Bedrock's.
 */
import type { FormatModule, Issue, Json, JsonObject, LineLocator, RecordView } from '../lint/types';
import { describeValue, Fields, has, NONE, own, sorted } from './shared';
import { checkMessageList, hasRole, isMessageList, lastRole, messageListFields, roleMapper } from './trlMessages';

const LABEL = 'TRL SFT';

export const trlSft: FormatModule = {
  id: 'trl-sft',
  label: LABEL,
  description: 'Hugging Face TRL SFT: conversational messages, or prompt and completion as strings or as message lists.',

  matches(record: JsonObject): boolean {
    if (has(record, 'prompt') && has(record, 'completion')) return true;
    return isMessageList(own(record, 'messages'));
  },

  check(record: JsonObject, at: LineLocator): Issue[] {
    let out: Issue[] | undefined;
    const report = (rule: Issue['rule'], range: { start: number; end: number }, message: string): void => { (out ??= []).push({ rule, ...range, message }); };
    const messages = own(record, 'messages');
    const prompt = own(record, 'prompt');
    const completion = own(record, 'completion');
    if (has(record, 'messages')) {
      if (!Array.isArray(messages)) {
        report('schema', at.valueRange(['messages']), `"messages" must be a list of {"role", "content"} messages, not ${describeValue(messages)}.`);
      } else {
        checkMessageList(messages, ['messages'], '"messages"', at, report);
        if (messages.length === 0) report('missing-assistant', at.valueRange(['messages']), '"messages" is empty. Add the user\'s message and the assistant\'s reply.');
        else if (!hasRole(messages, 'assistant')) report('missing-assistant', at.valueRange(['messages']), 'The conversation has no "assistant" message, so there is no reply to learn. Add the assistant\'s reply.');
      }
      if (has(record, 'prompt') || has(record, 'completion')) {
        report('schema', at.keyRange([has(record, 'prompt') ? 'prompt' : 'completion']), 'The record has both "messages" and a prompt/completion; TRL reads one kind per dataset. Keep "messages", or split the conversation into "prompt" and "completion".');
      }
      return sorted(out);
    }
    if (!has(record, 'prompt') || !has(record, 'completion')) {
      report('schema', at.valueRange([]), `The record has ${has(record, 'prompt') ? 'a "prompt" but no "completion"' : has(record, 'completion') ? 'a "completion" but no "prompt"' : 'no "messages" and no "prompt"/"completion"'}. A ${LABEL} example is {"prompt": [{"role": "user", "content": "…"}], "completion": [{"role": "assistant", "content": "…"}]}.`);
      return sorted(out);
    }
    checkPromptCompletion(prompt, completion, at, report);
    return out === undefined ? NONE : sorted(out);
  },

  view(record: JsonObject): RecordView {
    const fields = new Fields();
    for (const key of Object.keys(record)) {
      const v = record[key];
      if (key === 'messages') messageListFields(fields, v, ['messages'], roleMapper('answer'));
      else if (key === 'prompt') {
        if (typeof v === 'string') fields.add(['prompt'], 'prompt', v);
        else messageListFields(fields, v, ['prompt'], roleMapper('other'));
      } else if (key === 'completion') {
        if (typeof v === 'string') fields.add(['completion'], 'answer', v);
        else messageListFields(fields, v, ['completion'], roleMapper('answer', 'other'));
      }
    }
    return fields.view('trl-sft');
  },
};

function checkPromptCompletion(prompt: Json | undefined, completion: Json | undefined, at: LineLocator,
  report: (rule: Issue['rule'], range: { start: number; end: number }, message: string) => void): void {
  const kind = (v: Json | undefined): 'string' | 'list' | undefined => (typeof v === 'string' ? 'string' : Array.isArray(v) ? 'list' : undefined);
  for (const [key, v] of [['prompt', prompt], ['completion', completion]] as const) {
    if (kind(v) === undefined) report('non-string-content', at.valueRange([key]), `"${key}" is ${describeValue(v)}; TRL reads a string, or a list of {"role", "content"} messages.`);
  }
  if (kind(prompt) !== undefined && kind(completion) !== undefined && kind(prompt) !== kind(completion)) {
    report('schema', at.valueRange(['completion']), `"prompt" is ${kind(prompt) === 'string' ? 'a string' : 'a list of messages'} but "completion" is ${kind(completion) === 'string' ? 'a string' : 'a list of messages'}; TRL reads both as text or both as messages. Make them the same kind.`);
  }
  if (Array.isArray(prompt)) {
    checkMessageList(prompt, ['prompt'], '"prompt"', at, report);
    if (prompt.length === 0) report('schema', at.valueRange(['prompt']), '"prompt" is empty. Add the user\'s message.');
  }
  if (Array.isArray(completion)) {
    checkMessageList(completion, ['completion'], '"completion"', at, report);
    if (completion.length === 0 || !hasRole(completion, 'assistant')) {
      report('missing-assistant', at.valueRange(['completion']), '"completion" has no "assistant" message, so there is no reply to learn. Add [{"role": "assistant", "content": "…"}].');
    } else if (lastRole(completion) !== 'assistant' && typeof lastRole(completion) === 'string') {
      report('missing-assistant', at.valueRange(['completion', completion.length - 1, 'role']), 'The completion ends with a message that is not the assistant\'s, which teaches nothing. End it with the assistant\'s reply.');
    }
  }
}
