/**
 * TuneLab prompt files (`*.tlprompt`): YAML front matter between `---` lines (endpoint,
 * temperature, top_p, max_tokens, seed, description), then a body of `system:` / `user:` /
 * `assistant:` sections with `{{var}}` placeholders.
 *
 * Pure: text in, the parsed prompt and its problems out, with 0-based line/column positions.
 */
import { isMap, isScalar, parseDocument, LineCounter } from 'yaml';

export type PromptRole = 'system' | 'user' | 'assistant';

export interface PromptSection { readonly role: PromptRole; readonly text: string; readonly line: number }

export interface PromptSettings {
  readonly endpoint?: string;
  readonly temperature?: number;
  readonly topP?: number;
  readonly maxTokens?: number;
  /** The sampling seed, for endpoints that honour one. */
  readonly seed?: number;
  readonly description?: string;
}

export interface PromptProblem {
  readonly line: number;
  readonly start: number;
  readonly end: number;
  readonly message: string;
  readonly severity: 'error' | 'warning';
}

export interface PromptFile {
  readonly settings: PromptSettings;
  readonly sections: readonly PromptSection[];
  /** Placeholder names in order of first use, e.g. `question` for `{{question}}`. */
  readonly variables: readonly string[];
  readonly problems: readonly PromptProblem[];
}

/** The front-matter keys and what each must hold. */
export const FRONT_MATTER_KEYS: Readonly<Record<string, string>> = {
  endpoint: 'the id of an endpoint in tunelab.endpoints',
  temperature: 'a number from 0 to 2',
  top_p: 'a number above 0, at most 1',
  max_tokens: 'a whole number of at least 1',
  seed: 'a whole number',
  description: 'one line saying what the prompt is for',
};

const SECTION = /^(system|user|assistant):\s*$/;
const PLACEHOLDER = /\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;

export function parsePromptFile(text: string): PromptFile {
  const lines = text.split(/\r\n|\r|\n/);
  const problems: PromptProblem[] = [];
  let bodyStart = 0;
  let settings: PromptSettings = {};
  if (lines[0]?.trim() === '---') {
    const close = lines.findIndex((l, i) => i > 0 && l.trim() === '---');
    if (close < 0) {
      problems.push({ line: 0, start: 0, end: 3, severity: 'error', message: 'The front matter is not closed: add a line with --- after its last key.' });
      bodyStart = lines.length;
    } else {
      settings = frontMatter(lines.slice(1, close).join('\n'), 1, problems);
      bodyStart = close + 1;
    }
  }
  const sections: PromptSection[] = [];
  let current: { role: PromptRole; line: number; body: string[] } | undefined;
  const flush = (): void => {
    if (current !== undefined) sections.push({ role: current.role, line: current.line, text: current.body.join('\n').trim() });
  };
  for (let i = bodyStart; i < lines.length; i++) {
    const line = lines[i] ?? '';
    const m = SECTION.exec(line);
    if (m !== null) {
      flush();
      current = { role: m[1] as PromptRole, line: i, body: [] };
      continue;
    }
    if (current === undefined) {
      if (line.trim() !== '') {
        problems.push({ line: i, start: 0, end: line.length, severity: 'error', message: 'Text before the first section: start the prompt with a line "system:" or "user:".' });
      }
      continue;
    }
    current.body.push(line);
  }
  flush();
  if (sections.length === 0 && problems.length === 0) {
    problems.push({ line: bodyStart < lines.length ? bodyStart : 0, start: 0, end: 0, severity: 'warning', message: 'No prompt yet: add a "system:" section and a "user:" section.' });
  }
  sections.forEach((s, i) => {
    if (s.role === 'system' && i > 0) problems.push({ line: s.line, start: 0, end: 7, severity: 'warning', message: 'The system section should come first: models read it as the instructions for what follows.' });
    if (s.text === '') problems.push({ line: s.line, start: 0, end: s.role.length + 1, severity: 'warning', message: `The ${s.role} section is empty: write its text below this line, or remove it.` });
  });
  const variables: string[] = [];
  for (const s of sections) {
    for (const m of s.text.matchAll(PLACEHOLDER)) {
      const name = m[1];
      if (name !== undefined && !variables.includes(name)) variables.push(name);
    }
  }
  return { settings, sections, variables, problems };
}

/** Fills `{{var}}` placeholders; unknown ones are left as written, so a missing value shows. */
export function fillPlaceholders(text: string, values: Readonly<Record<string, string>>): string {
  return text.replace(PLACEHOLDER, (whole, name: string) => values[name] ?? whole);
}

function frontMatter(yamlText: string, firstLine: number, problems: PromptProblem[]): PromptSettings {
  const counter = new LineCounter();
  const doc = parseDocument(yamlText, { lineCounter: counter, prettyErrors: false });
  const at = (offset: number, length: number): { line: number; start: number; end: number } => {
    const pos = counter.linePos(offset);
    return { line: firstLine + pos.line - 1, start: pos.col - 1, end: pos.col - 1 + Math.max(length, 1) };
  };
  for (const e of doc.errors) {
    problems.push({ ...at(e.pos[0], e.pos[1] - e.pos[0]), severity: 'error', message: `The front matter is not valid YAML (${e.code}): write one "key: value" per line.` });
  }
  if (doc.errors.length > 0 || doc.contents === null) return {};
  if (!isMap(doc.contents)) {
    problems.push({ ...at(0, yamlText.length), severity: 'error', message: 'The front matter must be "key: value" lines, e.g. temperature: 0.7.' });
    return {};
  }
  const settings: { -readonly [K in keyof PromptSettings]: PromptSettings[K] } = {};
  for (const pair of doc.contents.items) {
    const key = isScalar(pair.key) ? String(pair.key.value) : '';
    const [ks, ke] = (isScalar(pair.key) ? pair.key.range : undefined) ?? [0, 0];
    const keyAt = at(ks, ke - ks);
    const value: unknown = isScalar(pair.value) ? pair.value.value : undefined;
    const expected = FRONT_MATTER_KEYS[key];
    if (expected === undefined) {
      problems.push({ ...keyAt, severity: 'warning', message: `Unknown key "${key}": TuneLab reads ${Object.keys(FRONT_MATTER_KEYS).join(', ')}. Remove it or fix its name.` });
      continue;
    }
    const bad = (): void => { problems.push({ ...keyAt, severity: 'error', message: `"${key}" must be ${expected}.` }); };
    switch (key) {
      case 'endpoint':
      case 'description':
        if (typeof value === 'string' && value.trim() !== '') settings[key] = value.trim(); else bad();
        break;
      case 'temperature':
        if (typeof value === 'number' && value >= 0 && value <= 2) settings.temperature = value; else bad();
        break;
      case 'top_p':
        if (typeof value === 'number' && value > 0 && value <= 1) settings.topP = value; else bad();
        break;
      case 'max_tokens':
        if (typeof value === 'number' && Number.isInteger(value) && value >= 1) settings.maxTokens = value; else bad();
        break;
      case 'seed':
        if (typeof value === 'number' && Number.isSafeInteger(value)) settings.seed = value; else bad();
        break;
    }
  }
  return settings;
}
