/**
 * Where values sit in one line of JSON: the columns of a value, of a property name, and of
 * characters inside a string (mapping decoded characters back through escapes).
 *
 * The line is parsed for positions only on first use, so a line with no findings never pays.
 */
import { findNodeAtLocation, parseTree, type Node } from 'jsonc-parser';
import type { JsonPath, LineLocator } from '../lint/types';

/**
 * `validJson`: the caller knows `text` is valid JSON (`JSON.parse` accepted it), so a value can be
 * found by a scan that skips over its siblings instead of building the line's whole tree (which a
 * duplicate's squiggle paid for on every copy). The scan gives up, and the tree answers, for a
 * path that does not exist and for values nested deeper than it follows.
 */
export function createLocator(text: string, validJson = false): LineLocator {
  return new Locator(text, validJson);
}

class Locator implements LineLocator {
  private root: Node | undefined | null = null; // null: not parsed yet

  constructor(readonly text: string, private readonly validJson: boolean) {}

  private tree(): Node | undefined {
    if (this.root === null) this.root = parseTree(this.text, [], { disallowComments: true, allowTrailingComma: false });
    return this.root;
  }

  private whole(): { start: number; end: number } {
    return { start: 0, end: this.text.length };
  }

  /** The node at the path, or its nearest existing ancestor. */
  private nodeAt(path: JsonPath): { node: Node; exact: boolean } | undefined {
    const r = this.tree();
    if (r === undefined) return undefined;
    for (let n = path.length; n >= 0; n--) {
      const node = n === 0 ? r : findNodeAtLocation(r, path.slice(0, n));
      if (node !== undefined) return { node, exact: n === path.length };
    }
    return undefined;
  }

  valueRange(path: JsonPath): { start: number; end: number } {
    if (this.validJson && this.root === null) {
      const fast = scanTo(this.text, path);
      if (fast !== undefined) return fast;
    }
    const found = this.nodeAt(path);
    return found === undefined ? this.whole() : { start: found.node.offset, end: found.node.offset + found.node.length };
  }

  keyRange(path: JsonPath): { start: number; end: number } {
    const found = this.nodeAt(path);
    if (found === undefined) return this.whole();
    const key = found.exact && found.node.parent?.type === 'property' ? found.node.parent.children?.[0] : undefined;
    const n = key ?? found.node;
    return { start: n.offset, end: n.offset + n.length };
  }

  stringRange(path: JsonPath, from: number, to: number): { start: number; end: number } {
    const found = this.nodeAt(path);
    if (found === undefined) return this.whole();
    const { node } = found;
    const range = { start: node.offset, end: node.offset + node.length };
    if (!found.exact || node.type !== 'string') return range;
    const map = decodedToRaw(this.text, node.offset + 1, node.offset + node.length - 1);
    const at = (i: number): number => map[Math.min(Math.max(i, 0), map.length - 1)] ?? range.start;
    const start = at(from);
    const end = Math.max(at(to), start);
    return { start, end };
  }
}

// ---------------------------------------------------------------------------------------------
// The scan, for valid JSON only

/** Deeper than this, the scan leaves the value to the tree (which then answers as it always did). */
const SCAN_DEPTH = 256;

/**
 * The columns of the value at `path` in valid JSON, as jsonc-parser's tree gives them (the first
 * of repeated keys, as `findNodeAtLocation` picks); undefined when the path is not there (the tree
 * then finds the nearest ancestor) or the scan meets what it does not follow.
 */
function scanTo(text: string, path: JsonPath): { start: number; end: number } | undefined {
  let i = skipSpace(text, 0);
  for (const segment of path) {
    const open = text.charCodeAt(i);
    if (typeof segment === 'string') {
      if (open !== 0x7b /* { */) return undefined;
      i = skipSpace(text, i + 1);
      for (;;) {
        if (text.charCodeAt(i) !== 0x22 /* " */) return undefined; // `}`: not there
        const keyEnd = skipString(text, i);
        if (keyEnd < 0) return undefined;
        const raw = text.slice(i + 1, keyEnd - 1);
        const key = raw.includes('\\') ? (JSON.parse(text.slice(i, keyEnd)) as string) : raw;
        i = skipSpace(text, keyEnd);
        if (text.charCodeAt(i) !== 0x3a /* : */) return undefined;
        i = skipSpace(text, i + 1);
        if (key === segment) break;
        const end = skipValue(text, i);
        if (end < 0) return undefined;
        i = skipSpace(text, end);
        if (text.charCodeAt(i) !== 0x2c /* , */) return undefined;
        i = skipSpace(text, i + 1);
      }
    } else {
      if (open !== 0x5b /* [ */ || segment < 0) return undefined;
      i = skipSpace(text, i + 1);
      for (let n = 0; n < segment; n++) {
        if (text.charCodeAt(i) === 0x5d /* ] */) return undefined;
        const end = skipValue(text, i);
        if (end < 0) return undefined;
        i = skipSpace(text, end);
        if (text.charCodeAt(i) !== 0x2c) return undefined;
        i = skipSpace(text, i + 1);
      }
      if (text.charCodeAt(i) === 0x5d) return undefined;
    }
  }
  const end = skipValue(text, i);
  return end < 0 ? undefined : { start: i, end };
}

/** Past JSON whitespace (space, tab, line feed, carriage return). */
function skipSpace(text: string, i: number): number {
  for (;;) {
    const c = text.charCodeAt(i);
    if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) return i;
    i++;
  }
}

/** From an opening quote to just past its closing quote; -1 if it is not closed. */
function skipString(text: string, i: number): number {
  for (let from = i + 1; ;) {
    const q = text.indexOf('"', from);
    if (q < 0) return -1;
    let slashes = 0;
    while (text.charCodeAt(q - 1 - slashes) === 0x5c) slashes++;
    if (slashes % 2 === 0) return q + 1;
    from = q + 1;
  }
}

/** Just past the value starting at `i`; -1 for what the scan does not follow (too deep, unclosed). */
function skipValue(text: string, i: number): number {
  const c = text.charCodeAt(i);
  if (c === 0x22) return skipString(text, i);
  if (c !== 0x7b && c !== 0x5b) {
    let j = i;
    for (;;) {
      const d = text.charCodeAt(j);
      if (Number.isNaN(d) || d === 0x2c || d === 0x7d || d === 0x5d || d === 0x20 || d === 0x09 || d === 0x0a || d === 0x0d) break;
      j++;
    }
    return j > i ? j : -1;
  }
  let depth = 0;
  for (let j = i; j < text.length; j++) {
    const d = text.charCodeAt(j);
    if (d === 0x22) {
      j = skipString(text, j) - 1;
      if (j < 0) return -1;
    } else if (d === 0x7b || d === 0x5b) {
      if (++depth > SCAN_DEPTH) return -1;
    } else if (d === 0x7d || d === 0x5d) {
      if (--depth === 0) return j + 1;
    }
  }
  return -1;
}

/**
 * For the raw string body `text[from, to)` (without quotes), the raw column of each decoded
 * UTF-16 unit, plus one entry for the end: `map[i]` is where decoded character `i` starts.
 */
export function decodedToRaw(text: string, from: number, to: number): number[] {
  const map: number[] = [];
  let i = from;
  while (i < to) {
    if (text.charCodeAt(i) === 0x5c /* \ */) {
      map.push(i);
      i += text.charAt(i + 1) === 'u' ? 6 : 2;
    } else {
      map.push(i);
      i += 1;
    }
  }
  map.push(Math.min(i, to));
  return map;
}
