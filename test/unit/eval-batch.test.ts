import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fakeClock } from '../harness/fakeClock';
import { batchSummary, draftColumns, prepareResume, progressText, runEvalBatch, type AskColumns, type BatchProgress, type EvalBatchOptions, type EvalBatchUi, type ResultsFile } from '../../src/core/promptLab/evalBatchRun';
import type { EvalItem } from '../../src/core/promptLab/evalSet';
import { columnsKey, parseResultsLine, questionKey, resultsLine, type ResultsRow } from '../../src/core/promptLab/results';
import type { ColumnSpec, HistoryAnswer } from '../../src/core/protocol';
import { promptRunAsker } from '../../src/endpoints/batchAsk';
import type { ChatChunk, ChatRequest } from '../../src/endpoints/types';

/** A results file in memory that keeps every state it was written in. */
function memoryFile(initial?: string): ResultsFile & { text: string | undefined; readonly states: string[] } {
  const file = {
    text: initial,
    states: [] as string[],
    read: () => Promise.resolve(file.text),
    append: async (text: string) => { await Promise.resolve(); file.text = (file.text ?? '') + text; file.states.push(file.text); },
    cutAfterLastNewline: async () => {
      await Promise.resolve();
      if (file.text === undefined) return;
      file.text = file.text.slice(0, file.text.lastIndexOf('\n') + 1);
      file.states.push(file.text);
    },
    replace: async (text: string) => { await Promise.resolve(); file.text = text; file.states.push(text); },
  };
  return file;
}

interface UiLog {
  readonly ui: EvalBatchUi;
  readonly warnings: string[];
  readonly progress: BatchProgress[];
  readonly offered: number[];
  /** Aborts the run's signal, as a Cancel in the progress notification does. */
  cancel(): void;
}

function memoryUi(choice: 'resume' | 'replace' | 'stop' = 'resume'): UiLog {
  const controller = new AbortController();
  const log: UiLog = {
    warnings: [],
    progress: [],
    offered: [],
    cancel: () => { controller.abort(); },
    ui: {
      chooseExisting: async (finished) => { await Promise.resolve(); log.offered.push(finished); return choice === 'stop' ? undefined : choice; },
      asking: (work) => work((p) => { log.progress.push(p); }, controller.signal),
      warn: (message) => { log.warnings.push(message); },
    },
  };
  return log;
}

const columns: ColumnSpec[] = [
  { endpoint: 'ft', system: 'Be kind.', parameters: { temperature: 0.2 } },
  { endpoint: 'base', system: '', parameters: {} },
];
const items: EvalItem[] = [
  { line: 0, question: 'How do I renew?' },
  { line: 1, question: 'Where do I vote?', reference: 'At the town hall.' },
  { line: 3, question: 'When is the office open?', system: 'You help residents.' },
];

/** Answers every column with `<endpoint>: <question>`, or fails as `fails` says. */
function answering(fails: (question: string, endpoint: string) => boolean = () => false): AskColumns & { readonly asked: string[] } {
  const asked: string[] = [];
  const ask = async (question: string, cols: readonly ColumnSpec[]): Promise<HistoryAnswer[]> => {
    asked.push(question);
    await Promise.resolve();
    return cols.map((c, column) => fails(question, c.endpoint)
      ? { column, sample: 0, text: 'partial', error: `${c.endpoint} refused` }
      : { column, sample: 0, text: `${c.endpoint}: ${question}`, stats: { finish: 'stop', latencyMs: 10, firstTokenMs: 2, inputTokens: 5, outputTokens: 7 } });
  };
  return Object.assign(ask, { asked });
}

function options(file: ResultsFile, ask: AskColumns, ui: EvalBatchUi, extra: Partial<EvalBatchOptions> = {}): EvalBatchOptions {
  return { items, columns, source: 'evals/eval.jsonl', resultsName: 'evals/eval.results.jsonl', file, ask, ui, inFlight: 2, clock: fakeClock(), ...extra };
}

function rowsOf(text: string | undefined): ResultsRow[] {
  assert.ok(text !== undefined);
  assert.ok(text === '' || text.endsWith('\n'), 'every line is whole');
  return text.split('\n').slice(0, -1).map((line) => {
    const parsed = parseResultsLine(line);
    assert.ok(parsed.ok, parsed.ok ? '' : parsed.message);
    return parsed.row;
  });
}

const finishedRow = (item: EvalItem, extra: Partial<ResultsRow> = {}): string => resultsLine({
  question: item.question, source: { file: 'evals/eval.jsonl', line: item.line + 1 }, columnsKey: columnsKey(columns),
  answers: columns.map((c, column) => ({ column, endpoint: c.endpoint, system: c.system, parameters: c.parameters, text: `old ${c.endpoint}`, finish: 'stop' })),
  ...extra,
});

void describe('an eval batch run', () => {
  void it('writes one whole row per question into a new results file, with every column\'s answer', async () => {
    const file = memoryFile();
    const ui = memoryUi();
    const ask = answering();
    const outcome = await runEvalBatch(options(file, ask, ui.ui));
    assert.deepEqual(outcome, { written: 3, failed: 0, skipped: 0, cancelled: false, resumed: false });
    assert.deepEqual(ui.offered, [], 'nothing to resume or replace');
    const rows = rowsOf(file.text);
    assert.deepEqual(rows.map((r) => r.source.line).sort(), [1, 2, 4]);
    const vote = rows.find((r) => r.source.line === 2);
    assert.ok(vote);
    assert.equal(vote.reference, 'At the town hall.');
    assert.equal(vote.source.file, 'evals/eval.jsonl');
    assert.equal(vote.columnsKey, columnsKey(columns));
    assert.deepEqual(vote.answers[0], {
      column: 0, endpoint: 'ft', system: 'Be kind.', parameters: { temperature: 0.2 }, text: 'ft: Where do I vote?',
      finish: 'stop', latencyMs: 10, firstTokenMs: 2, usage: { input: 5, output: 7 },
    });
    assert.equal(rows.find((r) => r.source.line === 4)?.system, 'You help residents.');
    assert.deepEqual(ui.progress.map((p) => p.answered), [1, 2, 3]);
    assert.ok(ui.progress.every((p) => p.total === 3));
  });

  void it('leaves the file whole at every write, and appends in batches rather than a write per answer', async () => {
    const file = memoryFile();
    const many = Array.from({ length: 120 }, (_, i): EvalItem => ({ line: i, question: `Question ${i}?` }));
    await runEvalBatch(options(file, answering(), memoryUi().ui, { items: many, append: { maxLines: 50, maxWaitMs: 5000 } }));
    for (const state of file.states) rowsOf(state);
    assert.equal(rowsOf(file.text).length, 120);
    // The empty file, 50 + 50 lines, then the last 20 at the end.
    assert.deepEqual(file.states.map((s) => rowsOf(s).length), [0, 50, 100, 120]);
  });

  void it('keeps a failed answer with its error, says which, and counts the question as failed', async () => {
    const file = memoryFile();
    const ui = memoryUi();
    const outcome = await runEvalBatch(options(file, answering((q, e) => q === 'Where do I vote?' && e === 'base'), ui.ui));
    assert.equal(outcome?.written, 2);
    assert.equal(outcome.failed, 1);
    assert.deepEqual(ui.warnings, ['evals/eval.jsonl:2 base: base refused']);
    const vote = rowsOf(file.text).find((r) => r.source.line === 2);
    assert.equal(vote?.answers[1]?.error, 'base refused');
    assert.equal(vote.answers[1].text, 'partial');
    assert.equal(ui.progress.at(-1)?.failed, 1);
  });

  void it('resumes: cuts a half-written last line, skips finished questions, asks failed and missing ones, and keeps each question\'s last row', async () => {
    const [renew, vote, office] = items;
    assert.ok(renew && vote && office);
    const failedVote = finishedRow(vote, { answers: [{ column: 0, endpoint: 'ft', system: 'Be kind.', parameters: {}, text: '', error: 'timed out' }] });
    const file = memoryFile(`${finishedRow(renew)}\n${failedVote}\n${finishedRow(office).slice(0, 40)}`);
    const ui = memoryUi('resume');
    const ask = answering();
    const outcome = await runEvalBatch(options(file, ask, ui.ui));
    assert.deepEqual(ui.offered, [1]);
    assert.deepEqual(ask.asked.sort(), ['When is the office open?', 'Where do I vote?']);
    assert.deepEqual(outcome, { written: 2, failed: 0, skipped: 1, cancelled: false, resumed: true });
    assert.match(ui.warnings[0] ?? '', /^evals\/eval\.results\.jsonl: its last line was cut short/);
    const rows = rowsOf(file.text);
    assert.deepEqual(rows.map((r) => r.source.line), [1, 2, 4], 'the retry takes the failed row\'s place');
    assert.equal(rows[1]?.answers[0]?.text, 'ft: Where do I vote?');
    assert.equal(rows[0]?.answers[0]?.text, 'old ft', 'a finished row is kept as it was');
  });

  void it('resumes a file whose whole last line has no final newline without losing it', async () => {
    const [renew] = items;
    assert.ok(renew);
    const file = memoryFile(finishedRow(renew));
    const ask = answering();
    await runEvalBatch(options(file, ask, memoryUi('resume').ui));
    assert.deepEqual(ask.asked.sort(), ['When is the office open?', 'Where do I vote?']);
    assert.equal(rowsOf(file.text).length, 3);
  });

  void it('prepareResume repairs first, then counts finished questions in what is left', async () => {
    const [renew, vote] = items;
    assert.ok(renew && vote);
    const cut = memoryFile(`${finishedRow(renew)}\n${finishedRow(vote).slice(0, 30)}`);
    const ready = await prepareResume(cut, columns);
    assert.equal(ready.dropped, finishedRow(vote).slice(0, 30));
    assert.deepEqual([...ready.done], [questionKey(0, renew.question)]);
    assert.equal(cut.text, `${finishedRow(renew)}\n`);
    const whole = memoryFile(`${finishedRow(renew)}\n${finishedRow(vote)}`);
    const kept = await prepareResume(whole, columns);
    assert.equal(kept.dropped, undefined);
    assert.equal(kept.done.size, 2);
    assert.equal(whole.text, `${finishedRow(renew)}\n${finishedRow(vote)}\n`);
  });

  void it('replace starts the file over; stopping at the choice writes nothing', async () => {
    const [renew] = items;
    assert.ok(renew);
    const replaced = memoryFile(`${finishedRow(renew)}\n`);
    const ask = answering();
    const outcome = await runEvalBatch(options(replaced, ask, memoryUi('replace').ui));
    assert.equal(outcome?.skipped, 0);
    assert.equal(ask.asked.length, 3);
    assert.equal(replaced.states[0], '');
    assert.ok(rowsOf(replaced.text).every((r) => r.answers[0]?.text.startsWith('ft: ')));

    const kept = memoryFile(`${finishedRow(renew)}\n`);
    const none = answering();
    assert.equal(await runEvalBatch(options(kept, none, memoryUi('stop').ui)), undefined);
    assert.deepEqual(none.asked, []);
    assert.deepEqual(kept.states, []);
  });

  void it('does not resume a file with nothing these columns finished', async () => {
    const [renew] = items;
    assert.ok(renew);
    const other = memoryFile(`${finishedRow(renew, { columnsKey: 'another-run' })}\n`);
    const ui = memoryUi('resume');
    const ask = answering();
    assert.equal(await runEvalBatch(options(other, ask, ui.ui)), undefined);
    assert.deepEqual(ui.offered, [0]);
    assert.deepEqual(ask.asked, []);
  });

  void it('on cancel stops asking, leaves out a question cut short, and still writes the answers it has', async () => {
    const file = memoryFile();
    const ui = memoryUi();
    const ask: AskColumns = async (question, cols, signal) => {
      await Promise.resolve();
      if (question === 'Where do I vote?') {
        ui.cancel();
        return cols.map((_, column) => ({ column, sample: 0, text: 'cut', stats: { finish: signal.aborted ? 'cancelled' : 'stop', latencyMs: 1 } }));
      }
      return cols.map((c, column) => ({ column, sample: 0, text: `${c.endpoint}: ${question}`, stats: { finish: 'stop', latencyMs: 1 } }));
    };
    const outcome = await runEvalBatch(options(file, ask, ui.ui, { inFlight: 1 }));
    assert.deepEqual(outcome, { written: 1, failed: 0, skipped: 0, cancelled: true, resumed: false });
    assert.deepEqual(rowsOf(file.text).map((r) => r.question), ['How do I renew?'], 'written though fewer than a batch');
  });

  void it('writes what was answered before an ask that throws, and reports the failure', async () => {
    const file = memoryFile();
    const ask: AskColumns = async (question, cols) => {
      await Promise.resolve();
      if (question === 'Where do I vote?') throw new Error('no such endpoint');
      return cols.map((c, column) => ({ column, sample: 0, text: c.endpoint, stats: { finish: 'stop', latencyMs: 1 } }));
    };
    await assert.rejects(runEvalBatch(options(file, ask, memoryUi().ui, { inFlight: 1 })), /no such endpoint/);
    assert.deepEqual(rowsOf(file.text).map((r) => r.question), ['How do I renew?']);
  });

  void it('after a failure asks no new question, and writes the answers of those in flight before failing', async () => {
    const file = memoryFile();
    const ask = answering();
    let release: (() => void) | undefined;
    const slowThenFail: AskColumns = async (question, cols, signal) => {
      if (question === 'How do I renew?') await new Promise<void>((resolve) => { release = resolve; });
      if (question === 'Where do I vote?') {
        // The slow question ends well after this one failed.
        setTimeout(() => { release?.(); }, 20);
        throw new Error('no such endpoint');
      }
      return ask(question, cols, signal);
    };
    await assert.rejects(runEvalBatch(options(file, slowThenFail, memoryUi().ui, { inFlight: 2 })), /no such endpoint/);
    assert.deepEqual(ask.asked, ['How do I renew?'], 'the third question is never asked');
    assert.deepEqual(rowsOf(file.text).map((r) => r.question), ['How do I renew?']);
  });

  void it('takes the draft\'s columns that have an endpoint, each with its own system prompt or the shared one', () => {
    assert.deepEqual(draftColumns({
      system: 'Shared.', question: 'Q?', samples: 1,
      columns: [{ endpoint: 'ft', system: null, parameters: { seed: 1 } }, { endpoint: '', system: null, parameters: {} }, { endpoint: 'base', system: 'Own.', parameters: {} }],
    }), [{ endpoint: 'ft', system: 'Shared.', parameters: { seed: 1 } }, { endpoint: 'base', system: 'Own.', parameters: {} }]);
  });

  void it('says what it did, in the progress and at the end', () => {
    assert.equal(progressText({ answered: 3, failed: 0, total: 10 }), '3/10 questions');
    assert.equal(progressText({ answered: 3, failed: 1, total: 10 }), '3/10 questions · 1 failed');
    assert.equal(batchSummary({ written: 2, failed: 0, skipped: 0, cancelled: false, resumed: false }, 'e.results.jsonl'), 'Prompt Lab: 2 question(s) answered into e.results.jsonl.');
    assert.equal(
      batchSummary({ written: 2, failed: 1, skipped: 4, cancelled: true, resumed: true }, 'e.results.jsonl'),
      'Prompt Lab (cancelled): 2 question(s) answered into e.results.jsonl, 4 already there, 1 with an answer that failed (kept with its error; Resume asks them again).',
    );
  });
});

void describe('asking an eval question through Prompt Lab\'s run', () => {
  const reply = async function* (text: string): AsyncIterable<ChatChunk> {
    await Promise.resolve();
    yield { type: 'text', text };
    yield { type: 'finish', reason: 'stop' };
  };

  void it('sends the column\'s seed only to endpoints that honour one, and gives one answer per column', async () => {
    const sent: { endpoint: string; request: ChatRequest }[] = [];
    const ask = promptRunAsker((endpoint, request) => {
      sent.push({ endpoint, request });
      return Promise.resolve(reply(`${endpoint} says hi`));
    }, (endpoint) => endpoint === 'ft');
    const seeded: ColumnSpec[] = [{ endpoint: 'ft', system: '', parameters: { seed: 7 } }, { endpoint: 'bedrock', system: '', parameters: { seed: 7 } }];
    const answers = await ask('Hi?', seeded, new AbortController().signal);
    assert.deepEqual(answers.map((a) => [a.column, a.text, a.stats?.finish]), [[0, 'ft says hi', 'stop'], [1, 'bedrock says hi', 'stop']]);
    assert.equal(sent.find((s) => s.endpoint === 'ft')?.request.seed, 7);
    assert.equal(sent.find((s) => s.endpoint === 'bedrock')?.request.seed, undefined);
  });

  void it('stops the run when the batch is cancelled', async () => {
    const controller = new AbortController();
    const ask = promptRunAsker((_endpoint, _request, signal) => Promise.resolve((async function* (): AsyncIterable<ChatChunk> {
      yield { type: 'text', text: 'partial' };
      controller.abort();
      await new Promise<void>((resolve) => { signal.addEventListener('abort', () => { resolve(); }); if (signal.aborted) resolve(); });
      yield { type: 'text', text: ' more' };
    })()), () => true);
    const [answer] = await ask('Hi?', [{ endpoint: 'ft', system: '', parameters: {} }], controller.signal);
    assert.equal(answer?.stats?.finish, 'cancelled');
  });
});
