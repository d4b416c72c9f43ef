import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Ask, GenerationEvent, TopicInput } from '../../src/core/generate';
import { prepareGeneration, runPreparedGeneration, type DatasetSink, type PrepareOptions, type ReadyGeneration } from '../../src/core/generate/workflow';
import { SidecarStore, type SidecarFiles } from '../../src/core/sidecarStore';
import { coverage, provenancePathFor, readProvenance } from '../../src/core/topics/provenance';
import { topicId } from '../../src/core/topics/topicsFile';
import { expectedAnswer } from '../peers/generationResponder';

// The one generation workflow, on in-memory adapters: a file system for the sidecar store, a
// sink that keeps the appended lines, and a model that writes numbered questions and echoes them.

function memoryFiles(initial: Record<string, string> = {}): SidecarFiles & { files: Map<string, string>; writes: number } {
  const files = new Map(Object.entries(initial));
  const fs = {
    files,
    writes: 0,
    read: (path: string): Promise<string | undefined> => Promise.resolve(files.get(path)),
    write: (path: string, text: string): Promise<void> => {
      files.set(path, text);
      fs.writes++;
      return Promise.resolve();
    },
  };
  return fs;
}

function memorySink(fail?: (call: number) => boolean): DatasetSink & { lines: string[]; calls: number } {
  const sink = {
    lines: [] as string[],
    calls: 0,
    append(lines: readonly string[]): Promise<void> {
      sink.calls++;
      if (fail?.(sink.calls) === true) return Promise.reject(new Error('the disk is full'));
      sink.lines.push(...lines);
      return Promise.resolve();
    },
  };
  return sink;
}

function field(text: string, name: string): string {
  return new RegExp(`^${name}: (.*)$`, 'm').exec(text)?.[1] ?? '';
}

/** A model: distinct questions about the topic in JSON mode, else the expected answer to the question. */
const model: Ask = (_stage, messages, options) => {
  const user = messages.find((m) => m.role === 'user')?.content ?? '';
  if (options.json) {
    const topic = field(user, 'Topic');
    const n = Number(field(user, 'Questions to write'));
    const refusals = Number(field(user, 'Out-of-scope questions among them'));
    const words = ['permit', 'fee', 'clerk', 'voucher', 'appeal', 'library', 'transit', 'zoning', 'ballot', 'grant'];
    return Promise.resolve(JSON.stringify({
      questions: Array.from({ length: n }, (_, i) => ({ text: `${topic} ${words[i % 10] ?? ''} ${words[(i * 3 + 1) % 10] ?? ''} case ${i * 37 + 11}?`, refusal: i < refusals })),
    }));
  }
  return Promise.resolve(expectedAnswer(/Question:\n([\s\S]*)$/.exec(user)?.[1] ?? ''));
};

function topic(category: string, name: string, questions?: number): TopicInput {
  return { id: topicId(category, name), name, category, ...(questions === undefined ? {} : { questions }) };
}

const DATASET = 'work/data.jsonl';
const SIDECAR = provenancePathFor(DATASET);
const rent = topic('Housing', 'Rent help');
const permits = topic('Licensing', 'Permits', 3);

function options(files: SidecarFiles, text = '', extra: Partial<PrepareOptions> = {}): PrepareOptions {
  return {
    target: { path: DATASET, text, format: 'jumpstart-instruction', context: {} },
    topics: [rent, permits],
    categories: new Map(),
    perTopic: 2,
    refusalShare: 0,
    seed: 1,
    sidecars: new SidecarStore(files),
    ...extra,
  };
}

async function ready(o: PrepareOptions): Promise<ReadyGeneration> {
  const prepared = await prepareGeneration(o);
  if (prepared.kind !== 'ready') assert.fail(prepared.message);
  return prepared;
}

const NOW = (): Date => new Date('2026-01-02T03:04:05.000Z');

void describe('the generation workflow', () => {
  void it('plans each topic (its own "questions" first), appends one whole line per pair in the format, and records every row in the sidecar', async () => {
    const files = memoryFiles();
    const sink = memorySink();
    assert.equal((await ready(options(files, '', { categories: new Map([['Housing', { questions: 4 }]]) }))).planned, 7, 'a category\'s own "questions" comes before perTopic');
    const prepared = await ready(options(files));
    assert.equal(prepared.planned, 5);
    const outcome = await runPreparedGeneration(prepared, { asks: { questions: model, answers: model }, temperature: 0.5, length: 'short', sink, now: NOW });
    assert.equal(outcome.written, 5);
    assert.equal(outcome.failed, 0);
    assert.equal(outcome.unrecorded, 0);
    assert.equal(sink.calls, 5, 'each line is appended at once by default');
    for (const line of sink.lines) assert.match((JSON.parse(line) as Record<string, string>)['response'] ?? '', /^Thank you for asking/);
    const { provenance, problems } = readProvenance(files.files.get(SIDECAR));
    assert.deepEqual(problems, []);
    assert.deepEqual(coverage(provenance, sink.lines), new Map([[rent.id, 2], [permits.id, 3]]));
    assert.ok([...provenance.rows.values()].every((e) => e.time === '2026-01-02T03:04:05.000Z'));
  });

  void it('asks each topic only for what the sidecar says it lacks, drops questions the dataset already has, and follows the last line\'s style', async () => {
    const files = memoryFiles();
    const first = memorySink();
    await runPreparedGeneration(await ready(options(files, '', { topics: [rent] })), { asks: { questions: model, answers: model }, temperature: 0.5, length: 'short', sink: first });
    const spaced = first.lines.map((l) => JSON.stringify(JSON.parse(l)).replace(/":"/g, '": "').replace(/","/g, '", "'));
    const text = `${spaced[0] ?? ''}\n`;
    const prepared = await ready(options(files, text, { topics: [rent, permits], topicField: 'topic' }));
    assert.deepEqual(prepared.plan.map((p) => [p.topic.id, p.questions]), [[rent.id, 1], [permits.id, 3]], 'one of Rent help\'s two rows is still in the dataset');
    assert.ok(prepared.existing.length === 1);
    const sink = memorySink();
    const events: GenerationEvent[] = [];
    const outcome = await runPreparedGeneration(prepared, { asks: { questions: model, answers: model }, temperature: 0.5, length: 'short', sink, progress: { event: (e) => events.push(e) } });
    assert.ok(outcome.summary !== undefined);
    // The model writes the same first question again for Rent help: it repeats the dataset's row and is dropped.
    assert.equal(outcome.summary.droppedDuplicates, 1);
    assert.equal(outcome.written, 3);
    for (const line of sink.lines) {
      assert.match(line, /^\{"instruction": /, 'new lines follow the spaced style of the last one');
      assert.equal((JSON.parse(line) as Record<string, unknown>)['topic'], 'Licensing › Permits');
    }
    assert.ok(events.some((e) => e.type === 'topic-done'));
  });

  void it('refuses a format that cannot hold a pair before anything is asked', async () => {
    const prepared = await prepareGeneration({ ...options(memoryFiles()), target: { path: DATASET, text: '', format: 'openai-dpo', context: {} } });
    assert.equal(prepared.kind, 'unrenderable');
  });

  void it('records the sidecar every provenanceEvery rows and at the end, and batches lines when asked', async () => {
    const files = memoryFiles();
    const sink = memorySink();
    const written: number[] = [];
    const outcome = await runPreparedGeneration(await ready(options(files, '', { topics: [topic('A', 'B', 7)] })), {
      asks: { questions: model, answers: model }, temperature: 0.5, length: 'short', sink,
      batch: { lines: 3, ms: 10_000 }, provenanceEvery: 3, progress: { written: (n) => written.push(n) },
    });
    assert.equal(outcome.written, 7);
    assert.deepEqual(written, [3, 6, 7]);
    assert.equal(sink.calls, 3, 'two full batches and the rest at the end');
    assert.equal(files.writes, 3, 'after 3 and 6 rows, and at the end');
  });

  void it('never writes over a sidecar it cannot read whole: tells it once, counts its readable rows, and says how many rows were not recorded', async () => {
    const known = await (async () => {
      const files = memoryFiles();
      const sink = memorySink();
      await runPreparedGeneration(await ready(options(files, '', { topics: [rent] })), { asks: { questions: model, answers: model }, temperature: 0.5, length: 'short', sink });
      return { text: files.files.get(SIDECAR) ?? '', lines: sink.lines };
    })();
    // One good row and one damaged entry: the sidecar is unreadable, but the good row still counts.
    const damaged = known.text.replace('"rows": {', '"rows": {\n    "zz": { "topic": 1 },');
    const files = memoryFiles({ [SIDECAR]: damaged });
    const prepared = await ready(options(files, `${known.lines.join('\n')}\n`, { topics: [rent] }));
    assert.match(prepared.provenanceProblem?.reason ?? '', /^has 1 row that could not be read/);
    assert.equal(prepared.planned, 0, 'the readable rows still cover the topic');

    const again = await ready(options(files, '', { topics: [rent] }));
    const told: string[] = [];
    const outcome = await runPreparedGeneration(again, { asks: { questions: model, answers: model }, temperature: 0.5, length: 'short', sink: memorySink(), provenanceEvery: 1, progress: { provenanceProblem: (p) => told.push(p.reason) } });
    assert.deepEqual(told, [], 'prepareGeneration already told it');
    assert.equal(outcome.written, 2);
    assert.equal(outcome.unrecorded, 2);
    assert.match(outcome.provenanceProblem?.reason ?? '', /^has 1 row/);
    assert.equal(files.files.get(SIDECAR), damaged, 'left as it is');
    assert.equal(files.writes, 0);
  });

  void it('keeps rows a failed sidecar update could not record for the next one, and tells the failure once', async () => {
    const files = memoryFiles();
    let broken = true;
    const flaky: SidecarFiles = { read: (p) => files.read(p), write: (p, t) => (broken ? Promise.reject(new Error('EACCES')) : files.write(p, t)) };
    const told: string[] = [];
    const outcome = await runPreparedGeneration(await ready(options(flaky, '', { topics: [topic('A', 'B', 4)] })), {
      asks: { questions: model, answers: model }, temperature: 0.5, length: 'short', sink: memorySink(), provenanceEvery: 1,
      progress: { provenanceProblem: (p) => told.push(p.reason), written: (n) => { if (n === 3) broken = false; } },
    });
    assert.deepEqual(told, ['could not be written (EACCES)']);
    assert.equal(outcome.unrecorded, 0);
    assert.equal(outcome.provenanceProblem, undefined);
    assert.equal(readProvenance(files.files.get(SIDECAR)).provenance.rows.size, 4);
  });

  void it('stops on a write that fails: the outcome has the error and the lines already written, whose rows are recorded', async () => {
    const files = memoryFiles();
    const outcome = await runPreparedGeneration(await ready(options(files, '', { topics: [topic('A', 'B', 5)] })), {
      asks: { questions: model, answers: model }, temperature: 0.5, length: 'short', sink: memorySink((call) => call === 3),
    });
    assert.equal(outcome.summary, undefined);
    assert.match(String(outcome.error), /the disk is full/);
    assert.equal(outcome.written, 2);
    assert.equal(readProvenance(files.files.get(SIDECAR)).provenance.rows.size, 2);
  });

  void it('cancels on the signal: answers still in flight are not written, and the outcome says so', async () => {
    const controller = new AbortController();
    const slow: Ask = async (stage, messages, o) => {
      if (!o.json) await new Promise((r) => setTimeout(r, 20 * Math.random()));
      if (o.signal.aborted) throw new Error('cancelled');
      return model(stage, messages, o);
    };
    const prepared = await ready(options(memoryFiles(), '', { topics: [topic('A', 'B', 6)] }));
    const outcome = await runPreparedGeneration(prepared, {
      asks: { questions: slow, answers: slow }, temperature: 1.25, length: 'short', sink: memorySink(), signal: controller.signal,
      progress: { pair: (n) => { if (n === 1) controller.abort(); } },
    });
    assert.equal(outcome.summary?.cancelled, true);
    assert.ok(outcome.written < 6);
  });
});
