import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { summarize } from '../../src/core/judge/aggregate';
import { readVerdictCache, verdictsPathFor, writeVerdictCache, type CachedVerdict } from '../../src/core/judge/cache';
import { judgeInputFromResults, runRecord, summaryLine, summaryWarnings, verdictRecordLine } from '../../src/core/judge/judgeFiles';
import { HUMAN_PREFERENCE_RUBRIC, LEAGUE_RUBRIC } from '../../src/core/judge/prompts';
import { outcomesOf, runJudge, verdictLabel, VERDICT_AGAIN, type JudgeItem, type JudgeRunResult } from '../../src/core/judge/run';
import { askThrough } from '../../src/endpoints/generateRun';
import { createOpenAIEndpoint } from '../../src/endpoints/openai';
import { Scheduler } from '../../src/endpoints/scheduler';
import { judgeRequestOf, judgeResponder, type JudgePolicy } from '../peers/judgeResponder';
import { OpenAIPeer, type OpenAIPeerOptions } from '../peers/openaiPeer';

interface Rig {
  readonly peer: OpenAIPeer;
  judge(items: readonly JudgeItem[], options?: { cache?: Map<string, CachedVerdict>; rubric?: string; signal?: AbortSignal; judge?: string; onJudged?: () => void }): Promise<JudgeRunResult>;
}

async function withJudge(policy: JudgePolicy, fn: (rig: Rig) => Promise<void>, peerOptions: OpenAIPeerOptions = {}): Promise<void> {
  const peer = new OpenAIPeer({ responder: judgeResponder(policy), ...peerOptions });
  const running = await peer.start();
  try {
    const endpoint = createOpenAIEndpoint({ id: 'judge', apiKey: 'sk-test', model: 'judge-model', baseURL: `${running.url}/v1` });
    const ask = askThrough(new Scheduler({ maxConcurrent: 8, maxAttempts: 3, backoffBaseMs: 1, backoffCapMs: 5 }), endpoint);
    await fn({
      peer,
      judge: (items, o = {}) => runJudge({
        items,
        ask,
        judge: o.judge ?? 'judge/judge-model',
        rubric: o.rubric ?? LEAGUE_RUBRIC,
        cache: o.cache ?? new Map<string, CachedVerdict>(),
        signal: o.signal ?? new AbortController().signal,
        ...(o.onJudged === undefined ? {} : { onJudged: o.onJudged }),
      }),
    });
  } finally {
    await running.close();
  }
}

/** `n` questions where the candidate's answer is `candidate(i)` and the baseline's `baseline(i)`. */
function items(n: number, candidate: (i: number) => string, baseline: (i: number) => string): JudgeItem[] {
  return Array.from({ length: n }, (_, i) => ({ line: i, question: `How do I renew permit ${i}?`, candidate: candidate(i), baseline: baseline(i) }));
}

void describe('judging against an OpenAI-compatible server', () => {
  void it('judges each question in both orders at temperature 0, and a judge that sees quality gives wins and losses', async () => {
    await withJudge('marked', async (rig) => {
      // The candidate is better on 0–5, the baseline on 6–7, neither on 8–9.
      const list = items(10, (i) => (i < 6 ? `[good] Go to the county office ${i}.` : `Maybe ask someone ${i}.`), (i) => (i >= 6 && i < 8 ? `[good] Visit the clerk ${i}.` : `No idea ${i}.`));
      const result = await rig.judge(list);
      assert.equal(result.cancelled, false);
      assert.equal(result.asked, 20);
      assert.equal(result.judged.length, 10);
      const labels = result.judged.map((j) => (j.ok ? verdictLabel(j.combined) : j.error));
      assert.deepEqual(labels, [...Array<string>(6).fill('A wins (2/2)'), 'B wins (2/2)', 'B wins (2/2)', 'tie (2/2)', 'tie (2/2)']);
      const bodies = rig.peer.chatBodies;
      assert.ok(bodies.every((b) => b['temperature'] === 0 && b['max_tokens'] === 1500), 'the rubric\'s settings are sent');
      // Both orders of question 0 were asked: the candidate first, then the baseline first.
      const orders = bodies.map(judgeRequestOf).filter((r) => r.question === 'How do I renew permit 0?').map((r) => r.answerA.startsWith('[good]') ? 'candidate first' : 'baseline first').sort();
      assert.deepEqual(orders, ['baseline first', 'candidate first']);
      const s = summarize(outcomesOf(result.judged), { seed: 1 });
      assert.match(summaryLine(s), /^W 6 · T 2 · L 2 — wins 60% \(\d+–\d+%\) · adjusted 70% \(\d+–\d+%\)$/);
    });
  });

  void it('a judge that always picks the first position yields ties, not wins, and a position-bias warning', async () => {
    await withJudge('first', async (rig) => {
      const result = await rig.judge(items(12, (i) => `Candidate answer ${i}.`, (i) => `Baseline answer ${i}.`));
      assert.equal(result.judged.length, 12);
      for (const j of result.judged) {
        assert.ok(j.ok);
        assert.deepEqual(j.combined, { result: 'tie', disagreed: true });
        assert.equal(verdictLabel(j.combined), 'tie (orders disagree)');
      }
      const s = summarize(outcomesOf(result.judged), { seed: 1 });
      assert.deepEqual([s.wins, s.ties, s.losses, s.adjustedWinRate, s.positionDisagreement], [0, 12, 0, 0.5, 1]);
      assert.ok(summaryWarnings(s).some((w) => w.startsWith('Position bias: the two orders disagreed on 100%')));
    });
  });

  void it('a judge that always picks the longer answer is flagged by the length-bias warning', async () => {
    await withJudge('longer', async (rig) => {
      // The candidate is longer on 14 questions and shorter on 6: a length-biased judge follows length.
      const long = (i: number): string => `A long and detailed answer, padded with words, number ${i}: ${'more words '.repeat(20)}`;
      const short = (i: number): string => `Short answer ${i}.`;
      const result = await rig.judge(items(20, (i) => (i < 14 ? long(i) : short(i)), (i) => (i < 14 ? short(i) : long(i))));
      const s = summarize(outcomesOf(result.judged), { seed: 1 });
      assert.deepEqual([s.wins, s.losses, s.ties], [14, 6, 0]);
      assert.equal(s.lengthBias, true);
      assert.deepEqual(s.lengthEvidence, { decided: 20, longerWon: 20 });
      const warnings = summaryWarnings(s);
      assert.ok(warnings.some((w) => w.startsWith('Length bias: the longer answer won 20 of 20 decided questions')), warnings.join('\n'));
      assert.ok(s.meanLength !== undefined && s.meanLength.candidate > s.meanLength.baseline);
    });
  });

  void it('a second run asks only about what changed, and a different rubric or judge asks again', async () => {
    await withJudge('marked', async (rig) => {
      const cache = new Map<string, CachedVerdict>();
      const list = items(6, (i) => `[good] Answer ${i}.`, (i) => `Other ${i}.`);
      const first = await rig.judge(list, { cache });
      assert.deepEqual([first.asked, first.fromCache, cache.size], [12, 0, 12]);

      // Through the sidecar file's text, as the editor and the CLI keep it.
      const reread = readVerdictCache(writeVerdictCache(cache)).verdicts;
      const again = await rig.judge(list, { cache: reread });
      assert.deepEqual([again.asked, again.fromCache], [0, 12]);
      assert.ok(again.judged.every((j) => j.ok && j.first.cached && j.swapped.cached));

      // One baseline answer edited: only its question's two orders are asked.
      const edited = list.map((item, i) => (i === 2 ? { ...item, baseline: '[good] A better baseline.' } : item));
      const third = await rig.judge(edited, { cache: reread });
      assert.deepEqual([third.asked, third.fromCache], [2, 10]);
      const changed = third.judged[2];
      assert.ok(changed?.ok === true && verdictLabel(changed.combined) === 'tie (2/2)');

      assert.equal((await rig.judge(list, { cache: reread, rubric: HUMAN_PREFERENCE_RUBRIC })).asked, 12, 'another rubric asks again');
      assert.equal((await rig.judge(list, { cache: reread, judge: 'judge/other-model' })).asked, 12, 'another judge asks again');
    });
  });

  void it('an unreadable reply is asked about once more; a second one is an error, never a loss', async () => {
    let followUps = 0;
    const policy: JudgePolicy = (r) => {
      if (r.followUp) {
        followUps++;
        // Question 1's judge recovers when asked for the verdict alone; question 2's never does.
        return r.question.endsWith('1?') ? '[[B]]' : 'I cannot decide.';
      }
      if (r.question.endsWith('1?') || r.question.endsWith('2?')) return 'Both answers have merit and some weaknesses.';
      return r.answerA.startsWith('Cand') ? 'A is better.\n[[A]]' : 'B is better.\n[[B]]';
    };
    await withJudge(policy, async (rig) => {
      const result = await rig.judge(items(3, (i) => `Candidate ${i}`, (i) => `Baseline ${i}`));
      assert.equal(followUps, 4);
      const [zero, one, two] = result.judged;
      assert.ok(zero?.ok === true && zero.combined.result === 'win');
      // Question 1 recovered: [[B]] in both orders is a tie (each order named the other side), with the first reply's reasoning kept.
      assert.ok(one?.ok === true);
      assert.deepEqual(one.combined, { result: 'tie', disagreed: true });
      assert.equal(one.first.reasoning, 'Both answers have merit and some weaknesses.');
      assert.ok(two?.ok === false);
      assert.match(two.error, /gave no verdict.*Asked again: The judge gave no verdict/);
      const s = summarize(outcomesOf(result.judged), { seed: 1 });
      assert.equal(s.n, 2, 'an error is left out of the counts');
      assert.equal(s.losses, 0);
      const followBody = rig.peer.chatBodies.find((b) => judgeRequestOf(b).followUp);
      assert.ok(followBody !== undefined);
      const messages = followBody['messages'] as { role: string; content: string }[];
      assert.equal(messages.at(-1)?.content, VERDICT_AGAIN);
      assert.equal(messages.at(-2)?.role, 'assistant');
    });
  });

  void it('a failing judge endpoint reports the questions as errors with the reason, and nothing is cached', async () => {
    await withJudge('marked', async (rig) => {
      const cache = new Map<string, CachedVerdict>();
      const result = await rig.judge(items(2, () => 'a', () => 'b'), { cache });
      assert.equal(result.judged.length, 2);
      for (const j of result.judged) {
        assert.ok(!j.ok);
        assert.match(j.error, /400|invalid/i);
      }
      assert.equal(cache.size, 0);
    }, { responder: () => ({ status: 400, error: { message: 'invalid model', type: 'invalid_request_error' } }) });
  });

  void it('cancelling stops at once: finished questions are kept, the rest neither reported nor counted', async () => {
    await withJudge('marked', async (rig) => {
      const controller = new AbortController();
      const cache = new Map<string, CachedVerdict>();
      const list = items(40, (i) => `[good] ${i}`, (i) => `meh ${i}`);
      // Cancelled as the third question finishes, whatever the machine's speed: the others are in flight or waiting.
      let finished = 0;
      const result = await rig.judge(list, { cache, signal: controller.signal, onJudged: () => { if (++finished === 3) controller.abort(); } });
      assert.equal(result.cancelled, true);
      assert.ok(result.judged.length >= 3 && result.judged.length < 40, `judged ${result.judged.length}`);
      assert.ok(result.judged.every((j) => j.ok && j.combined.result === 'win'));
      assert.ok(cache.size >= result.judged.length * 2);
    }, { latencyMs: 40 });
  });
});

void describe('the judge\'s files', () => {
  const row = (question: string, answers: readonly (readonly [number, string, string, string?])[]): string => JSON.stringify({
    question,
    reference: `Reference for ${question}`,
    source: { file: 'eval.jsonl', line: 1 },
    columnsKey: '0123456789abcdef',
    answers: answers.map(([column, endpoint, text, error]) => ({ column, endpoint, system: '', parameters: {}, text, ...(error === undefined ? {} : { error }) })),
  });

  void it('reads the chosen columns of a results file, skipping rows it cannot judge with the reason', () => {
    const text = [
      row('Q1', [[0, 'ft', 'ft answer 1'], [1, 'base', 'base answer 1']]),
      '',
      '{"question": broken',
      row('Q2', [[0, 'ft', 'partial', 'timed out'], [1, 'base', 'base answer 2']]),
      row('Q3', [[0, 'ft', 'ft answer 3']]),
      row('Q4', [[0, 'ft', 'ft answer 4'], [1, 'base', 'base answer 4'], [2, 'gpt', 'gpt answer 4']]),
    ].join('\r\n');
    const input = judgeInputFromResults(text, { candidate: 0, baseline: 1 });
    assert.deepEqual(input.items.map((i) => [i.line, i.question, i.candidate, i.baseline, i.reference]), [
      [0, 'Q1', 'ft answer 1', 'base answer 1', 'Reference for Q1'],
      [5, 'Q4', 'ft answer 4', 'base answer 4', 'Reference for Q4'],
    ]);
    assert.deepEqual(input.skipped.map((s) => s.line), [2, 3, 4]);
    assert.match(input.skipped[1]?.message ?? '', /column 1's answer failed \(timed out\)/);
    assert.match(input.skipped[2]?.message ?? '', /no answer in column 2/);
    assert.deepEqual(input.columns, [{ column: 0, endpoint: 'ft' }, { column: 1, endpoint: 'base' }, { column: 2, endpoint: 'gpt' }]);
    const swapped = judgeInputFromResults(text, { candidate: 2, baseline: 0 });
    assert.deepEqual(swapped.items.map((i) => [i.candidate, i.baseline]), [['gpt answer 4', 'ft answer 4']]);
  });

  void it('writes verdict lines, run records and the sidecar with its setup and history', () => {
    const item: JudgeItem = { line: 4, question: 'Q', candidate: 'a', baseline: 'b' };
    const ok = verdictRecordLine({ item, ok: true, first: { verdict: 'A', reasoning: 'r1', cached: false }, swapped: { verdict: 'B', reasoning: 'r2', cached: true }, combined: { result: 'win', disagreed: false } }, { candidate: 'ft', baseline: 'base' });
    assert.deepEqual(JSON.parse(ok), {
      line: 5, question: 'Q', candidate: 'ft', baseline: 'base', result: 'win', label: 'A wins (2/2)', disagreed: false,
      candidateFirst: { verdict: 'A', reasoning: 'r1' }, baselineFirst: { verdict: 'B', reasoning: 'r2' },
    });
    assert.deepEqual(JSON.parse(verdictRecordLine({ item, ok: false, error: 'no verdict' }, { candidate: 'ft', baseline: 'base' })), { line: 5, question: 'Q', error: 'no verdict' });

    const summary = summarize([{ result: 'win', disagreed: false, candidateLength: 3, baselineLength: 1 }], { seed: 3 });
    const record = runRecord({ at: new Date('2026-11-24T10:00:00Z'), judge: 'j/m', rubricName: 'league', names: { candidate: 'ft', baseline: 'base' }, summary, errors: 1 });
    const setup = { judge: 'j/m', endpoint: 'j', rubricName: 'league', rubric: LEAGUE_RUBRIC, candidate: 0, baseline: 1 };
    const runs = Array.from({ length: 55 }, () => record);
    const read = readVerdictCache(writeVerdictCache(new Map([['0123456789abcdef', { verdict: 'A', reasoning: 'x' }]]), { setup, runs }));
    assert.equal(read.problem, undefined);
    assert.deepEqual(read.setup, setup);
    assert.equal(read.runs.length, 50, 'only the last 50 runs are kept');
    assert.deepEqual(read.runs[0], { ...record, interval: [1, 1], winInterval: [1, 1] });
    assert.deepEqual([record.winRate, record.winInterval], [1, [1, 1]], "the run keeps the league's number");
    assert.equal(
      summaryLine({ wins: 31, ties: 6, losses: 13, winRate: 0.62, winInterval: [0.48, 0.76], adjustedWinRate: 0.68, interval: [0.58, 0.77] }),
      'W 31 · T 6 · L 13 — wins 62% (48–76%) · adjusted 68% (58–77%)',
    );
    // A run recorded before the win rate was kept still shows it, from its counts, without an interval.
    assert.equal(summaryLine({ wins: 31, ties: 6, losses: 13, adjustedWinRate: 0.68, interval: [0.58, 0.77] }), 'W 31 · T 6 · L 13 — wins 62% · adjusted 68% (58–77%)');
    assert.equal(summaryLine({ wins: 0, ties: 0, losses: 0 }), 'W 0 · T 0 · L 0 — no questions judged');
    // A damaged run or setup is dropped, not fatal.
    const damaged = readVerdictCache(JSON.stringify({ version: 1, verdicts: {}, setup: { judge: 3 }, runs: [{ at: 'x' }, record] }));
    assert.equal(damaged.setup, undefined);
    assert.equal(damaged.runs.length, 1);
    assert.equal(verdictsPathFor('data/evals/eval.results.jsonl'), 'data/evals/.tunelab/eval.results.jsonl.verdicts.json');
    assert.equal(verdictsPathFor('C:\\w\\e.results.jsonl'), 'C:\\w\\.tunelab\\e.results.jsonl.verdicts.json');
  });
});
