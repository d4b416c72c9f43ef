/**
 * The real tokenizers: Llama 3's (128k vocabulary) and OpenAI's o200k_base (GPT-4o and later).
 *
 * This module carries both vocabularies (several megabytes), so nothing else in `src/core`
 * imports it: the build makes it a bundle of its own (`dist/tokenizers.js`) that hosts load
 * when a rule first asks for token counts (see `load.ts`). Inside it, each vocabulary is
 * decoded only when its family is first counted (about half a second to a second each), so a
 * dataset measured with one tokenizer never pays for the other.
 */
import type { Llama3Tokenizer } from 'llama3-tokenizer-js';
import type { countTokens } from 'gpt-tokenizer/encoding/o200k_base';
import type { TokenCounter, TokenizerFamily } from '../lint/types';
import { countTokensUpTo } from './countUpTo';

/**
 * Dataset text is content, not control: special-token spellings in it (`<|endoftext|>`) are
 * counted as the plain text OpenAI's trainer tokenizes them as, instead of throwing. The object
 * is shared so counting allocates no options.
 */
const O200K_AS_TEXT = { disallowedSpecial: new Set<string>() };

/**
 * Llama 3 counts without the `<|begin_of_text|>` / `<|end_of_text|>` the library adds by
 * default: the count is of the text alone, and the trainer's template adds its own markers.
 * Llama 3 special tokens written in the text (`<|eot_id|>`) count as one token each, as the
 * Hugging Face tokenizer the trainer uses reads them.
 */
const LLAMA3_TEXT_ONLY = { bos: false, eos: false };

let llama3: Llama3Tokenizer | undefined;
let o200k: typeof countTokens | undefined;

// `require` inside a function, not `import`: the bundler then evaluates each library (and
// decodes its vocabulary) at the first call instead of when the bundle is loaded.
function loadLlama3(): Llama3Tokenizer {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require('llama3-tokenizer-js') as { default: Llama3Tokenizer }).default;
}

function loadO200k(): typeof countTokens {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require('gpt-tokenizer/encoding/o200k_base') as { countTokens: typeof countTokens }).countTokens;
}

/** One call into a library, on text short enough for it (see countUpTo.ts). */
const whole: TokenCounter = {
  count(text: string, family: TokenizerFamily): number {
    if (text === '') return 0;
    if (family === 'o200k') return (o200k ??= loadO200k())(text, O200K_AS_TEXT);
    return (llama3 ??= loadLlama3()).encode(text, LLAMA3_TEXT_ONLY).length;
  },
};

/**
 * Counts the tokens of `text` alone (no special tokens added around it). Text is handed to the
 * libraries in pieces cut where their pre-tokenizers cut anyway, so a long run without a space
 * neither overflows Llama 3's stack nor takes o200k quadratic time.
 */
export const tokenizers: TokenCounter = {
  count(text: string, family: TokenizerFamily): number {
    return countTokensUpTo(whole, text, family, Infinity).tokens;
  },
};
