import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Ask } from '../../src/core/generate/pipeline';
import { rowKey, SCORE_RUBRIC, type CachedScore, type ScoredRowResult, type ScoreRow, type ScoreSetup } from '../../src/core/judge/score';
import { pairsToAsk, runScoringJob, type ScoringPorts } from '../../src/core/judge/scoringJob';

const setup: ScoreSetup = { judge: 'judge/model', endpoint: 'judge', rubricName: 'default', rubric: SCORE_RUBRIC };
const rows: ScoreRow[] = [
  { line: 0, question: 'How do I renew a passport?', answer: 'Use form DS-82.' },
  { line: 1, question: 'Where do I vote?', answer: 'At your polling place.' },
  // The same pair as line 0: asked about once, counted once.
  { line: 3, question: 'How do I renew a passport?', answer: 'Use form DS-82.' },
  { line: 4, question: 'Is it open on Sunday?', answer: 'No.' },
];

class CancelledError extends Error {}

/** Ports that write down what the job did with them. */
function fakePorts(ask: Ask | undefined, options: { saveFails?: string; throws?: Error } = {}): ScoringPorts & { events: string[]; progress: number[]; recorded: ScoredRowResult[]; currentSetup: ScoreSetup | undefined } {
  const events: string[] = [];
  const progress: number[] = [];
  const recorded: ScoredRowResult[] = [];
  const ports = {
    events, progress, recorded,
    currentSetup: undefined as ScoreSetup | undefined,
    asker: () => { events.push('asker'); return Promise.resolve(ask); },
    async withProgress<T>(todo: number, work: (signal: AbortSignal, report: (done: number) => void) => Promise<T>): Promise<T> {
      events.push(`progress ${todo}`);
      const result = await work(new AbortController().signal, (done) => { progress.push(done); });
      if (options.throws !== undefined) throw options.throws;
      return result;
    },
    isCancellation: (e: unknown) => e instanceof CancelledError,
    setSetup(next: ScoreSetup) {
      const changed = ports.currentSetup?.judge !== next.judge || ports.currentSetup.rubric !== next.rubric;
      ports.currentSetup = next;
      events.push(`setup ${String(changed)}`);
      return changed;
    },
    record: (r: ScoredRowResult) => { recorded.push(r); },
    save: (afterRun: boolean) => { events.push(`save ${String(afterRun)}`); return Promise.resolve(options.saveFails); },
    running: (on: boolean) => { events.push(`running ${String(on)}`); },
    starting: (todo: number) => { events.push(`starting ${todo}`); },
  };
  return ports;
}

/** A judge that scores by the question's length, and fails on the Sunday question. */
function judge(): Ask & { calls: number } {
  const ask = Object.assign(async (_stage: unknown, messages: readonly { content: string }[]) => {
    ask.calls++;
    await Promise.resolve();
    const text = messages.map((m) => m.content).join('\n');
    if (text.includes('Sunday')) return 'I cannot say.';
    return `Fine.\n[[${text.includes('passport') ? 3 : 8}]]`;
  }, { calls: 0 });
  return ask;
}

void describe('a scoring job', () => {
  void it('asks about each pair without a score once, records every row, saves after the run and sums up', async () => {
    const cache = new Map<string, CachedScore>();
    const ask = judge();
    const ports = fakePorts(ask);
    const outcome = await runScoringJob({ rows, noAnswer: 2, setup, cache }, ports);
    assert.ok(outcome !== undefined);
    assert.deepEqual(ports.events, ['running true', 'asker', 'setup true', 'starting 3', 'progress 3', 'save true', 'running false']);
    // Three pairs: the repeated one counts once; the failing one asks again once (SCORE_AGAIN).
    assert.deepEqual(ports.progress, [0, 1, 2, 3]);
    assert.equal(ports.recorded.length, 4);
    assert.deepEqual(outcome.scores.slice().sort(), [3, 3, 8]);
    assert.equal(outcome.errors, 1);
    assert.deepEqual(outcome.failed.map((f) => f.row.line), [4]);
    assert.equal(outcome.asked, 4);
    assert.equal(outcome.cancelled, false);
    assert.equal(outcome.rows, 4);
    assert.equal(outcome.noAnswer, 2);
    assert.equal(outcome.notSaved, undefined);
    assert.equal(cache.get(rowKey(rows[1] as ScoreRow, setup))?.score, 8);
  });

  void it('reuses the cache: with every pair scored it asks nothing, and saves only when the setup changed', async () => {
    const cache = new Map<string, CachedScore>(rows.map((row) => [rowKey(row, setup), { score: 6, reasoning: '' }]));
    assert.equal(pairsToAsk(rows, setup, cache), 0);
    const ports = fakePorts(judge());
    const first = await runScoringJob({ rows, noAnswer: 0, setup, cache }, ports);
    assert.ok(first !== undefined);
    assert.deepEqual(ports.events, ['setup true', 'save false']);
    assert.deepEqual(first.scores, [6, 6, 6, 6]);
    assert.equal(first.cancelled, false);
    ports.events.length = 0;
    await runScoringJob({ rows, noAnswer: 0, setup, cache }, ports);
    assert.deepEqual(ports.events, ['setup false'], 'the same setup again: nothing to write');
  });

  void it('sends nothing and saves nothing without a judge', async () => {
    const ports = fakePorts(undefined);
    assert.equal(await runScoringJob({ rows, noAnswer: 0, setup, cache: new Map() }, ports), undefined);
    assert.deepEqual(ports.events, ['running true', 'asker', 'running false']);
  });

  void it('saves what was scored when cancelled, and says it was', async () => {
    const ports = fakePorts(judge(), { throws: new CancelledError('cancelled') });
    const outcome = await runScoringJob({ rows, noAnswer: 0, setup, cache: new Map() }, ports);
    assert.ok(outcome !== undefined);
    assert.equal(outcome.cancelled, true);
    assert.equal(outcome.asked, 0);
    assert.deepEqual(ports.events.slice(-2), ['save true', 'running false']);
  });

  void it('saves before a failure propagates, and reports a save that failed', async () => {
    const failing = fakePorts(judge(), { throws: new Error('boom') });
    await assert.rejects(runScoringJob({ rows, noAnswer: 0, setup, cache: new Map() }, failing), /boom/);
    assert.deepEqual(failing.events.slice(-2), ['save true', 'running false']);
    const unsaved = fakePorts(judge(), { saveFails: 'It is not valid JSON.' });
    const outcome = await runScoringJob({ rows, noAnswer: 0, setup, cache: new Map() }, unsaved);
    assert.equal(outcome?.notSaved, 'It is not valid JSON.');
  });
});
