import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AnswerStats, ColumnSpec, RunStart } from '../../src/core/protocol';
import { createOpenAIEndpoint } from '../../src/endpoints/openai';
import { columnRequest, PromptRun, type ChatOpener } from '../../src/endpoints/promptRun';
import type { ChatEndpoint } from '../../src/endpoints/types';
import { OpenAIPeer, type PeerReply } from '../peers/openaiPeer';

interface Seen {
  readonly chunks: { column: number; sample: number; text: string }[];
  readonly done: { column: number; sample: number; stats: AnswerStats }[];
  readonly errors: { column: number; sample: number; message: string }[];
}

function recorder(): Seen & { events: ConstructorParameters<typeof PromptRun>[2] } {
  const seen: Seen = { chunks: [], done: [], errors: [] };
  return {
    ...seen,
    events: {
      chunk: (column, sample, text) => { seen.chunks.push({ column, sample, text }); },
      done: (column, sample, stats) => { seen.done.push({ column, sample, stats }); },
      error: (column, sample, message) => { seen.errors.push({ column, sample, message }); },
    },
  };
}

function textOf(seen: Seen, column: number, sample: number): string {
  return seen.chunks.filter((c) => c.column === column && c.sample === sample).map((c) => c.text).join('');
}

/** Starts one peer per endpoint id (a fine-tuned model and its base, say), each with its own replies. */
async function withPeers(replies: Readonly<Record<string, PeerReply | readonly PeerReply[]>>, fn: (open: ChatOpener, peers: Readonly<Record<string, OpenAIPeer>>) => Promise<void>): Promise<void> {
  const peers: Record<string, OpenAIPeer> = {};
  const endpoints: Record<string, ChatEndpoint> = {};
  const closers: (() => Promise<void>)[] = [];
  try {
    for (const [id, r] of Object.entries(replies)) {
      const list = Array.isArray(r) ? r as readonly PeerReply[] : [r as PeerReply];
      const peer = new OpenAIPeer({ defaultReply: list[list.length - 1] }).reply(...list);
      const running = await peer.start();
      closers.push(() => running.close());
      peers[id] = peer;
      endpoints[id] = createOpenAIEndpoint({ id, apiKey: 'sk-test', model: `${id}-model`, baseURL: `${running.url}/v1` });
    }
    await fn((id, request, signal) => {
      const e = endpoints[id];
      return Promise.resolve(e === undefined ? undefined : e.chat(request, signal));
    }, peers);
  } finally {
    for (const close of closers) await close();
  }
}

const column = (endpoint: string, extra: Partial<ColumnSpec> = {}): ColumnSpec => ({ endpoint, system: 'Be kind and concrete.', parameters: {}, ...extra });
const spec = (columns: readonly ColumnSpec[], samples = 1): RunStart => ({ runId: 'run-1', question: 'How do I renew my licence?', columns, samples });
const always = { supportsSeed: () => true };

void describe('columnRequest', () => {
  void it('sends the system prompt, then the question, with only the parameters set', () => {
    const r = columnRequest(column('ft', { parameters: { temperature: 0.3 } }), 'Q?', 0, true);
    assert.deepEqual(r, { messages: [{ role: 'system', content: 'Be kind and concrete.' }, { role: 'user', content: 'Q?' }], temperature: 0.3 });
  });

  void it('sends no system turn for an empty system prompt', () => {
    assert.deepEqual(columnRequest(column('ft', { system: '  ' }), 'Q?', 0, true).messages, [{ role: 'user', content: 'Q?' }]);
  });

  void it('gives each sample its own seed, and no seed to an endpoint without one', () => {
    const c = column('ft', { parameters: { seed: 41, topP: 0.9, maxTokens: 64 } });
    assert.deepEqual([0, 1, 2].map((s) => columnRequest(c, 'Q', s, true).seed), [41, 42, 43]);
    const noSeed = columnRequest(c, 'Q', 1, false);
    assert.equal('seed' in noSeed, false);
    assert.equal(noSeed.topP, 0.9);
    assert.equal(noSeed.maxTokens, 64);
  });
});

void describe('PromptRun against a Chat Completions server (the real openai client)', () => {
  void it('streams two endpoints side by side, each answer whole, in order, timed and counted', async () => {
    const ft = 'I am sorry the renewal is stressful. Renew online at the DMV site; bring your current licence and $30.';
    const base = 'Go to the DMV.';
    await withPeers({
      ft: { chunks: ft.match(/.{1,7}/g) ?? [], chunkDelayMs: 5, usage: { promptTokens: 21, completionTokens: 24 } },
      base: { content: base, usage: { promptTokens: 19, completionTokens: 5 }, finishReason: 'length' },
    }, async (open, peers) => {
      const seen = recorder();
      const run = new PromptRun(spec([column('ft', { parameters: { temperature: 0.7, seed: 7 } }), column('base', { system: '' })]), open, seen.events, { ...always, flushMs: 10 });
      const answers = await run.finished;
      assert.equal(textOf(seen, 0, 0), ft);
      assert.equal(textOf(seen, 1, 0), base);
      assert.ok(seen.chunks.filter((c) => c.column === 0).length < (ft.match(/.{1,7}/g) ?? []).length, 'text is coalesced, not one message per chunk');
      assert.deepEqual(seen.errors, []);
      const statsOf = (c: number): AnswerStats => {
        const d = seen.done.find((x) => x.column === c);
        assert.ok(d, `column ${c} has no done event`);
        return d.stats;
      };
      assert.equal(statsOf(0).finish, 'stop');
      assert.equal(statsOf(0).inputTokens, 21);
      assert.equal(statsOf(0).outputTokens, 24);
      assert.ok(statsOf(0).latencyMs >= (statsOf(0).firstTokenMs ?? Infinity), 'first token comes before the end');
      assert.equal(statsOf(1).finish, 'length');
      assert.deepEqual(answers.map((a) => [a.column, a.sample, a.text]), [[0, 0, ft], [1, 0, base]]);
      const ftBody = peers.ft?.chatBodies[0];
      assert.ok(ftBody, 'the fine-tuned endpoint got a request');
      assert.equal(ftBody.temperature, 0.7);
      assert.equal(ftBody.seed, 7);
      assert.deepEqual(peers.base?.chatBodies.at(0)?.messages, [{ role: 'user', content: 'How do I renew my licence?' }]);
    });
  });

  void it('asks n samples per column, each with its own request', async () => {
    await withPeers({ ft: { content: 'An answer.' } }, async (open, peers) => {
      const seen = recorder();
      const answers = await new PromptRun(spec([column('ft', { parameters: { seed: 100 } })], 3), open, seen.events, always).finished;
      assert.equal(answers.length, 3);
      assert.equal(seen.done.length, 3);
      assert.deepEqual((peers.ft?.chatBodies ?? []).map((b) => b.seed).sort(), [100, 101, 102]);
    });
  });

  void it('cancel ends a slow answer as cancelled, keeping the text that came', async () => {
    await withPeers({ slow: { chunks: ['one ', 'two ', 'three ', 'four'], chunkDelayMs: 400 } }, async (open) => {
      const seen = recorder();
      const run = new PromptRun(spec([column('slow')]), open, seen.events, { ...always, flushMs: 5 });
      while (textOf(seen, 0, 0) === '') await new Promise((r) => setTimeout(r, 10));
      run.cancel();
      const [answer] = await run.finished;
      assert.equal(answer?.stats?.finish, 'cancelled');
      assert.ok(answer.text.startsWith('one'), answer.text);
      assert.notEqual(answer.text, 'one two three four');
      assert.deepEqual(seen.errors, []);
    });
  });

  void it('a failing endpoint reports its error in its own column; the other column still answers', async () => {
    await withPeers({
      ok: { content: 'Fine.' },
      broken: { status: 400, error: { message: 'This model does not exist', type: 'invalid_request_error', code: 'model_not_found' } },
    }, async (open) => {
      const seen = recorder();
      const answers = await new PromptRun(spec([column('ok'), column('broken')]), open, seen.events, always).finished;
      assert.equal(seen.done.length, 1);
      assert.equal(seen.errors.length, 1);
      const [error] = seen.errors;
      assert.ok(error);
      assert.equal(error.column, 1);
      assert.match(error.message, /model/i);
      assert.equal(answers[1]?.error, error.message);
    });
  });

  void it('a dropped connection mid-answer is an error that keeps the partial text', async () => {
    await withPeers({ flaky: { chunks: ['Start ', 'of ', 'answer ', 'never ', 'ends'], dropAfterChunks: 2, chunkDelayMs: 5 } }, async (open) => {
      const seen = recorder();
      const [answer] = await new PromptRun(spec([column('flaky')]), open, seen.events, { ...always, flushMs: 1 }).finished;
      assert.equal(seen.errors.length, 1);
      assert.equal(answer?.text, 'Start of ');
      assert.equal(textOf(seen, 0, 0), 'Start of ');
    });
  });

  void it('an endpoint the user gave no key for is an error that says what to do, with nothing sent', async () => {
    const seen = recorder();
    const [answer] = await new PromptRun(spec([column('nokey')]), () => Promise.resolve(undefined), seen.events, always).finished;
    assert.match(answer?.error ?? '', /Set Endpoint Key/);
  });
});
