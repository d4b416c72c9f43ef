import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { planTopics, runGeneration, type GeneratedPair, type GenerationSummary, type PlannedTopic } from '../../src/core/generate';
import { askThrough } from '../../src/endpoints/generateRun';
import { createOpenAIEndpoint } from '../../src/endpoints/openai';
import { Scheduler, type SchedulerOptions } from '../../src/endpoints/scheduler';
import { EndpointError, type ChatEndpoint, type ChatMessage } from '../../src/endpoints/types';
import { OpenAIPeer, type OpenAIPeerOptions } from '../peers/openaiPeer';
import { expectedAnswer, generationResponder, userText } from '../peers/generationResponder';

// ---------------------------------------------------------------------------------------------
// A peer that answers like a generation model: questions about the topic named in the prompt
// (JSON mode), and an answer that echoes the question, so every pair can be checked whole.

interface Rig {
  readonly peer: OpenAIPeer;
  readonly endpoint: ChatEndpoint;
  readonly scheduler: Scheduler;
}

async function withRig(peerOptions: OpenAIPeerOptions, schedulerOptions: SchedulerOptions, fn: (rig: Rig) => Promise<void>): Promise<void> {
  const scripted = peerOptions.defaultReply !== undefined || peerOptions.responder !== undefined;
  const peer = new OpenAIPeer(scripted ? peerOptions : { responder: generationResponder(), ...peerOptions });
  const running = await peer.start();
  try {
    const endpoint = createOpenAIEndpoint({ id: 'local', apiKey: 'sk-test', model: 'peer-model', baseURL: `${running.url}/v1` });
    await fn({ peer, endpoint, scheduler: new Scheduler(schedulerOptions) });
  } finally {
    await running.close();
  }
}

function topicsPlan(n: number, perTopic: number, refusalShare = 0.2): PlannedTopic[] {
  return planTopics(Array.from({ length: n }, (_, i) => ({ id: `t${i}`, name: `Topic ${i}`, category: 'Services' })), { perTopic, refusalShare, seed: 5 });
}

/**
 * The run's books must balance: every planned question was emitted, dropped as a duplicate,
 * reported as a failed answer, or counted missing in a topic failure. No pair twice, none broken.
 */
function checkBooks(plan: readonly PlannedTopic[], pairs: readonly GeneratedPair[], summary: GenerationSummary): void {
  const planned = plan.reduce((n, p) => n + p.questions, 0);
  const missing = summary.failedTopics.reduce((n, f) => n + f.missing, 0);
  assert.equal(summary.pairs, pairs.length);
  assert.equal(pairs.length + summary.droppedDuplicates + summary.failedAnswers.length + missing, planned, 'a planned question was lost');
  assert.equal(new Set(pairs.map((p) => p.question)).size, pairs.length, 'a pair was emitted twice');
  for (const p of pairs) assert.equal(p.answer, expectedAnswer(p.question), 'a pair is not whole');
  for (const f of [...summary.failedTopics, ...summary.failedAnswers]) assert.ok(f.message.length > 10, `an unexplained failure: ${JSON.stringify(f)}`);
}

async function generate(rig: Rig, plan: readonly PlannedTopic[], signal?: AbortSignal, onPair?: (p: GeneratedPair, all: GeneratedPair[]) => void): Promise<{ pairs: GeneratedPair[]; summary: GenerationSummary }> {
  const pairs: GeneratedPair[] = [];
  const summary = await runGeneration({
    plan,
    length: 'short',
    ask: askThrough(rig.scheduler, rig.endpoint),
    ...(signal === undefined ? {} : { signal }),
    onPair: (p) => {
      pairs.push(p);
      onPair?.(p, pairs);
    },
  });
  return { pairs, summary };
}

// ---------------------------------------------------------------------------------------------

void describe('generation against an OpenAI-compatible server', () => {
  void it('emits every planned pair exactly once; questions in JSON mode, answers not, with the prompts\' settings', async () => {
    await withRig({ latencyMs: 5 }, { maxConcurrent: 8 }, async (rig) => {
      const plan = topicsPlan(12, 4, 0.25);
      const { pairs, summary } = await generate(rig, plan);
      assert.equal(pairs.length, 48);
      checkBooks(plan, pairs, summary);
      assert.equal(pairs.filter((p) => p.refusal).length, 12);
      const bodies = rig.peer.chatBodies;
      const json = bodies.filter((b) => b['response_format'] !== undefined);
      assert.equal(json.length, 12);
      assert.ok(json.every((b) => JSON.stringify(b['response_format']) === '{"type":"json_object"}' && b['temperature'] === 1 && b['max_tokens'] === 2000));
      const answers = bodies.filter((b) => b['response_format'] === undefined);
      assert.equal(answers.length, 48);
      assert.ok(answers.every((b) => b['temperature'] === 0.7 && b['max_tokens'] === 1200 && b['stream'] === true));
      assert.deepEqual(summary.failedTopics, []);
      assert.deepEqual(summary.failedAnswers, []);
    });
  });

  void it('with 20% injected faults (429 with Retry-After, 500, dropped streams, broken JSON): nothing lost, nothing twice', async () => {
    // Broken JSON applies to questions requests only: listed thrice, it is half of their faults.
    const faults = { rate: 0.2, seed: 42, kinds: ['429', '500', 'drop', 'invalid-json', 'invalid-json', 'invalid-json'] as const, retryAfterMs: 20 };
    await withRig({ latencyMs: 2, faults }, { maxConcurrent: 16, backoffBaseMs: 5, backoffCapMs: 40 }, async (rig) => {
      const plan = topicsPlan(60, 3);
      const { pairs, summary } = await generate(rig, plan);
      checkBooks(plan, pairs, summary);
      const injected = rig.peer.injected.faults;
      for (const kind of faults.kinds) assert.ok(injected[kind] > 0, `no ${kind} fault was injected`);
      // Broken JSON is the pipeline's to retry: each one was asked again or ended its topic.
      assert.ok(summary.retriedReplies <= injected['invalid-json']);
      assert.ok(summary.retriedReplies + summary.failedTopics.length >= injected['invalid-json']);
      assert.ok(rig.scheduler.stats.retried >= injected['429'] + injected['500'] + injected.drop - summary.failedAnswers.length - summary.failedTopics.length);
      assert.ok(pairs.length >= 170, `only ${pairs.length} of 180 pairs`);
    });
  });

  void it('without retries the same faults become reported failures, and the books still balance', async () => {
    const faults = { rate: 0.2, seed: 7, kinds: ['429', '500', 'drop', 'invalid-json'] as const, retryAfterMs: 20 };
    await withRig({ latencyMs: 2, faults }, { maxConcurrent: 16, maxAttempts: 1 }, async (rig) => {
      const plan = topicsPlan(30, 5);
      const { pairs, summary } = await generate(rig, plan);
      checkBooks(plan, pairs, summary);
      assert.ok(summary.failedAnswers.length > 0);
      const messages = summary.failedAnswers.map((f) => f.message).join('\n');
      assert.match(messages, /limiting the request rate \(429\)|server error \(500\)|closed before the reply was finished|dropped/);
      for (const f of summary.failedAnswers) assert.ok(plan.some((p) => p.topic.id === f.topicId) && f.question.startsWith(`Topic ${f.topicId.slice(1)},`));
    });
  });

  void it('cancelled midway: every emitted pair is whole, and nothing is asked or emitted once the run has settled', async () => {
    await withRig({ latencyMs: 20 }, { maxConcurrent: 8 }, async (rig) => {
      const controller = new AbortController();
      const plan = topicsPlan(20, 5);
      const ask = askThrough(rig.scheduler, rig.endpoint);
      let asked = 0;
      const pairs: GeneratedPair[] = [];
      const summary = await runGeneration({
        plan,
        ask: (stage, messages, o) => {
          asked++;
          return ask(stage, messages, o);
        },
        signal: controller.signal,
        onPair: (p) => {
          pairs.push(p);
          if (pairs.length === 10) controller.abort();
        },
      });
      assert.equal(summary.cancelled, true);
      assert.ok(pairs.length >= 10 && pairs.length < 100, `${pairs.length} pairs`);
      for (const p of pairs) assert.equal(p.answer, expectedAnswer(p.question));
      assert.deepEqual(summary.failedAnswers, []);
      assert.deepEqual(summary.failedTopics, []);
      assert.equal(rig.scheduler.stats.running, 0);
      assert.equal(rig.scheduler.stats.queued, 0);
      const emitted = pairs.length;
      const askedThen = asked;
      // Requests sent before the cancel may still be arriving; then the server hears nothing more.
      await new Promise((r) => setTimeout(r, 100));
      const sent = rig.peer.chatBodies.length;
      await new Promise((r) => setTimeout(r, 100));
      assert.equal(pairs.length, emitted);
      assert.equal(asked, askedThen);
      assert.equal(rig.peer.chatBodies.length, sent);
    });
  });
});

void describe('askThrough', () => {
  const messages: ChatMessage[] = [{ role: 'user', content: 'Hello there.' }];

  void it('resolves with the whole reply; sends JSON mode and the sampling options asked for', async () => {
    await withRig({ defaultReply: { content: 'One two three four five six.' } }, {}, async ({ peer, endpoint, scheduler }) => {
      const ask = askThrough(scheduler, endpoint);
      const signal = new AbortController().signal;
      assert.equal(await ask('questions', messages, { json: true, temperature: 0.4, topP: 0.8, maxTokens: 99, seed: 3, signal }), 'One two three four five six.');
      assert.equal(await ask('answer', messages, { json: false, signal }), 'One two three four five six.');
      const [first, second] = peer.chatBodies;
      assert.ok(first && second);
      assert.deepEqual(first['response_format'], { type: 'json_object' });
      assert.deepEqual([first['temperature'], first['top_p'], first['max_tokens'], first['seed']], [0.4, 0.8, 99, 3]);
      assert.equal(second['response_format'], undefined);
      assert.equal(second['temperature'], undefined);
    });
  });

  void it('retries a stream dropped midway: a reply is only used whole', async () => {
    await withRig({}, { backoffBaseMs: 1 }, async ({ peer, endpoint, scheduler }) => {
      peer.reply({ content: 'The first reply breaks off here and never ends.', dropAfterChunks: 1 }, { content: 'The second reply arrives whole.' });
      const text = await askThrough(scheduler, endpoint)('answer', messages, { json: false, signal: new AbortController().signal });
      assert.equal(text, 'The second reply arrives whole.');
      assert.equal(peer.chatBodies.length, 2);
    });
  });

  void it('rejects a reply cut off at max_tokens, without retrying it', async () => {
    await withRig({}, { backoffBaseMs: 1 }, async ({ peer, endpoint, scheduler }) => {
      peer.reply({ content: 'A long answer that', finishReason: 'length' });
      await assert.rejects(askThrough(scheduler, endpoint)('answer', messages, { json: false, signal: new AbortController().signal }), (e: unknown) => {
        assert.ok(e instanceof EndpointError);
        assert.match(e.message, /cut off at its max_tokens limit/);
        return true;
      });
      assert.equal(peer.chatBodies.length, 1);
    });
  });

  void it('rejects as cancelled when the signal aborts mid-request', async () => {
    await withRig({ latencyMs: 2_000 }, {}, async ({ endpoint, scheduler }) => {
      const controller = new AbortController();
      const pending = askThrough(scheduler, endpoint)('answer', messages, { json: false, signal: controller.signal });
      setTimeout(() => { controller.abort(); }, 20);
      const started = performance.now();
      await assert.rejects(pending, (e: unknown) => e instanceof EndpointError && e.kind === 'cancelled');
      assert.ok(performance.now() - started < 1_000);
    });
  });

  void it('a scheduler at the server\'s requests/min paces instead of hitting 429s', async () => {
    // The grace covers the client's own delays (see PeerRateLimit.graceMs); without it a request
    // sent exactly on time can arrive a few milliseconds early by the server's clock.
    await withRig({ rateLimit: { requestsPerMinute: 120, graceMs: 50 }, defaultReply: { content: 'ok' } }, { maxConcurrent: 16, requestsPerMinute: 120 }, async ({ peer, endpoint, scheduler }) => {
      const ask = askThrough(scheduler, endpoint);
      const signal = new AbortController().signal;
      const started = performance.now();
      // A minute's budget at once, then three more: those wait half a second each.
      await Promise.all(Array.from({ length: 123 }, () => ask('answer', messages, { json: false, signal })));
      const elapsed = performance.now() - started;
      assert.equal(peer.injected.rateLimited, 0);
      assert.equal(peer.chatBodies.length, 123);
      assert.ok(elapsed >= 1_400, `${elapsed} ms`);
    });
  });
});

void describe('the OpenAI peer\'s load options', () => {
  const request = { messages: [{ role: 'user' as const, content: 'Hi.' }] };

  async function outcome(endpoint: ChatEndpoint, json = false): Promise<string> {
    try {
      let text = '';
      for await (const c of endpoint.chat({ ...request, json }, new AbortController().signal)) if (c.type === 'text') text += c.text;
      return `ok:${text}`;
    } catch (e) {
      return e instanceof EndpointError ? `${e.kind}:${e.status ?? ''}:${e.retryAfterMs ?? ''}` : String(e);
    }
  }

  void it('answers 429 with retry-after-ms and retry-after beyond its requests/min', async () => {
    await withRig({ rateLimit: { requestsPerMinute: 3 }, defaultReply: { content: 'fine' } }, {}, async ({ peer, endpoint }) => {
      const results = [];
      for (let i = 0; i < 4; i++) results.push(await outcome(endpoint));
      assert.deepEqual(results.slice(0, 3), ['ok:fine', 'ok:fine', 'ok:fine']);
      assert.match(results[3] ?? '', /^rate-limited:429:(19|20)\d{3}$/);
      assert.equal(peer.injected.rateLimited, 1);
    });
  });

  void it('delays every reply by latencyMs, and a reply\'s own delayMs wins', async () => {
    await withRig({ latencyMs: 120, defaultReply: { content: 'slow' } }, {}, async ({ peer, endpoint }) => {
      let t = performance.now();
      assert.equal(await outcome(endpoint), 'ok:slow');
      assert.ok(performance.now() - t >= 110);
      peer.reply({ content: 'quick', delayMs: 0 });
      t = performance.now();
      assert.equal(await outcome(endpoint), 'ok:quick');
      assert.ok(performance.now() - t < 110);
    });
  });

  void it('injects the same faults for the same seed; broken JSON only in JSON mode', async () => {
    const run = async (seed: number): Promise<string[]> => {
      const out: string[] = [];
      await withRig({ faults: { rate: 0.5, seed, kinds: ['429', '500', 'drop'], retryAfterMs: 30 }, defaultReply: { content: 'a b c d e f' } }, {}, async ({ endpoint }) => {
        for (let i = 0; i < 30; i++) out.push(await outcome(endpoint));
      });
      return out;
    };
    const a = await run(9);
    assert.deepEqual(await run(9), a);
    assert.notDeepEqual(await run(10), a);
    assert.ok(a.includes('rate-limited:429:30'));
    assert.ok(a.includes('server:500:'));
    assert.ok(a.some((o) => o.startsWith('network')));
    assert.ok(a.includes('ok:a b c d e f'));

    await withRig({ faults: { rate: 1, seed: 1, kinds: ['invalid-json'] }, defaultReply: { content: '{"questions": ["One?", "Two?"]}' } }, {}, async ({ peer, endpoint }) => {
      assert.equal(await outcome(endpoint), 'ok:{"questions": ["One?", "Two?"]}');
      const broken = await outcome(endpoint, true);
      assert.ok(broken.startsWith('ok:'));
      assert.throws(() => JSON.parse(broken.slice(3)) as unknown);
      assert.equal(peer.injected.faults['invalid-json'], 1);
    });
  });

  void it('builds replies with the responder when the queue is empty; queued replies come first', async () => {
    await withRig({ responder: (body) => ({ content: `echo ${userText(body)}` }) }, {}, async ({ peer, endpoint }) => {
      peer.reply({ content: 'queued' });
      assert.equal(await outcome(endpoint), 'ok:queued');
      assert.equal(await outcome(endpoint), 'ok:echo Hi.');
    });
  });
});
