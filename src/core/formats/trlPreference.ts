/**
 * Hugging Face TRL preference datasets (DPOTrainer and the other preference trainers):
 * - explicit prompt: `{"prompt": "…", "chosen": "…", "rejected": "…"}`, or the same with lists of messages
 * - implicit prompt: `{"chosen": "…", "rejected": "…"}`, or whole conversations
 *   `{"chosen": [{"role": "user", …}, {"role": "assistant", …}], "rejected": [{"role": "user", …}, {"role": "assistant", …}]}`
 *   whose shared opening turns are the prompt.
 *
 * Source: https://huggingface.co/docs/trl/dataset_formats ("Preference", standard and
 * conversational, explicit and implicit prompt) and https://huggingface.co/docs/trl/dpo_trainer.
 */
import type { FormatModule, Issue, Json, JsonObject, LineLocator, RecordView } from '../lint/types';
import { describeValue, Fields, has, NONE, own, sorted } from './shared';
import { checkMessageList, hasRole, lastRole, messageListFields, roleMapper } from './trlMessages';

const LABEL = 'TRL preference';
const KEYS = ['prompt', 'chosen', 'rejected'] as const;

export const trlPreference: FormatModule = {
  id: 'trl-preference',
  label: LABEL,
  description: 'Hugging Face TRL preference data (DPO): chosen and rejected replies, with or without a prompt.',

  matches(record: JsonObject): boolean {
    return has(record, 'chosen') && has(record, 'rejected');
  },

  check(record: JsonObject, at: LineLocator): Issue[] {
    let out: Issue[] | undefined;
    const report = (rule: Issue['rule'], range: { start: number; end: number }, message: string): void => { (out ??= []).push({ rule, ...range, message }); };
    for (const key of ['chosen', 'rejected'] as const) {
      if (!has(record, key)) report('schema', at.valueRange([]), `The record has no "${key}". A ${LABEL} example is {"prompt": "…", "chosen": "…", "rejected": "…"}.`);
    }
    const kinds = new Map<string, 'string' | 'list'>();
    for (const key of KEYS) {
      if (!has(record, key)) continue;
      const v = own(record, key);
      if (typeof v === 'string') kinds.set(key, 'string');
      else if (Array.isArray(v)) kinds.set(key, 'list');
      else report('non-string-content', at.valueRange([key]), `"${key}" is ${describeValue(v)}; TRL reads a string, or a list of {"role", "content"} messages.`);
    }
    const first = [...kinds.values()][0];
    for (const [key, kind] of kinds) {
      if (kind !== first) {
        report('schema', at.valueRange([key]), `"${key}" is ${kind === 'string' ? 'a string' : 'a list of messages'} but ${[...kinds.keys()][0] ?? ''} is not; TRL reads prompt, chosen and rejected all as text or all as messages. Make them the same kind.`);
      }
    }
    const explicit = has(record, 'prompt');
    const prompt = own(record, 'prompt');
    if (Array.isArray(prompt)) {
      checkMessageList(prompt, ['prompt'], '"prompt"', at, report);
      if (prompt.length === 0) report('schema', at.valueRange(['prompt']), '"prompt" is empty. Add the user\'s message the replies answer.');
    }
    for (const key of ['chosen', 'rejected'] as const) {
      const list = own(record, key);
      if (!Array.isArray(list)) continue;
      checkMessageList(list, [key], `"${key}"`, at, report);
      const which = key === 'chosen' ? 'chosen' : 'rejected';
      if (list.length === 0 || !hasRole(list, 'assistant')) {
        report('missing-assistant', at.valueRange([key]), `"${key}" has no "assistant" message: it must hold the ${which} reply. Add {"role": "assistant", "content": "…"}.`);
      } else if (lastRole(list) !== 'assistant' && typeof lastRole(list) === 'string') {
        report('missing-assistant', at.valueRange([key, list.length - 1, 'role']), `"${key}" ends with a message that is not the assistant's; the ${which} reply comes last. End it with the assistant's reply.`);
      } else if (!explicit && !hasRole(list, 'user')) {
        report('schema', at.valueRange([key]), `"${key}" holds only the reply, and the record has no "prompt": without one, TRL takes the turns before the reply as the prompt. Add "prompt", or the user's turn before the reply.`);
      }
    }
    return out === undefined ? NONE : sorted(out);
  },

  view(record: JsonObject): RecordView {
    const fields = new Fields();
    for (const key of Object.keys(record)) {
      const v: Json | undefined = record[key];
      if (key === 'prompt') {
        if (typeof v === 'string') fields.add(['prompt'], 'prompt', v);
        else messageListFields(fields, v, ['prompt'], roleMapper('other'));
      } else if (key === 'chosen') {
        if (typeof v === 'string') fields.add(['chosen'], 'answer', v);
        // With an implicit prompt, the chosen conversation's user turns are the prompt.
        else messageListFields(fields, v, ['chosen'], roleMapper('answer'));
      } else if (key === 'rejected') {
        if (typeof v === 'string') fields.add(['rejected'], 'rejected', v);
        // The rejected conversation repeats the prompt: its user turns are not counted twice.
        else messageListFields(fields, v, ['rejected'], roleMapper('rejected', 'other'));
      }
    }
    return fields.view('trl-preference');
  },
};
