/**
 * Where values sit in one line of JSON: the columns of a value, of a property name, and of
 * characters inside a string (mapping decoded characters back through escapes).
 *
 * The line is parsed for positions only on first use, so a line with no findings never pays.
 */
import { findNodeAtLocation, parseTree, type Node } from 'jsonc-parser';
import type { JsonPath, LineLocator } from '../lint/types';

export function createLocator(text: string): LineLocator {
  let root: Node | undefined | null = null; // null: not parsed yet
  const tree = (): Node | undefined => {
    if (root === null) root = parseTree(text, [], { disallowComments: true, allowTrailingComma: false });
    return root;
  };
  const whole = { start: 0, end: text.length };

  /** The node at the path, or its nearest existing ancestor. */
  const nodeAt = (path: JsonPath): { node: Node; exact: boolean } | undefined => {
    const r = tree();
    if (r === undefined) return undefined;
    for (let n = path.length; n >= 0; n--) {
      const node = n === 0 ? r : findNodeAtLocation(r, path.slice(0, n));
      if (node !== undefined) return { node, exact: n === path.length };
    }
    return undefined;
  };

  return {
    text,
    valueRange(path) {
      const found = nodeAt(path);
      return found === undefined ? whole : { start: found.node.offset, end: found.node.offset + found.node.length };
    },
    keyRange(path) {
      const found = nodeAt(path);
      if (found === undefined) return whole;
      const key = found.exact && found.node.parent?.type === 'property' ? found.node.parent.children?.[0] : undefined;
      const n = key ?? found.node;
      return { start: n.offset, end: n.offset + n.length };
    },
    stringRange(path, from, to) {
      const found = nodeAt(path);
      if (found === undefined) return whole;
      const { node } = found;
      const range = { start: node.offset, end: node.offset + node.length };
      if (!found.exact || node.type !== 'string') return range;
      const map = decodedToRaw(text, node.offset + 1, node.offset + node.length - 1);
      const at = (i: number): number => map[Math.min(Math.max(i, 0), map.length - 1)] ?? range.start;
      const start = at(from);
      const end = Math.max(at(to), start);
      return { start, end };
    },
  };
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
