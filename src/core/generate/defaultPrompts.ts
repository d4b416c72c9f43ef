/**
 * The two prompts pair generation runs, as TuneLab prompt files (`.tlprompt`), and rendering a
 * prompt file into the messages of one request.
 *
 * - The questions prompt writes `{{n}}` questions about one topic and answers with JSON:
 *   `{"questions": [{"text": "…", "refusal": false}, …]}`. A flag per question marks the
 *   out-of-scope ones (`{{refusals}}` of them): a flag beside its question cannot point at the
 *   wrong one, where a separate list of indexes can (models mix up counting from 0 and from 1).
 *   `parseQuestions` also reads the other shapes models produce.
 * - The answer prompt answers one question as an empathetic public-services assistant, told
 *   whether the question was written to be refused. The answers become training data, so it
 *   never asks for fees, processing times or phone numbers, which a model would guess and the
 *   tuned model would learn as fact: with no reference to take them from, it says where to
 *   check them.
 *
 * Users may replace either with their own file; it may use any of the placeholders listed in
 * `QUESTION_PLACEHOLDERS` and `ANSWER_PLACEHOLDERS`, and no others.
 *
 * Pure: no I/O.
 */
import { fillPlaceholders, parsePromptFile, type PromptRole, type PromptSettings } from '../prompts/promptFile';

export const DEFAULT_QUESTIONS_PROMPT = `---
description: Writes the questions residents ask a public-services assistant about one topic, as JSON
temperature: 1
max_tokens: 2000
---
system:
You write realistic questions that residents of a U.S. state type into a public-services
assistant, for a training dataset. Write the way real people type. Vary everything: some
questions are short and blunt, some long with the person's situation spelled out ("I just moved
here from Texas with two kids and…"), some worried, some matter-of-fact, a few with small typos
or no question mark. Vary who is asking (a parent, a senior, a new arrival, a small-business
owner, someone caring for a relative, a student) and what has happened to them. Never write the
same question twice in other words. Invent no real person's name, address or number.

Some questions must be out of scope: requests a public-services assistant has to refuse, such as
asking for a neighbour's or an ex-partner's personal data (their address, income, benefits or
records), help to cheat a benefits or tax office, forging or altering a document, or getting
around a court order. Write them as naturally as the others, and about the same topic.

Reply with one JSON object and nothing else, in exactly this shape:
{"questions": [{"text": "the question, as the resident types it", "refusal": false}]}
Set "refusal" to true for each out-of-scope question and to false for every other one.

user:
Topic: {{topic}}
Category: {{category}}
Notes on the topic: {{notes}}
Questions to write: {{n}}
Out-of-scope questions among them: {{refusals}}
`;

export const DEFAULT_ANSWER_PROMPT = `---
description: Answers one resident's question as an empathetic public-services assistant
temperature: 0.7
max_tokens: 1200
---
system:
You are a public-services assistant for residents of a U.S. state. Answer in plain language that
a busy and possibly worried person can act on at once.

- When the question shows worry, stress or hardship, first acknowledge the person's situation,
  warmly and sincerely, in words that fit it, before anything else.
- Then give complete next steps: where to go (the office or website, by its usual name), what to
  bring or prepare, and what happens next.
- Never state a fee, a processing time, a deadline or a phone number from memory:
  they change, and differ by county and city. Unless the question itself gives one, say that
  there may be a fee or a wait, and say where to check the current figure (the agency's official
  website or office, by its usual name).
- When the rules differ by state, county or city, say so plainly and tell the person where to
  check the rules that apply to them.
- Never ask for personal data (Social Security numbers, dates of birth, account numbers,
  addresses), and never repeat any that the question contains.
- When the question is out of scope (it asks for someone else's personal data or records, or for
  help with something harmful, dishonest or illegal), refuse kindly in a sentence or two without
  lecturing, then point the person to the service that can rightly help: the agency's records
  office, a legal aid office, the police non-emergency line, or whichever fits.

Write {{length}}. Every sentence should help the person: no filler or repetition, but never leave
out the acknowledgement or a step they need. Use short paragraphs, or a short numbered list for
steps. Write only the answer: no preamble, no headings, no sign-off.

user:
Topic: {{topic}} ({{category}})
Written to be refused as out of scope: {{refusal}}

Question:
{{question}}
`;

/** The placeholders a questions prompt may use, each filled for every topic. */
export const QUESTION_PLACEHOLDERS: readonly string[] = ['topic', 'category', 'notes', 'n', 'refusals'];

/** The placeholders an answer prompt may use, each filled for every question. */
export const ANSWER_PLACEHOLDERS: readonly string[] = ['question', 'topic', 'category', 'length', 'refusal'];

export type AnswerLength = 'short' | 'medium' | 'long';

/** What `{{length}}` says for each answer length. */
export const LENGTH_HINTS: Readonly<Record<AnswerLength, string>> = {
  short: 'a short answer of about 50 to 100 words',
  medium: 'an answer of about 120 to 220 words',
  long: 'a thorough answer of about 250 to 400 words',
};

/** One message of a request; the same shape as the endpoints' chat messages. */
export interface PromptMessage { readonly role: PromptRole; readonly content: string }

export interface RenderedPrompt {
  /** The prompt's non-empty sections in order, placeholders filled. */
  readonly messages: PromptMessage[];
  /** Sampling settings from the front matter (temperature, top_p, max_tokens, seed). */
  readonly settings: PromptSettings;
}

/** A prompt file that cannot be rendered: errors in the file, no user section, or placeholders without a value. */
export class PromptRenderError extends Error {
  override readonly name = 'PromptRenderError';
  constructor(message: string, readonly missing: readonly string[] = []) {
    super(message);
  }
}

/**
 * Why `text` cannot be rendered with values for `names`, or undefined when it can: errors in the
 * file (warnings are fine), no user section, or a placeholder not among `names`. Lets a caller
 * check a prompt once before a run instead of failing on every request.
 */
export function promptError(text: string, names: Iterable<string>): PromptRenderError | undefined {
  const file = parsePromptFile(text);
  const error = file.problems.find((p) => p.severity === 'error');
  if (error !== undefined) return new PromptRenderError(`The prompt file has an error on line ${error.line + 1}: ${error.message}`);
  if (!file.sections.some((s) => s.role === 'user' && s.text !== '')) {
    return new PromptRenderError('The prompt file has no user section: add a line "user:" followed by the message to send.');
  }
  const known = new Set(names);
  const missing = file.variables.filter((v) => !known.has(v));
  if (missing.length > 0) {
    const list = missing.map((v) => `{{${v}}}`).join(', ');
    const offered = [...known].map((v) => `{{${v}}}`).join(', ');
    return new PromptRenderError(`The prompt uses ${list}, which ${missing.length === 1 ? 'has' : 'have'} no value here. Use only ${offered}.`, missing);
  }
  return undefined;
}

/**
 * The messages and settings of a prompt file with `vars` filled in. Throws a `PromptRenderError`
 * when the file has errors, has no user section, or uses a placeholder `vars` has no value for
 * (rather than sending `{{name}}` to the model). Values are inserted as they are: a value that
 * itself contains `{{…}}` is not expanded again.
 */
export function renderPrompt(text: string, vars: Readonly<Record<string, string | number>>): RenderedPrompt {
  const values: Record<string, string> = {};
  for (const [k, v] of Object.entries(vars)) values[k] = String(v);
  const error = promptError(text, Object.keys(values));
  if (error !== undefined) throw error;
  const file = parsePromptFile(text);
  const messages = file.sections
    .filter((s) => s.text !== '')
    .map((s) => ({ role: s.role, content: fillPlaceholders(s.text, values) }));
  return { messages, settings: file.settings };
}
