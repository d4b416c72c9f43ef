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
import { llama3AsciiWord, llama3PretokenEnd, o200kAsciiWord, o200kPretokenEnd } from './asciiPretokens';
import { countTokensUpTo } from './countUpTo';
import { pretokenizedCounter, type PretokenizedCounter } from './pretokenCache';

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
const library: TokenCounter = {
  count(text: string, family: TokenizerFamily): number {
    if (text === '') return 0;
    if (family === 'o200k') return (o200k ??= loadO200k())(text, O200K_AS_TEXT);
    return (llama3 ??= loadLlama3()).encode(text, LLAMA3_TEXT_ONLY).length;
  },
};

/**
 * The libraries' pre-tokenizer patterns, copied from their sources (they do not export them):
 * llama3-tokenizer-js 1.2.0 `src/llama3-tokenizer.js` (`CLEAN_LLAMA3_REGEX_STRING`: Llama 3's
 * tokenizer.json `pat_str`, its `(?i:…)` contractions spelled out for JavaScript) and its
 * `specialTokenRegex`; gpt-tokenizer 4.0.0 `src/encodingParams/constants.ts`
 * (`O200K_TOKEN_SPLIT_PATTERN`, tiktoken's o200k_base `pat_str`).
 */
const LLAMA3_PATTERN = /(?:'([sS]|[tT]|[rR][eE]|[vV][eE]|[mM]|[lL][lL]|[dD]))|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+/gu;
const LLAMA3_SPECIAL = /<\|(?:begin_of_text|end_of_text|start_header_id|end_header_id|eot_id|eom_id|python_tag|finetune_right_pad_id|reserved_special_token_(?:[0-9]|[1-9][0-9]|1[0-9][0-9]|2[0-3][0-9]|24[0-7]))\|>/g;
const CONTRACTION = String.raw`'(?:[sS]|[dD]|[mM]|[tT]|[lL][lL]|[vV][eE]|[rR][eE])`;
const O200K_PATTERN = new RegExp(String.raw`[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?:${CONTRACTION})?|[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?:${CONTRACTION})?|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+`, 'gu');

/** The pre-tokenizer patterns and Llama 3's special spellings, for the tests that hold the fast paths to them. */
export const PRETOKENIZERS = { llama3: LLAMA3_PATTERN, o200k: O200K_PATTERN, llama3Special: LLAMA3_SPECIAL } as const;

const fast: Record<TokenizerFamily, PretokenizedCounter> = {
  llama3: pretokenizedCounter({ pattern: LLAMA3_PATTERN, special: LLAMA3_SPECIAL, pretokenEnd: llama3PretokenEnd, wordEnd: llama3AsciiWord, countPiece: (piece) => library.count(piece, 'llama3') }),
  o200k: pretokenizedCounter({ pattern: O200K_PATTERN, pretokenEnd: o200kPretokenEnd, wordEnd: o200kAsciiWord, countPiece: (piece) => library.count(piece, 'o200k') }),
};

/**
 * Counts the tokens of `text` alone (no special tokens added around it), pre-token by pre-token
 * with each distinct pre-token's count remembered (pretokenCache.ts), so a long run without a
 * space neither overflows Llama 3's stack nor takes o200k quadratic time.
 */
export const tokenizers: TokenCounter = {
  count(text: string, family: TokenizerFamily): number {
    return fast[family].count(text);
  },
};

/** The libraries' own counts, each text in one call per piece and nothing remembered: the reference the tests and the benchmark compare with. */
export const libraryTokenizers: TokenCounter = {
  count(text: string, family: TokenizerFamily): number {
    return countTokensUpTo(library, text, family, Infinity).tokens;
  },
};
