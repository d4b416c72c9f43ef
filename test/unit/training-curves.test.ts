import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { repoFile } from '../harness/repoFile';
import { seriesKindOfMetricName, type CurvePoint } from '../../src/core/training/curves';
import { curvesFromCheckpoints, curvesFromMetricsEvents, curvesFromResultFile, type Checkpoint } from '../../src/core/training/openaiCurves';
import {
  curvesFromLogLines, curvesFromMetricData, JUMPSTART_HF_TRAINER_METRIC_DEFINITIONS, JUMPSTART_LLAMA_METRIC_DEFINITIONS, type LogLine,
} from '../../src/core/training/sagemakerCurves';

/**
 * Fixtures in test/fixtures/training/, modelled on what the providers emit:
 * - jumpstart-llama-*.log: a JumpStart Llama fine-tuning job's CloudWatch log, lines as
 *   llama-recipes' train_utils.py prints them (meta-llama/llama-recipes, src/llama_recipes/utils/train_utils.py:
 *   ` eval_ppl=tensor(…, device='cuda:0') eval_epoch_loss=tensor(…)` before `Epoch N: train_perplexity=…,
 *   train_epoch_loss=…, epoch time …s`), with the tqdm, memory and PEFT lines around them.
 * - hf-trainer.log: Hugging Face Trainer log dicts (`{'loss': …, 'epoch': …}`, `{'eval_loss': …}`).
 * - openai-result-*.csv: an OpenAI fine-tuning result file (columns as in
 *   https://platform.openai.com/docs/guides/fine-tuning#analyzing-your-fine-tuned-model, plus
 *   full_valid_loss / full_valid_mean_token_accuracy at each epoch's last step).
 * - openai-checkpoints.json: GET /v1/fine_tuning/jobs/{id}/checkpoints, newest first
 *   (https://platform.openai.com/docs/api-reference/fine-tuning/list-checkpoints).
 */
const fixture = (name: string): string => readFileSync(repoFile(`test/fixtures/training/${name}`), 'utf8');
/** A log file as CloudWatch Logs events, one a minute from a fixed start. */
const logEvents = (text: string): LogLine[] =>
  text.split('\n').filter((l) => l !== '').map((message, i) => ({ message, timestamp: 1_733_000_000_000 + i * 60_000 }));
const pairs = (points: readonly CurvePoint[] | undefined, x: 'epoch' | 'step'): [number | undefined, number][] =>
  (points ?? []).map((p) => [p[x], p.value]);

void describe('metric names to series', () => {
  void it('reads JumpStart definition names and OpenAI columns', () => {
    assert.equal(seriesKindOfMetricName('huggingface-textgeneration:train-loss'), 'train-loss');
    assert.equal(seriesKindOfMetricName('huggingface-textgeneration:eval-loss'), 'eval-loss');
    assert.equal(seriesKindOfMetricName('huggingface-textgeneration:eval-ppl'), 'eval-perplexity');
    assert.equal(seriesKindOfMetricName('train_accuracy'), 'train-token-accuracy');
    assert.equal(seriesKindOfMetricName('valid_mean_token_accuracy'), 'eval-token-accuracy');
    assert.equal(seriesKindOfMetricName('full_valid_loss'), 'full-eval-loss');
    assert.equal(seriesKindOfMetricName('validation:loss'), 'eval-loss', 'SageMaker built-in algorithms name them channel:metric');
    assert.equal(seriesKindOfMetricName('step'), undefined);
    assert.equal(seriesKindOfMetricName('learning_rate'), undefined);
  });
});

void describe('JumpStart Llama log lines through the job\'s MetricDefinitions', () => {
  void it('gives train loss, eval loss and eval perplexity per epoch from a real-shaped log', () => {
    const { curves, skipped } = curvesFromLogLines(logEvents(fixture('jumpstart-llama-overfit.log')), JUMPSTART_LLAMA_METRIC_DEFINITIONS);
    assert.deepEqual(pairs(curves['train-loss'], 'epoch'), [[1, 1.6831], [2, 1.2094], [3, 0.8872], [4, 0.5411], [5, 0.2987]]);
    // Each epoch's eval line comes before its "Epoch N:" summary and takes that epoch.
    assert.deepEqual(pairs(curves['eval-loss'], 'epoch'), [[1, 1.4105], [2, 1.329], [3, 1.3871], [4, 1.495], [5, 1.6623]]);
    assert.deepEqual(curves['eval-perplexity']?.map((p) => p.epoch), [1, 2, 3, 4, 5]);
    assert.equal(curves['eval-perplexity'].at(0)?.value, 4.098);
    assert.equal(curves['train-perplexity'], undefined, 'JumpStart defines no train perplexity metric');
    // The truncated "train_epoch_loss=." line is reported, not charted.
    assert.equal(skipped.length, 1);
    assert.match(skipped.at(0)?.reason ?? '', /train-loss matched "\.", which is not a number/);
    assert.equal(curves['train-loss']?.at(0)?.time, 1_733_000_000_000 + 13 * 60_000, 'the CloudWatch event time is kept');
  });

  void it('gives the eval point of an epoch still running the epoch after the last summary', () => {
    const lines = fixture('jumpstart-llama-clean.log').split('\n');
    const cut = lines.findIndex((l) => l.startsWith('Epoch 3:'));
    const { curves } = curvesFromLogLines(logEvents(lines.slice(0, cut).join('\n')), JUMPSTART_LLAMA_METRIC_DEFINITIONS);
    assert.deepEqual(pairs(curves['eval-loss'], 'epoch'), [[1, 1.4105], [2, 1.3012], [3, 1.248]]);
    assert.deepEqual(pairs(curves['train-loss'], 'epoch'), [[1, 1.6831], [2, 1.4012]]);
  });

  void it('reads Hugging Face Trainer dicts with the Trainer definitions, epochs from the dicts', () => {
    const { curves } = curvesFromLogLines(logEvents(fixture('hf-trainer.log')), JUMPSTART_HF_TRAINER_METRIC_DEFINITIONS);
    assert.equal(curves['train-loss']?.length, 12, "the final 'train_loss' summary is not a 'loss' point");
    assert.deepEqual(curves['train-loss'].slice(0, 2).map((p) => p.epoch), [0.25, 0.5]);
    assert.deepEqual(pairs(curves['eval-loss'], 'epoch'), [[1, 1.21], [2, 1.12], [3, 1.1]]);
  });

  void it('runs a job\'s own regexes through RE2 and says why one is refused', () => {
    const lines: LogLine[] = [{ message: 'step=10 my_eval_loss=0.91' }, { message: 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!' }];
    const { curves, skipped } = curvesFromLogLines(lines, [
      { Name: 'my:eval-loss', Regex: 'my_eval_loss=([0-9.]+)' },
      { Name: 'my:train-loss', Regex: '(a+)+\\1' },
      { Name: 'my:lr', Regex: 'lr=([0-9.]+)' },
    ]);
    assert.deepEqual(curves['eval-loss']?.map((p) => p.value), [0.91]);
    assert.equal(curves['train-loss'], undefined);
    assert.deepEqual(skipped.map((s) => s.where), ['my:train-loss', 'my:lr']);
    assert.match(skipped.at(0)?.reason ?? '', /backreference/);
  });

  void it('skips NaN, inf and garbage captures, and lines that match nothing', () => {
    const lines: LogLine[] = [
      { message: 'Epoch 1: train_perplexity=nan, train_epoch_loss=nan, epoch time 10s' },
      { message: 'Epoch 2: train_perplexity=3.1, train_epoch_loss=1.1.3, epoch time 10s' },
      { message: 'garbage \u0000\u00ff train_epoch_loss' },
      { message: 'Epoch 3: train_perplexity=2.9, train_epoch_loss=1.0647, epoch time 10s' },
    ];
    const { curves, skipped } = curvesFromLogLines(lines, JUMPSTART_LLAMA_METRIC_DEFINITIONS);
    assert.deepEqual(pairs(curves['train-loss'], 'epoch'), [[3, 1.0647]]);
    assert.deepEqual(skipped.map((s) => s.where), ['line 2']);
  });
});

void describe('CloudWatch metric data', () => {
  void it('orders GetMetricData values by time and names their series', () => {
    const { curves, skipped } = curvesFromMetricData(
      [
        // GetMetricData answers newest first (ScanBy TimestampDescending).
        { name: 'huggingface-textgeneration:train-loss', timestamps: [new Date(3000), new Date(2000), new Date(1000)], values: [0.8351, 1.388, 2.9216] },
        { name: 'huggingface-textgeneration:eval-loss', timestamps: [2000, 1000], values: [Number.NaN, 0.8135] },
        { name: 'huggingface-textgeneration:learning-rate', timestamps: [1000], values: [0.0001] },
      ],
      { onePointPerEpoch: true },
    );
    assert.deepEqual(pairs(curves['train-loss'], 'epoch'), [[1, 2.9216], [2, 1.388], [3, 0.8351]]);
    assert.deepEqual(curves['train-loss']?.map((p) => p.time), [1000, 2000, 3000]);
    assert.deepEqual(pairs(curves['eval-loss'], 'epoch'), [[1, 0.8135]]);
    assert.deepEqual(skipped.map((s) => s.where), ['huggingface-textgeneration:eval-loss', 'huggingface-textgeneration:learning-rate']);
  });
});

void describe('OpenAI result file and checkpoints', () => {
  void it('reads every column of the result file by name, leaving steps without validation out of the valid series', () => {
    const { curves, skipped } = curvesFromResultFile(fixture('openai-result-overfit.csv'));
    assert.equal(curves['train-loss']?.length, 120);
    assert.equal(curves['train-token-accuracy']?.length, 120);
    assert.equal(curves['eval-loss']?.length, 120);
    assert.equal(curves['eval-token-accuracy']?.length, 120);
    assert.deepEqual(pairs(curves['full-eval-loss'], 'step'), [[40, 0.71042], [80, 0.80391], [120, 0.93877]]);
    assert.deepEqual(curves['train-loss'].at(0), { step: 1, value: 1.86799, index: 1 });
    assert.deepEqual(skipped, []);
  });

  void it('reads the documented five columns, in any order, with empty valid cells', () => {
    const csv = 'train_loss,step,valid_loss,train_accuracy,valid_mean_token_accuracy\n1.52347,1,,0.0,\n0.57719,2,0.6,0.5,0.7\n';
    const { curves } = curvesFromResultFile(csv);
    assert.deepEqual(pairs(curves['train-loss'], 'step'), [[1, 1.52347], [2, 0.57719]]);
    assert.deepEqual(pairs(curves['eval-loss'], 'step'), [[2, 0.6]]);
    assert.deepEqual(pairs(curves['eval-token-accuracy'], 'step'), [[2, 0.7]]);
  });

  void it('reads a base64-encoded result file as the CSV inside it', () => {
    const csv = fixture('openai-result-clean.csv');
    const { curves } = curvesFromResultFile(Buffer.from(csv).toString('base64'));
    assert.deepEqual(curves, curvesFromResultFile(csv).curves);
    assert.equal(curves['full-eval-loss']?.length, 3);
  });

  void it('reports garbage rows and refuses a file that is not a result file', () => {
    const { curves, skipped } = curvesFromResultFile('step,train_loss,valid_loss\n1,1.2,nan\nx,1.1,\n3,inf,0.9\n');
    assert.deepEqual(pairs(curves['train-loss'], 'step'), [[1, 1.2]]);
    assert.deepEqual(pairs(curves['eval-loss'], 'step'), [[3, 0.9]]);
    assert.deepEqual(skipped.map((s) => `${s.where}: ${s.reason}`), [
      'line 2: valid_loss is "nan", not a number',
      'line 3: the step "x" is not a number',
      'line 4: train_loss is "inf", not a number',
    ]);
    const notCsv = curvesFromResultFile('{"error": "not found"}');
    assert.deepEqual(notCsv.curves, {});
    assert.match(notCsv.skipped.at(0)?.reason ?? '', /no "step" column/);
  });

  void it('reads the exponent form and zero losses the result file holds late in a run', () => {
    // As in the cookbook's result file ("Fine tuning for function calling"): 6e-05, 0.0.
    const { curves, skipped } = curvesFromResultFile('step,train_loss,train_accuracy,valid_loss,valid_mean_token_accuracy\n29,0.00109,1.0,,\n30,6e-05,1.0,,\n41,0.0,1.0,,\n');
    assert.deepEqual(pairs(curves['train-loss'], 'step'), [[29, 0.00109], [30, 0.00006], [41, 0]]);
    assert.deepEqual(skipped, []);
  });

  void it('reads a running job\'s metrics events, newest first as the API lists them, and passes over the others', () => {
    // The event shape of OpenAI's fine-tuning guide ("Analyzing your fine-tuned model").
    const events = [
      {
        object: 'fine_tuning.job.event', id: 'ftevent-abc-124', created_at: 1693582679, level: 'info', type: 'metrics',
        message: 'Step 300/300: training loss=0.15, validation loss=0.27, full validation loss=0.40',
        data: {
          step: 300, train_loss: 0.14991648495197296, valid_loss: 0.26569826706596045, total_steps: 300, full_valid_loss: 0.4032616495084362,
          train_mean_token_accuracy: 0.9444444179534912, valid_mean_token_accuracy: 0.9565217391304348, full_valid_mean_token_accuracy: 0.9089635854341737,
        },
      },
      { object: 'fine_tuning.job.event', id: 'ftevent-abc-123', created_at: 1693582600, level: 'info', type: 'metrics', message: 'Step 299/300: training loss=0.18', data: { step: 299, train_loss: 0.18, total_steps: 300 } },
      { object: 'fine_tuning.job.event', id: 'ftevent-abc-122', created_at: 1693582500, level: 'info', type: 'message', message: 'Fine-tuning job started', data: {} },
      { object: 'fine_tuning.job.event', id: 'ftevent-abc-121', created_at: 1693582400, level: 'info', type: 'metrics', message: 'garbled', data: { step: 'x', train_loss: 9 } },
    ];
    const { curves } = curvesFromMetricsEvents(events);
    assert.deepEqual(pairs(curves['train-loss'], 'step'), [[299, 0.18], [300, 0.14991648495197296]]);
    assert.deepEqual(pairs(curves['full-eval-loss'], 'step'), [[300, 0.4032616495084362]]);
    assert.deepEqual(pairs(curves['eval-token-accuracy'], 'step'), [[300, 0.9565217391304348]]);
  });

  void it('orders checkpoint metrics by step', () => {
    const list = JSON.parse(fixture('openai-checkpoints.json')) as { data: Checkpoint[] };
    const { curves } = curvesFromCheckpoints(list.data);
    assert.deepEqual(pairs(curves['full-eval-loss'], 'step'), [[40, 0.71042], [80, 0.80391], [120, 0.93877]]);
    assert.deepEqual(curves['train-loss']?.map((p) => p.step), [40, 80, 120]);
    assert.equal(curves['eval-token-accuracy']?.length, 3);
  });
});
