/**
 * Pair generation end to end: `runGeneration` through `askThrough`, a `Scheduler` and the real
 * `openai` client, against the OpenAI peer (test/peers/openaiPeer.ts) answering like a model:
 * realistic questions about the topic named in the prompt (bench/dataset.ts), in JSON mode, and
 * an answer for each. Default size: 145 topics × 6 questions = 870 pairs, 1 015 requests.
 *
 * (a) Pacing. The peer answers after 300 ms and allows 600 requests/min, as a token bucket that
 *     starts full (a minute's budget, as real servers allow) and answers 429 with Retry-After
 *     beyond it; the scheduler is set to the same 600/min, so it should pace rather than be
 *     refused. No client can beat the bucket: with N requests, the first 600 can go at once and
 *     the rest no faster than 600/min, and the last reply takes 300 ms, so the run takes at least
 *     (N − 600) ÷ 600/min + 300 ms (and, with 8 topics in flight, at least ⌈topics ÷ 8⌉ × 2 × 300 ms,
 *     questions then answers). The floor sleeps that bound; the ratio is wall time ÷ bound. The
 *     peer counts exactly, with no grace, so a request the scheduler sends early by the server's
 *     clock is a 429 (the target is none); the scheduler's 1 s of headroom costs 10 requests of the
 *     opening burst, 1 s. TUNELAB_BENCH_GENERATE_HEADROOM_MS sets another (0: none).
 *     Also reported: the wall time against N ÷ 600/min, as if there were no initial budget.
 * (b) Faults. 20 % of requests fail (429 with a 250 ms Retry-After, 500, a stream cut midway,
 *     broken JSON for questions requests), without the rate limit and with backoff from 250 ms,
 *     so the case takes seconds rather than minutes; (a) covers pacing. The floor sleeps the latency bound alone; the ratio is what the
 *     faults and their retries cost, with no target. What counts is in the metrics: pairs lost
 *     (planned questions neither emitted, dropped as duplicates nor reported as failures),
 *     duplicated and invalid lines, all of which must be 0.
 *
 * Each case runs twice (the harness's warm-up, then one timed run), each run after its floor:
 * with the defaults about four minutes of real time, most of it waiting on the rate limit. For a quick run, set
 * TUNELAB_BENCH_GENERATE_TOPICS, TUNELAB_BENCH_GENERATE_PER_TOPIC and
 * TUNELAB_BENCH_GENERATE_RPM, e.g. 20, 6 and 120.
 */
import { formatById } from '../src/core/formats';
import { renderPairLine } from '../src/core/formats/render';
import { DuplicateFilter, planTopics, runGeneration, type GenerationSummary, type PlannedTopic } from '../src/core/generate';
import type { JsonObject } from '../src/core/lint/types';
import { askThrough } from '../src/endpoints/generateRun';
import { createOpenAIEndpoint } from '../src/endpoints/openai';
import { Scheduler, type SchedulerOptions } from '../src/endpoints/scheduler';
import { OpenAIPeer, type OpenAIPeerOptions, type PeerReply } from '../test/peers/openaiPeer';
import { generateRows } from './dataset';
import type { BenchCase, Metric } from './harness';
import { userText } from '../test/peers/generationResponder';

function envInt(name: string, fallback: number): number {
  const value = Number(process.env[name]);
  return Number.isInteger(value) && value > 0 ? value : fallback;
}

const TOPICS = envInt('TUNELAB_BENCH_GENERATE_TOPICS', 145);
const PER_TOPIC = envInt('TUNELAB_BENCH_GENERATE_PER_TOPIC', 6);
const RPM = envInt('TUNELAB_BENCH_GENERATE_RPM', 600);
/** The scheduler's headroom when set (0 paces at the server's exact budget, as before it had one). */
const HEADROOM_MS = process.env['TUNELAB_BENCH_GENERATE_HEADROOM_MS'] === undefined ? undefined : Math.max(0, Number(process.env['TUNELAB_BENCH_GENERATE_HEADROOM_MS']) || 0);
const LATENCY_MS = 300;
const TOPICS_IN_FLIGHT = 8;
const FAULT_SHARE = 0.2;
const REFUSAL_SHARE = 0.1;
const PAIRS = TOPICS * PER_TOPIC;
/** One questions request per topic, one answer request per question. */
const REQUESTS = TOPICS + PAIRS;

/** Questions per topic the peer can hand out, enough for every retry. */
const STRIDE = PER_TOPIC * 4;

let plan: PlannedTopic[] = [];
const questionPool: string[] = [];
const answers = new Map<string, string>();

function setup(): void {
  if (plan.length > 0) return;
  plan = planTopics(
    Array.from({ length: TOPICS }, (_, i) => ({ id: `t${i}`, name: `Topic ${i}`, category: `Category ${i % 12}` })),
    { perTopic: PER_TOPIC, refusalShare: REFUSAL_SHARE, seed: 1 },
  );
  // Distinct questions (no exact or near duplicates among them), each with its answer.
  const filter = new DuplicateFilter();
  for (const row of generateRows(TOPICS * STRIDE * 2, 17, { nearDuplicateShare: 0, exactDuplicateShare: 0 })) {
    if (questionPool.length === TOPICS * STRIDE) break;
    if (!filter.admit(row.instruction)) continue;
    questionPool.push(row.instruction);
    answers.set(row.instruction, row.response);
  }
  if (questionPool.length < TOPICS * STRIDE) throw new Error('not enough distinct questions for the bench');
}

/** Answers like a model: `n` questions about the topic in JSON mode, else the question's answer. */
function responder(): (body: Record<string, unknown>) => PeerReply {
  const handedOut = new Map<number, number>();
  return (body) => {
    const user = userText(body);
    if (typeof body['response_format'] === 'object') {
      const topic = Number(/^Topic: Topic (\d+)$/m.exec(user)?.[1] ?? 0);
      const n = Number(/^Questions to write: (\d+)$/m.exec(user)?.[1] ?? 0);
      const refusals = Number(/^Out-of-scope questions among them: (\d+)$/m.exec(user)?.[1] ?? 0);
      const start = handedOut.get(topic) ?? 0;
      handedOut.set(topic, start + n);
      const questions = Array.from({ length: n }, (_, i) => ({
        text: questionPool[topic * STRIDE + ((start + i) % STRIDE)] ?? '',
        refusal: i < refusals,
      }));
      return { content: JSON.stringify({ questions }) };
    }
    const question = /Question:\n([\s\S]*)$/.exec(user)?.[1] ?? '';
    return { content: answers.get(question) ?? `No answer for: ${question}` };
  };
}

interface Outcome {
  readonly wallMs: number;
  readonly summary: GenerationSummary;
  readonly lines: string[];
  readonly requests: number;
  readonly rateLimited: number;
  readonly faults: number;
  readonly schedulerRetries: number;
}

async function generateOnce(peerOptions: OpenAIPeerOptions, schedulerOptions: SchedulerOptions): Promise<Outcome> {
  const peer = new OpenAIPeer({ latencyMs: LATENCY_MS, responder: responder(), ...peerOptions });
  const running = await peer.start();
  try {
    const started = performance.now();
    const endpoint = createOpenAIEndpoint({ id: 'bench', apiKey: 'sk-bench', model: 'peer-model', baseURL: `${running.url}/v1` });
    const scheduler = new Scheduler({ maxConcurrent: 64, ...schedulerOptions });
    const lines: string[] = [];
    const summary = await runGeneration({
      plan,
      length: 'medium',
      ask: askThrough(scheduler, endpoint),
      topicConcurrency: TOPICS_IN_FLIGHT,
      onPair: (pair) => {
        const r = renderPairLine('openai-chat', { question: pair.question, answer: pair.answer }, {});
        lines.push(r.ok ? r.line : `render failed: ${r.message}`);
      },
    });
    const wallMs = performance.now() - started;
    const faults = Object.values(peer.injected.faults).reduce((a, b) => a + b, 0);
    return { wallMs, summary, lines, requests: peer.chatBodies.length, rateLimited: peer.injected.rateLimited, faults, schedulerRetries: scheduler.stats.retried };
  } finally {
    await running.close();
  }
}

/** The least time `requests` requests can take at `rpm` with a full bucket at the start; see the file comment. */
function boundMs(requests: number, rpm: number): number {
  const paced = (Math.max(0, requests - rpm) / rpm) * 60_000 + LATENCY_MS;
  return Math.max(paced, latencyBoundMs());
}

/** Questions then answers, 300 ms each, for each wave of topics in flight. */
function latencyBoundMs(): number {
  return Math.ceil(TOPICS / TOPICS_IN_FLIGHT) * 2 * LATENCY_MS;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Pairs lost, duplicated and invalid: every line must parse, be a chat record and hold its question's own answer. */
function books(outcome: Outcome): { lost: number; duplicated: number; invalid: number } {
  const { summary, lines } = outcome;
  const planned = plan.reduce((n, p) => n + p.questions, 0);
  const missing = summary.failedTopics.reduce((n, f) => n + f.missing, 0);
  const lost = planned - (lines.length + summary.droppedDuplicates + summary.failedAnswers.length + missing);
  const seen = new Set<string>();
  let duplicated = 0;
  let invalid = 0;
  const chat = formatById('openai-chat');
  for (const line of lines) {
    let record: JsonObject;
    try {
      record = JSON.parse(line) as JsonObject;
    } catch {
      invalid++;
      continue;
    }
    const messages = Array.isArray(record['messages']) ? record['messages'] as { content?: unknown }[] : [];
    const question = messages[0]?.content;
    const answer = messages[1]?.content;
    if (!chat.matches(record, {}) || typeof question !== 'string' || answer !== answers.get(question)) invalid++;
    if (typeof question === 'string') {
      if (seen.has(question)) duplicated++;
      seen.add(question);
    }
  }
  return { lost, duplicated, invalid };
}

let paced: Outcome | undefined;
/** The rate limit's 429s in every run of (a), the warm-up included: the target is none in any. */
let pacedRateLimitedAll = 0;
let faulty: Outcome | undefined;

const pacing: BenchCase = {
  name: `(a) generate: ${PAIRS} pairs (${TOPICS} topics × ${PER_TOPIC}), ${LATENCY_MS} ms latency, ${RPM} requests/min`,
  floorName: REQUESTS > RPM
    ? `the rate limit's bound, slept: (${REQUESTS} − ${RPM}) requests ÷ ${RPM}/min + ${LATENCY_MS} ms`
    : `the latency bound, slept: ⌈${TOPICS} ÷ ${TOPICS_IN_FLIGHT}⌉ × 2 × ${LATENCY_MS} ms`,
  runs: 1,
  target: { ratio: 1.05 },
  setup,
  async run() {
    // The peer counts exactly, from when each request arrives, with no grace: staying inside its
    // bucket is the scheduler's job (its headroom, see src/endpoints/scheduler/bucket.ts).
    paced = await generateOnce({ rateLimit: { requestsPerMinute: RPM } }, { requestsPerMinute: RPM, ...(HEADROOM_MS === undefined ? {} : { headroomMs: HEADROOM_MS }) });
    pacedRateLimitedAll += paced.rateLimited;
    return paced.lines.length;
  },
  floor: () => sleep(boundMs(REQUESTS, RPM)),
  metrics() {
    if (paced === undefined) return [];
    const { lost, duplicated, invalid } = books(paced);
    return [
      { name: 'wall time ÷ bound (for the requests sent)', value: paced.wallMs / boundMs(paced.requests, RPM), max: 1.05 },
      { name: `wall time ÷ (requests ÷ ${RPM}/min, no initial budget)`, value: paced.wallMs / ((paced.requests / RPM) * 60_000), digits: 3 },
      { name: 'requests sent', value: paced.requests, digits: 0 },
      { name: '429s from the rate limit', value: paced.rateLimited, digits: 0, max: 0 },
      { name: '429s from the rate limit, every run (warm-up included)', value: pacedRateLimitedAll, digits: 0, max: 0 },
      { name: 'pairs written', value: paced.lines.length, digits: 0, min: PAIRS - paced.summary.droppedDuplicates },
      { name: 'pairs lost', value: lost, digits: 0, max: 0 },
      { name: 'pairs duplicated', value: duplicated, digits: 0, max: 0 },
      { name: 'invalid lines', value: invalid, digits: 0, max: 0 },
    ] satisfies Metric[];
  },
};

const faults: BenchCase = {
  name: `(b) generate: ${PAIRS} pairs, ${LATENCY_MS} ms latency, ${FAULT_SHARE * 100}% injected faults (429, 500, dropped streams, broken JSON)`,
  floorName: `the latency bound, slept: ⌈${TOPICS} ÷ ${TOPICS_IN_FLIGHT}⌉ × 2 × ${LATENCY_MS} ms`,
  runs: 1,
  target: {},
  setup,
  async run() {
    // Backoff from 250 ms rather than the default 1 s, so the case stays short.
    faulty = await generateOnce({ faults: { rate: FAULT_SHARE, seed: 2024, kinds: ['429', '500', 'drop', 'invalid-json'], retryAfterMs: 250 } }, { backoffBaseMs: 250 });
    return faulty.lines.length;
  },
  floor: () => sleep(latencyBoundMs()),
  metrics() {
    if (faulty === undefined) return [];
    const { lost, duplicated, invalid } = books(faulty);
    const s = faulty.summary;
    return [
      { name: 'pairs lost', value: lost, digits: 0, max: 0 },
      { name: 'pairs duplicated', value: duplicated, digits: 0, max: 0 },
      { name: 'invalid lines', value: invalid, digits: 0, max: 0 },
      { name: 'pairs written', value: faulty.lines.length, digits: 0 },
      { name: 'faults injected', value: faulty.faults, digits: 0 },
      { name: 'retries by the scheduler', value: faulty.schedulerRetries, digits: 0 },
      { name: 'questions replies asked again', value: s.retriedReplies, digits: 0 },
      { name: 'failures reported (topics + answers)', value: s.failedTopics.length + s.failedAnswers.length, digits: 0 },
      { name: 'questions dropped as duplicates', value: s.droppedDuplicates, digits: 0 },
    ] satisfies Metric[];
  },
};

export const cases: BenchCase[] = [pacing, faults];
