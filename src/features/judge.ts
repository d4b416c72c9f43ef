/**
 * The judge's bundle (dist/judge.js), loaded on first use (src/features/lazyFeatures.ts): the
 * verdicts model, its CodeLens, decorations, status item, the Judge Runs tree and the commands.
 */
import { registerJudgeCommands } from '../commands/judge';
import { verdictsSidecar } from '../core/judge/cache';
import type { TuneLabContext } from '../host/context';
import { JudgeModel } from '../host/judgeModel';
import { JudgeCodeLens } from '../providers/judgeCodeLens';
import { JudgeDecorations } from '../providers/judgeDecorations';
import { JudgeRunsView } from '../views/judgeRunsView';
import { JudgeStatus } from '../views/judgeStatus';
import type { FeatureHandle } from './lazyFeature';

export interface JudgeFeature extends FeatureHandle {
  readonly codeLens: JudgeCodeLens;
  readonly runsView: JudgeRunsView;
}

export function start(ctx: TuneLabContext): JudgeFeature {
  const model = new JudgeModel(ctx.endpoints, ctx.log, ctx.sidecars);
  const codeLens = new JudgeCodeLens(model);
  const runsView = new JudgeRunsView(model, ctx.sidecars);
  return {
    codeLens,
    runsView,
    disposables: [
      model,
      codeLens,
      runsView,
      ctx.sidecars.watch(verdictsSidecar.kind, (uri) => { model.sidecarChanged(uri); }),
      new JudgeDecorations(model, ctx.extensionUri),
      new JudgeStatus(model),
      ...registerJudgeCommands(ctx, { model, runsView }),
    ],
  };
}
