/**
 * The judge's bundle (dist/judge.js), loaded on first use (src/features/lazyFeatures.ts): the
 * verdicts model, its CodeLens, decorations, status item, the Judge Runs tree and the commands.
 */
import * as vscode from 'vscode';
import { registerJudgeCommands } from '../commands/judge';
import { verdictsSidecar } from '../core/judge/cache';
import type { EndpointRegistry } from '../host/endpoints';
import { JudgeModel } from '../host/judgeModel';
import type { LintSettingsSource } from '../host/lintSettings';
import type { WorkspaceSidecars } from '../host/sidecarFiles';
import { JudgeCodeLens } from '../providers/judgeCodeLens';
import { JudgeDecorations } from '../providers/judgeDecorations';
import { JudgeRunsView } from '../views/judgeRunsView';
import { JudgeStatus } from '../views/judgeStatus';
import type { FeatureHandle } from './lazyFeature';

export interface JudgeFeatureServices {
  readonly extensionUri: vscode.Uri;
  readonly endpoints: EndpointRegistry;
  readonly lintSettings: LintSettingsSource;
  readonly state: vscode.Memento;
  readonly log: vscode.LogOutputChannel;
  readonly sidecars: WorkspaceSidecars;
}

export interface JudgeFeature extends FeatureHandle {
  readonly codeLens: JudgeCodeLens;
  readonly runsView: JudgeRunsView;
}

export function start(s: JudgeFeatureServices): JudgeFeature {
  const model = new JudgeModel(s.endpoints, s.log, s.sidecars);
  const codeLens = new JudgeCodeLens(model);
  const runsView = new JudgeRunsView(model);
  return {
    codeLens,
    runsView,
    disposables: [
      model,
      codeLens,
      runsView,
      s.sidecars.watch(verdictsSidecar.kind, (uri) => { model.sidecarChanged(uri); }),
      new JudgeDecorations(model, s.extensionUri),
      new JudgeStatus(model),
      ...registerJudgeCommands({ model, endpoints: s.endpoints, lintSettings: s.lintSettings, state: s.state, runsView, log: s.log }),
    ],
  };
}
