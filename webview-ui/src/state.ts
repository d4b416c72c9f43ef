/**
 * Prompt Lab's state and the pure rules over it: defaults, validation, turning what is typed into
 * the protocol's Draft and ColumnSpec, history search, and what is kept in the webview state.
 * Nothing here touches the DOM or the host, so every rule reads (and can be checked) on its own.
 */
import type {
  AnswerStats,
  ColumnSpec,
  Draft,
  DraftColumn,
  EndpointOption,
  HistoryEntry,
  RunParameters,
} from '../../src/core/protocol';

export const MAX_COLUMNS = 4;
export const MAX_SAMPLES = 8;

export type NumberField = 'temperature' | 'topP' | 'maxTokens' | 'seed';
export const NUMBER_FIELDS: readonly NumberField[] = ['temperature', 'topP', 'maxTokens', 'seed'];

/**
 * A column as its fields hold it. Numbers stay the text that was typed, so an out-of-range value
 * can be shown with its message instead of silently dropped; the override text is kept while
 * "Own system prompt" is off, so unticking and ticking again loses nothing.
 */
export interface ColumnForm {
  readonly endpoint: string;
  readonly ownSystem: boolean;
  readonly system: string;
  readonly temperature: string;
  readonly topP: string;
  readonly maxTokens: string;
  readonly seed: string;
}

export interface FormState {
  readonly system: string;
  readonly question: string;
  readonly columns: readonly ColumnForm[];
  readonly samples: string;
}

interface FieldRule {
  readonly label: string;
  readonly min: number;
  readonly max: number;
  readonly integer: boolean;
}

export const FIELD_RULES: Readonly<Record<NumberField | 'samples', FieldRule>> = {
  temperature: { label: 'Temperature', min: 0, max: 2, integer: false },
  topP: { label: 'top_p', min: 0, max: 1, integer: false },
  maxTokens: { label: 'Max tokens', min: 1, max: 32768, integer: true },
  seed: { label: 'Seed', min: Number.MIN_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER, integer: true },
  samples: { label: 'Samples', min: 1, max: MAX_SAMPLES, integer: true },
};

export type Parsed = { readonly value: number | undefined; readonly error?: undefined } | { readonly value?: undefined; readonly error: string };

/** An empty field means "the endpoint's default"; anything else must be a number in range. */
export function parseField(raw: string, field: NumberField | 'samples', badInput = false): Parsed {
  const rule = FIELD_RULES[field];
  const text = raw.trim();
  const expected =
    field === 'seed'
      ? 'Seed must be a whole number.'
      : `${rule.label} must be ${rule.integer ? 'a whole number' : 'a number'} from ${rule.min} to ${rule.max}.`;
  if (badInput) return { error: expected };
  if (text === '') return field === 'samples' ? { error: expected } : { value: undefined };
  const n = Number(text);
  if (!Number.isFinite(n) || (rule.integer && !Number.isInteger(n)) || n < rule.min || n > rule.max) return { error: expected };
  return { value: n };
}

export type ColumnErrors = Partial<Record<NumberField | 'endpoint', string>>;

export interface FormErrors {
  readonly samples?: string;
  readonly columns: readonly ColumnErrors[];
}

/** The key a field's "the browser could not read this number" flag is kept under. */
export function fieldKey(column: number, field: NumberField): string {
  return `${column}.${field}`;
}

export function findEndpoint(endpoints: readonly EndpointOption[], id: string): EndpointOption | undefined {
  return endpoints.find((e) => e.id === id);
}

export function validateForm(form: FormState, endpoints: readonly EndpointOption[], badInput: ReadonlySet<string>): FormErrors {
  const samples = parseField(form.samples, 'samples', badInput.has('samples')).error;
  const columns = form.columns.map((column, i) => {
    const errors: ColumnErrors = {};
    const option = findEndpoint(endpoints, column.endpoint);
    if (endpoints.length > 0 && !option) {
      errors.endpoint =
        column.endpoint === ''
          ? 'Pick an endpoint.'
          : `“${column.endpoint}” is not among your endpoints: pick another, or Refresh.`;
    }
    for (const field of NUMBER_FIELDS) {
      // A seed or a top_p the endpoint does not use is never sent, so it cannot block a run.
      if (field === 'seed' && option && !option.seed) continue;
      if (field === 'topP' && option?.topPUnused !== undefined) continue;
      const error = parseField(column[field], field, badInput.has(fieldKey(i, field))).error;
      if (error !== undefined) errors[field] = error;
    }
    return errors;
  });
  return samples === undefined ? { columns } : { samples, columns };
}

export function hasErrors(errors: FormErrors): boolean {
  return errors.samples !== undefined || errors.columns.some((c) => Object.keys(c).length > 0);
}

export interface RunContext {
  readonly connected: boolean;
  readonly trusted: boolean;
  readonly endpoints: readonly EndpointOption[];
  readonly form: FormState;
  readonly errors: FormErrors;
  readonly running: boolean;
}

/** Why Run is disabled, in words for the hint under it; undefined when it may run. */
export function runBlocker(ctx: RunContext): string | undefined {
  if (!ctx.connected) return 'Connecting to TuneLab…';
  if (!ctx.trusted) return 'Restricted Mode: trust this workspace to run prompts.';
  if (ctx.endpoints.length === 0) return 'Add an endpoint to run.';
  if (ctx.running) return 'A run is in progress.';
  if (hasErrors(ctx.errors)) return 'Fix the marked fields to run.';
  if (ctx.form.question.trim() === '') return 'Type a question to run.';
  return undefined;
}

/**
 * The parameters a column sends: only those set, a seed only where the endpoint honours one, and
 * top_p only where the model takes it beside temperature.
 */
export function columnParameters(column: ColumnForm, option: EndpointOption | undefined, forDraft = false): RunParameters {
  const out: { temperature?: number; topP?: number; maxTokens?: number; seed?: number } = {};
  for (const field of NUMBER_FIELDS) {
    if (field === 'seed' && !forDraft && !option?.seed) continue;
    if (field === 'topP' && !forDraft && option?.topPUnused !== undefined) continue;
    const { value } = parseField(column[field], field);
    if (value !== undefined) out[field] = value;
  }
  return out;
}

export function effectiveSystem(form: FormState, column: ColumnForm): string {
  return column.ownSystem ? column.system : form.system;
}

/** The columns as `run/start` and `batch/start` take them: system resolved, parameters only those set. */
export function resolveColumns(form: FormState, endpoints: readonly EndpointOption[]): ColumnSpec[] {
  return form.columns.map((column) => ({
    endpoint: column.endpoint,
    system: effectiveSystem(form, column),
    parameters: columnParameters(column, findEndpoint(endpoints, column.endpoint)),
  }));
}

export function samplesOf(form: FormState): number {
  return parseField(form.samples, 'samples').value ?? 1;
}

/** The Draft the host keeps: invalid numbers are left out rather than sent. */
export function toDraft(form: FormState): Draft {
  return {
    system: form.system,
    question: form.question,
    columns: form.columns.map(
      (column): DraftColumn => ({
        endpoint: column.endpoint,
        system: column.ownSystem ? column.system : null,
        parameters: columnParameters(column, undefined, true),
      }),
    ),
    samples: samplesOf(form),
  };
}

function numberText(n: number | undefined): string {
  return n === undefined ? '' : String(n);
}

function columnFromParameters(endpoint: string, system: string | null, p: RunParameters): ColumnForm {
  return {
    endpoint,
    ownSystem: system !== null,
    system: system ?? '',
    temperature: numberText(p.temperature),
    topP: numberText(p.topP),
    maxTokens: numberText(p.maxTokens),
    seed: numberText(p.seed),
  };
}

function clampSamples(n: number): number {
  return Number.isInteger(n) ? Math.min(MAX_SAMPLES, Math.max(1, n)) : 1;
}

export function fromDraft(draft: Draft): FormState {
  const columns = draft.columns.slice(0, MAX_COLUMNS).map((c) => columnFromParameters(c.endpoint, c.system, c.parameters));
  return {
    system: draft.system,
    question: draft.question,
    columns: columns.length > 0 ? columns : [emptyColumn('')],
    samples: String(clampSamples(draft.samples)),
  };
}

/** A history entry as a draft: a column whose system prompt is the shared one uses the shared one. */
export function fromHistory(entry: HistoryEntry): FormState {
  return fromDraft({
    system: entry.system,
    question: entry.question,
    columns: entry.columns.map((c) => ({ endpoint: c.endpoint, system: c.system === entry.system ? null : c.system, parameters: c.parameters })),
    samples: entry.samples,
  });
}

export function emptyColumn(endpoint: string): ColumnForm {
  return { endpoint, ownSystem: false, system: '', temperature: '', topP: '', maxTokens: '', seed: '' };
}

/** Endpoints as the picker lists them: configured ones first, then those listed live. */
export function orderedEndpoints(endpoints: readonly EndpointOption[]): EndpointOption[] {
  return [...endpoints.filter((e) => !e.live), ...endpoints.filter((e) => e.live)];
}

export function defaultForm(endpoints: readonly EndpointOption[]): FormState {
  return { system: '', question: '', columns: [emptyColumn(orderedEndpoints(endpoints)[0]?.id ?? '')], samples: '1' };
}

/** A new column starts on an endpoint no other column uses yet, so adding one is already a comparison. */
export function addColumn(form: FormState, endpoints: readonly EndpointOption[]): FormState {
  if (form.columns.length >= MAX_COLUMNS) return form;
  const used = new Set(form.columns.map((c) => c.endpoint));
  const ordered = orderedEndpoints(endpoints);
  const endpoint = ordered.find((e) => !used.has(e.id))?.id ?? ordered[0]?.id ?? '';
  return { ...form, columns: [...form.columns, emptyColumn(endpoint)] };
}

/** Columns left without an endpoint (none were known) get the first one once some arrive. */
export function fillEndpoints(form: FormState, endpoints: readonly EndpointOption[]): FormState {
  const first = orderedEndpoints(endpoints)[0]?.id;
  if (first === undefined || form.columns.every((c) => c.endpoint !== '')) return form;
  return { ...form, columns: form.columns.map((c) => (c.endpoint === '' ? { ...c, endpoint: first } : c)) };
}

export function endpointLabel(endpoints: readonly EndpointOption[], id: string): string {
  const option = findEndpoint(endpoints, id);
  if (!option) return id;
  return option.live ? `${option.label} (SageMaker, live)` : option.label;
}

/** History newest first, narrowed to entries whose question, system prompts or answers contain the query. */
export function filterHistory(history: readonly HistoryEntry[], query: string): HistoryEntry[] {
  const needle = query.trim().toLowerCase();
  const sorted = [...history].sort((a, b) => b.time - a.time);
  if (needle === '') return sorted;
  const has = (text: string): boolean => text.toLowerCase().includes(needle);
  return sorted.filter(
    (e) => has(e.question) || has(e.system) || e.columns.some((c) => has(c.system)) || e.answers.some((a) => has(a.text)),
  );
}

export function firstLine(text: string, max = 120): string {
  const line = text.trim().split(/\r?\n/, 1)[0] ?? '';
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

export function formatMs(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(2)} s`;
}

export function formatTime(time: number, now = Date.now()): string {
  const date = new Date(time);
  const sameDay = new Date(now).toDateString() === date.toDateString();
  return sameDay
    ? date.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' })
    : date.toLocaleString(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
}

export interface FinishInfo {
  readonly text: string;
  readonly warning: boolean;
}

/** The finish reason in words; the ones that mean "this is not the whole answer" are warnings. */
export function describeFinish(finish: string): FinishInfo {
  switch (finish) {
    case 'length':
      return { text: 'finish: length, cut off at max tokens', warning: true };
    case 'content-filter':
      return { text: 'finish: content-filter, stopped by a content filter', warning: true };
    case 'cancelled':
      return { text: 'finish: cancelled, stopped', warning: true };
    default:
      return { text: `finish: ${finish}`, warning: false };
  }
}

/** The stats line's parts, in reading order: latency, first token, tokens. */
export function statsParts(stats: AnswerStats): string[] {
  const parts = [`latency ${formatMs(stats.latencyMs)}`];
  if (stats.firstTokenMs !== undefined) parts.push(`first token ${formatMs(stats.firstTokenMs)}`);
  const tokens: string[] = [];
  if (stats.inputTokens !== undefined) tokens.push(`${stats.inputTokens} in`);
  if (stats.outputTokens !== undefined) tokens.push(`${stats.outputTokens} out`);
  if (tokens.length > 0) parts.push(`tokens ${tokens.join(' / ')}`);
  return parts;
}

// ---- Runs and their answers ----

export type AnswerStatus = 'streaming' | 'done' | 'error' | 'interrupted';

export interface AnswerCard {
  text: string;
  status: AnswerStatus;
  stats?: AnswerStats;
  error?: string;
  /** The text was shortened when it was kept in the webview state. */
  truncated?: boolean;
}

/** One run as the answers section shows it: the resolved columns it was sent with, and its answers. */
export interface RunView {
  readonly runId: string;
  readonly question: string;
  readonly columns: readonly ColumnSpec[];
  readonly samples: number;
  /** [column][sample]. */
  readonly answers: AnswerCard[][];
}

/** A run id as the protocol wants it (letters, digits, '-'); getRandomValues works in any context. */
export function newRunId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

export function newRun(runId: string, question: string, columns: readonly ColumnSpec[], samples: number): RunView {
  return {
    runId,
    question,
    columns,
    samples,
    answers: columns.map(() => Array.from({ length: samples }, (): AnswerCard => ({ text: '', status: 'streaming' }))),
  };
}

/** The card a notification is about; undefined for another run or an index out of range. */
export function cardOf(run: RunView | null, runId: string, column: number, sample: number): AnswerCard | undefined {
  if (!run || run.runId !== runId) return undefined;
  return run.answers[column]?.[sample];
}

// ---- What is kept in the webview state ----

export interface SavedState {
  readonly version: 1;
  /** The draft as the protocol has it, for anyone reading the state. */
  readonly draft: Draft;
  /** The fields exactly as typed, which the panel restores first. */
  readonly form: FormState;
  readonly markdown: boolean;
  readonly historyOpen: boolean;
  readonly run: RunView | null;
}

/** Hiding the view should keep the answers, but the state is serialised on every change: keep it bounded. */
export const SAVED_TEXT_BUDGET = 200_000;

export function runForSaving(run: RunView | null, budget = SAVED_TEXT_BUDGET): RunView | null {
  if (!run) return null;
  const count = run.answers.reduce((n, col) => n + col.length, 0);
  const perAnswer = Math.floor(budget / Math.max(1, count));
  return {
    ...run,
    answers: run.answers.map((col) =>
      col.map((card) => (card.text.length > perAnswer ? { ...card, text: card.text.slice(0, perAnswer), truncated: true } : card)),
    ),
  };
}

export function savedState(form: FormState, markdown: boolean, historyOpen: boolean, run: RunView | null): SavedState {
  return { version: 1, draft: toDraft(form), form, markdown, historyOpen, run: runForSaving(run) };
}

// The webview state comes back from VS Code as plain JSON of some earlier version of this panel:
// read it field by field and drop what does not fit, rather than trust its shape.

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

function readColumnForm(v: unknown): ColumnForm | undefined {
  if (!isObject(v)) return undefined;
  const endpoint = str(v.endpoint);
  if (endpoint === undefined) return undefined;
  return {
    endpoint,
    ownSystem: v.ownSystem === true,
    system: str(v.system) ?? '',
    temperature: str(v.temperature) ?? '',
    topP: str(v.topP) ?? '',
    maxTokens: str(v.maxTokens) ?? '',
    seed: str(v.seed) ?? '',
  };
}

export function readForm(v: unknown): FormState | undefined {
  if (!isObject(v) || !Array.isArray(v.columns)) return undefined;
  const columns = v.columns.map(readColumnForm).filter((c): c is ColumnForm => c !== undefined).slice(0, MAX_COLUMNS);
  const system = str(v.system);
  const question = str(v.question);
  if (system === undefined || question === undefined || columns.length === 0) return undefined;
  return { system, question, columns, samples: str(v.samples) ?? '1' };
}

function readParameters(v: unknown): RunParameters {
  if (!isObject(v)) return {};
  const out: { temperature?: number; topP?: number; maxTokens?: number; seed?: number } = {};
  for (const field of NUMBER_FIELDS) {
    const n = num(v[field]);
    if (n !== undefined) out[field] = n;
  }
  return out;
}

export function readDraft(v: unknown): Draft | undefined {
  if (!isObject(v) || !Array.isArray(v.columns)) return undefined;
  const system = str(v.system);
  const question = str(v.question);
  if (system === undefined || question === undefined) return undefined;
  const columns: DraftColumn[] = [];
  for (const c of v.columns) {
    if (!isObject(c)) continue;
    const endpoint = str(c.endpoint);
    if (endpoint === undefined) continue;
    columns.push({ endpoint, system: str(c.system) ?? null, parameters: readParameters(c.parameters) });
  }
  if (columns.length === 0) return undefined;
  return { system, question, columns, samples: num(v.samples) ?? 1 };
}

function readStats(v: unknown): AnswerStats | undefined {
  if (!isObject(v)) return undefined;
  const latencyMs = num(v.latencyMs);
  const finish = str(v.finish);
  if (latencyMs === undefined || finish === undefined) return undefined;
  const stats: { latencyMs: number; finish: string; firstTokenMs?: number; inputTokens?: number; outputTokens?: number } = {
    latencyMs,
    finish,
  };
  for (const key of ['firstTokenMs', 'inputTokens', 'outputTokens'] as const) {
    const n = num(v[key]);
    if (n !== undefined) stats[key] = n;
  }
  return stats;
}

function readCard(v: unknown): AnswerCard {
  if (!isObject(v)) return { text: '', status: 'interrupted' };
  const status = str(v.status);
  const card: AnswerCard = {
    text: str(v.text) ?? '',
    // An answer that was streaming when the panel went away gets the rest only if the host sends it.
    status: status === 'done' || status === 'error' ? status : 'interrupted',
  };
  const stats = readStats(v.stats);
  if (stats) card.stats = stats;
  const error = str(v.error);
  if (error !== undefined) card.error = error;
  if (v.truncated === true) card.truncated = true;
  return card;
}

function readRun(v: unknown): RunView | null {
  if (!isObject(v) || !Array.isArray(v.columns) || !Array.isArray(v.answers)) return null;
  const runId = str(v.runId);
  const question = str(v.question);
  const samples = num(v.samples);
  if (runId === undefined || question === undefined || samples === undefined) return null;
  const columns: ColumnSpec[] = [];
  for (const c of v.columns) {
    if (!isObject(c)) return null;
    const endpoint = str(c.endpoint);
    const system = str(c.system);
    if (endpoint === undefined || system === undefined) return null;
    columns.push({ endpoint, system, parameters: readParameters(c.parameters) });
  }
  const answers = v.answers.map((col) => (Array.isArray(col) ? col.map(readCard) : []));
  if (answers.length !== columns.length) return null;
  return { runId, question, columns, samples, answers };
}

export interface Restored {
  readonly form: FormState | undefined;
  readonly markdown: boolean;
  readonly historyOpen: boolean;
  readonly run: RunView | null;
}

export function readSavedState(v: unknown): Restored {
  if (!isObject(v)) return { form: undefined, markdown: false, historyOpen: false, run: null };
  const draft = readDraft(v.draft);
  return {
    form: readForm(v.form) ?? (draft ? fromDraft(draft) : undefined),
    markdown: v.markdown === true,
    historyOpen: v.historyOpen === true,
    run: readRun(v.run),
  };
}
