/**
 * Importers: a list of topics from a plain list, a Markdown outline or a Python literal, as
 * categories with subtopics for a new topics file (`newTopicsFile` in edits.ts).
 *
 * - lines: one topic per non-empty line, bullets (`-`, `*`, `+`, `•`, `1.`, `1)`) removed. All
 *   are subtopics of one category, "Imported", unless some lines are indented: then each
 *   indented line is a subtopic of the unindented line above it.
 * - markdown: `#` and `##` headings are categories; list items and `###`…`######` headings under
 *   them are subtopics. Paragraphs, tables and code blocks are ignored. A single `#` heading
 *   above `##` headings, with nothing listed under it, is the document's title.
 * - python: list, tuple and dict literals of strings, read by a small tokenizer (nothing is
 *   run): `TOPICS = ["…", …]`, `[["Category", ["sub", …]], …]`, `{"Category": ["sub", …]}`,
 *   quotes of every kind, escapes, comments, trailing commas. Two string literals with no comma
 *   between them are joined, as Python joins them, with a warning: that is almost always a
 *   missing comma. Several assignments of flat lists become one category each, named after
 *   the variable.
 * - auto: python when a line assigns a literal (`NAME = [`) or the text starts with `[` or `{`;
 *   markdown when it has `#` headings; lines otherwise.
 *
 * Names are trimmed, runs of white space become one space; empty names are dropped and repeated
 * names (within a category, ignoring case) are imported once, with a warning. Warnings carry a
 * 1-based line number. Pure, and it never throws.
 */
import { nameKey } from './topicsFile';

export type ImportKind = 'auto' | 'lines' | 'markdown' | 'python';

export interface ImportedCategory {
  name: string;
  subtopics: string[];
}

export interface ImportWarning {
  /** 1-based. */
  readonly line: number;
  readonly message: string;
}

export interface ImportResult {
  categories: ImportedCategory[];
  warnings: ImportWarning[];
  /** The importer that was used (what `auto` chose). */
  kind: Exclude<ImportKind, 'auto'>;
}

/** The category of topics that come without one. */
export const DEFAULT_CATEGORY = 'Imported';

export function importTopics(text: string, kind: ImportKind): ImportResult {
  const body = text.startsWith('\uFEFF') ? text.slice(1) : text;
  const chosen = kind === 'auto' ? detectKind(body) : kind;
  const out = new Collector();
  if (chosen === 'python') importPython(body, out);
  else if (chosen === 'markdown') importMarkdown(body, out);
  else importLines(body, out);
  return { ...out.result(), kind: chosen };
}

/** What `auto` takes a text for. */
export function detectKind(text: string): Exclude<ImportKind, 'auto'> {
  if (/^[ \t]*[A-Za-z_][\w.]*[ \t]*(?::[^=\r\n]*)?[+|]?=[ \t]*(?:[[{(]|[A-Za-z_]\w*\()/m.test(text)) return 'python';
  const first = text.split(/\r\n|\n|\r/).map((l) => l.trim()).find((l) => l !== '' && !l.startsWith('#'));
  if (first !== undefined && /^[[{]/.test(first) && !/^\[[^\]]*\]\(/.test(first)) return 'python';
  if (/^ {0,3}#{1,6}[ \t]+\S/m.test(text)) return 'markdown';
  return 'lines';
}

// ---------------------------------------------------------------------------------------------
// Collecting

interface Entry {
  name: string;
  line: number;
  /** Made for topics that came without a category; left out if none came. */
  implicit: boolean;
  subtopics: string[];
  seen: Map<string, number>;
}

/** Categories and their subtopics as they are found, merged and deduplicated, with warnings. */
class Collector {
  private readonly entries: Entry[] = [];
  private readonly byKey = new Map<string, Entry>();
  readonly warnings: ImportWarning[] = [];

  warn(line: number, message: string): void {
    this.warnings.push({ line, message });
  }

  category(raw: string, line: number, implicit = false): Entry | undefined {
    const name = clean(raw);
    if (name === '') {
      this.warn(line, 'A category with an empty name was skipped; its topics go to the category above it, if any.');
      return undefined;
    }
    const existing = this.byKey.get(nameKey(name));
    if (existing !== undefined) {
      if (!implicit) existing.implicit = false;
      if (existing.line !== line && !implicit) this.warn(line, `Category "${name}" appears again (first on line ${existing.line}); its subtopics were merged into the first.`);
      return existing;
    }
    const entry: Entry = { name, line, implicit, subtopics: [], seen: new Map() };
    this.entries.push(entry);
    this.byKey.set(nameKey(name), entry);
    return entry;
  }

  subtopic(entry: Entry, raw: string, line: number): void {
    const name = clean(raw);
    if (name === '') {
      this.warn(line, `An empty topic in "${entry.name}" was skipped.`);
      return;
    }
    const first = entry.seen.get(nameKey(name));
    if (first !== undefined) {
      this.warn(line, `"${name}" appears twice in "${entry.name}" (lines ${first} and ${line}); it was imported once.`);
      return;
    }
    entry.seen.set(nameKey(name), line);
    entry.subtopics.push(name);
  }

  result(): { categories: ImportedCategory[]; warnings: ImportWarning[] } {
    const kept = this.entries.filter((e) => !e.implicit || e.subtopics.length > 0);
    for (const e of kept) {
      if (e.subtopics.length === 0) this.warn(e.line, `Category "${e.name}" has no subtopics; it was imported empty.`);
    }
    const warnings = [...this.warnings].sort((a, b) => a.line - b.line);
    return { categories: kept.map((e) => ({ name: e.name, subtopics: e.subtopics })), warnings };
  }
}

function clean(name: string): string {
  return name.replace(/\s+/g, ' ').trim();
}

function splitLines(text: string): string[] {
  return text.split(/\r\n|\n|\r/);
}

/** Indentation width, a tab counting as 4. */
function indentWidth(line: string): number {
  let width = 0;
  for (const c of line) {
    if (c === ' ') width++;
    else if (c === '\t') width += 4 - (width % 4);
    else break;
  }
  return width;
}

const BULLET = /^(?:[-*+–]\s+|•\s*|\d{1,3}[.)]\s+)(?:\[[ xX]\]\s+)?/;

// ---------------------------------------------------------------------------------------------
// Lines

function importLines(text: string, out: Collector): void {
  const entries = splitLines(text)
    .map((raw, i) => ({ line: i + 1, indent: indentWidth(raw), text: raw.trim().replace(BULLET, '') }))
    .filter((e) => e.text.trim() !== '');
  if (entries.length === 0) return;
  const base = entries.reduce((min, e) => Math.min(min, e.indent), Infinity);
  const nested = entries.some((e) => e.indent > base);
  if (!nested) {
    const category = out.category(DEFAULT_CATEGORY, entries[0]?.line ?? 1, true);
    if (category !== undefined) for (const e of entries) out.subtopic(category, e.text, e.line);
    return;
  }
  let current: Entry | undefined;
  for (const e of entries) {
    if (e.indent === base) {
      current = out.category(e.text, e.line) ?? current;
    } else {
      if (current === undefined) {
        out.warn(e.line, `"${clean(e.text)}" is indented but has no unindented line above it; it went to "${DEFAULT_CATEGORY}".`);
        current = out.category(DEFAULT_CATEGORY, e.line, true);
      }
      if (current !== undefined) out.subtopic(current, e.text, e.line);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Markdown

interface MdLine {
  readonly line: number;
  readonly kind: 'heading' | 'item';
  readonly level: number;
  readonly text: string;
  readonly indent: number;
}

const HEADING = /^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$/;
const ITEM = /^([ \t]*)(?:[-*+]|\d{1,9}[.)])[ \t]+(.*)$/;
const RULE = /^ {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$/;

function importMarkdown(text: string, out: Collector): void {
  const lines: MdLine[] = [];
  let fence: string | undefined;
  splitLines(text).forEach((raw, i) => {
    const trimmed = raw.trim();
    const fenceMark = /^(`{3,}|~{3,})/.exec(trimmed)?.[1];
    if (fence !== undefined) {
      if (fenceMark !== undefined && fenceMark[0] === fence[0] && fenceMark.length >= fence.length) fence = undefined;
      return;
    }
    if (fenceMark !== undefined) {
      fence = fenceMark;
      return;
    }
    const heading = HEADING.exec(raw);
    if (heading !== null) {
      lines.push({ line: i + 1, kind: 'heading', level: heading[1]?.length ?? 1, text: inline(heading[2] ?? ''), indent: 0 });
      return;
    }
    if (RULE.test(raw)) return;
    const item = ITEM.exec(raw);
    if (item !== null) {
      const content = (item[2] ?? '').replace(/^\[[ xX]\][ \t]+/, '');
      lines.push({ line: i + 1, kind: 'item', level: 0, text: inline(content), indent: indentWidth(item[1] ?? '') });
    }
  });
  const title = titleOf(lines);
  if (title !== undefined) out.warn(title.line, `"${title.text}" was read as the document's title, not as a category.`);
  let current: Entry | undefined;
  let listIndent: number | undefined;
  let nestedWarned = false;
  for (const l of lines) {
    if (l === title) continue;
    if (l.kind === 'heading' && l.level <= 2) {
      current = out.category(l.text, l.line);
      listIndent = undefined;
      nestedWarned = false;
      continue;
    }
    if (current === undefined) {
      current = out.category(DEFAULT_CATEGORY, l.line, true);
      if (current === undefined) continue;
    }
    if (l.kind === 'item') {
      listIndent ??= l.indent;
      if (l.indent < listIndent) listIndent = l.indent;
      if (l.indent > listIndent + 1 && !nestedWarned) {
        nestedWarned = true;
        out.warn(l.line, `Nested list items under "${current.name}" were imported as subtopics of it, like the items above them.`);
      }
    } else {
      listIndent = undefined;
    }
    out.subtopic(current, l.text, l.line);
  }
}

/** A lone `#` heading that sits above the `##` headings with nothing listed under it. */
function titleOf(lines: readonly MdLine[]): MdLine | undefined {
  const ones = lines.filter((l) => l.kind === 'heading' && l.level === 1);
  const first = lines[0];
  if (ones.length !== 1 || first !== ones[0]) return undefined;
  const next = lines[1];
  return next?.kind === 'heading' && next.level === 2 ? first : undefined;
}

/** Markdown inline syntax removed: links and images keep their text, emphasis and code marks go. */
function inline(text: string): string {
  return text
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/(\*\*|__)(.+?)\1/g, '$2')
    .replace(/(^|[^\w*])\*(?!\s)([^*]+?)\*(?=[^\w*]|$)/g, '$1$2')
    .replace(/`([^`]*)`/g, '$1');
}

// ---------------------------------------------------------------------------------------------
// Python

type Token =
  | { readonly kind: 'str'; readonly value: string; readonly line: number; readonly endLine: number }
  | { readonly kind: 'open' | 'close'; readonly ch: string; readonly line: number }
  | { readonly kind: 'comma' | 'colon' | 'assign' | 'newline'; readonly line: number }
  | { readonly kind: 'name' | 'other'; readonly text: string; readonly line: number };

type PyValue =
  | { readonly kind: 'str'; readonly value: string; readonly line: number }
  | { readonly kind: 'list'; readonly items: PyValue[]; readonly line: number }
  | { readonly kind: 'dict'; readonly entries: [PyValue, PyValue][]; readonly line: number }
  | { readonly kind: 'other'; readonly text: string; readonly line: number };

const CLOSING: Readonly<Record<string, string>> = { '[': ']', '(': ')', '{': '}' };

/** Tokens of Python source, as far as literals need: strings (decoded), brackets, commas, colons, assignments, names. */
function tokenize(text: string, out: Collector): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  let line = 1;
  let depth = 0;
  const n = text.length;
  while (i < n) {
    const c = text.charAt(i);
    if (c === '\r' || c === '\n') {
      if (depth === 0 && tokens.length > 0 && tokens[tokens.length - 1]?.kind !== 'newline') tokens.push({ kind: 'newline', line });
      i += c === '\r' && text[i + 1] === '\n' ? 2 : 1;
      line++;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\f' || c === '\v') {
      i++;
      continue;
    }
    if (c === '\\' && (text[i + 1] === '\n' || text[i + 1] === '\r')) {
      i += text.startsWith('\r\n', i + 1) ? 3 : 2;
      line++;
      continue;
    }
    if (c === '#') {
      while (i < n && text[i] !== '\n' && text[i] !== '\r') i++;
      continue;
    }
    const prefix = /^[rRbBuUfF]{1,2}(?=['"])/.exec(text.slice(i, i + 3))?.[0] ?? '';
    const quote = text.charAt(i + prefix.length);
    if ((quote === '"' || quote === "'") && (prefix === '' || /^(?:[rR][bBfF]?|[bBfF][rR]?|[uU])$/.test(prefix))) {
      const read = readString(text, i + prefix.length, prefix.toLowerCase().includes('r'), line, out);
      if (prefix.toLowerCase().includes('f')) out.warn(line, 'An f-string was read as written: its {…} parts were not filled in.');
      tokens.push({ kind: 'str', value: read.value, line, endLine: read.endLine });
      line = read.endLine;
      i = read.end;
      continue;
    }
    const name = /^[\p{L}\p{Nl}_][\p{L}\p{Nl}\p{Mn}\p{Mc}\p{Nd}\p{Pc}]*/u.exec(text.slice(i, i + 256))?.[0];
    if (name !== undefined) {
      tokens.push({ kind: 'name', text: name, line });
      i += name.length;
      continue;
    }
    if (c === '[' || c === '(' || c === '{') {
      depth++;
      tokens.push({ kind: 'open', ch: c, line });
      i++;
      continue;
    }
    if (c === ']' || c === ')' || c === '}') {
      depth = Math.max(0, depth - 1);
      tokens.push({ kind: 'close', ch: c, line });
      i++;
      continue;
    }
    if (c === ',') {
      tokens.push({ kind: 'comma', line });
      i++;
      continue;
    }
    const op = /^(?:\*\*=|\/\/=|>>=|<<=|[-+*/%&|^@]=|==|!=|<=|>=|:=|->|=|:)/.exec(text.slice(i, i + 3))?.[0];
    if (op === ':') tokens.push({ kind: 'colon', line });
    else if (op === '=' || (op !== undefined && op.length >= 2 && op.endsWith('=') && !['==', '!=', '<=', '>=', ':='].includes(op))) tokens.push({ kind: 'assign', line });
    else tokens.push({ kind: 'other', text: op ?? c, line });
    i += op?.length ?? 1;
  }
  return tokens;
}

const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  '\\': '\\', "'": "'", '"': '"', n: '\n', t: '\t', r: '\r', a: '\x07', b: '\b', f: '\f', v: '\v',
};

/** Reads a string literal whose quote is at `start`; decodes escapes unless raw. */
function readString(text: string, start: number, raw: boolean, line: number, out: Collector): { value: string; end: number; endLine: number } {
  const q = text.charAt(start);
  const triple = text.startsWith(q.repeat(3), start);
  const close = triple ? q.repeat(3) : q;
  let i = start + close.length;
  let value = '';
  let current = line;
  const n = text.length;
  while (i < n) {
    const c = text.charAt(i);
    if (text.startsWith(close, i)) return { value, end: i + close.length, endLine: current };
    if (c === '\n' || c === '\r') {
      if (!triple) {
        out.warn(line, 'A string is not closed on its line; it was read up to the end of the line.');
        return { value, end: i, endLine: current };
      }
      const width = c === '\r' && text[i + 1] === '\n' ? 2 : 1;
      value += text.slice(i, i + width);
      i += width;
      current++;
      continue;
    }
    if (c === '\\' && i + 1 < n) {
      const next = text.charAt(i + 1);
      if (next === '\n' || next === '\r') {
        const width = next === '\r' && text[i + 2] === '\n' ? 3 : 2;
        if (raw) value += text.slice(i, i + width);
        i += width;
        current++;
        continue;
      }
      if (raw) {
        value += c + next;
        i += 2;
        continue;
      }
      const decoded = decodeEscape(text, i);
      value += decoded.text;
      i = decoded.end;
      continue;
    }
    value += c;
    i++;
  }
  out.warn(line, `A ${triple ? 'triple-quoted ' : ''}string is not closed; it was read up to the end of the text.`);
  return { value, end: n, endLine: current };
}

function decodeEscape(text: string, at: number): { text: string; end: number } {
  const next = text.charAt(at + 1);
  const simple = SIMPLE_ESCAPES[next];
  if (simple !== undefined) return { text: simple, end: at + 2 };
  const octal = /^[0-7]{1,3}/.exec(text.slice(at + 1, at + 4))?.[0];
  if (octal !== undefined) return { text: String.fromCodePoint(parseInt(octal, 8)), end: at + 1 + octal.length };
  const hexLength = next === 'x' ? 2 : next === 'u' ? 4 : next === 'U' ? 8 : 0;
  if (hexLength > 0) {
    const hex = text.slice(at + 2, at + 2 + hexLength);
    const code = /^[0-9a-fA-F]+$/.test(hex) && hex.length === hexLength ? parseInt(hex, 16) : -1;
    if (code >= 0 && code <= 0x10ffff) return { text: String.fromCodePoint(code), end: at + 2 + hexLength };
  }
  return { text: `\\${next}`, end: at + 2 };
}

/** How deep literals may nest before the rest is skipped (Python's own parser stops near here too). */
const MAX_DEPTH = 100;

class PyParser {
  private i = 0;
  private unclosedWarned = false;

  constructor(private readonly tokens: readonly Token[], private readonly out: Collector) {}

  peek(): Token | undefined {
    return this.tokens[this.i];
  }

  /** The top-level literals: each assignment's value (with its variable), or a bare literal. */
  statements(): { name: string | undefined; value: PyValue }[] {
    const found: { name: string | undefined; value: PyValue }[] = [];
    while (this.i < this.tokens.length) {
      const start = this.peek();
      if (start === undefined) break;
      if (start.kind === 'newline') {
        this.i++;
        continue;
      }
      if (start.kind === 'open') {
        found.push({ name: undefined, value: this.value(0) });
        this.skipStatement();
        continue;
      }
      if (start.kind === 'name') {
        const assign = this.findAssign();
        if (assign !== undefined) {
          this.i = assign + 1;
          const next = this.peek();
          if (next !== undefined && next.kind !== 'newline') found.push({ name: start.text, value: this.value(0) });
        }
      }
      this.skipStatement();
    }
    return found;
  }

  /** The index of the `=` of an assignment that starts here (`NAME =`, `NAME: type =`), if it is one. */
  private findAssign(): number | undefined {
    let j = this.i + 1;
    let t = this.tokens[j];
    if (t?.kind === 'assign') return j;
    if (t?.kind !== 'colon') return undefined;
    let depth = 0;
    for (j++; j < this.tokens.length; j++) {
      t = this.tokens[j];
      if (t === undefined || (t.kind === 'newline' && depth === 0)) return undefined;
      if (t.kind === 'open') depth++;
      else if (t.kind === 'close') depth--;
      else if (t.kind === 'assign' && depth <= 0) return j;
    }
    return undefined;
  }

  private skipStatement(): void {
    while (this.i < this.tokens.length && this.peek()?.kind !== 'newline') this.i++;
  }

  value(depth: number): PyValue {
    const t = this.peek();
    if (t === undefined) return { kind: 'other', text: '', line: 0 };
    if (t.kind === 'str') return this.strings();
    if (t.kind === 'open') {
      if (depth >= MAX_DEPTH) {
        this.out.warn(t.line, `Lists nested more than ${MAX_DEPTH} deep were skipped.`);
        this.skipGroup();
        return { kind: 'other', text: t.ch, line: t.line };
      }
      return this.group(depth);
    }
    if (t.kind === 'name' && this.tokens[this.i + 1]?.kind === 'open') {
      // A call such as list(…) or sorted(…): its one argument, or its arguments as a list.
      this.i++;
      const args = this.group(depth);
      return args.kind === 'list' && args.items.length === 1 && args.items[0] !== undefined ? args.items[0] : args;
    }
    this.i++;
    const text = t.kind === 'name' || t.kind === 'other' ? t.text : t.kind === 'close' ? t.ch : t.kind;
    return { kind: 'other', text, line: t.line };
  }

  /** One string, or adjacent ones joined as Python joins them, with a warning for each join. */
  private strings(): PyValue {
    const first = this.peek();
    if (first?.kind !== 'str') return { kind: 'other', text: '', line: first?.line ?? 0 };
    this.i++;
    let value = first.value;
    let previous = first;
    for (let next = this.peek(); next?.kind === 'str'; next = this.peek()) {
      this.i++;
      const joined = value + next.value;
      this.out.warn(previous.endLine, `${quoteFor(value)} and ${quoteFor(next.value)} have no comma between them, so Python joins them into one string, ${quoteFor(joined)}. It was imported as one topic, as Python reads it; add a comma after ${quoteFor(previous.value)} if they are two topics.`);
      value = joined;
      previous = next;
    }
    return { kind: 'str', value, line: first.line };
  }

  private skipGroup(): void {
    let depth = 0;
    while (this.i < this.tokens.length) {
      const t = this.peek();
      this.i++;
      if (t?.kind === 'open') depth++;
      else if (t?.kind === 'close' && --depth <= 0) return;
    }
  }

  /** A bracketed literal: list, tuple (or a value in parentheses), set or dict. */
  private group(depth: number): PyValue {
    const open = this.peek();
    if (open?.kind !== 'open') return this.value(depth);
    this.i++;
    const items: PyValue[] = [];
    const entries: [PyValue, PyValue][] = [];
    let commas = 0;
    let isDict = false;
    for (;;) {
      const t = this.peek();
      if (t === undefined) {
        if (this.unclosedWarned) break;
        this.unclosedWarned = true;
        this.out.warn(open.line, `The ${open.ch} opened here is never closed; what follows it was read as its content.`);
        break;
      }
      if (t.kind === 'close') {
        this.i++;
        if (t.ch !== CLOSING[open.ch]) this.out.warn(t.line, `${t.ch} closes the ${open.ch} opened on line ${open.line}; read as ${CLOSING[open.ch] ?? ''}.`);
        break;
      }
      if (t.kind === 'comma') {
        this.i++;
        commas++;
        continue;
      }
      if (t.kind === 'newline' || t.kind === 'colon' || t.kind === 'assign') {
        this.i++;
        continue;
      }
      const item = this.value(depth + 1);
      if (open.ch === '{' && this.peek()?.kind === 'colon') {
        this.i++;
        isDict = true;
        const next = this.peek();
        const value = next === undefined || next.kind === 'close' || next.kind === 'comma' ? { kind: 'other' as const, text: '', line: item.line } : this.value(depth + 1);
        entries.push([item, value]);
      } else items.push(item);
    }
    if (isDict) return { kind: 'dict', entries, line: open.line };
    if (open.ch === '(' && items.length === 1 && commas === 0 && items[0] !== undefined) return items[0];
    return { kind: 'list', items, line: open.line };
  }
}

function quoteFor(s: string): string {
  return JSON.stringify(s.length > 60 ? `${s.slice(0, 57)}…` : s);
}

function importPython(text: string, out: Collector): void {
  const parser = new PyParser(tokenize(text, out), out);
  const found = parser.statements();
  if (found.length === 0) {
    out.warn(1, 'No list or dict literal was found. Write the topics as TOPICS = ["…", "…"] or {"Category": ["…"]}.');
    return;
  }
  const named = found.length > 1;
  for (const { name, value } of found) interpret(value, named && name !== undefined ? name : DEFAULT_CATEGORY, out);
}

/** Reads one literal as categories and subtopics. */
function interpret(value: PyValue, fallback: string, out: Collector): void {
  if (value.kind === 'dict') {
    for (const [key, v] of value.entries) addCategory(key, v, out);
    return;
  }
  if (value.kind === 'str') {
    const category = out.category(fallback, value.line, fallback === DEFAULT_CATEGORY);
    if (category !== undefined) out.subtopic(category, value.value, value.line);
    return;
  }
  if (value.kind === 'other') {
    out.warn(value.line, `${value.text === '' ? 'This' : `"${value.text}"`} is not a list or dict of strings; skipped.`);
    return;
  }
  let loose: Entry | undefined;
  let mixed = false;
  const structured = value.items.some((item) => item.kind !== 'str');
  for (const item of value.items) {
    if (item.kind === 'str') {
      if (structured && !mixed) {
        mixed = true;
        out.warn(item.line, `Plain strings next to categories went to "${fallback}".`);
      }
      loose ??= out.category(fallback, item.line, fallback === DEFAULT_CATEGORY);
      if (loose !== undefined) out.subtopic(loose, item.value, item.line);
    } else if (item.kind === 'dict') {
      const name = pick(item, ['name', 'category', 'title']);
      const subs = pick(item, ['subtopics', 'topics', 'items', 'questions']);
      if (name?.kind === 'str' && subs !== undefined) addCategory(name, subs, out);
      else for (const [key, v] of item.entries) addCategory(key, v, out);
    } else if (item.kind === 'list') {
      const [head, ...rest] = item.items;
      if (head?.kind !== 'str') {
        out.warn(item.line, 'A list that does not start with a category name was read into the category above.');
        loose ??= out.category(fallback, item.line, fallback === DEFAULT_CATEGORY);
        if (loose !== undefined) strings(item, loose, out, 0);
      } else if (rest.length === 1 && rest[0]?.kind === 'list') {
        addCategory(head, rest[0], out);
      } else {
        out.warn(item.line, `Read ${quoteFor(head.value)} as a category and the ${rest.length} string${rest.length === 1 ? '' : 's'} after it as its subtopics. Write [${quoteFor(head.value)}, [ … ]] to make that explicit.`);
        addCategory(head, { kind: 'list', items: rest, line: item.line }, out);
      }
    } else {
      out.warn(item.line, `"${item.text}" is not a string; skipped.`);
    }
  }
}

function pick(dict: Extract<PyValue, { kind: 'dict' }>, keys: readonly string[]): PyValue | undefined {
  for (const [k, v] of dict.entries) if (k.kind === 'str' && keys.includes(k.value.toLowerCase())) return v;
  return undefined;
}

function addCategory(key: PyValue, value: PyValue, out: Collector): void {
  if (key.kind !== 'str') {
    out.warn(key.line, 'A category name that is not a string was skipped, with its topics.');
    return;
  }
  const category = out.category(key.value, key.line);
  if (category === undefined) return;
  if (value.kind === 'str') out.subtopic(category, value.value, value.line);
  else if (value.kind === 'other') out.warn(value.line, `The topics of "${category.name}" are not a list of strings; skipped.`);
  else strings(value, category, out, 0);
}

/** Every string in a literal, as subtopics; deeper structure is flattened with a warning. */
function strings(value: PyValue, category: Entry, out: Collector, depth: number): void {
  if (value.kind === 'str') {
    out.subtopic(category, value.value, value.line);
    return;
  }
  if (value.kind === 'other') {
    out.warn(value.line, `"${value.text}" in "${category.name}" is not a string; skipped.`);
    return;
  }
  if (depth > 0 || value.kind === 'dict') out.warn(value.line, `A nested ${value.kind} in "${category.name}" was flattened: its strings became subtopics of "${category.name}".`);
  if (value.kind === 'list') for (const item of value.items) strings(item, category, out, depth + 1);
  else for (const [k, v] of value.entries) {
    strings(k, category, out, depth + 1);
    strings(v, category, out, depth + 1);
  }
}
