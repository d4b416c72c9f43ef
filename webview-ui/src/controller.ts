import type { Bootstrap, EndpointOption, HistoryEntry, PanelCommand, PanelNotifications } from '../../src/core/protocol';
import type { HostClient } from './host';
import { clearMarkdownCache } from './markdown';
import type { CardNote, PanelActions, PanelModel } from './model';
import * as S from './state';

/** The host keeps the draft across window reloads; typing should not send a message per key. */
const DRAFT_SAVE_DELAY_MS = 500;
/** Streaming changes the answers many times a second; the webview state need not follow each chunk. */
const STATE_SAVE_DELAY_MS = 250;
const NOTE_MS = 8000;

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Moves "could not read this number" flags along when a column is removed. */
function shiftBadInput(keys: ReadonlySet<string>, removed: number): Set<string> {
  const out = new Set<string>();
  for (const key of keys) {
    const [col, field] = key.split('.');
    if (field === undefined) {
      out.add(key);
      continue;
    }
    const c = Number(col);
    if (c < removed) out.add(key);
    else if (c > removed) out.add(`${c - 1}.${field}`);
  }
  return out;
}

/**
 * The panel's state and everything it does: answers the templates' actions, applies the host's
 * notifications, and keeps the webview state and the host's draft up to date.
 */
export class PromptLab implements PanelActions {
  private connected = false;
  private connectError: string | undefined;
  private version = '';
  private trusted = false;
  private endpoints: readonly EndpointOption[] = [];
  private history: readonly HistoryEntry[] = [];
  private form: S.FormState;
  /** Whether the form came from the webview state, which wins over the host's saved draft. */
  private readonly formFromState: boolean;
  private badInput = new Set<string>();
  private markdown: boolean;
  private current: S.RunView | null;
  private running = false;
  /** The run whose run/end arrived: anything later for it is stale. */
  private endedRunId: string | undefined;
  private cancelRequested = false;
  private refreshing = false;
  private readonly notes = new Map<string, CardNote>();
  private readonly noteTimers = new Map<string, number>();
  private status = '';
  private alert: string | undefined;
  private toolbarNote: CardNote | undefined;
  private toolbarTimer: number | undefined;
  private historyOpen: boolean;
  private historyQuery = '';
  private historyExpanded: string | undefined;
  private draftTimer: number | undefined;
  private stateTimer: number | undefined;
  private renderQueued = false;

  constructor(
    private readonly host: HostClient,
    private readonly draw: (model: PanelModel, actions: PanelActions) => void,
  ) {
    const restored = S.readSavedState(host.getState());
    this.form = restored.form ?? S.defaultForm([]);
    this.formFromState = restored.form !== undefined;
    this.markdown = restored.markdown;
    this.historyOpen = restored.historyOpen;
    this.current = restored.run;
  }

  start(): void {
    this.listen();
    document.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' && (e.ctrlKey || e.metaKey) && !e.altKey && !e.shiftKey) {
        e.preventDefault();
        this.run();
      }
    });
    // A hidden view may be torn down at once: write what is pending while the page still exists.
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState === 'hidden') this.flush();
    });
    window.addEventListener('pagehide', () => {
      this.flush();
    });
    this.render();
    this.host.request('panel/ready', null).then(
      (boot) => {
        this.boot(boot);
      },
      (err: unknown) => {
        this.connectError = `TuneLab did not answer: ${messageOf(err)}`;
        this.render();
      },
    );
  }

  // ---- The host ----

  private boot(boot: Bootstrap): void {
    // Read defensively: a host a version behind may leave fields out.
    const b = boot as Partial<Bootstrap>;
    this.connected = true;
    this.connectError = undefined;
    this.version = b.version ?? '';
    this.trusted = b.trusted === true;
    this.endpoints = b.endpoints ?? [];
    this.history = b.history ?? [];
    if (!this.formFromState) this.form = b.draft ? S.fromDraft(b.draft) : S.defaultForm(this.endpoints);
    this.form = S.fillEndpoints(this.form, this.endpoints);
    this.persist();
    this.render();
  }

  private listen(): void {
    const on = <M extends keyof PanelNotifications>(method: M, handler: (params: PanelNotifications[M]) => void): void => {
      this.host.on(method, (params) => {
        handler(params);
        this.render();
      });
    };
    on('trust/changed', ({ trusted }) => {
      this.trusted = trusted;
    });
    on('endpoints/changed', ({ endpoints }) => {
      this.setEndpoints(endpoints);
    });
    on('history/changed', ({ history }) => {
      this.history = history;
      if (this.historyExpanded !== undefined && !history.some((e) => e.id === this.historyExpanded)) this.historyExpanded = undefined;
    });
    on('draft/load', ({ draft }) => {
      this.badInput = new Set();
      this.form = S.fillEndpoints(S.fromDraft(draft), this.endpoints);
      this.persist();
      // Saves already on their way were of the replaced draft: the host drops them until this.
      this.host.request('draft/loaded', null).catch(() => undefined);
    });
    on('run/chunk', ({ runId, column, sample, text }) => {
      const card = S.cardOf(this.current, runId, column, sample);
      if (!card || runId === this.endedRunId) return;
      card.text += text;
      if (card.status === 'interrupted') card.status = 'streaming';
      // Chunks for a run restored from the webview state: the host is still streaming it.
      if (card.status === 'streaming') this.running = true;
      this.persistSoon();
    });
    on('run/done', ({ runId, column, sample, stats }) => {
      const card = S.cardOf(this.current, runId, column, sample);
      if (!card) return;
      card.stats = stats;
      if (card.status !== 'error') card.status = 'done';
      this.status = `${this.answerLabel(column, sample)} done`;
      this.persistSoon();
    });
    on('run/error', ({ runId, column, sample, message }) => {
      const card = S.cardOf(this.current, runId, column, sample);
      if (!card) return;
      card.status = 'error';
      card.error = message;
      this.status = `${this.answerLabel(column, sample)} failed`;
      this.persistSoon();
    });
    on('run/end', ({ runId }) => {
      const run = this.current;
      if (run?.runId !== runId) return;
      this.running = false;
      this.endedRunId = runId;
      let count = 0;
      for (const column of run.answers) {
        for (const card of column) {
          count++;
          if (card.status === 'streaming') card.status = 'interrupted';
        }
      }
      this.status = this.cancelRequested ? 'Run stopped.' : `Run finished: ${count === 1 ? '1 answer' : `${count} answers`}.`;
      this.cancelRequested = false;
      this.persist();
    });
  }

  private setEndpoints(endpoints: readonly EndpointOption[]): void {
    this.endpoints = endpoints;
    const filled = S.fillEndpoints(this.form, endpoints);
    if (filled !== this.form) {
      this.form = filled;
      this.persist();
      this.scheduleDraftSave();
    }
  }

  private command(command: PanelCommand): void {
    this.host.request('command/run', { command }).catch((err: unknown) => {
      this.fail(`Could not run ${command}: ${messageOf(err)}`);
    });
  }

  private fail(text: string): void {
    this.alert = text;
    this.render();
  }

  // ---- Saving ----

  private persist(): void {
    if (this.stateTimer !== undefined) window.clearTimeout(this.stateTimer);
    this.stateTimer = undefined;
    this.host.setState(S.savedState(this.form, this.markdown, this.historyOpen, this.current));
  }

  private persistSoon(): void {
    if (this.stateTimer !== undefined) return;
    this.stateTimer = window.setTimeout(() => {
      this.stateTimer = undefined;
      this.persist();
    }, STATE_SAVE_DELAY_MS);
  }

  private scheduleDraftSave(): void {
    if (this.draftTimer !== undefined) window.clearTimeout(this.draftTimer);
    this.draftTimer = window.setTimeout(() => {
      this.draftTimer = undefined;
      this.sendDraft();
    }, DRAFT_SAVE_DELAY_MS);
  }

  private sendDraft(): void {
    // The webview state already holds the draft; a failed save only loses it across a reload,
    // which is not worth interrupting the user for.
    this.host.request('draft/save', S.toDraft(this.form)).catch(() => undefined);
  }

  private flush(): void {
    if (this.stateTimer !== undefined) this.persist();
    if (this.draftTimer !== undefined) {
      window.clearTimeout(this.draftTimer);
      this.draftTimer = undefined;
      this.sendDraft();
    }
  }

  private setForm(form: S.FormState): void {
    this.form = form;
    this.persist();
    this.scheduleDraftSave();
    this.render();
  }

  private updateColumn(i: number, change: (column: S.ColumnForm) => S.ColumnForm): void {
    const column = this.form.columns[i];
    if (!column) return;
    this.setForm({ ...this.form, columns: this.form.columns.map((c, j) => (j === i ? change(column) : c)) });
  }

  // ---- Rendering ----

  private model(): PanelModel {
    const errors = S.validateForm(this.form, this.endpoints, this.badInput);
    return {
      connected: this.connected,
      connectError: this.connectError,
      version: this.version,
      trusted: this.trusted,
      endpoints: this.endpoints,
      history: this.history,
      form: this.form,
      errors,
      blocker: this.blocker(errors),
      running: this.running,
      refreshing: this.refreshing,
      markdown: this.markdown,
      run: this.current,
      notes: this.notes,
      status: this.status,
      alert: this.alert,
      toolbarNote: this.toolbarNote,
      historyOpen: this.historyOpen,
      historyQuery: this.historyQuery,
      historyExpanded: this.historyExpanded,
    };
  }

  private blocker(errors = S.validateForm(this.form, this.endpoints, this.badInput)): string | undefined {
    return S.runBlocker({
      connected: this.connected,
      trusted: this.trusted,
      endpoints: this.endpoints,
      form: this.form,
      errors,
      running: this.running,
    });
  }

  /** Several changes in one task draw once. */
  private render(): void {
    if (this.renderQueued) return;
    this.renderQueued = true;
    queueMicrotask(() => {
      this.renderQueued = false;
      this.draw(this.model(), this);
    });
  }

  private answerLabel(column: number, sample: number): string {
    const columns = this.current?.columns.length ?? 1;
    return columns > 1 ? `Column ${column + 1}, answer ${sample + 1}` : `Answer ${sample + 1}`;
  }

  private setNote(column: number, sample: number, note: CardNote | undefined): void {
    const key = `${column}:${sample}`;
    const timer = this.noteTimers.get(key);
    if (timer !== undefined) window.clearTimeout(timer);
    this.noteTimers.delete(key);
    if (note) {
      this.notes.set(key, note);
      this.noteTimers.set(
        key,
        window.setTimeout(() => {
          this.notes.delete(key);
          this.noteTimers.delete(key);
          this.render();
        }, NOTE_MS),
      );
    } else {
      this.notes.delete(key);
    }
    this.render();
  }

  private setToolbarNote(note: CardNote | undefined): void {
    if (this.toolbarTimer !== undefined) window.clearTimeout(this.toolbarTimer);
    this.toolbarNote = note;
    this.toolbarTimer = note
      ? window.setTimeout(() => {
          this.toolbarNote = undefined;
          this.toolbarTimer = undefined;
          this.render();
        }, NOTE_MS * 2)
      : undefined;
    this.render();
  }

  // ---- Actions: the prompt and columns ----

  setSystem(value: string): void {
    this.setForm({ ...this.form, system: value });
  }

  setQuestion(value: string): void {
    this.setForm({ ...this.form, question: value });
  }

  setSamples(raw: string, badInput: boolean): void {
    if (badInput) this.badInput.add('samples');
    else this.badInput.delete('samples');
    this.setForm({ ...this.form, samples: raw });
  }

  addColumn(): void {
    this.setForm(S.addColumn(this.form, this.endpoints));
  }

  removeColumn(column: number): void {
    if (this.form.columns.length <= 1) return;
    this.badInput = shiftBadInput(this.badInput, column);
    this.setForm({ ...this.form, columns: this.form.columns.filter((_, j) => j !== column) });
  }

  setColumnEndpoint(column: number, endpoint: string): void {
    if (this.form.columns[column]?.endpoint === endpoint) return;
    this.updateColumn(column, (c) => ({ ...c, endpoint }));
  }

  setColumnField(column: number, field: S.NumberField, raw: string, badInput: boolean): void {
    const key = S.fieldKey(column, field);
    if (badInput) this.badInput.add(key);
    else this.badInput.delete(key);
    this.updateColumn(column, (c) => ({ ...c, [field]: raw }));
  }

  setOwnSystem(column: number, on: boolean): void {
    // A fresh override starts from the shared prompt: it is usually a variation of it.
    this.updateColumn(column, (c) => ({ ...c, ownSystem: on, system: on && c.system === '' ? this.form.system : c.system }));
  }

  setColumnSystem(column: number, value: string): void {
    this.updateColumn(column, (c) => ({ ...c, system: value }));
  }

  setMarkdown(on: boolean): void {
    this.markdown = on;
    this.persist();
    this.render();
  }

  refreshEndpoints(): void {
    if (this.refreshing) return;
    this.refreshing = true;
    this.render();
    this.host.request('endpoints/refresh', { live: true }).then(
      (endpoints) => {
        this.refreshing = false;
        this.alert = undefined;
        this.setEndpoints(endpoints);
        this.status = endpoints.length === 1 ? '1 endpoint.' : `${endpoints.length} endpoints.`;
        this.render();
      },
      (err: unknown) => {
        this.refreshing = false;
        this.fail(`Could not list the endpoints: ${messageOf(err)}`);
      },
    );
  }

  addEndpoint(): void {
    this.command('tunelab.addEndpoint');
  }

  showLog(): void {
    this.command('tunelab.showLog');
  }

  // ---- Actions: running ----

  run(): void {
    const blocker = this.blocker();
    if (blocker !== undefined) {
      if (!this.running) {
        this.status = blocker;
        this.render();
      }
      return;
    }
    const runId = S.newRunId();
    const question = this.form.question;
    const columns = S.resolveColumns(this.form, this.endpoints);
    const samples = S.samplesOf(this.form);
    this.current = S.newRun(runId, question, columns, samples);
    this.running = true;
    this.cancelRequested = false;
    this.alert = undefined;
    clearMarkdownCache();
    for (const timer of this.noteTimers.values()) window.clearTimeout(timer);
    this.noteTimers.clear();
    this.notes.clear();
    const total = columns.length * samples;
    this.status = `Running ${total === 1 ? '1 answer' : `${total} answers`}…`;
    this.persist();
    this.render();
    this.host.request('run/start', { runId, question, columns, samples }).catch((err: unknown) => {
      const run = this.current;
      if (run?.runId !== runId) return;
      const text = `The run did not start: ${messageOf(err)}`;
      for (const column of run.answers) {
        for (const card of column) {
          if (card.status === 'streaming') {
            card.status = 'error';
            card.error = text;
          }
        }
      }
      this.running = false;
      this.status = 'The run did not start.';
      this.persist();
      this.fail(text);
    });
  }

  stop(): void {
    const run = this.current;
    if (!this.running || !run) return;
    this.cancelRequested = true;
    this.status = 'Stopping…';
    this.render();
    this.host.request('run/cancel', { runId: run.runId }).catch((err: unknown) => {
      this.fail(`Could not stop the run: ${messageOf(err)}`);
    });
  }

  copyAnswer(column: number, sample: number): void {
    const card = this.current?.answers[column]?.[sample];
    if (!card || card.text === '') return;
    this.host.request('answer/copy', { text: card.text }).then(
      () => {
        this.setNote(column, sample, { text: 'Copied.', error: false });
      },
      (err: unknown) => {
        this.setNote(column, sample, { text: `Could not copy: ${messageOf(err)}`, error: true });
      },
    );
  }

  addToDataset(column: number, sample: number): void {
    const run = this.current;
    const card = run?.answers[column]?.[sample];
    const spec = run?.columns[column];
    if (!run || !card || !spec || card.text === '') return;
    this.setNote(column, sample, { text: 'Adding…', error: false });
    this.host.request('answer/addToDataset', { question: run.question, answer: card.text, system: spec.system }).then(
      (added) => {
        this.setNote(
          column,
          sample,
          added ? { text: `Added to ${added.file}:${added.line} (${added.format})`, error: false } : undefined,
        );
      },
      (err: unknown) => {
        this.setNote(column, sample, { text: `Could not add to the dataset: ${messageOf(err)}`, error: true });
      },
    );
  }

  // ---- Actions: history ----

  setHistoryOpen(open: boolean): void {
    if (this.historyOpen === open) return;
    this.historyOpen = open;
    this.persist();
    this.render();
  }

  setHistoryQuery(query: string): void {
    this.historyQuery = query;
    this.render();
  }

  toggleHistoryEntry(id: string): void {
    this.historyExpanded = this.historyExpanded === id ? undefined : id;
    this.render();
  }

  loadHistory(id: string): boolean {
    const entry = this.history.find((e) => e.id === id);
    if (!entry) return false;
    this.badInput = new Set();
    this.setForm(S.fillEndpoints(S.fromHistory(entry), this.endpoints));
    this.status = 'Loaded the run from history.';
    return true;
  }

  rerunHistory(id: string): void {
    if (this.running || !this.loadHistory(id)) return;
    this.run();
  }

  deleteHistory(id: string): void {
    // The list changes when the host says so (history/changed), so it always shows what is stored.
    this.host.request('history/delete', { id }).catch((err: unknown) => {
      this.fail(`Could not delete the run: ${messageOf(err)}`);
    });
  }

  clearHistory(): void {
    this.host.request('history/clear', null).catch((err: unknown) => {
      this.fail(`Could not clear the history: ${messageOf(err)}`);
    });
  }

  // ---- Actions: the toolbar ----

  savePrompt(): void {
    this.host.request('prompt/save', S.toDraft(this.form)).then(
      (path) => {
        this.setToolbarNote(path === null ? undefined : { text: `Saved ${path}`, error: false });
      },
      (err: unknown) => {
        this.setToolbarNote({ text: `Could not save the prompt file: ${messageOf(err)}`, error: true });
      },
    );
  }

  runEvalSet(): void {
    const errors = S.validateForm(this.form, this.endpoints, this.badInput);
    if (!this.trusted || this.endpoints.length === 0 || S.hasErrors(errors)) return;
    this.host.request('batch/start', { columns: S.resolveColumns(this.form, this.endpoints) }).then(
      (path) => {
        this.setToolbarNote(path === null ? undefined : { text: `Eval set results: ${path}`, error: false });
      },
      (err: unknown) => {
        this.setToolbarNote({ text: `Could not run over the eval set: ${messageOf(err)}`, error: true });
      },
    );
  }
}
