/**
 * Writes Prompt Lab's draft as a TuneLab prompt file (`*.tlprompt`), and reads a parsed prompt
 * file back as a draft: the inverse of each other, so `parsePromptFile(writePromptFile(d))`
 * gives `d` back with no problems.
 *
 * What the file format cannot hold, and how the writer handles it (`promptFileNotes` says which
 * of these apply to a draft, so the caller can tell the user):
 * - A section's text is trimmed when read, so leading and trailing blank space is not kept.
 * - A line that is only `system:`, `user:` or `assistant:` starts a new section, and the format
 *   has no escape for it: the writer indents such a line by one space, which keeps it text.
 *   It reads back with that space (except on the first line, where the trim removes it again).
 * - Line breaks are written as `\n`.
 * - The endpoint and description are one line each: line breaks in them become spaces.
 * - A parameter the file cannot hold (top_p of 0, a seed beyond 2^53) is left out.
 * - A draft with neither a system prompt nor a question is written as two empty sections, which
 *   the parser flags as empty: there is nothing to save yet.
 */
import { stringify } from 'yaml';
import type { Draft, RunParameters } from '../protocol';
import { parsePromptFile, type PromptFile } from './promptFile';

export interface PromptDraft {
  readonly system: string;
  readonly question: string;
  readonly endpoint?: string;
  readonly parameters: RunParameters;
  readonly description?: string;
}

/** A section marker line, as parsePromptFile's `SECTION` reads one (keep the two in step). */
const MARKER = /^(system|user|assistant):\s*$/;

function oneLine(text: string | undefined): string {
  return (text ?? '').replace(/\s*[\r\n]+\s*/g, ' ').trim();
}

/** The lines of the text as a section holds them: trimmed (as the parser reads it), `\n` breaks. */
function sectionLines(text: string): string[] {
  const trimmed = text.trim();
  return trimmed === '' ? [] : trimmed.split(/\r\n|\r|\n/);
}

/**
 * The section text as written: marker lines indented by a space. Trimming comes first, so an
 * indented first line gets its space trimmed away again when read.
 */
function sectionText(text: string): string {
  return sectionLines(text).map((l) => (MARKER.test(l) ? ` ${l}` : l)).join('\n');
}

/** The front-matter keys with the draft's values, only those set and in range, in file order. */
function frontMatter(draft: PromptDraft): Record<string, string | number> {
  const p = draft.parameters;
  const out: Record<string, string | number> = {};
  const endpoint = oneLine(draft.endpoint);
  if (endpoint !== '') out.endpoint = endpoint;
  if (p.temperature !== undefined && p.temperature >= 0 && p.temperature <= 2) out.temperature = p.temperature;
  if (p.topP !== undefined && p.topP > 0 && p.topP <= 1) out.top_p = p.topP;
  if (p.maxTokens !== undefined && Number.isInteger(p.maxTokens) && p.maxTokens >= 1) out.max_tokens = p.maxTokens;
  if (p.seed !== undefined && Number.isSafeInteger(p.seed)) out.seed = p.seed;
  const description = oneLine(draft.description);
  if (description !== '') out.description = description;
  return out;
}

/** The draft as the text of a `.tlprompt` file. */
export function writePromptFile(draft: PromptDraft): string {
  const settings = frontMatter(draft);
  let out = '';
  if (Object.keys(settings).length > 0) {
    // lineWidth 0: no folding, so every key stays on one line and no line of it reads "---".
    out += `---\n${stringify(settings, { lineWidth: 0 })}---\n`;
  }
  const system = sectionText(draft.system);
  const question = sectionText(draft.question);
  const both = system === '' && question === '';
  if (system !== '' || both) out += `system:\n${system}${system === '' ? '' : '\n'}`;
  if (question !== '' || both) out += `${system === '' ? '' : '\n'}user:\n${question}${question === '' ? '' : '\n'}`;
  return out;
}

/** What writing the draft changes or leaves out, one sentence each; empty when nothing is lost. */
export function promptFileNotes(draft: PromptDraft): string[] {
  const notes: string[] = [];
  for (const [name, text] of [['system prompt', draft.system], ['question', draft.question]] as const) {
    // The first line reads back as written: the trim removes the space again.
    const marker = sectionLines(text).slice(1).find((l) => MARKER.test(l));
    if (marker !== undefined) {
      notes.push(`The ${name} has a line "${marker.trim()}" on its own, which a prompt file reads as the start of a section; it is saved indented by one space.`);
    }
  }
  if (/[\r\n]/.test(draft.description ?? '')) notes.push('The description is one line in a prompt file: its line breaks are saved as spaces.');
  const p = draft.parameters;
  const settings = frontMatter(draft);
  if (p.temperature !== undefined && settings.temperature === undefined) notes.push(`The temperature ${p.temperature} is not from 0 to 2, so it is left out.`);
  if (p.topP !== undefined && settings.top_p === undefined) notes.push(`top_p ${p.topP} is not above 0 and at most 1, so it is left out.`);
  if (p.maxTokens !== undefined && settings.max_tokens === undefined) notes.push(`max_tokens ${p.maxTokens} is not a whole number of at least 1, so it is left out.`);
  if (p.seed !== undefined && settings.seed === undefined) notes.push(`The seed ${p.seed} is not a whole number a prompt file can hold, so it is left out.`);
  return notes;
}

/**
 * The draft a prompt file holds: its first system section and its last user section (the
 * question; earlier user and assistant sections are examples, which a draft has no place for),
 * and its settings.
 */
export function draftFromPromptFile(file: PromptFile): PromptDraft {
  const system = file.sections.find((s) => s.role === 'system')?.text ?? '';
  const question = file.sections.findLast((s) => s.role === 'user')?.text ?? '';
  const { endpoint, description, temperature, topP, maxTokens, seed } = file.settings;
  const parameters: { -readonly [K in keyof RunParameters]: RunParameters[K] } = {};
  if (temperature !== undefined) parameters.temperature = temperature;
  if (topP !== undefined) parameters.topP = topP;
  if (maxTokens !== undefined) parameters.maxTokens = maxTokens;
  if (seed !== undefined) parameters.seed = seed;
  return {
    system,
    question,
    ...(endpoint === undefined ? {} : { endpoint }),
    parameters,
    ...(description === undefined ? {} : { description }),
  };
}

/**
 * The draft a prompt file opens as in Prompt Lab: its system and user sections, and its
 * endpoint and parameters in the first column; the panel's other columns stay as they were.
 */
export function panelDraftFromPromptFile(text: string, current: Draft | null, fallbackEndpoint: string | undefined): { draft: Draft; problems: number } {
  const file = parsePromptFile(text);
  const prompt = draftFromPromptFile(file);
  const rest = current?.columns.slice(1) ?? [];
  const endpoint = prompt.endpoint ?? current?.columns[0]?.endpoint ?? fallbackEndpoint ?? '';
  // A user section that is only a placeholder (`{{question}}`) is a slot for the question being
  // tried: keep the one in the panel rather than put the placeholder in its place.
  const slot = /^\{\{\s*[A-Za-z_]\w*\s*\}\}$/.test(prompt.question.trim());
  return {
    draft: {
      system: prompt.system,
      question: slot ? current?.question ?? '' : prompt.question,
      columns: [{ endpoint, system: null, parameters: prompt.parameters }, ...rest],
      samples: current?.samples ?? 1,
    },
    problems: file.problems.filter((p) => p.severity === 'error').length,
  };
}
