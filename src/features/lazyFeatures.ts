import * as vscode from 'vscode';
import type { parsePromptFile } from '../core/prompts/promptFile';
import type { TuneLabContext } from '../host/context';
import { loadBundle } from '../host/lazyBundle';
import { isResultsFile } from '../host/resultsFile';
import { isDataset } from '../host/datasetLinting';
import type { GenerationLocal } from './generation';
import type { JudgeFeature } from './judge';
import { LazyCodeLens, LazyFeature, LazyTreeData, LazyWebviewView, type Disposal, type FeatureHandle } from './lazyFeature';
import { JUDGE_RUNS_VIEW, LAZY_COMMANDS, PROMPT_LAB_VIEW } from './lazyIds';
import type { PromptLabFeature } from './promptLab';
import { curationFilesFor } from './curationFiles';

/*
 * The features activation does not evaluate: each is its own bundle (scripts/editorBundles.mjs),
 * loaded with require on first use. This file imports only their types, so none of their code is
 * in dist/extension.js (test/unit/activation.test.ts checks the bundle's inputs).
 */

/**
 * The judge: loaded by its commands, by a results file shown in an editor (its CodeLens and
 * verdict decorations) or by the Judge Runs view listing its items.
 */
export function lazyJudge(ctx: TuneLabContext): Disposal[] {
  const feature = new LazyFeature<undefined, JudgeFeature>({ bundle: 'judge', title: 'the judge', commands: LAZY_COMMANDS.judge, ctx, local: undefined });
  const codeLens = new LazyCodeLens(feature, isResultsFile, (h) => h.codeLens);
  const runs = new LazyTreeData(feature, (h) => h.runsView);
  // The decorations need the verdicts as soon as a results file is in view, CodeLens or not.
  const showing = (): void => {
    if (feature.current === undefined && vscode.window.visibleTextEditors.some((e) => isResultsFile(e.document))) feature.load();
  };
  const visible = vscode.window.onDidChangeVisibleTextEditors(showing);
  showing();
  return [
    feature,
    codeLens,
    runs,
    visible,
    vscode.languages.registerCodeLensProvider({ pattern: '**/*.results.jsonl' }, codeLens),
    vscode.window.registerTreeDataProvider(JUDGE_RUNS_VIEW, runs),
  ];
}

/**
 * Curation: loaded by its commands, or when an open dataset has scores to show (its
 * `.tunelab/<name>.scores.json`) or an old `<name>.rejected.jsonl` beside it to offer to move.
 */
export function lazyCuration(ctx: TuneLabContext): Disposal[] {
  const feature = new LazyFeature<undefined, FeatureHandle>({ bundle: 'curation', title: 'curation (row scores)', commands: LAZY_COMMANDS.curation, ctx, local: undefined });
  const exists = (uri: vscode.Uri): Thenable<boolean> => vscode.workspace.fs.stat(uri).then(() => true, () => false);
  const check = async (document: vscode.TextDocument): Promise<void> => {
    if (feature.current !== undefined || !isDataset(document) || document.uri.scheme === 'untitled') return;
    const files = curationFilesFor(document.uri.path);
    const found = await exists(document.uri.with({ path: files.scores })) || await exists(document.uri.with({ path: files.legacyRejected }));
    if (found) feature.load();
  };
  const checkAll = (): void => { for (const document of vscode.workspace.textDocuments) void check(document); };
  // A scores file that appears later (a pull, a copy) for a dataset that is open.
  const sidecars = vscode.workspace.createFileSystemWatcher('**/.tunelab/*.scores.json');
  const appeared = (uri: vscode.Uri): void => {
    if (feature.current !== undefined) return;
    const document = vscode.workspace.textDocuments.find((d) => isDataset(d) && d.uri.scheme === uri.scheme && curationFilesFor(d.uri.path).scores === uri.path);
    if (document !== undefined) feature.load();
  };
  checkAll();
  return [
    feature,
    sidecars,
    sidecars.onDidCreate(appeared),
    sidecars.onDidChange(appeared),
    vscode.workspace.onDidOpenTextDocument((document) => { void check(document); }),
  ];
}

/** Prompt Lab: loaded when its view is first shown or one of its commands first runs. */
export function lazyPromptLab(ctx: TuneLabContext): Disposal[] {
  const feature = new LazyFeature<undefined, PromptLabFeature>({ bundle: 'promptLab', title: 'Prompt Lab', commands: LAZY_COMMANDS.promptLab, ctx, local: undefined });
  return [
    feature,
    // Kept alive while hidden: answers keep streaming into the panel when the user looks elsewhere.
    vscode.window.registerWebviewViewProvider(PROMPT_LAB_VIEW, new LazyWebviewView(feature, (h) => h.provider), { webviewOptions: { retainContextWhenHidden: true } }),
  ];
}

/** Generation: loaded when one of its commands first runs; it acts on the topics tree's selection. */
export function lazyGeneration(ctx: TuneLabContext, local: GenerationLocal): Disposal[] {
  return [new LazyFeature<GenerationLocal, FeatureHandle>({ bundle: 'generation', title: 'generation', commands: LAZY_COMMANDS.generation, ctx, local })];
}

let promptFileParser: Promise<typeof parsePromptFile> | undefined;

/** The prompt-file parser (dist/promptFiles.js), loaded when a prompt file is first checked; a failed load is tried again. */
export function loadPromptFileParser(extensionUri: vscode.Uri): Promise<typeof parsePromptFile> {
  promptFileParser ??= loadBundle(extensionUri, 'promptFiles', (mod) => {
    const parse = (mod as { parsePromptFile?: unknown }).parsePromptFile;
    return typeof parse === 'function' ? parse as typeof parsePromptFile : undefined;
  }).catch((err: unknown) => {
    promptFileParser = undefined;
    throw err;
  });
  return promptFileParser;
}
