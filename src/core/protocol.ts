/**
 * The Prompt Lab webview protocol: one type map per direction. The webview imports this file for
 * its types only (the lint enforces it), so it holds no values.
 *
 * Panel → host: requests `{ kind: 'request', id, method, params }`, answered by one response.
 * Host → panel: responses, and notifications `{ kind: 'notification', method, params }`.
 *
 * Column and sample numbers are 0-based everywhere (the panel shows them from 1).
 *
 * Every request is checked against its schema in `protocolValidation.ts` before the host acts:
 * keep the two files in step (a unit test compares their method lists).
 */

/** An endpoint the panel may run against. */
export interface EndpointOption {
  /** The endpoint's id: from the tunelab.endpoints setting, or `sagemaker:<region>:<name>` when listed live. */
  readonly id: string;
  readonly label: string;
  /** One line: the kind and model, e.g. "OpenAI-compatible · llama3.1:8b". */
  readonly detail: string;
  /** Whether the backend honours a sampling seed. */
  readonly seed: boolean;
  /** Listed live from SageMaker (InService) rather than configured in settings. */
  readonly live: boolean;
  /**
   * Set when the model takes temperature or top_p but not both: why top_p is not sent. The panel
   * disables its top_p field and shows this.
   */
  readonly topPUnused?: string;
}

/** Sampling parameters; an absent one takes the endpoint's default from its settings. */
export interface RunParameters {
  /** 0–2. */
  readonly temperature?: number;
  /** 0–1. */
  readonly topP?: number;
  /** 1–32768. */
  readonly maxTokens?: number;
  /** An integer; sent only to endpoints whose option says `seed`. */
  readonly seed?: number;
}

/** One column of a run: an endpoint, the system prompt it gets, and its parameters. */
export interface ColumnSpec {
  readonly endpoint: string;
  /** The system prompt sent to this column ('' sends none). */
  readonly system: string;
  readonly parameters: RunParameters;
}

/** A column as the panel edits it: `system` null means "the panel's shared system prompt". */
export interface DraftColumn {
  readonly endpoint: string;
  readonly system: string | null;
  readonly parameters: RunParameters;
}

/** Everything typed into the panel, kept across closing the panel and reloading the window. */
export interface Draft {
  readonly system: string;
  readonly question: string;
  /** 1–4 columns. */
  readonly columns: readonly DraftColumn[];
  /** Answers per column, 1–8. */
  readonly samples: number;
}

/** What one answer cost and how it ended. */
export interface AnswerStats {
  /** From sending the request to the last chunk. */
  readonly latencyMs: number;
  /** From sending the request to the first text; undefined when no text came. */
  readonly firstTokenMs?: number;
  readonly inputTokens?: number;
  readonly outputTokens?: number;
  /** 'stop', 'length', 'content-filter', 'tool-calls', 'other', or 'cancelled'. */
  readonly finish: string;
}

/** One answer as history keeps it. */
export interface HistoryAnswer {
  readonly column: number;
  readonly sample: number;
  readonly text: string;
  readonly stats?: AnswerStats;
  readonly error?: string;
}

/** One run, as the history list shows it and re-runs it. */
export interface HistoryEntry {
  readonly id: string;
  /** Milliseconds since the epoch. */
  readonly time: number;
  readonly question: string;
  readonly system: string;
  readonly columns: readonly ColumnSpec[];
  readonly samples: number;
  readonly answers: readonly HistoryAnswer[];
}

/** What the panel needs to draw itself, sent in answer to `panel/ready`. */
export interface Bootstrap {
  readonly version: string;
  /** Whether the workspace is trusted; untrusted workspaces make no network calls. */
  readonly trusted: boolean;
  readonly endpoints: readonly EndpointOption[];
  readonly history: readonly HistoryEntry[];
  /** The last draft the host saved (the panel prefers its own webview state when it has one). */
  readonly draft: Draft | null;
}

export interface RunStart {
  /** Chosen by the panel (letters, digits, `-`), so chunks that arrive early have a home. */
  readonly runId: string;
  readonly question: string;
  /** 1–4 columns. */
  readonly columns: readonly ColumnSpec[];
  /** Answers per column, 1–8. */
  readonly samples: number;
}

/** Where "Add to dataset" put the line. */
export interface AddedLine {
  /** The file's name as the workspace shows it. */
  readonly file: string;
  /** 1-based. */
  readonly line: number;
  /** The format the line was written in, e.g. "JumpStart instruction". */
  readonly format: string;
}

/** The only commands a panel may ask the host to run. */
export type PanelCommand = 'tunelab.getStarted' | 'tunelab.showLog' | 'tunelab.addEndpoint';

/** Requests the panel sends to the host: `method: [params, result]`. */
export interface HostRequests {
  'panel/ready': [null, Bootstrap];
  'command/run': [{ readonly command: PanelCommand }, null];
  /** Lists the endpoints again; `live` also asks SageMaker for its InService endpoints. */
  'endpoints/refresh': [{ readonly live: boolean }, readonly EndpointOption[]];
  /** Starts streaming every column × sample; answers arrive as `run/*` notifications. */
  'run/start': [RunStart, null];
  /** Stops a run: its answers end with finish 'cancelled'. Unknown or finished runs are ignored. */
  'run/cancel': [{ readonly runId: string }, null];
  'answer/copy': [{ readonly text: string }, null];
  /** Appends the pair as one line in the active dataset's format; null when the user cancelled. */
  'answer/addToDataset': [{ readonly question: string; readonly answer: string; readonly system: string }, AddedLine | null];
  /** Keeps the draft in workspace state, so it survives a window reload. */
  'draft/save': [Draft, null];
  /**
   * The panel has put a `draft/load` in place. Saves it sent before this were of the draft that
   * load replaced, so the host drops them rather than overwrite the loaded draft.
   */
  'draft/loaded': [null, null];
  'history/delete': [{ readonly id: string }, null];
  'history/clear': [null, null];
  /** Save Panel as Prompt File: the host asks where; the saved path, or null when cancelled. */
  'prompt/save': [Draft, string | null];
  /** Runs the columns over an eval set the host asks for; the results file, or null when cancelled. */
  'batch/start': [{ readonly columns: readonly ColumnSpec[] }, string | null];
}

/** Notifications the host sends to the panel: `method: params`. */
export interface PanelNotifications {
  'trust/changed': { readonly trusted: boolean };
  'endpoints/changed': { readonly endpoints: readonly EndpointOption[] };
  'history/changed': { readonly history: readonly HistoryEntry[] };
  /** Replaces the panel's draft, e.g. from Open in Prompt Lab on a prompt file. */
  'draft/load': { readonly draft: Draft };
  /** More text of one answer (text arrives in order; the panel appends). */
  'run/chunk': { readonly runId: string; readonly column: number; readonly sample: number; readonly text: string };
  'run/done': { readonly runId: string; readonly column: number; readonly sample: number; readonly stats: AnswerStats };
  'run/error': { readonly runId: string; readonly column: number; readonly sample: number; readonly message: string };
  /** Every answer of the run has ended (done, error or cancelled). */
  'run/end': { readonly runId: string };
}

export type RequestMethod = keyof HostRequests;
export type RequestParams<M extends RequestMethod> = HostRequests[M][0];
export type RequestResult<M extends RequestMethod> = HostRequests[M][1];
export type NotificationMethod = keyof PanelNotifications;

export type RequestMessage = {
  [M in RequestMethod]: { readonly kind: 'request'; readonly id: number; readonly method: M; readonly params: RequestParams<M> };
}[RequestMethod];

export type ResponseMessage =
  | { readonly kind: 'response'; readonly id: number; readonly ok: true; readonly result: unknown }
  | { readonly kind: 'response'; readonly id: number; readonly ok: false; readonly error: string };

export type NotificationMessage = {
  [M in NotificationMethod]: { readonly kind: 'notification'; readonly method: M; readonly params: PanelNotifications[M] };
}[NotificationMethod];

export type HostToPanelMessage = ResponseMessage | NotificationMessage;
