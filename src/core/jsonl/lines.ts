/**
 * JSON Lines read from bytes, for a reader that streams a file (the CLI): the bytes are cut into
 * lines where VS Code cuts them (`\r\n`, `\n` or a lone `\r`), each line is decoded as strict
 * UTF-8, and a line too long to hold is reported by its size instead of being kept.
 *
 * Pure: no I/O. A reader passes each chunk it reads to `push` and calls `end` at the end of the
 * stream; the lines come back in order, each exactly once.
 */

/** What one line of the stream turned out to be. */
export type StreamLine =
  /** A line decoded as UTF-8, without its line break; `bytes` is its size in the file, `start` the offset of its first byte in the stream. */
  | { readonly kind: 'text'; readonly text: string; readonly bytes: number; readonly start: number }
  /** A line whose bytes are not UTF-8: the first bad sequence, at `offset` bytes into the line and `column` UTF-16 units. */
  | { readonly kind: 'invalid-utf8'; readonly bytes: number; readonly offset: number; readonly column: number; readonly sequence: readonly number[] }
  /** A line of more than the reader's limit: only its size is known, its bytes were not kept. */
  | { readonly kind: 'too-long'; readonly bytes: number };

const LF = 0x0a;
const CR = 0x0d;

/**
 * Cuts a byte stream into lines. `maxLineBytes` is the longest line it keeps: a longer one is
 * counted as it streams past and reported as `too-long`, so a file with a gigabyte on one line
 * costs no more memory than one with short lines.
 */
export class LineSplitter {
  /** The pieces of the line read so far (none once it is over the limit). */
  private parts: Uint8Array[] = [];
  /** The size of the line read so far, kept or not. */
  private partBytes = 0;
  /** The last chunk ended with `\r`: a `\n` at the start of the next one belongs to that break. */
  private afterCr = false;
  /** Bytes of the stream before the chunk being cut. */
  private position = 0;
  /** Where the line being read began in the stream. */
  private lineStart = 0;
  private readonly decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

  constructor(private readonly maxLineBytes: number) {}

  /** The lines completed by this chunk. */
  push(chunk: Uint8Array): StreamLine[] {
    const out: StreamLine[] = [];
    const base = this.position;
    this.position += chunk.length;
    let pos = 0;
    if (this.afterCr && chunk.length > 0) {
      this.afterCr = false;
      if (chunk[0] === LF) { pos = 1; this.lineStart = base + 1; }
    }
    let nextLf = -2;
    let nextCr = -2;
    while (pos < chunk.length) {
      if (nextLf !== -1 && nextLf < pos) nextLf = chunk.indexOf(LF, pos);
      if (nextCr !== -1 && nextCr < pos) nextCr = chunk.indexOf(CR, pos);
      const brk = nextLf < 0 ? nextCr : nextCr < 0 ? nextLf : Math.min(nextLf, nextCr);
      if (brk < 0) {
        this.keep(chunk.subarray(pos));
        break;
      }
      out.push(this.finish(chunk.subarray(pos, brk)));
      pos = brk + 1;
      if (chunk[brk] === CR) {
        if (pos === chunk.length) this.afterCr = true;
        else if (chunk[pos] === LF) pos++;
      }
      this.lineStart = base + pos;
    }
    return out;
  }

  /** The stream ended: its last line, when it has no line break after it and is not empty. */
  end(): StreamLine[] {
    return this.partBytes > 0 ? [this.finish(new Uint8Array(0))] : [];
  }

  private keep(piece: Uint8Array): void {
    this.partBytes += piece.length;
    if (this.partBytes > this.maxLineBytes) this.parts = [];
    else this.parts.push(piece);
  }

  private finish(last: Uint8Array): StreamLine {
    const bytes = this.partBytes + last.length;
    const start = this.lineStart;
    const parts = this.parts;
    this.parts = [];
    this.partBytes = 0;
    if (bytes > this.maxLineBytes) return { kind: 'too-long', bytes };
    const line = parts.length === 0 ? last : concat(parts, last, bytes);
    try {
      return { kind: 'text', text: this.decoder.decode(line), bytes, start };
    } catch {
      const bad = firstInvalidUtf8(line);
      return { kind: 'invalid-utf8', bytes, offset: bad.offset, column: this.decoder.decode(line.subarray(0, bad.offset)).length, sequence: Array.from(line.subarray(bad.offset, bad.offset + bad.length)) };
    }
  }
}

function concat(parts: readonly Uint8Array[], last: Uint8Array, size: number): Uint8Array {
  const out = new Uint8Array(size);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  out.set(last, at);
  return out;
}

/**
 * The first byte sequence that is not UTF-8 as RFC 3629 (section 4) defines it: a stray
 * continuation byte, a lead byte without its continuation bytes, an overlong form, a surrogate
 * (U+D800–U+DFFF) or a code point above U+10FFFF. `length` covers the bytes that belong to it.
 */
export function firstInvalidUtf8(bytes: Uint8Array): { offset: number; length: number } {
  const n = bytes.length;
  let i = 0;
  while (i < n) {
    const b = bytes[i] as number;
    if (b < 0x80) { i++; continue; }
    let need: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) need = 1;
    else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      if (b === 0xe0) lo = 0xa0; // overlong below U+0800
      if (b === 0xed) hi = 0x9f; // surrogates
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3;
      if (b === 0xf0) lo = 0x90; // overlong below U+10000
      if (b === 0xf4) hi = 0x8f; // above U+10FFFF
    } else {
      return { offset: i, length: 1 }; // 0x80–0xC1 and 0xF5–0xFF never start a character
    }
    for (let k = 1; k <= need; k++) {
      const c = bytes[i + k];
      const min = k === 1 ? lo : 0x80;
      const max = k === 1 ? hi : 0xbf;
      if (c === undefined || c < min || c > max) return { offset: i, length: k };
    }
    i += need + 1;
  }
  return { offset: n, length: 0 };
}

/** "1,234" */
function count(n: number): string {
  return n.toLocaleString('en-US');
}

function hex(sequence: readonly number[]): string {
  return sequence.map((b) => `0x${b.toString(16).toUpperCase().padStart(2, '0')}`).join(' ');
}

/**
 * A json-syntax message for a line that is not UTF-8. JSON text exchanged between systems must
 * be UTF-8 (RFC 8259, section 8.1: https://www.rfc-editor.org/rfc/rfc8259#section-8.1), and the
 * trainers read it so: Hugging Face datasets' JSON loader (JumpStart's) decodes with
 * encoding "utf-8" and strict errors by default (JsonConfig in
 * src/datasets/packaged_modules/json/json.py), so a bad byte stops the load.
 */
export function invalidUtf8Message(line: Extract<StreamLine, { kind: 'invalid-utf8' }>): string {
  const what = line.sequence.length === 1 ? `the byte ${hex(line.sequence)}` : `the bytes ${hex(line.sequence)}`;
  return `This line is not valid UTF-8: ${what} at byte ${count(line.offset)} of the line ${line.sequence.length === 1 ? 'is' : 'are'} not a UTF-8 character. JSON Lines files must be UTF-8, and the trainers' JSON readers reject the line or garble its text. Re-save the file as UTF-8 (e.g. iconv -f windows-1252 -t utf-8, with the encoding it was written in), or fix the text at that point.`;
}

/** A json-syntax message for a line longer than the reader holds (`limit`, in bytes). */
export function tooLongLineMessage(line: Extract<StreamLine, { kind: 'too-long' }>, limit: number): string {
  return `This line is ${count(line.bytes)} bytes, too long to be one training example (the longest line tunelab reads is ${count(limit)} bytes; every provider's limit on one example is far smaller). It was not checked. Split it into one record per line, or remove it.`;
}
