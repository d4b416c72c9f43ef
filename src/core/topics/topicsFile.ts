/**
 * The topics file (`topics.jsonc`, JSON with comments): the categories of questions a dataset
 * should cover, each with the subtopics to generate question/answer pairs for.
 *
 * ```jsonc
 * {
 *   "categories": [
 *     { "name": "Benefits", "notes": "…", "questions": 10,
 *       "subtopics": ["Unemployment insurance", { "name": "Utility bill help", "questions": 4 }] }
 *   ]
 * }
 * ```
 *
 * Pure: text in, a model with positions out. `parseTopicsFile` is tolerant: a syntax error, a
 * value of the wrong type, an empty or repeated name or a `questions` out of range becomes a
 * problem at its position (UTF-16 offsets into the text) saying what to do, and everything else
 * in the file is still read. It never throws.
 *
 * Indices: `Category.index` and `Topic.index` are the element's index in the file's
 * `categories` / `subtopics` array. An element that cannot be read (a number where a subtopic
 * should be) is left out of the model but still counts for the indices, so the indices of the
 * model are always the ones the edit functions (edits.ts) take.
 *
 * Topic ids: `topicId(category, subtopic)` is `JSON.stringify([category, subtopic])`, e.g.
 * `["Benefits","Utility bill help"]`. It cannot be ambiguous whatever the names contain, and
 * `parseTopicId` reads it back. Names are used exactly as written (not trimmed), so renaming a
 * category or subtopic gives its topics new ids (provenance.ts has `renameTopics` for that).
 * Ids are unique in a file without "duplicate name" problems.
 */
import { parseTree, printParseErrorCode, type Node, type ParseError } from 'jsonc-parser';

/** A JSON path into the file, as jsonc-parser takes it. */
export type JsonPath = (string | number)[];

export interface TopicsProblem {
  readonly offset: number;
  readonly length: number;
  readonly message: string;
  readonly severity: 'error' | 'warning';
}

/** A subtopic: what questions are generated for. */
export interface Topic {
  /** `topicId(category, name)`. */
  readonly id: string;
  readonly name: string;
  /** The name of its category. */
  readonly category: string;
  readonly notes?: string;
  /** How many questions to generate for it, when it says (see `effectiveQuestions`). */
  readonly questions?: number;
  /** `['categories', categoryIndex, 'subtopics', index]`. */
  readonly path: JsonPath;
  /** The subtopic's value in the text: the string, or the whole object. */
  readonly offset: number;
  readonly length: number;
  /** The name's string literal in the text (the value itself for a string subtopic). */
  readonly nameOffset: number;
  readonly nameLength: number;
  readonly categoryIndex: number;
  /** Its index in the file's `subtopics` array. */
  readonly index: number;
}

export interface Category {
  readonly name: string;
  readonly notes?: string;
  /** How many questions to generate for each subtopic that does not say. */
  readonly questions?: number;
  readonly subtopics: Topic[];
  /** `['categories', index]`. */
  readonly path: JsonPath;
  /** The category's object in the text. */
  readonly offset: number;
  readonly length: number;
  /** The name's string literal; the object's opening brace (length 1) when it has no name. */
  readonly nameOffset: number;
  readonly nameLength: number;
  /** Its index in the file's `categories` array. */
  readonly index: number;
}

export interface TopicsFile {
  readonly categories: Category[];
  readonly problems: TopicsProblem[];
}

export const MIN_QUESTIONS = 1;
export const MAX_QUESTIONS = 100;

/** The stable id of a subtopic: `JSON.stringify([category, subtopic])`. */
export function topicId(category: string, subtopic: string): string {
  return JSON.stringify([category, subtopic]);
}

/** The category and subtopic names of an id from `topicId`, or undefined if it is not one. */
export function parseTopicId(id: string): { category: string; subtopic: string } | undefined {
  let value: unknown;
  try {
    value = JSON.parse(id);
  } catch {
    return undefined;
  }
  if (!Array.isArray(value) || value.length !== 2) return undefined;
  const [category, subtopic] = value as unknown[];
  return typeof category === 'string' && typeof subtopic === 'string' ? { category, subtopic } : undefined;
}

/** The form under which two names are the same: trimmed, NFC, lower case. */
export function nameKey(name: string): string {
  return name.trim().normalize('NFC').toLowerCase();
}

/** Every subtopic of the file, category by category, in file order. */
export function topicsOf(file: TopicsFile): Topic[] {
  return file.categories.flatMap((c) => c.subtopics);
}

/** The subtopic with this id, and its category. */
export function findTopic(file: TopicsFile, id: string): { topic: Topic; category: Category } | undefined {
  for (const category of file.categories) {
    const topic = category.subtopics.find((t) => t.id === id);
    if (topic !== undefined) return { topic, category };
  }
  return undefined;
}

/** How many questions to generate for a subtopic: its own count, else its category's, else `fallback`. */
export function effectiveQuestions(topic: Pick<Topic, 'questions'>, category: Pick<Category, 'questions'> | undefined, fallback: number): number {
  return topic.questions ?? category?.questions ?? fallback;
}

// ---------------------------------------------------------------------------------------------
// Parsing

const BOM = '\uFEFF';

/** The parse options of the topics file: comments and trailing commas are allowed (JSONC). */
export const TOPICS_PARSE_OPTIONS = { allowTrailingComma: true, disallowComments: false } as const;

/**
 * jsonc-parser's tree of the text. A byte order mark is read as a space, so offsets stay those
 * of the text. `tooDeep`: the text nests lists or objects deeper than the parser's recursion
 * allows (thousands of levels); there is then no tree.
 */
export function parseTopicsTree(text: string): { root: Node | undefined; errors: ParseError[]; tooDeep: boolean } {
  const source = text.startsWith(BOM) ? ` ${text.slice(1)}` : text;
  const errors: ParseError[] = [];
  try {
    return { root: parseTree(source, errors, TOPICS_PARSE_OPTIONS), errors, tooDeep: false };
  } catch {
    return { root: undefined, errors: [], tooDeep: true };
  }
}

/** At most this many syntax errors are reported; the first ones matter, the rest follow from them. */
const MAX_SYNTAX_PROBLEMS = 100;

/** Reads a topics file. Never throws; see the file comment. */
export function parseTopicsFile(text: string): TopicsFile {
  const { categories, problems } = read(text);
  return fitted(text.length, categories, problems);
}

function read(text: string): TopicsFile {
  const problems: TopicsProblem[] = [];
  const { root, errors, tooDeep } = parseTopicsTree(text);
  if (tooDeep) {
    problems.push({ offset: 0, length: Math.min(text.length, 1), severity: 'error', message: 'The topics file nests lists or objects too deeply to be read. A topics file needs only three levels: categories, their subtopics, and a subtopic\'s keys.' });
    return { categories: [], problems };
  }
  if (root === undefined && text.trim() === '') {
    problems.push({ offset: 0, length: 0, severity: 'error', message: 'The topics file is empty. Start it with { "categories": [] } and add categories to it.' });
    return { categories: [], problems };
  }
  for (const e of errors.slice(0, MAX_SYNTAX_PROBLEMS)) problems.push(syntaxProblem(text, e));
  if (root === undefined) return { categories: [], problems };
  if (root.type !== 'object') {
    problems.push(at(root, 'error', `The topics file must be one JSON object, { "categories": [ … ] }, not ${describe(root)}.`));
    return { categories: [], problems };
  }
  const props = properties(root, ['$schema', 'categories'], problems, 'the topics file');
  const list = props.get('categories');
  const categories: Category[] = [];
  if (list === undefined) {
    problems.push({ offset: root.offset, length: 1, severity: 'error', message: 'Add "categories": [ … ], the list of categories of questions, to this object.' });
  } else if (list.type !== 'array') {
    problems.push(at(list, 'error', `"categories" must be a list ([ … ]) of categories, not ${describe(list)}.`));
  } else {
    (list.children ?? []).forEach((node, index) => {
      const category = readCategory(node, index, problems);
      if (category !== undefined) categories.push(category);
    });
    flagDuplicates(categories, (c) => c.name, problems, (c) => ({ offset: c.nameOffset, length: c.nameLength }),
      (name) => `There is already a category named "${name}". Merge the two, or rename one of them.`);
  }
  return { categories, problems };
}

/**
 * The model with every span kept inside the text: after a syntax error (an unclosed comment,
 * say) the parser can report a node as reaching past the end.
 */
function fitted(size: number, categories: Category[], problems: TopicsProblem[]): TopicsFile {
  const fit = <T extends { offset: number; length: number }>(span: T): T => {
    const offset = Math.min(Math.max(span.offset, 0), size);
    const length = Math.min(Math.max(span.length, 0), size - offset);
    return offset === span.offset && length === span.length ? span : { ...span, offset, length };
  };
  const fitName = <T extends { nameOffset: number; nameLength: number }>(span: T): T => {
    const { offset, length } = fit({ offset: span.nameOffset, length: span.nameLength });
    return offset === span.nameOffset && length === span.nameLength ? span : { ...span, nameOffset: offset, nameLength: length };
  };
  return {
    categories: categories.map((c) => fitName(fit({ ...c, subtopics: c.subtopics.map((t) => fitName(fit(t))) }))),
    problems: problems.map(fit),
  };
}

function readCategory(node: Node, index: number, problems: TopicsProblem[]): Category | undefined {
  if (node.type !== 'object') {
    problems.push(at(node, 'error', `Each category must be an object, { "name": "…", "subtopics": [ … ] }, not ${describe(node)}. TuneLab skips this one.`));
    return undefined;
  }
  const props = properties(node, ['name', 'notes', 'questions', 'subtopics'], problems, 'a category');
  const nameNode = props.get('name');
  const name = readName(nameNode, node, problems, 'category');
  const notes = readNotes(props.get('notes'), problems);
  const questions = readQuestions(props.get('questions'), problems);
  const path: JsonPath = ['categories', index];
  const subtopics: Topic[] = [];
  const list = props.get('subtopics');
  if (list === undefined) {
    problems.push({ ...nameSpan(nameNode, node), severity: 'error', message: `Add "subtopics": [ … ] to this category: the topics to generate questions for.` });
  } else if (list.type !== 'array') {
    problems.push(at(list, 'error', `"subtopics" must be a list ([ … ]) of names, not ${describe(list)}.`));
  } else {
    (list.children ?? []).forEach((child, i) => {
      const topic = readSubtopic(child, name, index, i, problems);
      if (topic !== undefined) subtopics.push(topic);
    });
    flagDuplicates(subtopics, (t) => t.name, problems, (t) => ({ offset: t.nameOffset, length: t.nameLength }),
      (sub) => `"${sub}" is already a subtopic of "${name}". Remove this one, or rename it.`);
  }
  const span = nameSpan(nameNode, node);
  return {
    name,
    ...(notes === undefined ? {} : { notes }),
    ...(questions === undefined ? {} : { questions }),
    subtopics,
    path,
    offset: node.offset,
    length: node.length,
    nameOffset: span.offset,
    nameLength: span.length,
    index,
  };
}

function readSubtopic(node: Node, category: string, categoryIndex: number, index: number, problems: TopicsProblem[]): Topic | undefined {
  const path: JsonPath = ['categories', categoryIndex, 'subtopics', index];
  const base = { category, path, offset: node.offset, length: node.length, categoryIndex, index };
  if (node.type === 'string') {
    const name = node.value as string;
    checkName(name, node, problems, 'subtopic');
    return { id: topicId(category, name), name, ...base, nameOffset: node.offset, nameLength: node.length };
  }
  if (node.type !== 'object') {
    problems.push(at(node, 'error', `Each subtopic must be a name ("Renewing a license") or an object ({ "name": "…", "questions": 5 }), not ${describe(node)}. TuneLab skips this one.`));
    return undefined;
  }
  const props = properties(node, ['name', 'notes', 'questions'], problems, 'a subtopic');
  const nameNode = props.get('name');
  const name = readName(nameNode, node, problems, 'subtopic');
  const notes = readNotes(props.get('notes'), problems);
  const questions = readQuestions(props.get('questions'), problems);
  const span = nameSpan(nameNode, node);
  return {
    id: topicId(category, name),
    name,
    ...(notes === undefined ? {} : { notes }),
    ...(questions === undefined ? {} : { questions }),
    ...base,
    nameOffset: span.offset,
    nameLength: span.length,
  };
}

/** The value of "name" ('' when it is missing or not a string, with a problem). */
function readName(value: Node | undefined, owner: Node, problems: TopicsProblem[], what: 'category' | 'subtopic'): string {
  if (value === undefined) {
    problems.push({ offset: owner.offset, length: 1, severity: 'error', message: `This ${what} has no "name"; add "name": "…".` });
    return '';
  }
  if (value.type !== 'string') {
    problems.push(at(value, 'error', `A ${what}'s "name" must be a string in double quotes, not ${describe(value)}.`));
    return '';
  }
  const name = value.value as string;
  checkName(name, value, problems, what);
  return name;
}

function checkName(name: string, node: Node, problems: TopicsProblem[], what: 'category' | 'subtopic'): void {
  if (name.trim() === '') problems.push(at(node, 'error', `A ${what} name cannot be empty; write one, or remove this ${what}.`));
}

function readNotes(value: Node | undefined, problems: TopicsProblem[]): string | undefined {
  if (value === undefined) return undefined;
  if (value.type === 'string') return value.value as string;
  problems.push(at(value, 'error', `"notes" must be a string in double quotes (guidance for generating these questions), not ${describe(value)}.`));
  return undefined;
}

function readQuestions(value: Node | undefined, problems: TopicsProblem[]): number | undefined {
  if (value === undefined) return undefined;
  const range = `${MIN_QUESTIONS} to ${MAX_QUESTIONS}`;
  if (value.type !== 'number') {
    problems.push(at(value, 'error', `"questions" must be a whole number from ${range}, without quotes, not ${describe(value)}.`));
    return undefined;
  }
  const n = value.value as number;
  if (!Number.isInteger(n) || n < MIN_QUESTIONS || n > MAX_QUESTIONS) {
    problems.push(at(value, 'error', `"questions" must be a whole number from ${range}; ${String(n)} is not. It is how many questions to generate.`));
    return undefined;
  }
  return n;
}

/** The object's properties by key; a repeated key (the last one wins) and an unknown key are warnings. */
function properties(node: Node, known: readonly string[], problems: TopicsProblem[], where: string): Map<string, Node> {
  const out = new Map<string, Node>();
  for (const prop of node.children ?? []) {
    const [keyNode, value] = prop.children ?? [];
    if (keyNode === undefined || value === undefined) continue;
    const key = keyNode.value as string;
    if (out.has(key)) {
      problems.push(at(keyNode, 'warning', `"${key}" appears twice here; only this last one counts. Remove one of them.`));
    } else if (!known.includes(key)) {
      const list = known.filter((k) => k !== '$schema').map((k) => `"${k}"`).join(', ');
      const hint = known.includes('notes') ? ' Put remarks in "notes", or in a // comment.' : ' Put remarks in a // comment.';
      problems.push(at(keyNode, 'warning', `TuneLab does not know "${key}" in ${where} (it reads ${list}).${hint}`));
    }
    out.set(key, value);
  }
  return out;
}

function flagDuplicates<T>(items: readonly T[], name: (item: T) => string, problems: TopicsProblem[],
  span: (item: T) => { offset: number; length: number }, message: (name: string) => string): void {
  const seen = new Set<string>();
  for (const item of items) {
    const key = nameKey(name(item));
    if (key === '') continue;
    if (seen.has(key)) problems.push({ ...span(item), severity: 'warning', message: message(name(item)) });
    else seen.add(key);
  }
}

function nameSpan(value: Node | undefined, owner: Node): { offset: number; length: number } {
  return value === undefined ? { offset: owner.offset, length: 1 } : { offset: value.offset, length: value.length };
}

function at(node: Node, severity: 'error' | 'warning', message: string): TopicsProblem {
  return { offset: node.offset, length: node.length, severity, message };
}

function describe(node: Node): string {
  switch (node.type) {
    case 'string': return 'a string';
    case 'number': return 'a number';
    case 'boolean': return node.value === true ? 'true' : 'false';
    case 'null': return 'null';
    case 'array': return 'a list';
    case 'object': return 'an object';
    default: return 'this';
  }
}

const SYNTAX_HINTS: Readonly<Record<string, string>> = {
  InvalidSymbol: 'Unexpected character. Remove it, or put the text in double quotes.',
  InvalidNumberFormat: 'This number is not valid JSON. Write it like 5 (for "questions", a whole number from 1 to 100).',
  PropertyNameExpected: 'A property name in double quotes is expected here, like "name".',
  ValueExpected: 'A value is expected here: a string in double quotes, a number, an object { … } or a list [ … ].',
  ColonExpected: 'A colon (:) is expected after the property name.',
  CommaExpected: 'A comma is missing before this: separate items and properties with commas.',
  CloseBraceExpected: 'A closing brace } is missing.',
  CloseBracketExpected: 'A closing bracket ] is missing.',
  EndOfFileExpected: 'The file must hold one JSON object; remove what follows its closing brace.',
  InvalidCommentToken: 'This comment is not valid: start a comment with // or /*.',
  UnexpectedEndOfComment: 'This comment is not closed: end it with */.',
  UnexpectedEndOfString: 'This string is not closed: end it with a double quote (") on the same line.',
  UnexpectedEndOfNumber: 'This number is cut short.',
  InvalidUnicode: 'A \\u escape needs four hex digits, like \\u00e9.',
  InvalidEscapeCharacter: 'A backslash in a string must start an escape like \\n or \\"; write \\\\ for a backslash.',
  InvalidCharacter: 'A string cannot hold a line break or control character; write \\n for a line break, or split the text.',
};

function syntaxProblem(text: string, e: ParseError): TopicsProblem {
  const code = printParseErrorCode(e.error);
  const hint = SYNTAX_HINTS[code] ?? 'The JSON is not valid here.';
  // Kept inside the text (the parser can report an unclosed comment as reaching past the end).
  const offset = Math.min(Math.max(e.offset, 0), text.length);
  const length = Math.min(e.length === 0 && offset < text.length ? 1 : e.length, text.length - offset);
  return { offset, length, severity: 'error', message: `Syntax error: ${hint}` };
}
