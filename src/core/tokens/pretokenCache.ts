/**
 * Fast exact token counts: the tokenizer's own pre-tokenizer, and a count per pre-token kept in a
 * Map, so the byte-pair merges (the slow part) run once per distinct word instead of once per
 * occurrence. Real text repeats its words heavily (a dataset's rows share most of their
 * vocabulary), so nearly every pre-token is a Map hit.
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
  /** The library's count of one pre-token, used on a Map miss. */
  readonly countPiece: PieceCounter;
}

/** Pre-tokens longer than this are counted but not remembered: long ones seldom repeat. */
const LONGEST_CACHED = 32;
/**
 * A pre-token longer than this (a word of a million letters, a long run of spaces) is handed to the
 * library in pieces of this size: Llama 3's library overflows the stack on hundreds of thousands of
 * tokens at once and o200k's merges are quadratic in a pre-token's length. Only such a pre-token's
 * count is approximate (by about a token at each cut).
 */
const LONGEST_AT_ONCE = 1024;
/**
 * The Map is emptied when it holds this many pre-tokens, which bounds its memory per family: about
 * 6 MB of words of a few characters, about 21 MB were every one 32 characters long (measured, Node 20).
 */
const MOST_CACHED = 100_000;

export function pretokenizedCounter(spec: PretokenizerSpec): PretokenizedCounter {
  const cache = new Map<string, number>();
  const pattern = new RegExp(spec.pattern.source, 'gu');
  const special = spec.special === undefined ? undefined : new RegExp(spec.special.source, 'g');

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

  function countPiece(piece: string): number {
    if (piece.length > LONGEST_CACHED) return piece.length > LONGEST_AT_ONCE ? countLong(piece) : spec.countPiece(piece);
    let n = cache.get(piece);
    if (n === undefined) {
      n = spec.countPiece(piece);
      if (cache.size >= MOST_CACHED) cache.clear();
      cache.set(piece, n);
    }
    return n;
  }

  /** The pre-tokens of a text holding no special token; characters the pattern skips are a piece too, as the libraries keep them. */
  function countPlain(text: string, from: number, to: number): number {
    const part = from === 0 && to === text.length ? text : text.slice(from, to);
    const n = part.length;
    const endAt = spec.pretokenEnd;
    let tokens = 0;
    let p = 0;
    while (p < n) {
      const end = endAt === undefined ? -1 : endAt(part, p);
      if (end > p) {
        tokens += countPiece(part.slice(p, end));
        p = end;
        continue;
      }
      pattern.lastIndex = p;
      const m = pattern.exec(part);
      if (m === null) {
        tokens += countPiece(part.slice(p));
        break;
      }
      if (m.index > p) tokens += countPiece(part.slice(p, m.index));
      const matched = m[0];
      if (matched.length === 0) {
        // No alternative of either pattern matches nothing; kept so a change cannot loop forever.
        const stop = Math.min(n, m.index + 1);
        if (stop > m.index) tokens += countPiece(part.slice(m.index, stop));
        p = stop;
        continue;
      }
      tokens += countPiece(matched);
      p = m.index + matched.length;
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
        tokens += spec.countPiece(m[0]);
        prev = m.index + m[0].length;
      }
      if (prev < text.length) tokens += countPlain(text, prev, text.length);
      return tokens;
    },
  };
}
