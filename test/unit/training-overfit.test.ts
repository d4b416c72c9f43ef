import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { repoFile } from '../harness/repoFile';
import type { CurvePoint, CurveSet } from '../../src/core/training/curves';
import { curvesFromCheckpoints, curvesFromResultFile, type Checkpoint } from '../../src/core/training/openaiCurves';
import { assessOverfitting } from '../../src/core/training/overfit';
import { curvesFromLogLines, JUMPSTART_LLAMA_METRIC_DEFINITIONS } from '../../src/core/training/sagemakerCurves';

/**
 * The overfitting verdict on real-shaped curves. The fixtures are described in
 * training-curves.test.ts; the per-epoch shapes below follow published Llama LoRA runs (a
 * Hugging Face Trainer model card's "Training results" table: train loss 1.466 → 0.100 over four
 * evaluations while validation loss went 1.382 → 1.520 → 1.803 → 1.899).
 */
const fixture = (name: string): string => readFileSync(repoFile(`test/fixtures/training/${name}`), 'utf8');
const llamaLog = (name: string): CurveSet =>
  curvesFromLogLines(fixture(name).split('\n').map((message) => ({ message })), JUMPSTART_LLAMA_METRIC_DEFINITIONS).curves;

/** Per-epoch points. */
const epochs = (values: readonly number[]): CurvePoint[] => values.map((value, i) => ({ index: i + 1, epoch: i + 1, value }));
/** Per-step points, `every` steps apart. */
const steps = (values: readonly number[], every = 1): CurvePoint[] => values.map((value, i) => ({ index: i + 1, step: (i + 1) * every, value }));
/** A deterministic jitter in [-1, 1] (no Math.random: a test must fail or pass the same way every time). */
const jitter = (i: number): number => Math.sin(i * 12.9898) * 43758.5453 % 1;

void describe('overfitting verdict', () => {
  void it('flags a JumpStart Llama run whose eval loss turns up after epoch 2 while train loss falls, and prefers epoch 2', () => {
    const r = assessOverfitting(llamaLog('jumpstart-llama-overfit.log'));
    assert.equal(r.verdict, 'overfitting');
    assert.deepEqual(r.prefer, { index: 2, epoch: 2, evalLoss: 1.329, words: 'epoch 2' });
    assert.equal(
      r.headline,
      'Overfitting: Eval loss rose 25% from its minimum 1.329 at epoch 2 to 1.662 while train loss kept falling (1.209 → 0.299).',
    );
    assert.equal(r.reasons.at(-1), 'Prefer the model at epoch 2, where eval loss was lowest (1.329).');
  });

  void it('calls a JumpStart Llama run whose eval loss falls to the end clean, and prefers its last epoch', () => {
    const r = assessOverfitting(llamaLog('jumpstart-llama-clean.log'));
    assert.equal(r.verdict, 'clean');
    assert.equal(r.prefer?.epoch, 5);
    assert.match(r.headline, /^No overfitting: Eval loss fell from 1\.411 to 1\.210 and was still falling at the end \(epoch 5\)/);
  });

  void it('flags the published Llama 3 8B LoRA run by its rise and its train/eval gap', () => {
    const r = assessOverfitting({
      'train-loss': steps([1.4662, 0.6972, 0.3476, 0.0995], 25),
      'eval-loss': steps([1.3819, 1.5203, 1.8026, 1.8992], 25),
    });
    assert.equal(r.verdict, 'overfitting');
    assert.equal(r.prefer?.words, 'step 25');
    assert.ok(r.reasons.some((s) => s === 'Eval loss ends at 1.899, 19× the train loss (0.100): the model fits its training rows far better than unseen ones.'), r.reasons.join('\n'));
  });

  void it('flags a gap beyond the threshold even while eval loss is still at its minimum', () => {
    const r = assessOverfitting({ 'train-loss': epochs([0.9, 0.4, 0.2]), 'eval-loss': epochs([1.3, 1.25, 1.2]) });
    assert.equal(r.verdict, 'overfitting');
    assert.match(r.headline, /6\.0× the train loss/);
    // A higher threshold lets the same run through.
    assert.equal(assessOverfitting({ 'train-loss': epochs([0.9, 0.4, 0.2]), 'eval-loss': epochs([1.3, 1.25, 1.2]) }, { gapRatio: 6 }).verdict, 'clean');
  });

  void it('reads OpenAI\'s full validation loss over its noisy per-batch valid loss', () => {
    const overfit = assessOverfitting(curvesFromResultFile(fixture('openai-result-overfit.csv')).curves);
    assert.equal(overfit.verdict, 'overfitting');
    assert.equal(overfit.evalSeries, 'full-eval-loss');
    assert.deepEqual(overfit.prefer, { index: 1, step: 40, evalLoss: 0.71042, words: 'step 40' });
    const clean = assessOverfitting(curvesFromResultFile(fixture('openai-result-clean.csv')).curves);
    assert.equal(clean.verdict, 'clean', clean.headline);
    assert.equal(clean.prefer?.step, 120);
    // The checkpoints carry the same full validation loss, so they agree.
    const checkpoints = (JSON.parse(fixture('openai-checkpoints.json')) as { data: Checkpoint[] }).data;
    assert.equal(assessOverfitting(curvesFromCheckpoints(checkpoints).curves).prefer?.step, 40);
  });

  void it('smooths a per-step eval curve: single-batch spikes neither raise nor hide a turn', () => {
    // Falls to step 60, then climbs steadily; every 7th batch spikes by 0.6.
    const evalLoss = Array.from({ length: 100 }, (_, i) => (i < 60 ? 2 - i * 0.02 : 0.8 + (i - 60) * 0.01) + (i % 7 === 3 ? 0.6 : 0) + 0.01 * jitter(i));
    const trainLoss = Array.from({ length: 100 }, (_, i) => 1.9 - i * 0.011);
    const r = assessOverfitting({ 'train-loss': steps(trainLoss), 'eval-loss': steps(evalLoss) });
    assert.equal(r.verdict, 'overfitting', r.headline);
    const at = r.prefer?.step ?? 0;
    assert.ok(at >= 55 && at <= 65, `the turn is near step 60, not at ${at}`);
    // The same spikes on a curve that keeps falling are not a rise.
    const falling = Array.from({ length: 100 }, (_, i) => 2 - i * 0.012 + (i % 7 === 3 ? 0.6 : 0) + 0.01 * jitter(i));
    assert.equal(assessOverfitting({ 'train-loss': steps(trainLoss), 'eval-loss': steps(falling) }).verdict, 'clean');
  });

  void it('calls a per-step eval curve whose jitter swamps its trend noisy', () => {
    const evalLoss = Array.from({ length: 60 }, (_, i) => 1 + 0.3 * jitter(i));
    const r = assessOverfitting({ 'train-loss': steps(Array.from({ length: 60 }, (_, i) => 1.5 - i * 0.01)), 'eval-loss': steps(evalLoss) });
    assert.equal(r.verdict, 'noisy', r.headline);
    assert.match(r.headline, /^Too noisy to tell: Eval loss jumps by about ±0\.\d{3} between evaluations, more than half what it moves over the run/);
  });

  void it('calls a per-epoch eval curve that zigzags noisy, not overfit', () => {
    const r = assessOverfitting({ 'train-loss': epochs([1.6, 1.3, 1.1, 0.9, 0.8]), 'eval-loss': epochs([1.4, 1.2, 1.4, 1.2, 1.4]) });
    assert.equal(r.verdict, 'noisy');
    assert.match(r.headline, /goes up and down from one evaluation to the next \(1\.400, 1\.200, 1\.400, 1\.200, 1\.400\)/);
  });

  void it('calls eval and train rising together instability, not overfitting', () => {
    const r = assessOverfitting({ 'train-loss': epochs([1.2, 1.0, 1.3, 1.6]), 'eval-loss': epochs([1.3, 1.1, 1.4, 1.7]) });
    assert.equal(r.verdict, 'noisy');
    assert.match(r.headline, /but train loss rose too: that is unstable training/);
  });

  void it('says too short to tell with fewer than three evaluations, or a single rise at the end', () => {
    const two = assessOverfitting({ 'train-loss': epochs([1.5, 1.2]), 'eval-loss': epochs([1.4, 1.3]) });
    assert.equal(two.verdict, 'too-short');
    assert.equal(two.headline, 'Too short to tell: Only 2 evaluations so far; at least 3 are needed to see whether eval loss turns up.');
    assert.equal(two.prefer?.epoch, 2);
    const oneUp = assessOverfitting({ 'train-loss': epochs([1.6, 1.3, 1.1, 0.9]), 'eval-loss': epochs([1.4, 1.3, 1.25, 1.32]) });
    assert.equal(oneUp.verdict, 'too-short');
    assert.match(oneUp.headline, /at the last evaluation: too few to tell a turn from noise/);
    assert.equal(oneUp.prefer?.epoch, 3);
  });

  void it('says there is no eval loss when a run reports none, and how to get one', () => {
    const r = assessOverfitting({ 'train-loss': epochs([1.6, 1.3, 1.1, 0.9]) });
    assert.equal(r.verdict, 'no-eval');
    assert.equal(r.prefer, undefined);
    assert.match(r.reasons.join(' '), /validation_split_ratio.*validation_file/);
    // An OpenAI job created without a validation_file: its result file's valid columns are empty.
    const noValidation = curvesFromResultFile('step,train_loss,train_accuracy,valid_loss,valid_mean_token_accuracy\n1,3.63265,0.5,,\n2,2.45992,0.80952,,\n3,2.77939,0.80952,,\n');
    assert.equal(assessOverfitting(noValidation.curves).headline, 'No eval loss: The run reports no eval loss, so overfitting cannot be told from train loss alone.');
  });

  void it('ignores NaN and infinite points, and judges what is left', () => {
    const r = assessOverfitting({
      'train-loss': epochs([1.6, Number.NaN, 1.1, 0.9, 0.7]),
      'eval-loss': epochs([1.4, 1.3, Number.POSITIVE_INFINITY, 1.45, 1.6]),
    });
    assert.equal(r.verdict, 'overfitting', r.headline);
    assert.equal(r.prefer?.epoch, 2);
    assert.equal(assessOverfitting({ 'eval-loss': epochs([Number.NaN, Number.NaN]) }).verdict, 'no-eval');
  });
});
