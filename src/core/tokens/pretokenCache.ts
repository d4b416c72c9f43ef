/**
 * Fast exact token counts: the tokenizer's own pre-tokenizer, and a count per pre-token kept in a
 * table looked up by the pre-token's place in the text (pretokenTable.ts, no substring), so the
 * byte-pair merges (the slow part) run once per distinct word instead of once per occurrence.
 * Real text repeats its words heavily (a dataset's rows share most of their vocabulary), so
 * nearly every pre-token is a hit.
 *
 * Exactness: a byte-level BPE tokenizer (Llama 3's and o200k's both) splits text with its pattern
 * and merges inside each pre-token independently, so a text's count is the sum of its pre-tokens'
 * counts. A pre-token counted alone is split by the same pattern into itself: the patterns'
 * alternatives before `\s+(?!\S)` look at no character after the match, and a match found in the
 * longer text is also the first one found in its own text (which only lacks what follows it);
 * `\s+(?!\S)` at the end of the pre-token's own text matches the whole run, as it did in context.
 * So a miss is counted by the library itself on the pre-token alone, and the sum is the library's
 * count of the whole text (test/unit/tokens.test.ts holds this against the libraries on a large
 * corpus).
 */

import { asciiPretokenTable, hashRange, LONGEST_PACKED, pretokenTable } from './pretokenTable';

/** Counts one pre-token (or a special token's spelling) the way the real tokenizer does. */
export type PieceCounter = (piece: string) => number;

export interface PretokenizedCounter {
  /** The tokens of `text` alone, exactly as the library counts them. */
  count(text: string): number;
}

export interface PretokenizerSpec {
  /** The tokenizer's pre-tokenizer pattern, with the `g` and `u` flags. */
  readonly pattern: RegExp;
  /**
   * Special-token spellings the tokenizer reads as one token each (Llama 3's `<|eot_id|>`), cut out
   * before pre-tokenizing, with the `g` flag; absent when special spellings are plain text (o200k).
   */
  readonly special?: RegExp;
  /**
   * Where the pattern's match at a position ends, found without the regular expression, or -1
   * when that needs the pattern itself (asciiPretokens.ts).
   */
  readonly pretokenEnd?: (text: string, at: number) => number;
  /**
   * The fast path for the commonest pre-token, a word of ASCII letters: where the pattern's match
   * at a position ends when it is such a word, else -1, with its units packed into `key` as
   * pretokenTable.ts's packKey does (asciiPretokens.ts). Each family has its own function, so each
   * stays specialised to its one pattern in the compiled code.
   */
  readonly wordEnd?: (text: string, at: number, key: Int32Array) => number;
  /** The library's count of one pre-token, used on a miss. */
  readonly countPiece: PieceCounter;
}

/**
 * Pre-tokens longer than this are counted but not remembered: long ones seldom repeat. Code's
 * long identifiers and its comment rules of dashes do (`// ----…`, 90 characters and more), and
 * Llama 3's library takes tens of microseconds on each.
 */
const LONGEST_CACHED = 256;
/**
 * A pre-token longer than this (a word of a million letters, a long run of spaces) is handed to the
 * library in pieces of this size: Llama 3's library overflows the stack on hundreds of thousands of
 * tokens at once and o200k's merges are quadratic in a pre-token's length. Only such a pre-token's
 * count is approximate (by about a token at each cut).
 */
const LONGEST_AT_ONCE = 1024;
/**
 * Each table is emptied when it holds this many pre-tokens (or its pool is full), which bounds their
 * memory per family to 8 MB, reached only by text of that many distinct pre-tokens: 2 MB of short
 * ASCII ones, 2 MB of slots and 4 MB of code units for the rest (pretokenTable.ts). They grow from
 * about 160 KB as they fill.
 */
const MOST_CACHED = 100_000;

export function pretokenizedCounter(spec: PretokenizerSpec): PretokenizedCounter {
  const ascii = asciiPretokenTable(MOST_CACHED);
  const table = pretokenTable(MOST_CACHED);
  const pattern = new RegExp(spec.pattern.source, 'gu');
  const special = spec.special === undefined ? undefined : new RegExp(spec.special.source, 'g');
  const endAt = spec.pretokenEnd;
  const wordEnd = spec.wordEnd;
  /** Special tokens' counts (one each, but asked of the library once rather than assumed). */
  const specials = new Map<string, number>();

  function countLong(piece: string): number {
    let tokens = 0;
    for (let start = 0; start < piece.length;) {
      let end = Math.min(piece.length, start + LONGEST_AT_ONCE);
      const c = piece.charCodeAt(end - 1);
      if (end < piece.length && c >= 0xd800 && c <= 0xdbff) end--; // not between the halves of a pair
      tokens += spec.countPiece(piece.slice(start, end));
      start = end;
    }
    return tokens;
  }

  /** The count of the ASCII pre-token `text[from, to)` whose units are packed in `ascii.key`. */
  function countPacked(text: string, from: number, to: number): number {
    let tokens = ascii.getKey(to - from);
    if (tokens < 0) {
      tokens = spec.countPiece(text.slice(from, to));
      ascii.setLast(tokens);
    }
    return tokens;
  }

  /** The count of the pre-token `text[from, to)`: remembered, or the library's (then remembered). */
  function countPiece(text: string, from: number, to: number): number {
    const n = to - from;
    if (n <= LONGEST_PACKED) {
      const known = ascii.get(text, from, to);
      if (known >= 0) return known;
      if (known === -1) {
        const tokens = spec.countPiece(text.slice(from, to));
        ascii.setLast(tokens);
        return tokens;
      }
    } else if (n > LONGEST_CACHED) {
      const piece = text.slice(from, to);
      return n > LONGEST_AT_ONCE ? countLong(piece) : spec.countPiece(piece);
    }
    const hash = hashRange(text, from, to);
    let tokens = table.get(text, from, to, hash);
    if (tokens < 0) {
      tokens = spec.countPiece(text.slice(from, to));
      table.set(text, from, to, hash, tokens);
    }
    return tokens;
  }

  /** The pre-tokens of `text[from, to)`, which holds no special token; characters the pattern skips are a piece too, as the libraries keep them. */
  function countPlain(whole: string, from: number, to: number): number {
    // The hand matcher reads to the end of its string, so a part between special tokens is cut out.
    const text = from === 0 && to === whole.length ? whole : whole.slice(from, to);
    const n = text.length;
    let tokens = 0;
    let p = 0;
    while (p < n) {
      if (wordEnd !== undefined) {
        const word = wordEnd(text, p, ascii.key);
        if (word > 0) {
          tokens += word - p <= LONGEST_PACKED ? countPacked(text, p, word) : countPiece(text, p, word);
          p = word;
          continue;
        }
      }
      const end = endAt === undefined ? -1 : endAt(text, p);
      if (end > p) {
        tokens += countPiece(text, p, end);
        p = end;
        continue;
      }
      pattern.lastIndex = p;
      const m = pattern.exec(text);
      if (m === null) {
        tokens += countPiece(text, p, n);
        break;
      }
      if (m.index > p) tokens += countPiece(text, p, m.index);
      const matched = m[0].length;
      if (matched === 0) {
        // No alternative of either pattern matches nothing; kept so a change cannot loop forever.
        const stop = Math.min(n, m.index + 1);
        if (stop > m.index) tokens += countPiece(text, m.index, stop);
        p = stop;
        continue;
      }
      tokens += countPiece(text, m.index, m.index + matched);
      p = m.index + matched;
    }
    return tokens;
  }

  return {
    count(text: string): number {
      if (text === '') return 0;
      if (special === undefined || !text.includes('<|')) return countPlain(text, 0, text.length);
      let tokens = 0;
      let prev = 0;
      special.lastIndex = 0;
      for (let m = special.exec(text); m !== null; m = special.exec(text)) {
        if (m.index > prev) tokens += countPlain(text, prev, m.index);
        const spelling = m[0];
        let n = specials.get(spelling);
        if (n === undefined) specials.set(spelling, (n = spec.countPiece(spelling)));
        tokens += n;
        prev = m.index + m[0].length;
      }
      if (prev < text.length) tokens += countPlain(text, prev, text.length);
      return tokens;
    },
  };
}
