import * as vscode from 'vscode';
import type { ColumnSpec } from '../core/protocol';
import { batchSummary, prepareResume as prepareResumeOf, progressText, runEvalBatch as runBatch, type EvalBatchUi, type ResultsFile } from '../core/promptLab/evalBatchRun';
import { readEvalSet } from '../core/promptLab/evalSet';
import { resultsPathFor } from '../core/promptLab/results';
import { promptRunAsker } from '../endpoints/batchAsk';
import { workspaceDatasets } from './datasetFiles';
import type { EndpointRegistry } from './endpoints';
import { seedSupport } from './endpointOptions';
import type { LintSettingsSource } from './lintSettings';
import { trust } from './trust';
import { writeAtomically } from './writeAtomically';

async function pickEvalSet(): Promise<vscode.Uri | undefined> {
  const active = vscode.window.activeTextEditor?.document.uri;
  const items = (await workspaceDatasets())
    .sort((a, b) => (a.toString() === active?.toString() ? -1 : b.toString() === active?.toString() ? 1 : a.path.localeCompare(b.path)))
    .map((uri) => ({ label: vscode.workspace.asRelativePath(uri), uri }));
  const browse: { label: string; uri: vscode.Uri | undefined } = { label: '$(folder-opened) Browse…', uri: undefined };
  const pick = await vscode.window.showQuickPick([...items, browse], {
    title: 'Prompt Lab: Run over Eval Set',
    placeHolder: 'A JSONL of questions (any dataset format: the user turn is the question)',
  });
  if (pick === undefined) return undefined;
  if (pick.uri !== undefined) return pick.uri;
  const chosen = await vscode.window.showOpenDialog({ canSelectMany: false, filters: { 'JSON Lines': ['jsonl'] }, title: 'The eval set' });
  return chosen?.[0];
}

/**
 * A results file over vscode.workspace.fs, so it can be anywhere VS Code opens files. It has no
 * append: an append reads the file and writes it whole with the text added, aside then renamed
 * over, so the file is whole at every moment (the runner gathers lines to append a few at a time).
 * Appends and cuts work on bytes, so the bytes kept are the file's own, whatever they are.
 */
export function workspaceResultsFile(uri: vscode.Uri): ResultsFile {
  const bytes = async (): Promise<Uint8Array | undefined> => {
    try {
      return await vscode.workspace.fs.readFile(uri);
    } catch (e) {
      if (e instanceof vscode.FileSystemError && e.code === 'FileNotFound') return undefined;
      throw e;
    }
  };
  return {
    async read() {
      const read = await bytes();
      return read === undefined ? undefined : new TextDecoder().decode(read);
    },
    async append(text) {
      const before = await bytes() ?? new Uint8Array();
      const added = new TextEncoder().encode(text);
      const after = new Uint8Array(before.length + added.length);
      after.set(before);
      after.set(added, before.length);
      await writeAtomically(uri, after);
    },
    async cutAfterLastNewline() {
      const before = await bytes();
      if (before === undefined) return;
      // Cut in bytes, after the last LF byte: UTF-8 never has 0x0A inside a character.
      await writeAtomically(uri, before.slice(0, before.lastIndexOf(0x0a) + 1));
    },
    async replace(text) {
      await writeAtomically(uri, new TextEncoder().encode(text));
    },
  };
}

/** See core/promptLab/evalBatchRun.ts `prepareResume`; this one for a results file in the workspace. */
export function prepareResume(results: vscode.Uri, columns: readonly ColumnSpec[]): Promise<{ done: Set<string>; dropped: string | undefined }> {
  return prepareResumeOf(workspaceResultsFile(results), columns);
}

/** The editor's side of a batch: a modal for a results file already there, progress with Cancel, the log. */
function editorBatchUi(results: vscode.Uri, source: string, log: vscode.LogOutputChannel): EvalBatchUi {
  return {
    async chooseExisting(finished) {
      const choice = await vscode.window.showWarningMessage(
        `${vscode.workspace.asRelativePath(results)} already exists${finished > 0 ? ` with ${finished} question(s) answered by these columns` : ''}.`,
        { modal: true, detail: 'Resume keeps its lines and asks only what is missing or failed. Replace starts over.' },
        ...(finished > 0 ? ['Resume'] : []), 'Replace',
      );
      return choice === 'Resume' ? 'resume' : choice === 'Replace' ? 'replace' : undefined;
    },
    async asking(work) {
      return await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `Prompt Lab: ${source}`, cancellable: true },
        async (progress, token) => {
          const controller = new AbortController();
          const cancel = token.onCancellationRequested(() => { controller.abort(); });
          try {
            return await work((p) => { progress.report({ message: progressText(p), increment: 100 / p.total }); }, controller.signal);
          } finally {
            cancel.dispose();
          }
        },
      );
    },
    warn(message) {
      log.warn(message);
    },
  };
}

/**
 * Runs the columns over an eval set and writes `<name>.results.jsonl` beside it: one line per
 * question, written whole once every column has answered, so a cancel or a crash leaves only
 * complete lines. A results file from an earlier run with the same columns can be resumed: its
 * finished questions are skipped and its failed ones asked again. The policies are the runner's
 * (core/promptLab/evalBatchRun.ts); this is the editor's I/O. Gives the results file, or null
 * when nothing was run.
 */
export async function runEvalBatch(
  registry: EndpointRegistry,
  lintSettings: LintSettingsSource,
  log: vscode.LogOutputChannel,
  columns: readonly ColumnSpec[],
  evalSet?: vscode.Uri,
): Promise<vscode.Uri | null> {
  if (!trust.isTrusted) {
    void vscode.window.showWarningMessage('TuneLab: this workspace is in Restricted Mode, so TuneLab makes no network calls. Trust the workspace to run an eval set.');
    return null;
  }
  if (columns.length === 0) {
    void vscode.window.showWarningMessage('TuneLab: pick an endpoint in Prompt Lab first.');
    return null;
  }
  const evalUri = evalSet ?? await pickEvalSet();
  if (evalUri === undefined) return null;
  const text = new TextDecoder().decode(await vscode.workspace.fs.readFile(evalUri));
  const settings = await lintSettings.forDocument(evalUri);
  const set = readEvalSet(text, settings.context, settings.settings.format === 'auto' ? undefined : settings.settings.format);
  for (const s of set.skipped) log.warn(`${vscode.workspace.asRelativePath(evalUri)}:${s.line + 1}: skipped (${s.reason})`);
  if (set.items.length === 0) {
    void vscode.window.showWarningMessage(`TuneLab: ${vscode.workspace.asRelativePath(evalUri)} has no questions TuneLab can read (${set.skipped.length} line(s) skipped; see the log).`);
    return null;
  }
  const results = evalUri.with({ path: resultsPathFor(evalUri.path) });
  const source = vscode.workspace.asRelativePath(evalUri, false);
  const name = vscode.workspace.asRelativePath(results);
  const outcome = await runBatch({
    items: set.items,
    columns,
    source,
    resultsName: name,
    file: workspaceResultsFile(results),
    ask: promptRunAsker((endpoint, request, signal) => registry.chat(endpoint, request, signal, { retry: true }), seedSupport(registry)),
    ui: editorBatchUi(results, source, log),
  });
  if (outcome === undefined) return null;
  const message = batchSummary(outcome, name);
  log.info(message);
  void (outcome.failed > 0 ? vscode.window.showWarningMessage(message, 'Open Results', 'Show Log') : vscode.window.showInformationMessage(message, 'Open Results')).then((choice) => {
    if (choice === 'Open Results') void vscode.window.showTextDocument(results, { preview: false });
    else if (choice === 'Show Log') log.show();
  });
  return results;
}
