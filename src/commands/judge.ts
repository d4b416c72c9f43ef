import * as vscode from 'vscode';
import { rubricNameProblem, verdictsPathFor, type JudgeSetup } from '../core/judge/cache';
import { columnName, summaryLine, summaryWarnings } from '../core/judge/judgeFiles';
import { rubricError, verdictLabel } from '../core/judge/run';
import { isResultsPath } from '../core/resultsPath';
import { firstLinkOn } from '../core/workspacePath';
import type { TuneLabContext } from '../host/context';
import { workspaceDatasets } from '../host/datasetFiles';
import { runEvalBatch } from '../host/promptLabEvalBatch';
import { isResultsFile, RUBRICS, type JudgeModel } from '../host/judgeModel';
import { JUDGE_RUNS_VIEW_ID, type JudgeRunsView } from '../views/judgeRunsView';
import { CommandId } from '../host/commandIds';

/** The judge feature's own objects (src/features/judge.ts), beside the context. */
export interface JudgeParts {
  readonly model: JudgeModel;
  readonly runsView: JudgeRunsView;
}

interface Judge extends JudgeParts {
  readonly ctx: TuneLabContext;
}

/** What a caller (a test, a CodeLens) may pass to skip the setup menu. */
export interface JudgeArgs {
  readonly endpoint?: string;
  /** `league`, `human`, or a workspace-relative path of a rubric prompt file. */
  readonly rubric?: string;
  /** 1-based columns of the results file. */
  readonly candidate?: number;
  readonly baseline?: number;
}

const OPTIONS_KEY = 'tunelab.judge.options';

interface Remembered { readonly endpoint?: string; readonly rubric?: string }

function remembered(state: vscode.Memento): Remembered {
  const value = state.get<unknown>(OPTIONS_KEY);
  if (typeof value !== 'object' || value === null) return {};
  const { endpoint, rubric } = value as Record<string, unknown>;
  return { ...(typeof endpoint === 'string' ? { endpoint } : {}), ...(typeof rubric === 'string' ? { rubric } : {}) };
}

function isJudgeArgs(value: unknown): value is JudgeArgs {
  return typeof value === 'object' && value !== null && !(value instanceof vscode.Uri);
}

/** The results file a command is about: its argument, else the active editor's. */
async function resultsDocument(arg: unknown): Promise<vscode.TextDocument | undefined> {
  const document = arg instanceof vscode.Uri ? await vscode.workspace.openTextDocument(arg) : vscode.window.activeTextEditor?.document;
  if (document !== undefined && isResultsFile(document)) return document;
  const choice = await vscode.window.showWarningMessage(
    'TuneLab: the judge reads a results file (`<eval>.results.jsonl`) from Prompt Lab\'s Run over Eval Set.',
    'Judge a Dataset Against Two Endpoints…',
  );
  if (choice !== undefined) await vscode.commands.executeCommand(CommandId.judgeDataset, document?.uri);
  return undefined;
}

/**
 * A rubric's text by name; a string error says why it cannot be used. The name may come from a
 * results file's sidecar (which a repository can ship), so it is checked before it becomes a
 * path: a built-in name or a plain workspace-relative path, never one that leaves the folder.
 */
async function rubricText(name: string): Promise<string | { error: string }> {
  const builtIn = RUBRICS[name];
  if (builtIn !== undefined) return builtIn;
  const badName = rubricNameProblem(name, Object.keys(RUBRICS));
  if (badName !== undefined) return { error: badName };
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
  if (folder === undefined) return { error: `The rubric file ${name} needs an open folder.` };
  let text: string;
  try {
    const uri = vscode.Uri.joinPath(folder, name);
    // A link inside the folder may still lead out of it, and vscode.workspace.fs cannot say where
    // (no realpath): a rubric reached through a link, on the file or a folder on its way, is refused.
    const link = await firstLinkOn(name, async (prefix) => ((await vscode.workspace.fs.stat(vscode.Uri.joinPath(folder, prefix))).type & vscode.FileType.SymbolicLink) !== 0);
    if (link !== undefined) return { error: `The rubric ${name} is reached through a link (${link}), which may lead outside the workspace folder. Use a rubric file inside the folder.` };
    text = new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
  } catch {
    return { error: `The rubric file ${name} could not be read.` };
  }
  const problem = rubricError(text);
  return problem === undefined ? text : { error: `The rubric ${name} cannot be used: ${problem}` };
}

type MenuAction = 'run' | 'judge' | 'rubric' | 'candidate' | 'baseline';

/**
 * The judge's setup as one menu, like generation's: the first row runs, each other row shows
 * an option and changes it. Starts from `start` (the file's last setup, else what the user
 * last picked).
 */
async function setupMenu(s: Judge, document: vscode.TextDocument, start: JudgeArgs): Promise<JudgeSetup | undefined> {
  await s.model.load(document.uri);
  const view = s.model.view(document);
  const columns = view?.input.columns ?? [];
  if (columns.length < 2) {
    void vscode.window.showWarningMessage(`TuneLab: ${vscode.workspace.asRelativePath(document.uri)} has ${columns.length} column(s) of answers; the judge compares two. Run the eval set with two endpoints in Prompt Lab.`);
    return undefined;
  }
  let endpoint = start.endpoint ?? s.ctx.endpoints.endpoints[0]?.id ?? '';
  let rubric = start.rubric ?? 'league';
  let candidate = (start.candidate ?? 1) - 1;
  let baseline = (start.baseline ?? 2) - 1;
  const col = (c: number): string => `column ${c + 1} · ${columnName(columns, c)}`;
  for (;;) {
    const total = view?.input.items.length ?? 0;
    const items: (vscode.QuickPickItem & { action: MenuAction })[] = [
      { label: `$(law) Judge ${total} question(s)`, action: 'run', detail: 'Each in both orders; verdicts already in the cache are reused' },
      { label: 'Judge', description: s.ctx.endpoints.get(endpoint)?.label ?? (endpoint === '' ? 'none: add an endpoint first' : `${endpoint} (not configured)`), action: 'judge' },
      { label: 'Rubric', description: rubric === 'league' ? 'league: helpfulness, accuracy, relevance, depth' : rubric === 'human' ? 'human preference: empathy first, complete next steps, no padding' : rubric, action: 'rubric' },
      { label: 'A (candidate)', description: col(candidate), action: 'candidate' },
      { label: 'B (baseline)', description: col(baseline), action: 'baseline' },
    ];
    const pick = await vscode.window.showQuickPick(items, { title: `TuneLab: Judge ${vscode.workspace.asRelativePath(document.uri)}`, placeHolder: 'Pick an option to change it, or Judge' });
    if (pick === undefined) return undefined;
    if (pick.action === 'run') {
      if (candidate === baseline) { void vscode.window.showWarningMessage('TuneLab: A and B are the same column; pick two different ones.'); continue; }
      const text = await rubricText(rubric);
      if (typeof text !== 'string') { void vscode.window.showErrorMessage(`TuneLab: ${text.error}`); continue; }
      const setup = s.model.setupFor(endpoint, rubric, text, candidate, baseline);
      if (setup === undefined) {
        const add = await vscode.window.showWarningMessage('TuneLab: pick a judge endpoint first.', 'Add Endpoint…');
        if (add !== undefined) await vscode.commands.executeCommand(CommandId.addEndpoint);
        continue;
      }
      await s.ctx.state.update(OPTIONS_KEY, { endpoint, rubric });
      return setup;
    }
    if (pick.action === 'judge') {
      const chosen = await vscode.window.showQuickPick(s.ctx.endpoints.endpoints.map((e) => ({ label: e.label, description: e.id, id: e.id })), { title: 'TuneLab: the judge endpoint', placeHolder: 'A strong model: the league judges with a 70B-class model or better' });
      if (chosen !== undefined) endpoint = chosen.id;
    } else if (pick.action === 'rubric') {
      const files = await vscode.workspace.findFiles('**/*.tlprompt', '**/node_modules/**', 100);
      const chosen = await vscode.window.showQuickPick([
        { label: 'league', description: 'helpfulness, accuracy, relevance, depth', name: 'league' },
        { label: 'human preference', description: 'empathy first, complete next steps, no padding', name: 'human' },
        ...files.map((f) => ({ label: vscode.workspace.asRelativePath(f, false), description: 'your rubric', name: vscode.workspace.asRelativePath(f, false) })),
      ], { title: 'TuneLab: the rubric', placeHolder: 'A prompt file with {{question}}, {{answer_a}}, {{answer_b}} and optionally {{reference}}' });
      if (chosen !== undefined) rubric = chosen.name;
    } else {
      const chosen = await vscode.window.showQuickPick(columns.map((c) => ({ label: col(c.column), column: c.column })), { title: `TuneLab: ${pick.label}` });
      if (chosen !== undefined) {
        if (pick.action === 'candidate') candidate = chosen.column;
        else baseline = chosen.column;
      }
    }
  }
}

/** The setup for a run: the caller's arguments, else the file's last setup (Run), else the menu. */
async function setupFor(s: Judge, document: vscode.TextDocument, args: JudgeArgs | undefined, menu: boolean): Promise<JudgeSetup | undefined> {
  const last = await s.model.lastSetup(document.uri);
  if (args?.endpoint !== undefined) {
    const rubric = args.rubric ?? 'league';
    const text = await rubricText(rubric);
    if (typeof text !== 'string') throw new Error(text.error);
    const setup = s.model.setupFor(args.endpoint, rubric, text, (args.candidate ?? 1) - 1, (args.baseline ?? 2) - 1);
    if (setup === undefined) throw new Error(`There is no endpoint "${args.endpoint}".`);
    return setup;
  }
  if (!menu && last !== undefined) {
    // `last` names the judge as its endpoint is configured now, so a re-pointed endpoint judges again.
    if (s.ctx.endpoints.get(last.endpoint) === undefined) throw new Error(`The judge of the last run, "${last.endpoint}", is not an endpoint any more. Pick a judge with TuneLab: Judge Again With…`);
    // The file's rubric may be a workspace file that changed since: read it again.
    const text = await rubricText(last.rubricName);
    if (typeof text !== 'string') throw new Error(`${text.error} (The last run's rubric, kept in ${vscode.workspace.asRelativePath(verdictsPathFor(document.uri.fsPath))}; pick another with TuneLab: Judge Again With….)`);
    return { ...last, rubric: text };
  }
  // The file's last setup, else what the user picked last for any file.
  const start: JudgeArgs = last === undefined
    ? remembered(s.ctx.state)
    : { endpoint: last.endpoint, rubric: last.rubricName, candidate: last.candidate + 1, baseline: last.baseline + 1 };
  return setupMenu(s, document, start);
}

async function judge(s: Judge, document: vscode.TextDocument, setup: JudgeSetup, lines?: ReadonlySet<number>): Promise<void> {
  const outcome = await s.model.run(document, setup, lines);
  if (outcome === undefined) return;
  if (outcome.notSaved !== undefined) void vscode.window.showWarningMessage(`TuneLab: ${outcome.notSaved}`);
  const errors = outcome.judged.filter((j) => !j.ok).length;
  const { summary } = outcome;
  const parts = [`${outcome.cancelled ? 'Judge cancelled' : 'Judged'} ${outcome.judged.length} question(s): ${summaryLine(summary)}.`];
  if (errors > 0) parts.push(`${errors} could not be judged (see the log).`);
  if (outcome.skipped > 0) parts.push(`${outcome.skipped} line(s) had nothing to judge.`);
  const warnings = summaryWarnings(summary);
  const message = `TuneLab: ${[...parts, ...warnings].join(' ')}`;
  const actions = [...(summary.losses > 0 ? ['Show Losses'] : []), ...(errors > 0 ? ['Show Log'] : [])];
  const shown = errors > 0 || warnings.length > 0 ? vscode.window.showWarningMessage(message, ...actions) : vscode.window.showInformationMessage(message, ...actions);
  void shown.then((choice) => {
    if (choice === 'Show Losses') void vscode.commands.executeCommand(CommandId.judgeShowLosses, document.uri);
    else if (choice === 'Show Log') s.ctx.log.show();
  });
}

/** Behind the command table's Restricted Mode gate (Judge a Dataset reaches it after its eval batch, which has the same gate). */
async function judgeCommand(s: Judge, arg: unknown, args: unknown, options: { menu: boolean; selection: boolean }): Promise<void> {
  const document = await resultsDocument(isJudgeArgs(arg) ? undefined : arg);
  if (document === undefined) return;
  let lines: Set<number> | undefined;
  if (options.selection) {
    const editor = vscode.window.visibleTextEditors.find((e) => e.document === document);
    if (editor === undefined) { void vscode.window.showWarningMessage('TuneLab: select the lines to judge in the results file.'); return; }
    lines = new Set<number>();
    for (const sel of editor.selections) for (let l = sel.start.line; l <= sel.end.line; l++) lines.add(l);
  }
  const setup = await setupFor(s, document, isJudgeArgs(arg) ? arg : isJudgeArgs(args) ? args : undefined, options.menu);
  if (setup === undefined) return;
  await judge(s, document, setup, lines);
}

/** Judge a dataset against two endpoints: their answers come from an eval batch, then the judge runs on its results. */
async function judgeDataset(s: Judge, arg: unknown): Promise<void> {
  let dataset = arg instanceof vscode.Uri && !isResultsPath(arg.path) ? arg : undefined;
  if (dataset === undefined) {
    const active = vscode.window.activeTextEditor?.document.uri;
    const files = await workspaceDatasets();
    const pick = await vscode.window.showQuickPick(
      files.sort((a, b) => (a.toString() === active?.toString() ? -1 : b.toString() === active?.toString() ? 1 : a.path.localeCompare(b.path))).map((uri) => ({ label: vscode.workspace.asRelativePath(uri), uri })),
      { title: 'TuneLab: the questions to judge on', placeHolder: 'A dataset or eval set: each line\'s user turn is the question' },
    );
    if (pick === undefined) return;
    dataset = pick.uri;
  }
  const endpoints = s.ctx.endpoints.endpoints.map((e) => ({ label: e.label, description: e.id, id: e.id }));
  if (endpoints.length < 2) {
    const add = await vscode.window.showWarningMessage('TuneLab: judging a dataset needs two endpoints to compare (and a judge).', 'Add Endpoint…');
    if (add !== undefined) await vscode.commands.executeCommand(CommandId.addEndpoint);
    return;
  }
  const candidate = await vscode.window.showQuickPick(endpoints, { title: 'TuneLab: A, the candidate (e.g. your fine-tuned model)' });
  if (candidate === undefined) return;
  const baseline = await vscode.window.showQuickPick(endpoints.filter((e) => e.id !== candidate.id), { title: 'TuneLab: B, the baseline (e.g. the base model)' });
  if (baseline === undefined) return;
  const columns = [candidate.id, baseline.id].map((endpoint) => ({ endpoint, system: '', parameters: {} }));
  const results = await runEvalBatch(s.ctx.endpoints, s.ctx.lintSettings, s.ctx.log, columns, dataset);
  if (results === null) return;
  const document = await vscode.workspace.openTextDocument(results);
  await vscode.window.showTextDocument(document);
  await judgeCommand(s, document.uri, undefined, { menu: true, selection: false });
}

async function showLosses(s: Judge, arg: unknown): Promise<void> {
  const document = await resultsDocument(arg);
  if (document === undefined) return;
  await s.model.load(document.uri);
  const view = s.model.view(document);
  const losses = view?.verdicts.filter((v) => v.combined.result === 'loss') ?? [];
  if (view === undefined || losses.length === 0) {
    void vscode.window.showInformationMessage(`TuneLab: the baseline won no judged question in ${vscode.workspace.asRelativePath(document.uri)}.`);
    return;
  }
  const pick = await vscode.window.showQuickPick(losses.map((v) => ({
    label: v.item.question.replace(/\s+/g, ' ').slice(0, 120),
    description: `line ${v.item.line + 1} · ${verdictLabel(v.combined)}`,
    detail: v.first.reasoning.replace(/\s+/g, ' ').slice(0, 200),
    line: v.item.line,
  })), { title: `TuneLab: ${losses.length} question(s) ${view.names.baseline} (B) won`, placeHolder: 'Pick one to go to its line', matchOnDescription: true, matchOnDetail: true });
  if (pick === undefined) return;
  const editor = await vscode.window.showTextDocument(document);
  const range = document.lineAt(pick.line).range;
  editor.selection = new vscode.Selection(range.start, range.start);
  editor.revealRange(range, vscode.TextEditorRevealType.InCenter);
}

export function registerJudgeCommands(ctx: TuneLabContext, parts: JudgeParts): vscode.Disposable[] {
  const s: Judge = { ...parts, ctx };
  const { commands } = ctx;
  const judging = { trust: { to: 'run the judge' } };
  return [
    commands.registerCommand(CommandId.judgeFile, (arg, args) => judgeCommand(s, arg, args, { menu: false, selection: false }), judging),
    commands.registerCommand(CommandId.judgeSelection, (arg, args) => judgeCommand(s, arg, args, { menu: false, selection: true }), judging),
    commands.registerCommand(CommandId.judgeRerun, (arg, args) => judgeCommand(s, arg, args, { menu: true, selection: false }), judging),
    commands.registerCommand(CommandId.judgeDataset, (arg) => judgeDataset(s, arg)),
    commands.registerCommand(CommandId.judgeShowLosses, (arg) => showLosses(s, arg)),
    commands.registerCommand(CommandId.judgeCancel, (arg) => {
      const uri = arg instanceof vscode.Uri ? arg : vscode.window.activeTextEditor?.document.uri;
      const cancelled = uri !== undefined && s.model.cancel(uri);
      if (!cancelled) for (const [key] of s.model.activeRuns) s.model.cancel(vscode.Uri.parse(key));
    }),
    commands.registerCommand(CommandId.judgeClearVerdicts, async (arg) => {
      const document = await resultsDocument(arg);
      if (document === undefined) return;
      const name = vscode.workspace.asRelativePath(document.uri);
      const choice = await vscode.window.showWarningMessage(`Clear the judge's verdicts of ${name}?`, { modal: true, detail: 'The next run asks the judge again about every question. The history of runs is kept.' }, 'Clear Verdicts');
      if (choice === undefined) return;
      const n = await s.model.clear(document.uri);
      void vscode.window.showInformationMessage(`TuneLab: cleared ${n} verdict(s) of ${name}.`);
    }),
    commands.registerCommand(CommandId.judgeShowRuns, async () => {
      await vscode.commands.executeCommand(`${JUDGE_RUNS_VIEW_ID}.focus`);
    }),
    commands.registerCommand(CommandId.refreshJudgeRuns, () => { s.runsView.refresh(); }),
  ];
}
