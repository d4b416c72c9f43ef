import { appendFile, open, readFile, rename, stat, truncate, writeFile } from 'node:fs/promises';
import * as vscode from 'vscode';
import type { ColumnSpec, Draft } from '../core/protocol';
import { readEvalSet, type EvalItem } from '../core/promptLab/evalSet';
import { columnsKey, compactResults, finishedQuestions, questionKey, resultsLine, resultsPathFor, resumeRepair, type ResultsAnswer } from '../core/promptLab/results';
import { PromptRun } from '../endpoints/promptRun';
import { workspaceDatasets } from './datasetFiles';
import type { EndpointRegistry } from './endpoints';
import { seedSupport } from './endpointOptions';
import type { LintSettingsSource } from './lintSettings';
import { trust } from './trust';

/** Questions in flight at once; each endpoint's scheduler still keeps its own limits. */
const IN_FLIGHT = 16;

/** The draft's columns as a run sends them: a column without its own system prompt takes the shared one. */
export function draftColumns(draft: Draft): ColumnSpec[] {
  return draft.columns.filter((c) => c.endpoint !== '').map((c) => ({ endpoint: c.endpoint, system: c.system ?? draft.system, parameters: c.parameters }));
}

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
 * Readies a results file for a resumed run and gives the questions it has finished, read after
 * the repair, so the skipped questions are exactly the rows kept. A whole last line without a
 * final newline is kept and ended; only a last line that does not parse (a run killed mid-write)
 * is cut off (`dropped`), so appending starts on a line of its own (see `resumeRepair`).
 */
export async function prepareResume(resultsPath: string, columns: readonly ColumnSpec[]): Promise<{ done: Set<string>; dropped: string | undefined }> {
  const bytes = await readFile(resultsPath);
  const repair = resumeRepair(bytes.toString('utf8'));
  if (repair.action === 'add-newline') await appendFile(resultsPath, '\n');
  // Cut in bytes, after the last LF byte: UTF-8 never has 0x0A inside a character.
  else if (repair.action === 'cut') await truncate(resultsPath, bytes.lastIndexOf(0x0a) + 1);
  return { done: finishedQuestions(await readFile(resultsPath, 'utf8'), columns), dropped: repair.action === 'cut' ? repair.dropped : undefined };
}

interface BatchOutcome { readonly written: number; readonly failed: number; readonly skipped: number; readonly cancelled: boolean }

/**
 * Runs the columns over an eval set and writes `<name>.results.jsonl` beside it: one line per
 * question, written whole once every column has answered, so a cancel or a crash leaves only
 * complete lines. A results file from an earlier run with the same columns can be resumed: its
 * finished questions are skipped and its failed ones asked again.
 */
export async function runEvalBatch(
  registry: EndpointRegistry,
  lintSettings: LintSettingsSource,
  log: vscode.LogOutputChannel,
  columns: readonly ColumnSpec[],
  evalSet?: vscode.Uri,
): Promise<string | null> {
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
  if (evalUri.scheme !== 'file') throw new Error('Eval sets must be files on disk: the results file is written beside them.');
  const text = new TextDecoder().decode(await vscode.workspace.fs.readFile(evalUri));
  const settings = await lintSettings.forDocument(evalUri);
  const set = readEvalSet(text, settings.context, settings.settings.format === 'auto' ? undefined : settings.settings.format);
  for (const s of set.skipped) log.warn(`${vscode.workspace.asRelativePath(evalUri)}:${s.line + 1}: skipped (${s.reason})`);
  if (set.items.length === 0) {
    void vscode.window.showWarningMessage(`TuneLab: ${vscode.workspace.asRelativePath(evalUri)} has no questions TuneLab can read (${set.skipped.length} line(s) skipped; see the log).`);
    return null;
  }
  const resultsPath = resultsPathFor(evalUri.fsPath);
  const key = columnsKey(columns);
  let done = new Set<string>();
  let mode: 'a' | 'w' = 'w';
  const exists = await stat(resultsPath).then(() => true, () => false);
  if (exists) {
    const existing = await readFile(resultsPath, 'utf8');
    done = finishedQuestions(existing, columns);
    const name = vscode.workspace.asRelativePath(resultsPath);
    const choice = await vscode.window.showWarningMessage(
      `${name} already exists${done.size > 0 ? ` with ${done.size} question(s) answered by these columns` : ''}.`,
      { modal: true, detail: 'Resume keeps its lines and asks only what is missing or failed. Replace starts over.' },
      ...(done.size > 0 ? ['Resume'] : []), 'Replace',
    );
    if (choice === undefined) return null;
    if (choice === 'Resume') {
      mode = 'a';
      const ready = await prepareResume(resultsPath, columns);
      done = ready.done;
      if (ready.dropped !== undefined) log.warn(`${name}: its last line was cut short (a run stopped while writing it) and was removed; that question is asked again: ${ready.dropped.slice(0, 200)}`);
    } else done = new Set();
  }
  const todo = set.items.filter((item) => !done.has(questionKey(item.line, item.question)));
  const source = vscode.workspace.asRelativePath(evalUri, false);
  const file = await open(resultsPath, mode);
  let outcome: BatchOutcome;
  try {
    outcome = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Prompt Lab: ${source}`, cancellable: true },
      (progress, token) => askAll(todo, columns, key, source, registry, log, (line) => file.write(line + '\n').then(() => undefined), progress, token, set.items.length - todo.length),
    );
  } finally {
    await file.close();
  }
  if (mode === 'a') {
    // A question asked again after a failure now has two rows: keep its last. Written aside and
    // renamed over, so the results file is whole at every moment.
    const compacted = compactResults(await readFile(resultsPath, 'utf8'));
    await writeFile(`${resultsPath}.tmp`, compacted);
    await rename(`${resultsPath}.tmp`, resultsPath);
  }
  const name = vscode.workspace.asRelativePath(resultsPath);
  const parts = [`${outcome.written} question(s) answered into ${name}`];
  if (outcome.skipped > 0) parts.push(`${outcome.skipped} already there`);
  if (outcome.failed > 0) parts.push(`${outcome.failed} with an answer that failed (kept with its error; Resume asks them again)`);
  const message = `Prompt Lab${outcome.cancelled ? ' (cancelled)' : ''}: ${parts.join(', ')}.`;
  log.info(message);
  void (outcome.failed > 0 ? vscode.window.showWarningMessage(message, 'Open Results', 'Show Log') : vscode.window.showInformationMessage(message, 'Open Results')).then((choice) => {
    if (choice === 'Open Results') void vscode.window.showTextDocument(vscode.Uri.file(resultsPath), { preview: false });
    else if (choice === 'Show Log') log.show();
  });
  return resultsPath;
}

async function askAll(
  items: readonly EvalItem[],
  columns: readonly ColumnSpec[],
  key: string,
  source: string,
  registry: EndpointRegistry,
  log: vscode.LogOutputChannel,
  write: (line: string) => Promise<void>,
  progress: vscode.Progress<{ message?: string; increment?: number }>,
  token: vscode.CancellationToken,
  skipped: number,
): Promise<BatchOutcome> {
  const controller = new AbortController();
  const cancel = token.onCancellationRequested(() => { controller.abort(); });
  // Read through a function: cancel flips it while the workers await, which narrowing cannot see.
  const cancelled = (): boolean => controller.signal.aborted;
  let next = 0;
  let written = 0;
  let failed = 0;
  // Lines are written one at a time, in the order questions finish: one writer, whole lines.
  let writing = Promise.resolve();
  const report = (): void => {
    progress.report({ message: `${written + failed}/${items.length} questions${failed > 0 ? ` · ${failed} failed` : ''}`, increment: 100 / items.length });
  };
  const worker = async (): Promise<void> => {
    while (!controller.signal.aborted && next < items.length) {
      const item = items[next++];
      if (item === undefined) break;
      const run = new PromptRun(
        { runId: 'batch', question: item.question, columns, samples: 1 },
        (endpoint, request, signal) => registry.chat(endpoint, request, signal, { retry: true }),
        { chunk: () => undefined, done: () => undefined, error: () => undefined },
        { supportsSeed: seedSupport(registry) },
      );
      const stop = (): void => { run.cancel(); };
      controller.signal.addEventListener('abort', stop);
      const answers = await run.finished;
      controller.signal.removeEventListener('abort', stop);
      // A question cut short by cancel is not written: resuming asks it again.
      if (cancelled() && answers.some((a) => a.stats?.finish === 'cancelled')) break;
      const row: ResultsAnswer[] = answers.map((a) => {
        const column = columns[a.column];
        return {
          column: a.column,
          endpoint: column?.endpoint ?? '',
          system: column?.system ?? '',
          parameters: column?.parameters ?? {},
          text: a.text,
          ...(a.error === undefined ? {} : { error: a.error }),
          ...(a.stats === undefined ? {} : {
            finish: a.stats.finish,
            latencyMs: a.stats.latencyMs,
            ...(a.stats.firstTokenMs === undefined ? {} : { firstTokenMs: a.stats.firstTokenMs }),
            ...(a.stats.inputTokens === undefined || a.stats.outputTokens === undefined ? {} : { usage: { input: a.stats.inputTokens, output: a.stats.outputTokens } }),
          }),
        };
      });
      const anyError = row.some((a) => a.error !== undefined);
      for (const a of row) if (a.error !== undefined) log.warn(`${source}:${item.line + 1} ${a.endpoint}: ${a.error}`);
      writing = writing.then(() => write(resultsLine({
        question: item.question,
        ...(item.system === undefined ? {} : { system: item.system }),
        ...(item.reference === undefined ? {} : { reference: item.reference }),
        source: { file: source, line: item.line + 1 },
        columnsKey: key,
        answers: row,
      })));
      await writing;
      if (anyError) failed++; else written++;
      report();
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(IN_FLIGHT, items.length) }, worker));
  } finally {
    cancel.dispose();
  }
  return { written, failed, skipped, cancelled: controller.signal.aborted };
}
