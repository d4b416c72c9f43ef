/**
 * Does the dataset fit the JumpStart job? Two checks a launch form runs before anything is billed:
 *
 * 1. The dataset's format against the two hyperparameters that choose how JumpStart reads it:
 *    a JumpStart instruction file (records filled into template.json) needs instruction_tuned="True"
 *    and chat_dataset="False"; a JumpStart chat file (`dialog` / `messages` / `conversations` turns)
 *    needs the reverse; a plain `text` file (domain adaptation) needs both "False". Anything else
 *    trains on the wrong reading of the file, or fails an hour in.
 * 2. max_input_length against the dataset's per-row token counts: the rows the trainer would cut.
 *    The counts are an input: they are counted as `too-long` counts them (core/limits/measure.ts:
 *    the filled template and the response demarcation, with the Llama 3 tokenizer).
 *
 * Sources: the format ↔ hyperparameter mapping is src/core/formats/jumpstartHyperparameters.ts
 * (cited there); max_input_length's meaning is the JumpStart Llama 3 notebook's (see
 * ./jumpstartHyperparameters.ts): "Sequences longer than this will be truncated. If -1,
 * max_input_length is set to the minimum of 1024 and the maximum model length defined by the
 * tokenizer. If set to a positive value, … the minimum of the provided value and the
 * model_max_length defined by the tokenizer."
 */
import { jumpstartHyperparameters, type JumpStartHyperparameters } from '../formats/jumpstartHyperparameters';
import type { FormatId } from '../lint/types';
import { DEFAULT_MAX_TOKENS } from '../rules/too-long';
import { asHyperparameterString, type HyperparameterValue } from './jumpstartHyperparameters';

/** JumpStart's length when max_input_length is -1 and the tokenizer allows more: the same 1024 `too-long` holds records to. */
export const JUMPSTART_DEFAULT_LENGTH = DEFAULT_MAX_TOKENS;

const FORMAT_LABEL: Partial<Record<FormatId, string>> = {
  'jumpstart-instruction': 'a JumpStart instruction file (records filled into template.json)',
  'jumpstart-chat': 'a JumpStart chat file (a dialog of turns per record)',
  text: 'a plain text file (domain adaptation)',
};

/** What JumpStart does with a file under each instruction_tuned/chat_dataset pair. */
const OUTCOME: Record<string, string> = {
  'True/False': 'would run instruction tuning on it',
  'False/True': 'would run chat fine-tuning on it',
  'False/False': 'would run domain adaptation on each record\'s "text"',
  'True/True': 'cannot take both (at most one of the two may be "True")',
};

export interface FormatMatchProblem {
  readonly severity: 'error';
  readonly message: string;
  /** The values that make the job match the dataset; absent when no setting can. */
  readonly fix?: JumpStartHyperparameters;
}

function setting(values: Readonly<Record<string, HyperparameterValue>>, name: 'instruction_tuned' | 'chat_dataset'): string {
  const v = values[name];
  // Both default to "False" (src/core/formats/jumpstartHyperparameters.ts).
  return v === undefined ? 'False' : asHyperparameterString(v);
}

/**
 * The mismatch between a dataset of `format` and a job's `values` (the hyperparameters the user
 * set; unset ones take JumpStart's defaults), or undefined when they match.
 */
export function checkFormatMatch(format: FormatId, values: Readonly<Record<string, HyperparameterValue>>): FormatMatchProblem | undefined {
  const needed = jumpstartHyperparameters(format);
  if (needed === undefined) {
    return {
      severity: 'error',
      message: `This dataset is in the ${format} format, which JumpStart fine-tuning does not read: convert it to JumpStart instruction (with template.json) or JumpStart chat first.`,
    };
  }
  const it = setting(values, 'instruction_tuned');
  const chat = setting(values, 'chat_dataset');
  if (it === needed.instruction_tuned && chat === needed.chat_dataset) return undefined;
  const outcome = OUTCOME[`${it}/${chat}`] ?? 'cannot read these values ("True" or "False" only)';
  return {
    severity: 'error',
    message:
      `The dataset is ${FORMAT_LABEL[format] ?? format}, but the job has instruction_tuned="${it}" and chat_dataset="${chat}", ` +
      `so JumpStart ${outcome}. Set instruction_tuned="${needed.instruction_tuned}" and chat_dataset="${needed.chat_dataset}".`,
    fix: needed,
  };
}

/** One row's token count, as core/tokens/countUpTo.ts gives it. */
export interface RowTokens {
  /** The row's 0-based line in the file. */
  readonly line: number;
  readonly tokens: number;
  /** False when counting stopped early: the row has at least `tokens`. */
  readonly complete: boolean;
}

/** The length JumpStart truncates to, or a reason the setting is not one. */
export type EffectiveLength =
  | { readonly ok: true; readonly tokens: number; readonly how: string }
  | { readonly ok: false; readonly message: string };

/**
 * What max_input_length means for a model whose tokenizer allows `modelMaxLength` tokens
 * (undefined when unknown: the value is then taken as it is, since the Llama 3 tokenizers' limit
 * is far above any usable length).
 */
export function effectiveMaxInputLength(value: HyperparameterValue | undefined, modelMaxLength?: number): EffectiveLength {
  const text = value === undefined ? '-1' : asHyperparameterString(value);
  if (!/^[+-]?\d+$/.test(text)) return { ok: false, message: `max_input_length is "${text}"; it must be a positive whole number or -1.` };
  const n = Number(text);
  if (n === -1) {
    const tokens = modelMaxLength === undefined ? JUMPSTART_DEFAULT_LENGTH : Math.min(JUMPSTART_DEFAULT_LENGTH, modelMaxLength);
    return { ok: true, tokens, how: `max_input_length -1: min(${JUMPSTART_DEFAULT_LENGTH.toLocaleString('en-US')}, the tokenizer's maximum) = ${tokens.toLocaleString('en-US')} tokens` };
  }
  if (n < 1) return { ok: false, message: `max_input_length is ${text}; it must be a positive whole number or -1.` };
  const tokens = modelMaxLength === undefined ? n : Math.min(n, modelMaxLength);
  const capped = tokens < n ? ` (capped to the tokenizer's maximum, ${tokens.toLocaleString('en-US')})` : '';
  return { ok: true, tokens, how: `max_input_length ${n.toLocaleString('en-US')}${capped}` };
}

export interface TruncationReport {
  readonly limit: number;
  /** How the limit follows from the setting, for the message. */
  readonly how: string;
  readonly rows: number;
  /** The rows longer than the limit, in line order. */
  readonly cut: readonly RowTokens[];
  /** One sentence for the form: how many rows, which lines (1-based), what happens to them. */
  readonly message: string;
}

/** Lines shown in the message before "and N more". */
const SHOWN_LINES = 10;

/**
 * The rows JumpStart would cut at `maxInputLength` (the job's setting, default -1), or the
 * setting's own problem.
 */
export function rowsOverMaxInputLength(
  rows: readonly RowTokens[],
  maxInputLength: HyperparameterValue | undefined,
  modelMaxLength?: number,
): TruncationReport | { readonly ok: false; readonly message: string } {
  const length = effectiveMaxInputLength(maxInputLength, modelMaxLength);
  if (!length.ok) return length;
  const cut = rows.filter((r) => r.tokens > length.tokens).sort((a, b) => a.line - b.line);
  const n = length.tokens.toLocaleString('en-US');
  let message: string;
  if (cut.length === 0) {
    message = `All ${rows.length.toLocaleString('en-US')} rows fit in ${length.how}.`;
  } else {
    const lines = cut.slice(0, SHOWN_LINES).map((r) => String(r.line + 1));
    const more = cut.length > SHOWN_LINES ? ` and ${(cut.length - SHOWN_LINES).toLocaleString('en-US')} more` : '';
    const which = cut.length === 1 ? 'row is' : 'rows are';
    message =
      `${cut.length.toLocaleString('en-US')} of ${rows.length.toLocaleString('en-US')} ${which} longer than ${length.how} and would be cut ` +
      `(line${cut.length === 1 ? '' : 's'} ${lines.join(', ')}${more}): the trainer keeps the first ${n} tokens and never learns the rest, usually the end of the answer. ` +
      'Raise max_input_length, or shorten or split those rows.';
  }
  return { limit: length.tokens, how: length.how, rows: rows.length, cut, message };
}
