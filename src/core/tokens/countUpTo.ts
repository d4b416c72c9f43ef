/**
 * Counting tokens with an early stop, in pieces the tokenizers handle.
 *
 * Why pieces: both tokenizers break on a long run of text without a space. Llama 3's
 * (llama3-tokenizer-js 1.2.0, `encode`) appends each pre-token's ids with
 * `output.push(...mergedTokenIds)`, one call argument per token, so a pre-token of a million
 * letters (several hundred thousand tokens) overflows the stack; o200k's (gpt-tokenizer 4.0.0,
 * `BytePairEncodingCore.bytePairMerge`) scans the whole pre-token for every merge, quadratic in its
 * length. Pre-tokens are split by the tokenizers' own regular expressions, and a record of a
 * million characters without a space is one pre-token, so the tokenizer cannot be fed it whole.
 *
 * Why an early stop: `too-long` only needs to know that a record is over its limit; counting the
 * rest of a ten-million-character record changes nothing but the time and memory it takes.
 *
 * Exactness: a piece ends just before a space that follows a non-space character. Both
 * tokenizers' pre-tokenizer patterns (Llama 3: `[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+`
 * with the contractions; o200k's is the same in shape, with letter cases split) end every
 * pre-token holding a non-space character before the next space, and start the next one there, so
 * the pieces' counts add up to the whole text's count exactly (test/unit/tokens.test.ts holds
 * this against the real tokenizers). Special tokens hold no space, so no cut splits one. Only a
 * run of more than `run` characters without such a space is cut elsewhere, and its count may then
 * differ from the whole run's by a token or so at each cut.
 */
import type { TokenCounter, TokenizerFamily } from '../lint/types';

export interface CountUpTo {
  /** The tokens counted: the text's count when `complete`, else a count already over the limit. */
  readonly tokens: number;
  /** False when counting stopped early, once `tokens` passed the limit: the text has at least that many. */
  readonly complete: boolean;
}

export interface PieceSizes {
  /** The most characters given to the tokenizer at once, ending at a space. */
  readonly piece: number;
  /** A run without a space longer than this is counted in pieces of this size. */
  readonly run: number;
}

/**
 * 8,192 characters a call keeps the calls few and the early stop close to the limit. A run without
 * a space is cut only at a piece's size too: the counter (tokenizers.ts) splits it into pre-tokens
 * itself and hands a library no pre-token longer than 1,024 characters (pretokenCache.ts), so only
 * a run of more than 8,192 characters may be cut inside one of its pre-tokens.
 */
export const PIECE_SIZES: PieceSizes = { piece: 8192, run: 8192 };

function isSpaceLike(c: number): boolean {
  // The characters \s matches that can appear next to a cut: ASCII whitespace and the Unicode spaces.
  return c === 0x20 || (c >= 0x09 && c <= 0x0d) || c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a)
    || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff || c === 0x85;
}

/** A cut before `i` leaves both tokenizers' pre-tokens whole: a space after a non-space character. */
function isCut(text: string, i: number): boolean {
  return text.charCodeAt(i) === 0x20 && !isSpaceLike(text.charCodeAt(i - 1));
}

/** `i`, moved back one if it would split a surrogate pair. */
function notInPair(text: string, i: number): number {
  const c = text.charCodeAt(i);
  return c >= 0xdc00 && c <= 0xdfff && i > 0 ? i - 1 : i;
}

/**
 * Where the piece starting at `start` ends: at the last cut within `piece` characters (or the first
 * after it, within a run of at most `run`), or, at a run of more than `run` characters without a
 * cut, before the run (or `run` characters into it, when the piece starts with it).
 */
function pieceEnd(text: string, start: number, sizes: PieceSizes): number {
  const n = text.length;
  let lastCut = -1;
  let runStart = start;
  for (let i = start + 1; i < n; i++) {
    if (isCut(text, i)) {
      if (lastCut < 0 && i - start >= sizes.piece) return i;
      lastCut = i;
      runStart = i;
    } else if (i - runStart > sizes.run) {
      return lastCut > 0 ? lastCut : notInPair(text, start + sizes.run);
    }
    if (lastCut > 0 && i - start >= sizes.piece) return lastCut;
  }
  return n;
}

/**
 * Counts the tokens of `text`, stopping as soon as the count passes `limit` (use Infinity for the
 * whole count). Never hands the tokenizer more than `sizes.piece` characters at once.
 */
export function countTokensUpTo(counter: TokenCounter, text: string, family: TokenizerFamily, limit: number, sizes: PieceSizes = PIECE_SIZES): CountUpTo {
  let tokens = 0;
  let start = 0;
  while (start < text.length) {
    const end = pieceEnd(text, start, sizes);
    tokens += counter.count(start === 0 && end === text.length ? text : text.slice(start, end), family);
    start = end;
    if (tokens > limit) return { tokens, complete: start >= text.length };
  }
  return { tokens, complete: true };
}
