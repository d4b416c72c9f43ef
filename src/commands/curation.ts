import * as vscode from 'vscode';
import { rowMoveProblem, type RowMoveOutcome } from '../core/judge/rejectedFile';
import { rowsText, scoringLine } from '../core/judge/score';
import type { EndpointConfig } from '../endpoints/config';
import {
  applyRejection,
  baseName,
  CURATION_ENDPOINT_KEY,
  legacyRejectedFile,
  legacyRejectedUriFor,
  moveLegacyRejected,
  planRejection,
  rejectedSharesDatasetFolder,
  rejectedUriFor,
  scoreDataset,
  scoreRubricFor,
  scoresUriFor,
  ScoreStore,
  showUnreadableSidecar,
  syncHint,
  type CurationDeps,
  type RejectedMove,
} from '../host/curation';
import type { TuneLabContext } from '../host/context';
import { isThreshold } from '../host/settings';
import { isDataset } from '../host/datasetLinting';
import { ScoreDecorations } from '../providers/curationDecorations';
import { CommandId } from '../host/commandIds';

/** Options a caller (a test, another command) may pass instead of being asked. */
export interface ScoreRowsArgs {
  /** The endpoint id to score with, instead of the quick pick. */
  readonly endpoint?: string;
  /** The dataset, instead of the active editor's. */
  readonly uri?: vscode.Uri;
}

export interface MoveRowsArgs {
  /** Rows scored below this move, instead of asking. */
  readonly threshold?: number;
  /** `false` moves without the confirmation dialog. */
  readonly confirm?: false;
  readonly uri?: vscode.Uri;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The command's argument: a URI from a menu, or an options object. */
function argsOf(arg: unknown): { readonly uri?: vscode.Uri; readonly options: Record<string, unknown> } {
  if (arg instanceof vscode.Uri) return { uri: arg, options: {} };
  if (!isRecord(arg)) return { options: {} };
  const uri = arg.uri;
  return uri instanceof vscode.Uri ? { uri, options: arg } : { options: arg };
}

function showLogButton(log: vscode.LogOutputChannel, choice: string | undefined): void {
  if (choice === 'Show Log') log.show();
}

/** The dataset to work on: the one clicked, else the active editor's. */
async function datasetDocument(uri: vscode.Uri | undefined, what: string): Promise<vscode.TextDocument | undefined> {
  const document = uri === undefined ? vscode.window.activeTextEditor?.document : await vscode.workspace.openTextDocument(uri);
  if (document === undefined || !isDataset(document)) {
    void vscode.window.showWarningMessage(`TuneLab: open a .jsonl dataset first, or right-click one in the Explorer, to ${what}.`);
    return undefined;
  }
  if (document.uri.scheme === 'untitled') {
    void vscode.window.showWarningMessage(`TuneLab: save the dataset first: its scores and rejected rows are kept in files beside it.`);
    return undefined;
  }
  return document;
}

async function pickEndpoint(s: TuneLabContext, given: unknown): Promise<EndpointConfig | undefined> {
  const registry = s.endpoints;
  if (typeof given === 'string') {
    const config = registry.get(given);
    if (config === undefined) void vscode.window.showErrorMessage(`TuneLab: no endpoint "${given}" in the tunelab.endpoints setting.`);
    return config;
  }
  if (registry.endpoints.length === 0) {
    const choice = await vscode.window.showWarningMessage('TuneLab: scoring rows needs an endpoint to ask as the judge.', 'Add Endpoint…');
    if (choice !== undefined) await vscode.commands.executeCommand('tunelab.addEndpoint');
    return undefined;
  }
  const last = s.state.get<string>(CURATION_ENDPOINT_KEY);
  const items = registry.endpoints
    .map((e) => ({ label: e.label, description: e.id === last ? `${e.id} · last used` : e.id, detail: e.model ?? e.deployment ?? e.endpointName, config: e }))
    .sort((a, b) => (a.config.id === last ? -1 : b.config.id === last ? 1 : 0));
  const pick = await vscode.window.showQuickPick(items, { title: 'TuneLab: Score Rows', placeHolder: 'The endpoint that judges each row from 1 to 10' });
  if (pick === undefined) return undefined;
  await s.state.update(CURATION_ENDPOINT_KEY, pick.config.id);
  return pick.config;
}

async function scoreRows(s: TuneLabContext, deps: CurationDeps, arg: unknown): Promise<void> {
  const { uri, options } = argsOf(arg);
  const document = await datasetDocument(uri, 'score its rows');
  if (document === undefined) return;
  const rubric = await scoreRubricFor(document.uri);
  if (!rubric.ok) {
    const name = vscode.workspace.asRelativePath(rubric.uri);
    s.log.error(`Scoring: ${name} cannot be used as the scoring rubric: ${rubric.message}`);
    void vscode.window.showErrorMessage(`TuneLab: ${name} cannot be used as the scoring rubric: ${rubric.message} Fix it, or delete it to use the built-in rubric.`, 'Open Rubric')
      .then((c) => { if (c !== undefined) void vscode.window.showTextDocument(rubric.uri); });
    return;
  }
  const endpoint = await pickEndpoint(s, options.endpoint);
  if (endpoint === undefined) return;
  let outcome;
  try {
    outcome = await scoreDataset(deps, document, endpoint, rubric);
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    s.log.error(`Scoring ${vscode.workspace.asRelativePath(document.uri)}: ${message}`);
    void vscode.window.showErrorMessage(`TuneLab: scoring failed: ${message}`, 'Show Log').then((c) => { showLogButton(s.log, c); });
    return;
  }
  if (outcome === undefined) return;

  const threshold = s.config.for(document.uri).curation.threshold;
  const below = outcome.scores.filter((x) => x < threshold).length;
  const parts = [outcome.cancelled ? `Scoring cancelled. ${scoringLine(outcome.scores, threshold)}` : scoringLine(outcome.scores, threshold)];
  const unscored = outcome.rows - outcome.scores.length;
  if (outcome.errors > 0) parts.push(`${rowsText(outcome.errors)} could not be scored (see the log); Score Rows asks about them again.`);
  else if (unscored > 0) parts.push(`${rowsText(unscored)} not scored yet; Score Rows asks about them.`);
  if (outcome.noAnswer > 0) parts.push(`${rowsText(outcome.noAnswer)} without an answer were skipped.`);
  const move = `Move Rows Below ${threshold}…`;
  const buttons = [...(below > 0 ? [move] : []), ...(outcome.errors > 0 ? ['Show Log'] : [])];
  const message = parts.join(' ');
  s.log.info(`Scoring ${vscode.workspace.asRelativePath(document.uri)}: ${message}`);
  const shown = outcome.errors > 0 ? vscode.window.showWarningMessage(message, ...buttons) : vscode.window.showInformationMessage(message, ...buttons);
  void shown.then((c) => {
    if (c === move) void vscode.commands.executeCommand(CommandId.moveRowsBelowScore, { uri: document.uri, threshold } satisfies MoveRowsArgs);
    else showLogButton(s.log, c);
  });
  if (outcome.notSaved !== undefined) {
    const sidecar = vscode.workspace.asRelativePath(scoresUriFor(document.uri));
    void vscode.window.showWarningMessage(
      `TuneLab: the scores were not saved to ${sidecar}, which was left as it is: ${outcome.notSaved} These scores are kept for this session only: once the file is fixed or deleted, run Score Rows again to save them (rows scored in this session are not asked again).`,
      'Show Log',
    ).then((c) => { showLogButton(s.log, c); });
  }
}

async function askThreshold(uri: vscode.Uri, current: number): Promise<number | undefined> {
  const text = await vscode.window.showInputBox({
    title: 'TuneLab: Move Rows Below Score',
    prompt: `Rows scored below this move to ${vscode.workspace.asRelativePath(rejectedUriFor(uri))} (a whole number from 1 to 10)`,
    value: String(current),
    validateInput: (v) => (/^\s*\d+\s*$/.test(v) && isThreshold(Number(v)) ? undefined : 'A whole number from 1 to 10.'),
  });
  return text === undefined ? undefined : Number(text);
}

async function moveRowsBelowScore(s: TuneLabContext, deps: CurationDeps, arg: unknown): Promise<void> {
  const { uri, options } = argsOf(arg);
  const document = await datasetDocument(uri, 'move its low-scored rows');
  if (document === undefined) return;
  const name = baseName(document.uri);
  let threshold: number | undefined;
  if (options.threshold === undefined) {
    threshold = await askThreshold(document.uri, s.config.for(document.uri).curation.threshold);
    if (threshold === undefined) return;
  } else if (isThreshold(options.threshold)) {
    threshold = options.threshold;
  } else {
    void vscode.window.showErrorMessage(`TuneLab: the threshold must be a whole number from 1 to 10, not ${JSON.stringify(options.threshold)}.`);
    return;
  }
  const plan = await planRejection(deps, document, threshold);
  if (plan === undefined) {
    const unreadable = (await deps.store.load(document.uri)).unreadable;
    if (unreadable !== undefined) {
      showUnreadableSidecar(document.uri, unreadable, 'Its scores are unknown, so no rows were moved: run Move Rows Below Score again once it is fixed.');
      return;
    }
    const choice = await vscode.window.showInformationMessage(`TuneLab: no rows of ${name} are scored yet. Score them first.`, 'Score Rows');
    if (choice !== undefined) await vscode.commands.executeCommand(CommandId.scoreRows, { uri: document.uri } satisfies ScoreRowsArgs);
    return;
  }
  const rejectedName = vscode.workspace.asRelativePath(plan.rejected);
  const leftInPlace = plan.unscored === 0 ? '' : ` ${rowsText(plan.unscored)} without a score ${plan.unscored === 1 ? 'was' : 'were'} left in place.`;
  if (plan.lines.length === 0) {
    void vscode.window.showInformationMessage(`TuneLab: no scored rows of ${name} are below ${threshold}.${leftInPlace}`);
    return;
  }
  const hint = plan.sharesFolder ? ` ${syncHint(document.uri)}` : '';
  if (options.confirm !== false) {
    const stay = plan.unscored === 0 ? '' : `${rowsText(plan.unscored)} without a score will stay. `;
    const legacy = plan.legacy === undefined ? '' : `The rows already in ${baseName(plan.legacy)} beside it move there too, so they are not trained on. `;
    const choice = await vscode.window.showWarningMessage(
      `Move ${rowsText(plan.lines.length)} scored below ${threshold} to ${rejectedName}?`,
      { modal: true, detail: `${stay}${legacy}They are written to ${rejectedName} first, then removed from ${name}; the rows kept are not changed. Undo in ${name} puts the moved rows back in it (they stay in ${rejectedName} too).${hint}` },
      'Move',
    );
    if (choice !== 'Move') return;
  }
  let legacyMove: RejectedMove | undefined;
  let outcome: RowMoveOutcome;
  try {
    // Rows rejected by an earlier version first, so every rejected row ends in one file.
    legacyMove = plan.legacy === undefined ? undefined : await moveLegacyRejected(document.uri);
    outcome = await applyRejection(plan);
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    s.log.error(`Moving rows of ${name}: ${message}`);
    void vscode.window.showErrorMessage(`TuneLab: ${message}`);
    return;
  }
  const earlier = legacyMove === undefined ? '' : ` ${legacyMoveText(legacyMove)}`;
  const openRejected = (c: string | undefined): void => {
    if (c !== undefined) void vscode.window.showTextDocument(plan.rejected, { preview: false });
  };
  const problem = rowMoveProblem(outcome, { rows: rowsText(plan.lines.length), source: vscode.workspace.asRelativePath(document.uri), destination: rejectedName });
  if (outcome.state === 'not-moved' || outcome.state === 'in-both') {
    const message = `${problem ?? ''}${earlier}`;
    s.log.error(`Moving rows of ${vscode.workspace.asRelativePath(document.uri)}: ${message}`);
    void vscode.window.showErrorMessage(`TuneLab: ${message}`, ...(outcome.state === 'in-both' ? ['Open Rejected Rows'] : [])).then(openRejected);
    return;
  }
  const unsaved = problem === undefined ? '' : ` ${problem}`;
  const message = `Moved ${rowsText(plan.lines.length)} scored below ${threshold} to ${rejectedName}.${unsaved}${leftInPlace}${earlier}${hint}`;
  s.log.info(`${vscode.workspace.asRelativePath(document.uri)}: ${message}`);
  const shown = outcome.state === 'moved-unsaved' ? vscode.window.showWarningMessage(`TuneLab: ${message}`, 'Open Rejected Rows') : vscode.window.showInformationMessage(`TuneLab: ${message}`, 'Open Rejected Rows');
  void shown.then(openRejected);
}

/** `The 3 rows of train.rejected.jsonl beside it moved there too.` */
function legacyMoveText(move: RejectedMove): string {
  return `The ${rowsText(move.rows)} of ${baseName(move.from)} beside it moved there too.`;
}

/**
 * Offers, once a session per file, to move an old `<name>.rejected.jsonl` found beside a dataset
 * that is opened: JumpStart trains on every .jsonl in the training folder, so it would be trained on.
 */
function offerLegacyMoves(log: vscode.LogOutputChannel): vscode.Disposable {
  const offered = new Set<string>();
  const check = async (document: vscode.TextDocument): Promise<void> => {
    if (!isDataset(document) || document.uri.scheme === 'untitled') return;
    const legacy = legacyRejectedUriFor(document.uri);
    if (offered.has(legacy.toString()) || await legacyRejectedFile(document.uri) === undefined) return;
    // Checked again after the await: two datasets opening at once must not offer twice.
    if (offered.has(legacy.toString())) return;
    offered.add(legacy.toString());
    const target = vscode.workspace.asRelativePath(rejectedUriFor(document.uri));
    const hint = rejectedSharesDatasetFolder(document.uri) ? ` ${syncHint(document.uri)}` : '';
    const choice = await vscode.window.showWarningMessage(
      `TuneLab: the rejected rows in ${baseName(legacy)} beside ${baseName(document.uri)} would be trained on: JumpStart trains on every .jsonl in the training folder. Move them to ${target}?${hint}`,
      'Move Rows',
    );
    if (choice === undefined) return;
    try {
      const move = await moveLegacyRejected(document.uri);
      if (move === undefined) return;
      const message = `Moved the ${rowsText(move.rows)} of ${baseName(move.from)} to ${vscode.workspace.asRelativePath(move.to)}.`;
      log.info(message);
      void vscode.window.showInformationMessage(`TuneLab: ${message}`);
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      log.error(`Moving ${baseName(legacy)}: ${message}`);
      void vscode.window.showErrorMessage(`TuneLab: ${message}`);
    }
  };
  for (const document of vscode.workspace.textDocuments) void check(document);
  return vscode.workspace.onDidOpenTextDocument((document) => { void check(document); });
}

/** Score Rows, Move Rows Below Score…, and the inline scores. */
export function registerCuration(ctx: TuneLabContext): vscode.Disposable[] {
  const store = new ScoreStore(ctx.log, ctx.sidecars);
  const deps: CurationDeps = { endpoints: ctx.endpoints, lintSettings: ctx.lintSettings, linting: ctx.linting, log: ctx.log, store };
  return [
    vscode.Disposable.from(store, new ScoreDecorations(store, ctx, ctx.config)),
    offerLegacyMoves(ctx.log),
    ctx.commands.registerCommand(CommandId.scoreRows, (arg?: unknown) => scoreRows(ctx, deps, arg), { trust: { to: 'score rows' } }),
    // The scores are a model's, or a sidecar's the workspace ships: an untrusted one must not delete rows with them.
    ctx.commands.registerCommand(CommandId.moveRowsBelowScore, (arg?: unknown) => moveRowsBelowScore(ctx, deps, arg), {
      trust: { message: 'TuneLab: this workspace is in Restricted Mode, so TuneLab moves no rows on scores from a model or from the workspace\'s files. Trust the workspace to move them.', manage: true },
    }),
  ];
}
