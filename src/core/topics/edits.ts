/**
 * Edits to a topics file that keep its comments and its formatting.
 *
 * Each function takes the file's text and returns either the edits to make (jsonc-parser
 * `Edit`s: offsets into that text, non-overlapping, none touching another) or, when it refuses,
 * an `EditError` saying why: an index out of range, an empty name, a name already used in the
 * same category (or, for categories, in the file), a `questions` out of range, or a file with a
 * syntax error (edits to a broken file could land in the wrong place; fix it first). Nothing
 * throws. The caller applies the edits of one call together (one WorkspaceEdit, one undo step);
 * `applyTopicsEdits` does it for a string.
 *
 * Indices are those of the file's arrays (`Category.index`, `Topic.index` in topicsFile.ts).
 * New names are trimmed. Names are compared trimmed and case-insensitively (`nameKey`).
 *
 * Formatting: the indent unit (spaces or a tab) and the line break are detected from the text
 * (`detectFormatting`). A value is replaced with jsonc-parser's `modify`. Items are added to and
 * removed from lists and objects here rather than through `modify`, which reflows the whole line
 * it touches (a one-line list of subtopics would become one subtopic per line) and, in
 * jsonc-parser 3.3, removes the last element of a list wrongly. The rules:
 *  - A list (or object) written on one line stays on one line; one written one item per line
 *    gets the new item on a line of its own, indented like its siblings. An empty list becomes
 *    one line when that fits in 100 columns, else one item per line. Trailing commas are kept
 *    when the list uses them.
 *  - An item alone on its line(s) is removed with its lines, the comment lines directly above
 *    it (no blank line between) and a comment after it on its last line: they describe it.
 *    Every other comment stays. Removing an item that shares its line removes no comment.
 *  - A moved subtopic takes its comments with it (as /* … *\/ when it lands in a one-line
 *    list) and keeps its notes and questions.
 */
import { applyEdits, getNodeValue, modify, type Edit, type FormattingOptions, type Node } from 'jsonc-parser';
import { MAX_QUESTIONS, MIN_QUESTIONS, nameKey, parseTopicsTree } from './topicsFile';

export type { Edit };

/** Why an edit was refused, for the user. */
export interface EditError {
  readonly error: string;
}

export type EditResult = Edit[] | EditError;

export function isEditError(result: EditResult): result is EditError {
  return !Array.isArray(result);
}

/** The text with the edits of one call applied. */
export function applyTopicsEdits(text: string, edits: readonly Edit[]): string {
  return applyEdits(text, [...edits]);
}

// ---------------------------------------------------------------------------------------------
// Formatting

/** The formatting of a text: its indent (spaces and how many, or tabs) and its line break. */
export interface DetectedFormatting extends FormattingOptions {
  tabSize: number;
  insertSpaces: boolean;
  eol: string;
}

/**
 * The indent and line break a text uses: the first line break decides the EOL; most indented
 * lines decide tabs or spaces; the most common step between a line's indent and the one above
 * it decides how many spaces. Defaults: 2 spaces, `\n`.
 */
export function detectFormatting(text: string): DetectedFormatting {
  const eol = /\r\n|\n|\r/.exec(text)?.[0] ?? '\n';
  let tabs = 0;
  let spaces = 0;
  let previous = 0;
  const steps = new Map<number, number>();
  for (const line of text.split(/\r\n|\n|\r/)) {
    const trimmed = line.trimStart();
    if (trimmed === '' || trimmed.startsWith('*')) continue;
    const indent = line.slice(0, line.length - trimmed.length);
    if (indent.startsWith('\t')) {
      tabs++;
      continue;
    }
    if (indent.length > 0) spaces++;
    if (!indent.includes('\t')) {
      const step = indent.length - previous;
      if (step > 0) steps.set(step, (steps.get(step) ?? 0) + 1);
      previous = indent.length;
    }
  }
  let tabSize = 2;
  let best = 0;
  for (const [step, count] of steps) {
    if (step <= 8 && (count > best || (count === best && step < tabSize))) {
      tabSize = step;
      best = count;
    }
  }
  return { tabSize, insertSpaces: tabs <= spaces, eol };
}

interface Fmt {
  readonly eol: string;
  readonly unit: string;
  readonly options: DetectedFormatting;
}

function fmtOf(text: string): Fmt {
  const options = detectFormatting(text);
  return { eol: options.eol, unit: options.insertSpaces ? ' '.repeat(options.tabSize) : '\t', options };
}

/** Lines up to this width may hold a list that was empty. */
const MAX_LINE = 100;

// ---------------------------------------------------------------------------------------------
// A new file

/**
 * A new topics file: a short header comment, then the categories with their subtopics one per
 * line (2-space indent, `\n`). Names are trimmed; empty and repeated names are left out.
 */
export function newTopicsFile(categories: readonly { name: string; subtopics: readonly string[] }[]): string {
  const out: { name: string; subtopics: string[] }[] = [];
  const seen = new Map<string, { name: string; subtopics: string[]; keys: Set<string> }>();
  for (const c of categories) {
    const name = c.name.trim();
    if (name === '') continue;
    let entry = seen.get(nameKey(name));
    if (entry === undefined) {
      entry = { name, subtopics: [], keys: new Set() };
      seen.set(nameKey(name), entry);
      out.push(entry);
    }
    for (const s of c.subtopics) {
      const sub = s.trim();
      if (sub === '' || entry.keys.has(nameKey(sub))) continue;
      entry.keys.add(nameKey(sub));
      entry.subtopics.push(sub);
    }
  }
  const body = JSON.stringify({ categories: out.map((c) => ({ name: c.name, subtopics: c.subtopics })) }, null, 2);
  return `// Topics for TuneLab: the categories of questions this dataset should cover, each with the
// subtopics to generate question/answer pairs for. A category or subtopic may also be an object
// with "notes" (guidance for generation) and "questions" (how many to generate, 1-100).
${body}
`;
}

// ---------------------------------------------------------------------------------------------
// The edits

/** Appends a category `{ "name": name, "subtopics": [] }`. On an empty text, writes a new file. */
export function addCategory(text: string, name: string): EditResult {
  const trimmed = name.trim();
  if (trimmed === '') return { error: 'A category needs a name.' };
  if (text.trim() === '') return [{ offset: 0, length: text.length, content: newTopicsFile([{ name: trimmed, subtopics: [] }]) }];
  const doc = load(text);
  if (isErr(doc)) return doc;
  const list = property(doc.root, 'categories');
  if (list === undefined) {
    return finish(text, modify(text, ['categories'], [{ name: trimmed, subtopics: [] }], { formattingOptions: doc.fmt.options }));
  }
  if (list.type !== 'array') return { error: '"categories" in the topics file is not a list; fix it first.' };
  if ((list.children ?? []).some((c) => nameKey(categoryName(c)) === nameKey(trimmed))) {
    return { error: `There is already a category named "${trimmed}".` };
  }
  const item: Item = { render: (inline, indent) => categoryText(trimmed, inline, indent, doc.fmt) };
  return finish(text, insertItems(text, doc.fmt, list, (list.children ?? []).length, [item], false));
}

/**
 * Appends subtopics to a category, skipping empty names and names it already has (trimmed,
 * case-insensitive). No edits when there is nothing to add.
 */
export function addSubtopics(text: string, categoryIndex: number, names: readonly string[]): EditResult {
  const doc = load(text);
  if (isErr(doc)) return doc;
  const category = categoryAt(doc, categoryIndex);
  if (isErr(category)) return category;
  const list = property(category, 'subtopics');
  if (list !== undefined && list.type !== 'array') return { error: `"subtopics" of category ${categoryIndex} is not a list; fix it first.` };
  const seen = new Set((list?.children ?? []).map((s) => nameKey(subtopicName(s))));
  const fresh: string[] = [];
  for (const n of names) {
    const name = n.trim();
    if (name === '' || seen.has(nameKey(name))) continue;
    seen.add(nameKey(name));
    fresh.push(name);
  }
  if (fresh.length === 0) return [];
  if (list === undefined) {
    const item: Item = { render: () => `"subtopics": ${inlineJson(fresh)}` };
    return finish(text, insertItems(text, doc.fmt, category, (category.children ?? []).length, [item], true));
  }
  const items = fresh.map((name): Item => ({ render: () => JSON.stringify(name) }));
  return finish(text, insertItems(text, doc.fmt, list, (list.children ?? []).length, items, true));
}

export function renameCategory(text: string, categoryIndex: number, newName: string): EditResult {
  const name = newName.trim();
  if (name === '') return { error: 'A category name cannot be empty.' };
  const doc = load(text);
  if (isErr(doc)) return doc;
  const category = categoryAt(doc, categoryIndex);
  if (isErr(category)) return category;
  const others = (property(doc.root, 'categories')?.children ?? []).filter((c) => c !== category);
  if (others.some((c) => nameKey(categoryName(c)) === nameKey(name))) return { error: `There is already a category named "${name}".` };
  return setName(text, doc, category, ['categories', categoryIndex, 'name'], name);
}

/** Renames a subtopic: a string stays a string; an object keeps its other keys. */
export function renameSubtopic(text: string, categoryIndex: number, subtopicIndex: number, newName: string): EditResult {
  const name = newName.trim();
  if (name === '') return { error: 'A subtopic name cannot be empty.' };
  const doc = load(text);
  if (isErr(doc)) return doc;
  const found = subtopicAt(doc, categoryIndex, subtopicIndex);
  if (isErr(found)) return found;
  const { list, node, category } = found;
  const others = (list.children ?? []).filter((s) => s !== node);
  if (others.some((s) => nameKey(subtopicName(s)) === nameKey(name))) {
    return { error: `"${categoryName(category)}" already has a subtopic named "${name}".` };
  }
  const path = ['categories', categoryIndex, 'subtopics', subtopicIndex];
  if (node.type === 'string') {
    if (node.value === name) return [];
    return finish(text, modify(text, path, name, { formattingOptions: doc.fmt.options }));
  }
  return setName(text, doc, node, [...path, 'name'], name);
}

export function deleteCategory(text: string, categoryIndex: number): EditResult {
  const doc = load(text);
  if (isErr(doc)) return doc;
  const category = categoryAt(doc, categoryIndex);
  if (isErr(category)) return category;
  const list = category.parent;
  if (list === undefined) return { error: 'The topics file could not be read.' };
  return finish(text, removeItem(text, list, categoryIndex));
}

export function deleteSubtopic(text: string, categoryIndex: number, subtopicIndex: number): EditResult {
  const doc = load(text);
  if (isErr(doc)) return doc;
  const found = subtopicAt(doc, categoryIndex, subtopicIndex);
  if (isErr(found)) return found;
  return finish(text, removeItem(text, found.list, subtopicIndex));
}

/** Where a subtopic is: its category's index and its index in that category's subtopics. */
export interface SubtopicPlace {
  readonly category: number;
  readonly index: number;
}

/**
 * Moves a subtopic (drag and drop), within its category or to another one. `to.index` is a
 * place in the target's subtopics as they are now: the subtopic goes before the one at that
 * index, or last when it is their number (dropped on a category). Within a category, moving
 * it before itself or before the next one changes nothing; moving it down to `to.index` leaves
 * it at `to.index - 1`. It keeps its notes, questions and comments. One edit list, applied in
 * one go.
 */
export function moveSubtopic(text: string, from: SubtopicPlace, to: SubtopicPlace): EditResult {
  const doc = load(text);
  if (isErr(doc)) return doc;
  const source = subtopicAt(doc, from.category, from.index);
  if (isErr(source)) return source;
  const target = categoryAt(doc, to.category);
  if (isErr(target)) return target;
  const targetList = property(target, 'subtopics');
  if (targetList?.type !== 'array') return { error: `Category "${categoryName(target)}" has no list of subtopics to move into; add "subtopics": [] to it first.` };
  const same = targetList === source.list;
  const max = (targetList.children ?? []).length;
  if (!Number.isInteger(to.index) || to.index < 0 || to.index > max) {
    return { error: `Position ${to.index} is out of range: category "${categoryName(target)}" has places 0 to ${max}.` };
  }
  if (same && (to.index === from.index || to.index === from.index + 1)) return [];
  const insertAt = same && to.index > from.index ? to.index - 1 : to.index;
  const name = subtopicName(source.node);
  if (!same && (targetList.children ?? []).some((s) => nameKey(subtopicName(s)) === nameKey(name))) {
    return { error: `"${categoryName(target)}" already has a subtopic named "${name}".` };
  }
  const item = movedItem(text, source.node, doc.fmt);
  return compose(text, [
    () => removeItem(text, source.list, from.index),
    (current) => {
      const next = load(current);
      if (isErr(next)) return next;
      const category = categoryAt(next, to.category);
      if (isErr(category)) return category;
      const list = property(category, 'subtopics');
      if (list === undefined) return { error: 'The topics file could not be read.' };
      return insertItems(current, next.fmt, list, insertAt, [item], true);
    },
  ]);
}

/**
 * Sets (or, with `questions` undefined, removes) how many questions to generate for a category
 * (`subtopicIndex` undefined) or a subtopic. A string subtopic becomes
 * `{ "name": "…", "questions": n }`; removing the count from an object that then has only its
 * name (and no comments) makes it a string again.
 */
export function setQuestions(text: string, categoryIndex: number, subtopicIndex: number | undefined, questions: number | undefined): EditResult {
  if (questions !== undefined && (!Number.isInteger(questions) || questions < MIN_QUESTIONS || questions > MAX_QUESTIONS)) {
    return { error: `The number of questions must be a whole number from ${MIN_QUESTIONS} to ${MAX_QUESTIONS}.` };
  }
  const doc = load(text);
  if (isErr(doc)) return doc;
  const category = categoryAt(doc, categoryIndex);
  if (isErr(category)) return category;
  if (subtopicIndex === undefined) return setCount(text, doc, category, ['categories', categoryIndex], questions, false);
  const found = subtopicAt(doc, categoryIndex, subtopicIndex);
  if (isErr(found)) return found;
  const { node } = found;
  if (node.type === 'string') {
    if (questions === undefined) return [];
    return finish(text, [{ offset: node.offset, length: node.length, content: `{ "name": ${JSON.stringify(node.value)}, "questions": ${questions} }` }]);
  }
  return setCount(text, doc, node, ['categories', categoryIndex, 'subtopics', subtopicIndex], questions, true);
}

// ---------------------------------------------------------------------------------------------
// Reading the tree

interface Doc {
  readonly root: Node;
  readonly fmt: Fmt;
}

function isErr(value: unknown): value is EditError {
  return typeof value === 'object' && value !== null && 'error' in value && !Array.isArray(value);
}

function load(text: string): Doc | EditError {
  const { root, errors, tooDeep } = parseTopicsTree(text);
  if (tooDeep) return { error: 'The topics file nests lists or objects too deeply to be read; fix it first.' };
  const first = errors[0];
  if (first !== undefined) {
    const { line, column } = lineColumn(text, first.offset);
    return { error: `The topics file has a syntax error at line ${line}, column ${column}. Fix it first, then try again.` };
  }
  if (root?.type !== 'object') return { error: 'The topics file is not a JSON object with "categories"; fix it first.' };
  return { root, fmt: fmtOf(text) };
}

function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let start = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x0a || (c === 0x0d && text.charCodeAt(i + 1) !== 0x0a)) {
      line++;
      start = i + 1;
    }
  }
  return { line, column: offset - start + 1 };
}

/** The value of the last property named `key` (the one JSON.parse keeps). */
function property(node: Node, key: string): Node | undefined {
  return propertyNode(node, key)?.children?.[1];
}

function propertyNode(node: Node, key: string): Node | undefined {
  if (node.type !== 'object') return undefined;
  let found: Node | undefined;
  for (const p of node.children ?? []) if (p.children?.[0]?.value === key && p.children[1] !== undefined) found = p;
  return found;
}

function categoryName(node: Node): string {
  const name = property(node, 'name');
  return name?.type === 'string' ? (name.value as string) : '';
}

function subtopicName(node: Node): string {
  if (node.type === 'string') return node.value as string;
  return categoryName(node);
}

function categoryAt(doc: Doc, index: number): Node | EditError {
  const list = property(doc.root, 'categories');
  if (list?.type !== 'array') return { error: 'The topics file has no list of categories.' };
  const children = list.children ?? [];
  const node = Number.isInteger(index) ? children[index] : undefined;
  if (node === undefined) return { error: `There is no category ${index}: the file has ${children.length} (0 to ${children.length - 1}).` };
  if (node.type !== 'object') return { error: `Category ${index} is not an object; fix it first.` };
  return node;
}

function subtopicAt(doc: Doc, categoryIndex: number, index: number): { category: Node; list: Node; node: Node } | EditError {
  const category = categoryAt(doc, categoryIndex);
  if (isErr(category)) return category;
  const list = property(category, 'subtopics');
  if (list?.type !== 'array') return { error: `Category "${categoryName(category)}" has no list of subtopics.` };
  const children = list.children ?? [];
  const node = Number.isInteger(index) ? children[index] : undefined;
  if (node === undefined) return { error: `There is no subtopic ${index} in "${categoryName(category)}": it has ${children.length} (0 to ${children.length - 1}).` };
  if (node.type !== 'string' && node.type !== 'object') return { error: `Subtopic ${index} of "${categoryName(category)}" is neither a name nor an object; fix it first.` };
  return { category, list, node };
}

function setName(text: string, doc: Doc, owner: Node, path: (string | number)[], name: string): EditResult {
  const existing = property(owner, 'name');
  if (existing !== undefined) {
    if (existing.value === name) return [];
    return finish(text, modify(text, path, name, { formattingOptions: doc.fmt.options }));
  }
  const item: Item = { render: () => `"name": ${JSON.stringify(name)}` };
  return finish(text, insertItems(text, doc.fmt, owner, 0, [item], true));
}

function setCount(text: string, doc: Doc, owner: Node, path: (string | number)[], questions: number | undefined, collapse: boolean): EditResult {
  const props = owner.children ?? [];
  const prop = propertyNode(owner, 'questions');
  if (questions === undefined) {
    if (prop === undefined) return [];
    const others = props.filter((p) => p.children?.[0]?.value !== 'questions');
    const name = property(owner, 'name');
    if (collapse && others.length === 1 && others[0]?.children?.[0]?.value === 'name' && name?.type === 'string' && !hasComment(text, owner)) {
      return finish(text, [{ offset: owner.offset, length: owner.length, content: JSON.stringify(name.value) }]);
    }
    const edits = props.filter((p) => p.children?.[0]?.value === 'questions')
      .reverse()
      .map((p) => (current: string) => {
        const next = parseTopicsTree(current).root;
        const obj = next === undefined ? undefined : nodeAt(next, path);
        const index = obj === undefined ? -1 : (obj.children ?? []).findIndex((q) => q.offset === p.offset);
        return obj === undefined || index < 0 ? { error: 'The topics file could not be read.' } : removeItem(current, obj, index);
      });
    return compose(text, edits);
  }
  if (prop !== undefined) return finish(text, modify(text, [...path, 'questions'], questions, { formattingOptions: doc.fmt.options }));
  let after = -1;
  props.forEach((p, i) => {
    const key: unknown = p.children?.[0]?.value;
    if (key === 'name' || key === 'notes') after = i;
  });
  const item: Item = { render: () => `"questions": ${questions}` };
  return finish(text, insertItems(text, doc.fmt, owner, after >= 0 ? after + 1 : props.length, [item], true));
}

function nodeAt(root: Node, path: readonly (string | number)[]): Node | undefined {
  let node: Node | undefined = root;
  for (const segment of path) {
    if (node === undefined) return undefined;
    node = typeof segment === 'number' ? node.children?.[segment] : property(node, segment);
  }
  return node;
}

function hasComment(text: string, node: Node): boolean {
  return /\/[/*]/.test(stripStrings(text.slice(node.offset, node.offset + node.length)));
}

/** The text with every string literal emptied, so what is left is structure, space and comments. */
function stripStrings(text: string): string {
  return text.replace(/"(?:[^"\\\r\n]|\\.)*"/g, '""');
}

// ---------------------------------------------------------------------------------------------
// Composing edits, and a last check

/**
 * Runs edit steps one after another, each on the text the previous ones made, and returns one
 * list of edits on the original text: the steps' own edits when none touches another, else one
 * edit covering the difference.
 */
function compose(text: string, steps: readonly ((current: string) => EditResult)[]): EditResult {
  let current = text;
  let edits: Edit[] | undefined = [];
  for (const step of steps) {
    const result = step(current);
    if (isEditError(result)) return result;
    edits = edits === undefined ? undefined : mapBack(edits, result);
    current = applyEdits(current, result);
  }
  return finish(text, edits ?? difference(text, current));
}

/** `next` (edits on the text after `done`) as edits on the original text, merged with `done`; undefined if one touches another. */
function mapBack(done: readonly Edit[], next: readonly Edit[]): Edit[] | undefined {
  const out = [...done];
  for (const e of next) {
    let shift = 0;
    for (const d of done) {
      const start = d.offset + shift;
      const end = start + d.content.length;
      if (e.offset + e.length < start) break;
      if (e.offset > end) {
        shift += d.content.length - d.length;
        continue;
      }
      return undefined;
    }
    out.push({ offset: e.offset - shift, length: e.length, content: e.content });
  }
  return out.sort((a, b) => a.offset - b.offset);
}

function difference(before: string, after: string): Edit[] {
  if (before === after) return [];
  let start = 0;
  const limit = Math.min(before.length, after.length);
  while (start < limit && before.charCodeAt(start) === after.charCodeAt(start)) start++;
  let end = 0;
  while (end < limit - start && before.charCodeAt(before.length - 1 - end) === after.charCodeAt(after.length - 1 - end)) end++;
  return [{ offset: start, length: before.length - end - start, content: after.slice(start, after.length - end) }];
}

/** The edits, sorted, if the text they make still parses; a refusal otherwise (never break the user's file). */
function finish(text: string, edits: readonly Edit[]): EditResult {
  const sorted = [...edits].filter((e) => e.length > 0 || e.content !== '').sort((a, b) => a.offset - b.offset);
  for (let i = 1; i < sorted.length; i++) {
    const a = sorted[i - 1];
    const b = sorted[i];
    if (a !== undefined && b !== undefined && a.offset + a.length >= b.offset) return finish(text, difference(text, applyEdits(text, sorted)));
  }
  const result = applyEdits(text, sorted);
  const check = parseTopicsTree(result);
  if (check.tooDeep || check.errors.length > 0) return { error: 'TuneLab could not make this change without breaking the file\'s syntax; make it by hand.' };
  return sorted;
}

// ---------------------------------------------------------------------------------------------
// Layout: where a list's items and comments are

/** Something to insert in a list or object: a value (or `"key": value`) and the comments that go with it. */
interface Item {
  /** The item's text, on one line (`inline`) or laid out for a line of its own at `indent`. */
  render(inline: boolean, indent: string): string;
  /** Comment lines to put above it (each a whole comment). */
  readonly leading?: readonly string[];
  /** Comments to put after it on its line. */
  readonly trailing?: readonly string[];
}

function isSpace(c: string | undefined): boolean {
  return c === ' ' || c === '\t';
}

function isBreak(c: string | undefined): boolean {
  return c === '\n' || c === '\r';
}

function lineStart(text: string, pos: number): number {
  let i = pos;
  while (i > 0 && !isBreak(text[i - 1])) i--;
  return i;
}

function lineEnd(text: string, pos: number): number {
  let i = pos;
  while (i < text.length && !isBreak(text[i])) i++;
  return i;
}

function breakLength(text: string, pos: number): number {
  if (text.startsWith('\r\n', pos)) return 2;
  return isBreak(text[pos]) ? 1 : 0;
}

function indentAt(text: string, pos: number): string {
  const start = lineStart(text, pos);
  let i = start;
  while (isSpace(text[i])) i++;
  return text.slice(start, i);
}

function firstOnLine(text: string, pos: number): boolean {
  return text.slice(lineStart(text, pos), pos).trim() === '';
}

/**
 * What follows an item on its line: the comma after it (if on this line), and where the scan
 * stopped: at the line's end (only spaces, comments and a comma followed) or at the next token.
 */
function afterOnLine(text: string, end: number): { comma: number | undefined; stop: number; lineBreak: boolean } {
  let i = end;
  let comma: number | undefined;
  for (;;) {
    const c = text[i];
    if (i >= text.length || isBreak(c)) return { comma, stop: i, lineBreak: true };
    if (isSpace(c)) i++;
    else if (c === ',' && comma === undefined) comma = i++;
    else if (c === '/' && text[i + 1] === '/') i = lineEnd(text, i);
    else if (c === '/' && text[i + 1] === '*') {
      const close = text.indexOf('*/', i + 2);
      if (close < 0 || /[\r\n]/.test(text.slice(i, close))) return { comma, stop: i, lineBreak: false };
      i = close + 2;
    } else return { comma, stop: i, lineBreak: false };
  }
}

/** The comma after an item, across lines and comments, if the next token is one. */
function commaAfter(text: string, end: number): number | undefined {
  let i = end;
  while (i < text.length) {
    const c = text[i];
    if (isSpace(c) || isBreak(c)) i++;
    else if (c === '/' && text[i + 1] === '/') i = lineEnd(text, i);
    else if (c === '/' && text[i + 1] === '*') {
      const close = text.indexOf('*/', i + 2);
      if (close < 0) return undefined;
      i = close + 2;
    } else return c === ',' ? i : undefined;
  }
  return undefined;
}

/** The start of the comment lines directly above the line at `pos` (no blank line between), or of that line. */
function leadingStart(text: string, pos: number): number {
  let start = lineStart(text, pos);
  while (start > 0) {
    const prevEnd = start - (text[start - 1] === '\n' && text[start - 2] === '\r' ? 2 : 1);
    const prevStart = lineStart(text, prevEnd);
    const line = text.slice(prevStart, prevEnd).trim();
    if (line.startsWith('//')) {
      start = prevStart;
      continue;
    }
    if (line.endsWith('*/')) {
      const close = prevStart + text.slice(prevStart, prevEnd).trimEnd().length - 2;
      const open = text.lastIndexOf('/*', close - 1);
      if (open >= 0 && firstOnLine(text, open) && text.indexOf('*/', open + 2) === close) {
        start = lineStart(text, open);
        continue;
      }
    }
    break;
  }
  return start;
}

/** Whether the item is alone on its line(s): only space before it, and only a comma, space and comments after it. */
function alone(text: string, node: Node): boolean {
  return firstOnLine(text, node.offset) && afterOnLine(text, node.offset + node.length).lineBreak;
}

/** The comment lines above an item alone on its lines, and the comments after it on its last line. */
function commentsOf(text: string, node: Node): { leading: string[]; trailing: string[] } {
  if (!alone(text, node)) return { leading: [], trailing: [] };
  const start = leadingStart(text, node.offset);
  const leading: string[] = [];
  let block: string[] | undefined;
  for (const raw of text.slice(start, lineStart(text, node.offset)).split(/\r\n|\n|\r/)) {
    const line = raw.trim();
    if (block !== undefined) {
      block.push(line);
      if (line.endsWith('*/')) {
        leading.push(block.join('\n'));
        block = undefined;
      }
    } else if (line.startsWith('/*') && !line.endsWith('*/')) block = [line];
    else if (line !== '') leading.push(line);
  }
  const end = node.offset + node.length;
  const after = afterOnLine(text, end);
  let rest = text.slice(end, after.stop);
  if (after.comma !== undefined) rest = rest.slice(0, after.comma - end) + rest.slice(after.comma - end + 1);
  return { leading, trailing: splitComments(rest) };
}

/** The comments in a stretch of text that holds only comments, commas and space. */
function splitComments(text: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < text.length) {
    if (text.startsWith('//', i)) {
      const stop = lineEnd(text, i);
      out.push(text.slice(i, stop).trimEnd());
      i = stop;
    } else if (text.startsWith('/*', i)) {
      const close = text.indexOf('*/', i + 2);
      const stop = close < 0 ? text.length : close + 2;
      out.push(text.slice(i, stop));
      i = stop;
    } else i++;
  }
  return out;
}

/** A comment that can sit inside a line: a // comment becomes a block comment. */
function inlineComment(comment: string): string {
  if (!comment.startsWith('//')) return comment;
  return `/* ${comment.slice(2).trim().replaceAll('*/', '* /')} */`;
}

function inlineItem(item: Item): string {
  return [...(item.leading ?? []).map(inlineComment), item.render(true, ''), ...(item.trailing ?? []).map(inlineComment)].join(' ');
}

/**
 * Items laid out one per line at `indent`, starting with the indent and ending without a line
 * break; commas between them, and after the last if `lastComma`. `safeEnd`: the text after the
 * last line continues on it, so its trailing comment must be a block comment.
 */
function itemLines(items: readonly Item[], indent: string, eol: string, lastComma: boolean, safeEnd: boolean): string {
  const lines: string[] = [];
  items.forEach((item, i) => {
    const isLast = i === items.length - 1;
    for (const c of item.leading ?? []) lines.push(indent + c.split('\n').join(eol + indent));
    let line = indent + item.render(false, indent) + (!isLast || lastComma ? ',' : '');
    const trailing = item.trailing ?? [];
    trailing.forEach((c, j) => {
      line += ` ${j < trailing.length - 1 || (isLast && !safeEnd) ? inlineComment(c) : c}`;
    });
    lines.push(line);
  });
  return lines.join(eol);
}

/** Inserts items into a list (or properties into an object) before the item at `index` (at the end when index is its length). */
function insertItems(text: string, fmt: Fmt, container: Node, index: number, items: readonly Item[], preferInline: boolean): Edit[] {
  const children = container.children ?? [];
  const open = container.offset;
  const close = container.offset + container.length - 1;
  const { eol } = fmt;
  if (children.length === 0) {
    const inner = text.slice(open + 1, close);
    const base = indentAt(text, open);
    const indent = base + fmt.unit;
    if (inner.trim() === '') {
      if (!/[\r\n]/.test(inner) && preferInline) {
        const one = items.map(inlineItem).join(', ');
        const width = (open - lineStart(text, open)) + 2 + one.length + (lineEnd(text, close) - close - 1);
        if (width <= MAX_LINE && !one.includes('\n')) return [{ offset: open + 1, length: inner.length, content: one }];
      }
      return [{ offset: open + 1, length: inner.length, content: eol + itemLines(items, indent, eol, false, true) + eol + base }];
    }
    return [{ offset: open + 1, length: 0, content: eol + itemLines(items, indent, eol, false, true) }];
  }
  const before = children[index];
  if (before !== undefined) {
    if (firstOnLine(text, before.offset)) {
      const indent = indentAt(text, before.offset);
      return [{ offset: leadingStart(text, before.offset), length: 0, content: itemLines(items, indent, eol, true, true) + eol }];
    }
    return [{ offset: before.offset, length: 0, content: `${items.map(inlineItem).join(', ')}, ` }];
  }
  const last = children[children.length - 1];
  if (last === undefined) return [];
  const end = last.offset + last.length;
  const after = afterOnLine(text, end);
  if (!firstOnLine(text, last.offset)) {
    const one = items.map(inlineItem).join(', ');
    if (after.comma !== undefined) return [{ offset: after.comma + 1, length: 0, content: ` ${one},` }];
    return [{ offset: end, length: 0, content: `, ${one}` }];
  }
  const indent = indentAt(text, last.offset);
  if (after.lineBreak) {
    if (after.comma !== undefined) return [{ offset: after.stop, length: 0, content: eol + itemLines(items, indent, eol, true, true) }];
    const lines = eol + itemLines(items, indent, eol, false, true);
    if (after.stop === end) return [{ offset: end, length: 0, content: `,${lines}` }];
    return [{ offset: end, length: 0, content: ',' }, { offset: after.stop, length: 0, content: lines }];
  }
  if (after.comma !== undefined) return [{ offset: after.comma + 1, length: 0, content: eol + itemLines(items, indent, eol, true, false) }];
  return [{ offset: end, length: 0, content: `,${eol}${itemLines(items, indent, eol, false, false)}` }];
}

/** Removes the item at `index` of a list (or the property at `index` of an object); see the file comment for what goes with it. */
function removeItem(text: string, container: Node, index: number): Edit[] {
  const children = container.children ?? [];
  const node = children[index];
  if (node === undefined) return [];
  const open = container.offset;
  const close = container.offset + container.length - 1;
  const end = node.offset + node.length;
  const own = commaAfter(text, end);
  const previous = children[index - 1];
  const isLast = index === children.length - 1;
  const ranges: [number, number][] = [];
  if (alone(text, node)) {
    const after = afterOnLine(text, end);
    ranges.push([leadingStart(text, node.offset), after.stop + breakLength(text, after.stop)]);
    if (isLast && own === undefined && previous !== undefined) {
      const comma = commaAfter(text, previous.offset + previous.length);
      if (comma !== undefined) ranges.push([comma, comma + 1]);
    }
  } else if (!isLast || own !== undefined || previous === undefined) {
    // The value, its comma and the spaces after that; a comment between value and comma stays.
    let start = node.offset;
    let stop = end;
    if (own !== undefined) {
      let afterComma = own + 1;
      while (isSpace(text[afterComma])) afterComma++;
      ranges.push([own, afterComma]);
      stop = afterComma;
    }
    if (stop >= text.length || isBreak(text[stop])) {
      while (start > 0 && isSpace(text[start - 1])) start--;
      if (start === 0 || isBreak(text[start - 1])) start = node.offset;
    }
    ranges.push([start, end]);
  } else {
    const comma = commaAfter(text, previous.offset + previous.length);
    if (comma !== undefined) {
      ranges.push([comma, comma + 1]);
      const gap = text.slice(comma + 1, node.offset);
      ranges.push(gap.trim() === '' ? [comma + 1, end] : [node.offset, end]);
    } else ranges.push([node.offset, end]);
  }
  const merged = mergeRanges(text, ranges);
  if (children.length === 1) {
    let rest = text.slice(open + 1, close);
    for (const [s, e] of [...merged].reverse()) rest = rest.slice(0, s - open - 1) + rest.slice(e - open - 1);
    if (rest.trim() === '') return [{ offset: open + 1, length: close - open - 1, content: '' }];
  }
  return merged.map(([s, e]) => ({ offset: s, length: e - s, content: '' }));
}

/** Sorted ranges, joined where they touch or only spaces and tabs separate them. */
function mergeRanges(text: string, ranges: readonly [number, number][]): [number, number][] {
  const sorted = [...ranges].sort((a, b) => a[0] - b[0]);
  const out: [number, number][] = [];
  for (const r of sorted) {
    const last = out[out.length - 1];
    if (last !== undefined && (r[0] <= last[1] || /^[ \t]*$/.test(text.slice(last[1], r[0])))) last[1] = Math.max(last[1], r[1]);
    else out.push([r[0], r[1]]);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Rendering

function inlineJson(value: unknown): string {
  if (Array.isArray(value)) return value.length === 0 ? '[]' : `[${value.map(inlineJson).join(', ')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value);
    return entries.length === 0 ? '{}' : `{ ${entries.map(([k, v]) => `${JSON.stringify(k)}: ${inlineJson(v)}`).join(', ')} }`;
  }
  return JSON.stringify(value);
}

function categoryText(name: string, inline: boolean, indent: string, fmt: Fmt): string {
  if (inline) return `{ "name": ${JSON.stringify(name)}, "subtopics": [] }`;
  const inner = indent + fmt.unit;
  return `{${fmt.eol}${inner}"name": ${JSON.stringify(name)},${fmt.eol}${inner}"subtopics": []${fmt.eol}${indent}}`;
}

/** A subtopic as it is moved: its text as written (re-indented), or on one line when it has no comments inside. */
function movedItem(text: string, node: Node, fmt: Fmt): Item {
  const raw = text.slice(node.offset, node.offset + node.length);
  const from = indentAt(text, node.offset);
  const comments = commentsOf(text, node);
  const value: unknown = getNodeValue(node);
  const commented = hasComment(text, node);
  return {
    leading: comments.leading,
    trailing: comments.trailing,
    render(inline, indent) {
      if (!raw.includes('\n') && !raw.includes('\r')) return raw;
      if (inline && !commented) return inlineJson(value);
      return raw.split(/\r\n|\n|\r/).map((line, i) => (i === 0 ? line : line.startsWith(from) ? indent + line.slice(from.length) : line)).join(fmt.eol);
    },
  };
}
