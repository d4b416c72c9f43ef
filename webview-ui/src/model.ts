import type { EndpointOption, HistoryEntry } from '../../src/core/protocol';
import type { FormErrors, FormState, NumberField, RunView } from './state';

/** A short-lived line under an answer card: "Copied", "Added to train.jsonl:12 (…)", or a failure. */
export interface CardNote {
  readonly text: string;
  readonly error: boolean;
}

/** Everything the templates draw from; built fresh by the controller before each render. */
export interface PanelModel {
  readonly connected: boolean;
  readonly connectError: string | undefined;
  readonly version: string;
  readonly trusted: boolean;
  readonly endpoints: readonly EndpointOption[];
  readonly history: readonly HistoryEntry[];
  readonly form: FormState;
  readonly errors: FormErrors;
  /** Why Run is disabled, or undefined when it may run. */
  readonly blocker: string | undefined;
  readonly running: boolean;
  readonly refreshing: boolean;
  readonly markdown: boolean;
  readonly run: RunView | null;
  /** Keyed by `${column}:${sample}` (0-based). */
  readonly notes: ReadonlyMap<string, CardNote>;
  /** The polite live line: "Column 1, answer 1 done" and the like. */
  readonly status: string;
  /** A failure worth interrupting for (role="alert"). */
  readonly alert: string | undefined;
  readonly toolbarNote: CardNote | undefined;
  readonly historyOpen: boolean;
  readonly historyQuery: string;
  readonly historyExpanded: string | undefined;
}

/** What the templates may ask for; the controller does the rest. Indices are 0-based. */
export interface PanelActions {
  setSystem(value: string): void;
  setQuestion(value: string): void;
  setSamples(raw: string, badInput: boolean): void;
  addColumn(): void;
  removeColumn(column: number): void;
  setColumnEndpoint(column: number, endpoint: string): void;
  setColumnField(column: number, field: NumberField, raw: string, badInput: boolean): void;
  setOwnSystem(column: number, on: boolean): void;
  setColumnSystem(column: number, value: string): void;
  run(): void;
  stop(): void;
  refreshEndpoints(): void;
  addEndpoint(): void;
  showLog(): void;
  setMarkdown(on: boolean): void;
  copyAnswer(column: number, sample: number): void;
  addToDataset(column: number, sample: number): void;
  setHistoryOpen(open: boolean): void;
  setHistoryQuery(query: string): void;
  toggleHistoryEntry(id: string): void;
  loadHistory(id: string): void;
  rerunHistory(id: string): void;
  deleteHistory(id: string): void;
  clearHistory(): void;
  savePrompt(): void;
  runEvalSet(): void;
}
