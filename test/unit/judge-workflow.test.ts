import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { summarize } from '../../src/core/judge/aggregate';
import { readVerdictCache, RUNS_KEPT, verdictKey, verdictsPathFor, writeVerdictCache, type JudgeRunRecord, type JudgeSetup } from '../../src/core/judge/cache';
import { judgeInputFromResults } from '../../src/core/judge/judgeFiles';
import { LEAGUE_RUBRIC } from '../../src/core/judge/prompts';
import { outcomesOf } from '../../src/core/judge/run';
import { clearVerdicts, judgeResultsFile, type JudgeFilePorts, type JudgeFileResult } from '../../src/core/judge/workflow';
import type { Ask } from '../../src/core/generate/pipeline';
import { SidecarStore, type SidecarFiles } from '../../src/core/sidecarStore';
import { judgeResponder } from '../peers/judgeResponder';

const FILE = 'evals/eval.results.jsonl';
const SIDECAR = verdictsPathFor(FILE);
const SETUP: JudgeSetup = { judge: 'judge/judge-model', endpoint: 'judge', rubricName: 'league', rubric: LEAGUE_RUBRIC, candidate: 0, baseline: 1 };

/** Sidecars in memory; `onWrite` runs before each write lands. */
function memoryFiles(initial: Record<string, string> = {}): SidecarFiles & { files: Map<string, string>; writes: number; failRead: boolean } {
  const files = new Map(Object.entries(initial));
  const fs = {
    files,
    writes: 0,
    failRead: false,
    read(path: string): Promise<string | undefined> {
      if (fs.failRead) return Promise.reject(new Error('EISDIR: illegal operation on a directory'));
      return Promise.resolve(files.get(path));
    },
    write(path: string, text: string): Promise<void> {
      fs.writes++;
      files.set(path, text);
      return Promise.resolve();
    },
  };
  return fs;
}

/** A judge in memory that sees quality: the answer marked [good] wins. Counts what it is asked. */
function markedJudge(): { ask: Ask; asked: () => number } {
  let asked = 0;
  const reply = judgeResponder('marked');
  return {
    asked: () => asked,
    ask: (_stage, messages) => {
      asked++;
      return Promise.resolve(reply({ messages: messages.map((m) => ({ role: m.role, content: m.content })) }).content ?? '');
    },
  };
}

function row(question: string, candidate: string, baseline: string): string {
  const answer = (column: number, endpoint: string, text: string): Record<string, unknown> => ({ column, endpoint, system: '', parameters: {}, text, finish: 'stop' });
  return JSON.stringify({ question, source: { file: 'eval.jsonl', line: 1 }, columnsKey: '0123456789abcdef', answers: [answer(0, 'tuned', candidate), answer(1, 'base', baseline)] });
}

/** Four questions: the candidate wins two, the baseline one, one tie. */
const RESULTS = `${[
  row('Renew a licence?', '[good] Online at the DMV.', 'Somewhere.'),
  row('Apply for SNAP?', '[good] At the county office.', 'Not sure.'),
  row('Register to vote?', 'Online.', 'On paper.'),
  row('Tax refund?', 'Soon.', '[good] Within 21 days.'),
].join('\n')}\n`;

const AT = new Date('2026-12-01T10:00:00Z');

async function judgeOnce(fs: SidecarFiles, options: { ask: Ask; lines?: ReadonlySet<number>; signal?: AbortSignal; seed?: number; ports?: Partial<JudgeFilePorts> }): Promise<JudgeFileResult> {
  return judgeResultsFile(
    { file: FILE, input: judgeInputFromResults(RESULTS, SETUP), setup: SETUP, lines: options.lines, ask: options.ask, signal: options.signal ?? new AbortController().signal, concurrency: 1, seed: options.seed ?? 7 },
    { store: new SidecarStore(fs), now: () => AT, ...options.ports },
  );
}

function sidecarOf(fs: { files: Map<string, string> }): ReturnType<typeof readVerdictCache> {
  return readVerdictCache(fs.files.get(SIDECAR));
}

function record(at: string): JudgeRunRecord {
  return { at, judge: 'old/judge', rubricName: 'league', candidate: 'a', baseline: 'b', wins: 1, ties: 0, losses: 0, errors: 0, lengthBias: false };
}

void describe('the judging workflow', () => {
  void it('judges a results file and keeps its verdicts, setup and run in the sidecar; a second run asks nothing and adds a run', async () => {
    const fs = memoryFiles();
    const judge = markedJudge();
    const first = await judgeOnce(fs, { ask: judge.ask, seed: 7 });
    assert.equal(judge.asked(), 8, 'each question in both orders');
    assert.deepEqual([first.summary.wins, first.summary.ties, first.summary.losses], [2, 1, 1]);
    assert.deepEqual(first.summary, summarize(outcomesOf(first.run.judged), { seed: 7 }), 'the summary uses the caller\'s seed');
    assert.deepEqual(first.names, { candidate: 'tuned', baseline: 'base' });
    assert.ok(first.saved.ok);
    const saved = sidecarOf(fs);
    assert.equal(saved.verdicts.size, 8);
    assert.deepEqual(saved.setup, SETUP);
    assert.deepEqual(saved.runs.map((r) => [r.at, r.wins, r.ties, r.losses, r.candidate, r.baseline]), [[AT.toISOString(), 2, 1, 1, 'tuned', 'base']]);
    assert.deepEqual(saved.runs[0]?.winInterval, first.summary.winInterval, 'the record\'s interval is the summary\'s');

    const again = await judgeOnce(fs, { ask: judge.ask });
    assert.equal(judge.asked(), 8, 'every verdict came from the sidecar');
    assert.equal(again.run.fromCache, 8);
    assert.equal(sidecarOf(fs).runs.length, 2);
  });

  void it('merges into what is on disk when the run ends, keeping what another tool wrote meanwhile', async () => {
    const fs = memoryFiles();
    const judge = markedJudge();
    const theirs = verdictKey({ question: 'Elsewhere?', answerA: 'x', answerB: 'y', judge: 'other/judge', rubric: 'r' });
    await judgeOnce(fs, {
      ask: judge.ask,
      ports: {
        onJudged: (_j, done) => {
          if (done === 1) fs.files.set(SIDECAR, writeVerdictCache(new Map([[theirs, { verdict: 'B', reasoning: 'theirs' }]]), { runs: [record('2026-11-30T00:00:00.000Z')] }));
        },
      },
    });
    const saved = sidecarOf(fs);
    assert.equal(saved.verdicts.get(theirs)?.reasoning, 'theirs');
    assert.equal(saved.verdicts.size, 9);
    assert.deepEqual(saved.runs.map((r) => r.at), ['2026-11-30T00:00:00.000Z', AT.toISOString()]);
  });

  void it('keeps only the last RUNS_KEPT runs', async () => {
    const runs = Array.from({ length: RUNS_KEPT }, (_, i) => record(new Date(Date.UTC(2026, 0, 1 + i)).toISOString()));
    const fs = memoryFiles({ [SIDECAR]: writeVerdictCache(new Map(), { runs }) });
    const result = await judgeOnce(fs, { ask: markedJudge().ask });
    assert.ok(result.saved.ok);
    assert.equal(result.saved.value.runs.length, RUNS_KEPT);
    assert.equal(result.saved.value.runs.at(-1)?.at, AT.toISOString());
    assert.equal(result.saved.value.runs[0]?.at, runs[1]?.at);
  });

  void it('a cancelled run, or one of some lines, keeps its verdicts but is not added to the history', async () => {
    const fs = memoryFiles();
    const controller = new AbortController();
    const cancelled = await judgeOnce(fs, { ask: markedJudge().ask, signal: controller.signal, ports: { onJudged: (_j, done) => { if (done === 1) controller.abort(); } } });
    assert.equal(cancelled.run.cancelled, true);
    assert.equal(cancelled.record, undefined);
    assert.deepEqual([sidecarOf(fs).verdicts.size, sidecarOf(fs).runs.length], [2, 0]);

    const some = await judgeOnce(fs, { ask: markedJudge().ask, lines: new Set([2]) });
    assert.deepEqual(some.items.map((i) => i.line), [2]);
    assert.equal(some.record, undefined);
    assert.deepEqual([sidecarOf(fs).verdicts.size, sidecarOf(fs).runs.length], [4, 0]);
    assert.deepEqual(sidecarOf(fs).setup, SETUP);
  });

  void it('reuses what could be read of a sidecar it cannot read whole, and never writes over it', async () => {
    const fs = memoryFiles();
    await judgeOnce(fs, { ask: markedJudge().ask, lines: new Set([0]) });
    // A damaged entry beside the two good ones: the file is read only in part.
    const good = JSON.parse(fs.files.get(SIDECAR) ?? '') as { verdicts: Record<string, unknown> };
    const damaged = JSON.stringify({ version: 1, verdicts: { ...good.verdicts, 'not-a-key': { verdict: 'A', reasoning: '' } } });
    fs.files.set(SIDECAR, damaged);
    const writes = fs.writes;
    const judge = markedJudge();
    let told: string | undefined;
    const result = await judgeOnce(fs, { ask: judge.ask, ports: { onStart: (load) => { told = load.problem; } } });
    assert.equal(judge.asked(), 6, 'the two readable verdicts were reused');
    assert.match(told ?? '', /1 entry of the verdict cache could not be read/);
    assert.deepEqual(result.saved, { ok: false, unreadable: { reason: 'has 1 entry that could not be read', fix: 'Fix or remove that entry' }, when: 'before' });
    assert.equal(fs.files.get(SIDECAR), damaged);
    assert.equal(fs.writes, writes);
  });

  void it('leaves a sidecar that became unreadable while the judge ran (a merge landed) as it is', async () => {
    const fs = memoryFiles();
    const conflicted = '{\n<<<<<<< HEAD\n "version": 1,\n=======\n "version": 1, "runs": [],\n>>>>>>> theirs\n "verdicts": {}\n}\n';
    const result = await judgeOnce(fs, { ask: markedJudge().ask, ports: { onJudged: (_j, done) => { if (done === 2) fs.files.set(SIDECAR, conflicted); } } });
    assert.ok(!result.saved.ok);
    assert.equal(result.saved.when, 'after');
    assert.match(result.saved.unreadable.reason, /merge conflict markers/);
    assert.equal(fs.files.get(SIDECAR), conflicted);
  });

  void it('judges without a sidecar it cannot read at all, says what the file system threw, and writes nothing', async () => {
    const fs = memoryFiles();
    fs.failRead = true;
    const result = await judgeOnce(fs, { ask: markedJudge().ask });
    assert.equal(result.run.judged.length, 4);
    assert.match(String(result.load.error), /EISDIR/);
    assert.match(result.load.problem ?? '', /^The verdict cache could not be read \(EISDIR/);
    assert.ok(!result.saved.ok);
    assert.equal(fs.writes, 0);
  });

  void it('clears the verdicts on disk, keeping the setup and the history, and never from a sidecar it cannot read whole', async () => {
    const fs = memoryFiles();
    await judgeOnce(fs, { ask: markedJudge().ask });
    const store = new SidecarStore(fs);
    const cleared = await clearVerdicts(store, FILE);
    assert.ok(cleared.ok);
    assert.equal(cleared.cleared, 8);
    const after = sidecarOf(fs);
    assert.deepEqual([after.verdicts.size, after.runs.length, after.setup], [0, 1, SETUP]);

    fs.files.set(SIDECAR, '{"version": 2, "verdicts": {}}');
    const refused = await clearVerdicts(store, FILE);
    assert.ok(!refused.ok);
    assert.match(refused.unreadable.reason, /newer TuneLab/);
    assert.equal(fs.files.get(SIDECAR), '{"version": 2, "verdicts": {}}');
  });
});
