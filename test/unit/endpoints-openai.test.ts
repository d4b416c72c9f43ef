import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  createAzureOpenAIEndpoint,
  createOpenAIEndpoint,
  isReasoningModel,
  listModels,
  mapFinishReason,
  retryAfter,
  type OpenAIEndpointOptions,
} from '../../src/endpoints/openai';
import { DEFAULT_AZURE_API_VERSION, parseEndpoints } from '../../src/endpoints/config';
import { createEndpoint } from '../../src/endpoints/factory';
import { Scheduler, scheduleChat, systemClock, type Clock } from '../../src/endpoints/scheduler';
import { EndpointError, type ChatChunk, type ChatEndpoint, type ChatRequest, type EndpointErrorKind } from '../../src/endpoints/types';
import { OpenAIPeer, type OpenAIPeerOptions, type PeerReply } from '../peers/openaiPeer';

const KEY = 'sk-test-0123456789abcdef';
const PROMPT = 'Summarise the migration guide for the billing service.';
const REQUEST: ChatRequest = { messages: [{ role: 'system', content: 'You are terse.' }, { role: 'user', content: PROMPT }] };

interface Harness { readonly peer: OpenAIPeer; readonly url: string; readonly endpoint: (options?: Partial<OpenAIEndpointOptions>) => ChatEndpoint }

/** Runs `fn` against a fresh peer that answers `replies` in order, and closes it afterwards. */
async function withPeer(replies: readonly PeerReply[], fn: (h: Harness) => Promise<void>, options: OpenAIPeerOptions = {}): Promise<void> {
  const peer = new OpenAIPeer(options).reply(...replies);
  const running = await peer.start();
  try {
    await fn({
      peer,
      url: running.url,
      endpoint: (o = {}) => createOpenAIEndpoint({ id: 'local', apiKey: KEY, model: 'gpt-4o-mini', baseURL: `${running.url}/v1`, ...o }),
    });
  } finally {
    await running.close();
  }
}

async function collect(stream: AsyncIterable<ChatChunk>): Promise<ChatChunk[]> {
  const out: ChatChunk[] = [];
  for await (const c of stream) out.push(c);
  return out;
}

/** The JSON body of the `i`-th chat request the peer received. */
function bodyAt(peer: OpenAIPeer, i: number): Record<string, unknown> {
  const body = peer.chatBodies.at(i);
  assert.ok(body, `no chat request #${i}`);
  return body;
}

function textOf(chunks: readonly ChatChunk[]): string {
  return chunks.map((c) => (c.type === 'text' ? c.text : '')).join('');
}

/** The EndpointError a stream fails with, checked for kind and for leaking the key or the prompt. */
async function failure(stream: AsyncIterable<ChatChunk>, kind: EndpointErrorKind, seen: ChatChunk[] = []): Promise<EndpointError> {
  try {
    for await (const c of stream) seen.push(c);
  } catch (e) {
    assert.ok(e instanceof EndpointError, `expected an EndpointError, got ${String(e)}`);
    assert.equal(e.kind, kind, e.message);
    assert.ok(!e.message.includes(KEY), `the key leaked: ${e.message}`);
    assert.ok(!e.message.includes(PROMPT), `the prompt leaked: ${e.message}`);
    return e;
  }
  assert.fail(`expected a ${kind} error; the stream ended normally`);
}

void describe('OpenAI endpoint: streaming', () => {
  void it('assembles streamed text, then reports usage and the finish reason', async () => {
    await withPeer([{ content: 'The quick brown fox jumps over the lazy dog.', usage: { promptTokens: 12, completionTokens: 9 } }], async ({ endpoint }) => {
      const chunks = await collect(endpoint().chat(REQUEST, new AbortController().signal));
      const texts = chunks.filter((c) => c.type === 'text');
      assert.ok(texts.length > 1, 'the reply arrives in several text chunks');
      assert.equal(textOf(chunks), 'The quick brown fox jumps over the lazy dog.');
      assert.deepEqual(chunks.slice(-2), [
        { type: 'usage', usage: { inputTokens: 12, outputTokens: 9 } },
        { type: 'finish', reason: 'stop' },
      ]);
    });
  });

  void it('sends what was asked: sampling, max_tokens, stop, seed, JSON mode, usage in the stream', async () => {
    await withPeer([{}], async ({ peer, endpoint }) => {
      const ep = endpoint({ organization: 'org-1', headers: { 'x-gateway': 'g1' } });
      await collect(ep.chat({ ...REQUEST, temperature: 0.2, topP: 0.9, maxTokens: 50, stop: ['END'], seed: 7, json: true }, new AbortController().signal));
      const req = peer.requests.at(0);
      assert.ok(req);
      assert.equal(req.path, '/v1/chat/completions');
      assert.equal(req.headers.authorization, `Bearer ${KEY}`);
      assert.equal(req.headers['x-gateway'], 'g1');
      assert.equal(req.headers['openai-organization'], 'org-1');
      assert.deepEqual(req.body, {
        model: 'gpt-4o-mini',
        messages: [{ role: 'system', content: 'You are terse.' }, { role: 'user', content: PROMPT }],
        stream: true,
        stream_options: { include_usage: true },
        temperature: 0.2,
        top_p: 0.9,
        max_tokens: 50,
        stop: ['END'],
        seed: 7,
        response_format: { type: 'json_object' },
      });
    });
  });

  void it('leaves out what was not asked', async () => {
    await withPeer([{}], async ({ peer, endpoint }) => {
      await collect(endpoint().chat({ ...REQUEST, stop: [] }, new AbortController().signal));
      const body = bodyAt(peer, 0);
      assert.deepEqual(Object.keys(body).sort(), ['messages', 'model', 'stream', 'stream_options']);
    });
  });

  void it('maps finish reasons from the stream', async () => {
    await withPeer([{ finishReason: 'length' }, { finishReason: 'content_filter' }], async ({ endpoint }) => {
      const ep = endpoint();
      const a = await collect(ep.chat(REQUEST, new AbortController().signal));
      const b = await collect(ep.chat(REQUEST, new AbortController().signal));
      assert.deepEqual(a.at(-1), { type: 'finish', reason: 'length' });
      assert.deepEqual(b.at(-1), { type: 'finish', reason: 'content-filter' });
    });
    assert.equal(mapFinishReason('stop'), 'stop');
    assert.equal(mapFinishReason('tool_calls'), 'tool-calls');
    assert.equal(mapFinishReason('function_call'), 'tool-calls');
    assert.equal(mapFinishReason('eos'), 'other');
  });

  void it('a compatible server without a key gets a placeholder; OpenAI itself without a key is an auth error', async () => {
    await withPeer([{}], async ({ peer, endpoint }) => {
      await collect(endpoint({ apiKey: '' }).chat(REQUEST, new AbortController().signal));
      assert.equal(peer.requests.at(0)?.headers.authorization, 'Bearer none');
    });
    const e = await failure(createOpenAIEndpoint({ id: 'openai', model: 'gpt-4o' }).chat(REQUEST, new AbortController().signal), 'auth');
    assert.match(e.message, /"openai" has no API key.*TuneLab: Set Key/);
  });
});

void describe('OpenAI endpoint: reasoning models', () => {
  void it('sends max_completion_tokens and no temperature or top_p', async () => {
    await withPeer([{}], async ({ peer, endpoint }) => {
      await collect(endpoint({ model: 'o3-mini' }).chat({ ...REQUEST, temperature: 0.2, topP: 0.9, maxTokens: 64, seed: 1 }, new AbortController().signal));
      const body = bodyAt(peer, 0);
      assert.equal(body['max_completion_tokens'], 64);
      assert.equal(body['seed'], 1);
      for (const k of ['max_tokens', 'temperature', 'top_p']) assert.ok(!(k in body), `${k} must not be sent`);
    });
  });

  void it('recognises o-series and gpt-5 names, and only those', () => {
    for (const m of ['o1', 'o1-mini', 'o3', 'o3-mini-2025-01-31', 'o4-mini', 'gpt-5', 'gpt-5-mini', 'gpt-5-nano', 'gpt-5.1', 'openai/o3-mini', 'GPT-5']) {
      assert.ok(isReasoningModel(m), m);
    }
    for (const m of ['gpt-4o', 'gpt-4o-mini', 'gpt-4.1', 'gpt-5-chat-latest', 'llama3.1:8b', 'omni-moderation', 'o', 'qwen2.5-7b-instruct']) {
      assert.ok(!isReasoningModel(m), m);
    }
  });

  void it('retries once in the reasoning shape when the server refuses max_tokens, and remembers it', async () => {
    const refused: PeerReply = {
      status: 400,
      error: { message: "Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead.", type: 'invalid_request_error', code: 'unsupported_parameter', param: 'max_tokens' },
    };
    await withPeer([refused, { content: 'ok' }, { content: 'again' }], async ({ peer, endpoint }) => {
      const ep = endpoint({ model: 'brand-new-model' });
      const ask = { ...REQUEST, temperature: 0.5, maxTokens: 10 };
      assert.equal(textOf(await collect(ep.chat(ask, new AbortController().signal))), 'ok');
      assert.equal(textOf(await collect(ep.chat(ask, new AbortController().signal))), 'again');
      const [first, second, third] = [bodyAt(peer, 0), bodyAt(peer, 1), bodyAt(peer, 2)];
      assert.equal(first['max_tokens'], 10);
      assert.equal(second['max_completion_tokens'], 10);
      assert.ok(!('temperature' in second) && !('max_tokens' in second));
      assert.equal(third['max_completion_tokens'], 10, 'the next request goes straight to the reasoning shape');
      assert.equal(peer.requests.length, 3);
    });
  });

  void it('retries when the server refuses a temperature value', async () => {
    const refused: PeerReply = {
      status: 400,
      error: { message: "Unsupported value: 'temperature' does not support 0.2 with this model. Only the default (1) value is supported.", type: 'invalid_request_error', code: 'unsupported_value', param: 'temperature' },
    };
    await withPeer([refused, { content: 'ok' }], async ({ peer, endpoint }) => {
      assert.equal(textOf(await collect(endpoint({ model: 'x-thinker' }).chat({ ...REQUEST, temperature: 0.2 }, new AbortController().signal))), 'ok');
      assert.equal(peer.requests.length, 2);
      assert.ok(!('temperature' in bodyAt(peer, 1)));
    });
  });
});

void describe('Azure OpenAI endpoint', () => {
  void it('posts to the deployment path with api-version and the api-key header', async () => {
    await withPeer([{ content: 'from azure' }], async ({ peer, url }) => {
      const ep = createAzureOpenAIEndpoint({ id: 'azure', endpoint: `${url}/`, deployment: 'gpt4o-prod', apiVersion: '2024-10-21', apiKey: KEY });
      const chunks = await collect(ep.chat({ ...REQUEST, maxTokens: 5 }, new AbortController().signal));
      assert.equal(textOf(chunks), 'from azure');
      assert.deepEqual(chunks.at(-1), { type: 'finish', reason: 'stop' });
      const req = peer.requests.at(0);
      assert.ok(req);
      assert.equal(req.path, '/openai/deployments/gpt4o-prod/chat/completions');
      assert.equal(req.query['api-version'], '2024-10-21');
      assert.equal(req.headers['api-key'], KEY);
      assert.equal(req.headers.authorization, undefined);
      assert.equal((req.body as Record<string, unknown>)['max_tokens'], 5);
    }, { apiKey: KEY });
  });

  void it('a wrong key is an auth error; an unknown deployment is not-found naming it', async () => {
    await withPeer([{ status: 404, error: { message: 'The API deployment for this resource does not exist.', code: 'DeploymentNotFound' } }], async ({ url }) => {
      const bad = createAzureOpenAIEndpoint({ id: 'azure', endpoint: url, deployment: 'd', apiVersion: '2024-10-21', apiKey: 'wrong-key-0000' });
      const auth = await failure(bad.chat(REQUEST, new AbortController().signal), 'auth');
      assert.match(auth.message, /check the key for endpoint azure: TuneLab: Set Key/i);
      assert.ok(!auth.message.includes('wrong-key-0000'));
      const missing = createAzureOpenAIEndpoint({ id: 'azure', endpoint: url, deployment: 'no-such', apiVersion: '2024-10-21', apiKey: KEY });
      const e = await failure(missing.chat(REQUEST, new AbortController().signal), 'not-found');
      assert.match(e.message, /deployment named "no-such"/);
      assert.equal(e.status, 404);
    }, { apiKey: KEY });
  });

  void it('a 400 about the API version names the version needed and the setting that sets it', async () => {
    // Azure's answer to a reasoning model on an older api-version (reported in chatboxai/chatbox#1745,
    // microsoft/genaiscript#1121): {"error":{"code":"BadRequest","message":"Model o1 is enabled only for
    // api versions 2024-12-01-preview and later"}}.
    await withPeer([
      { status: 400, error: { message: 'Model o1 is enabled only for api versions 2024-12-01-preview and later', code: 'BadRequest' } },
      { status: 400, error: { message: 'Model {modelName} is enabled only for newer api versions', code: 'BadRequest' } },
    ], async ({ url }) => {
      const ep = createAzureOpenAIEndpoint({ id: 'azure-o1', endpoint: url, deployment: 'o1', apiVersion: '2024-10-21', apiKey: KEY });
      const e = await failure(ep.chat(REQUEST, new AbortController().signal), 'bad-request');
      assert.equal(e.status, 400);
      assert.match(e.message, /API version 2024-10-21/);
      assert.match(e.message, /"apiVersion": "2024-12-01-preview"/);
      assert.match(e.message, /"azure-o1" in tunelab\.endpoints/);
      const unnamed = await failure(ep.chat(REQUEST, new AbortController().signal), 'bad-request');
      assert.match(unnamed.message, new RegExp(`"apiVersion": "${DEFAULT_AZURE_API_VERSION}"`));
    }, { apiKey: KEY });
  });

  void it('a reasoning deployment gets max_completion_tokens', async () => {
    await withPeer([{}], async ({ peer, url }) => {
      const ep = createAzureOpenAIEndpoint({ id: 'azure', endpoint: url, deployment: 'o4-mini', apiVersion: DEFAULT_AZURE_API_VERSION, apiKey: KEY });
      await collect(ep.chat({ ...REQUEST, temperature: 1, maxTokens: 9 }, new AbortController().signal));
      assert.equal(bodyAt(peer, 0)['max_completion_tokens'], 9);
      assert.ok(!('temperature' in bodyAt(peer, 0)));
    });
  });
});

void describe('OpenAI endpoint: errors', () => {
  const signal = (): AbortSignal => new AbortController().signal;

  void it('401 → auth, telling the user to set the key, without the key', async () => {
    await withPeer([{ status: 401, error: { message: `Incorrect API key provided: ${KEY}.`, type: 'invalid_request_error', code: 'invalid_api_key' } }], async ({ endpoint }) => {
      const e = await failure(endpoint().chat(REQUEST, signal()), 'auth');
      assert.match(e.message, /Check the key for endpoint local: TuneLab: Set Key/);
      assert.equal(e.status, 401);
      assert.equal(e.options.requestId, 'req_peer_1');
      assert.match(e.message, /request id req_peer_1/);
      assert.equal(e.retryable, false);
    });
  });

  void it('403 → auth', async () => {
    await withPeer([{ status: 403, error: { message: 'Project does not have access to model gpt-4o-mini', type: 'invalid_request_error', code: 'model_not_found' } }], async ({ endpoint }) => {
      const e = await failure(endpoint().chat(REQUEST, signal()), 'auth');
      assert.match(e.message, /403.*does not have access/);
    });
  });

  void it('404 → not-found naming the model', async () => {
    await withPeer([{ status: 404, rawBody: JSON.stringify({ error: "model 'llama9' not found, try pulling it first" }) }], async ({ endpoint }) => {
      const e = await failure(endpoint({ model: 'llama9' }).chat(REQUEST, signal()), 'not-found');
      assert.match(e.message, /the model "llama9" \(404\)/);
      assert.match(e.message, /try pulling it first/);
    });
  });

  void it('429 → rate-limited with retryAfterMs from retry-after seconds, and no retry by the client', async () => {
    await withPeer([{ status: 429, headers: { 'retry-after': '3' }, error: { message: 'Rate limit reached', type: 'requests', code: 'rate_limit_exceeded' } }], async ({ peer, endpoint }) => {
      const e = await failure(endpoint().chat(REQUEST, signal()), 'rate-limited');
      assert.equal(e.retryAfterMs, 3000);
      assert.equal(e.status, 429);
      assert.equal(e.retryable, true);
      assert.match(e.message, /wait 3 s/);
      assert.equal(peer.requests.length, 1, 'the scheduler owns retries');
    });
  });

  void it('429 → retryAfterMs from retry-after-ms, which wins over retry-after', async () => {
    await withPeer([{ status: 429, headers: { 'retry-after-ms': '250', 'retry-after': '9' }, error: { message: 'slow down' } }], async ({ endpoint }) => {
      const e = await failure(endpoint().chat(REQUEST, signal()), 'rate-limited');
      assert.equal(e.retryAfterMs, 250);
    });
  });

  void it('retry-after as an HTTP date', () => {
    const now = Date.parse('2025-01-01T00:00:00Z');
    assert.equal(retryAfter(new Headers({ 'retry-after': 'Wed, 01 Jan 2025 00:00:05 GMT' }), now), 5000);
    assert.equal(retryAfter(new Headers({ 'retry-after': 'Tue, 31 Dec 2024 00:00:00 GMT' }), now), 0);
    assert.equal(retryAfter(new Headers({ 'retry-after': 'soon' }), now), undefined);
    assert.equal(retryAfter(new Headers(), now), undefined);
  });

  void it('400 with context length → context-too-long', async () => {
    const message = "This model's maximum context length is 8192 tokens. However, your messages resulted in 9000 tokens.";
    await withPeer([{ status: 400, error: { message, type: 'invalid_request_error', code: 'context_length_exceeded', param: 'messages' } }], async ({ endpoint }) => {
      const e = await failure(endpoint().chat(REQUEST, signal()), 'context-too-long');
      assert.match(e.message, /too long.*maximum context length is 8192/);
    });
  });

  void it('other 400 and 422 → bad-request with the server message, truncated, without the prompt', async () => {
    const long = `Invalid value for 'messages': ${PROMPT} ${'x'.repeat(1000)}`;
    await withPeer([{ status: 400, error: { message: long, type: 'invalid_request_error', code: null } }, { status: 422, rawBody: '{"error":{"message":"bad stop"}}' }], async ({ endpoint }) => {
      const e = await failure(endpoint().chat(REQUEST, signal()), 'bad-request');
      assert.match(e.message, /rejected the request \(400\).*Invalid value for 'messages': \[prompt\]/);
      assert.ok(e.message.length < 600, `too long: ${e.message.length}`);
      const f = await failure(endpoint().chat(REQUEST, signal()), 'bad-request');
      assert.match(f.message, /\(422\).*bad stop/);
    });
  });

  void it('500 → server', async () => {
    await withPeer([{ status: 500, error: { message: 'The server had an error while processing your request.', type: 'server_error' } }], async ({ endpoint }) => {
      const e = await failure(endpoint().chat(REQUEST, signal()), 'server');
      assert.equal(e.status, 500);
      assert.equal(e.retryable, true);
    });
  });

  void it('a connection dropped mid-stream → network, after the text that arrived', async () => {
    await withPeer([{ content: 'one two three four five six', dropAfterChunks: 2 }], async ({ endpoint }) => {
      const seen: ChatChunk[] = [];
      const e = await failure(endpoint().chat(REQUEST, signal()), 'network', seen);
      assert.ok(textOf(seen).length > 0);
      assert.ok(!seen.some((c) => c.type === 'finish'));
      assert.match(e.message, /before the reply was finished/);
      assert.equal(e.options.requestId, 'req_peer_1');
    });
  });

  void it('a stream that ends without a finish reason → network', async () => {
    await withPeer([{ content: 'cut short', finishReason: null }], async ({ endpoint }) => {
      await failure(endpoint().chat(REQUEST, signal()), 'network');
    });
  });

  void it('a malformed chunk → bad-response', async () => {
    await withPeer([{ content: 'one two three four', malformedAfterChunks: 1 }], async ({ endpoint }) => {
      const e = await failure(endpoint().chat(REQUEST, signal()), 'bad-response');
      assert.match(e.message, /OpenAI-compatible/);
    });
  });

  void it('an error event in the stream → server', async () => {
    // A hand-written stream through the `fetch` option: the peer needs no special mode for this.
    const fetchStub: typeof fetch = () => Promise.resolve(new Response('data: {"error":{"message":"overloaded"}}\n\n', { headers: { 'content-type': 'text/event-stream' } }));
    const ep = createOpenAIEndpoint({ id: 'stub', apiKey: KEY, model: 'm', baseURL: 'http://stub.invalid/v1', fetch: fetchStub });
    const e = await failure(ep.chat(REQUEST, signal()), 'server');
    assert.match(e.message, /middle of the reply.*overloaded/);
  });

  void it('a slow reply → timeout, before the headers and between chunks', async () => {
    await withPeer([{ delayMs: 5000 }, { content: 'a b c d e f', chunkDelayMs: 5000 }], async ({ endpoint }) => {
      const started = Date.now();
      const e = await failure(endpoint({ timeoutMs: 200 }).chat(REQUEST, signal()), 'timeout');
      assert.match(e.message, /did not answer within 0.2 s/);
      const seen: ChatChunk[] = [];
      await failure(endpoint({ timeoutMs: 200 }).chat(REQUEST, signal()), 'timeout', seen);
      assert.ok(Date.now() - started < 3000, 'both time out promptly');
    });
  });

  void it('a slow consumer is not timed out', async () => {
    await withPeer([{ content: 'a b c d e f' }], async ({ endpoint }) => {
      const chunks: ChatChunk[] = [];
      for await (const c of endpoint({ timeoutMs: 100 }).chat(REQUEST, signal())) {
        chunks.push(c);
        await new Promise((r) => setTimeout(r, 150));
      }
      assert.equal(textOf(chunks), 'a b c d e f');
    });
  });

  void it('an abort mid-stream → cancelled; an abort before the start sends nothing', async () => {
    await withPeer([{ content: 'one two three four five six', chunkDelayMs: 300 }], async ({ peer, endpoint }) => {
      const ac = new AbortController();
      const seen: ChatChunk[] = [];
      const stream = endpoint().chat(REQUEST, ac.signal);
      const started = Date.now();
      const e = await (async () => {
        try {
          for await (const c of stream) {
            seen.push(c);
            if (c.type === 'text') ac.abort();
          }
        } catch (err) {
          return err;
        }
        return undefined;
      })();
      assert.ok(e instanceof EndpointError);
      assert.equal(e.kind, 'cancelled');
      assert.ok(Date.now() - started < 2000);
      const before = new AbortController();
      before.abort();
      await failure(endpoint().chat(REQUEST, before.signal), 'cancelled');
      assert.equal(peer.requests.length, 1);
    });
  });

  void it('an unreachable server → network', async () => {
    const peer = new OpenAIPeer();
    const running = await peer.start();
    await running.close();
    const ep = createOpenAIEndpoint({ id: 'gone', apiKey: KEY, model: 'm', baseURL: `${running.url}/v1` });
    const e = await failure(ep.chat(REQUEST, new AbortController().signal), 'network');
    assert.match(e.message, /Could not reach endpoint "gone" at http:\/\/127\.0\.0\.1:\d+/);
  });
});

void describe('listModels', () => {
  void it('lists the ids from GET /v1/models', async () => {
    await withPeer([], async ({ peer, url }) => {
      assert.deepEqual(await listModels({ baseURL: `${url}/v1`, apiKey: KEY }), ['llama3.1:8b', 'qwen2.5']);
      assert.equal(peer.requests.at(0)?.headers.authorization, `Bearer ${KEY}`);
    }, { models: ['llama3.1:8b', 'qwen2.5'] });
  });

  void it('a server without /v1/models gives an empty list', async () => {
    await withPeer([], async ({ url }) => {
      assert.deepEqual(await listModels({ baseURL: `${url}/v1` }), []);
    }, { models: null });
  });

  void it('a wrong key is an auth error', async () => {
    await withPeer([], async ({ url }) => {
      await assert.rejects(listModels({ baseURL: `${url}/v1`, apiKey: 'wrong-key-1234' }), (e: unknown) => {
        assert.ok(e instanceof EndpointError);
        assert.equal(e.kind, 'auth');
        assert.ok(!e.message.includes('wrong-key-1234'));
        return true;
      });
    }, { apiKey: KEY });
  });
});

void describe('OpenAI endpoint through the scheduler: reply timeouts (real client, local peer)', () => {
  // The scheduler's clock runs 1000× faster than real time (its seconds are real milliseconds), so
  // limits of minutes are tested against a real stream in well under a second.
  const SPEED = 1000;
  const fast: Clock = {
    now: () => performance.now() * SPEED,
    sleep: (ms, signal) => systemClock.sleep(ms / SPEED, signal),
    random: () => 0.5,
  };

  /** The endpoint `gpt` as tunelab.endpoints declares it, pointed at the peer, with `timeouts` if given. */
  function declared(url: string, timeouts?: Record<string, number>): ChatEndpoint {
    const { endpoints, problems } = parseEndpoints([{ id: 'gpt', kind: 'openai-compatible', url: `${url}/v1`, model: 'gpt-4o-mini', ...(timeouts === undefined ? {} : { timeouts }) }]);
    assert.deepEqual(problems, []);
    const config = endpoints[0];
    assert.ok(config);
    return createEndpoint(config, KEY);
  }

  async function run(endpoint: ChatEndpoint): Promise<{ text: string; error?: unknown }> {
    let text = '';
    try {
      for await (const c of scheduleChat(new Scheduler({ clock: fast }), endpoint, REQUEST)) if (c.type === 'text') text += c.text;
    } catch (error) {
      return { text, error };
    }
    return { text };
  }

  const words = Array.from({ length: 20 }, (_, i) => `word${i} `);

  void it('a reply streaming for 300 s (past the old 120 s cut) arrives whole, asked once', async () => {
    // 20 chunks 15 s apart (15 ms real): never silent for long, far longer than 120 s in all.
    await withPeer([{ chunks: words, chunkDelayMs: 15 }], async ({ peer, url }) => {
      const result = await run(declared(url));
      assert.deepEqual(result, { text: words.join('') });
      assert.equal(peer.chatBodies.length, 1);
    });
  });

  void it('a reply silent past the endpoint\'s idleSeconds is stopped, asked once more, and says which limit', async () => {
    await withPeer([{ content: 'Too late.', thinkMs: 600 }, { content: 'Too late again.', thinkMs: 600 }, { content: 'A third ask.' }], async ({ peer, url }) => {
      const result = await run(declared(url, { idleSeconds: 100 }));
      assert.equal(result.text, '');
      assert.ok(result.error instanceof EndpointError);
      assert.equal(result.error.kind, 'timeout');
      assert.match(result.error.message, /no data for 100 s \(idle timeout of endpoint gpt; raise tunelab\.endpoints\[\]\.timeouts\.idleSeconds/);
      assert.equal(peer.chatBodies.length, 2, 'one retry after a timeout');
    });
  });

  void it('keep-alive bytes while the model thinks count as data: a long silence between them is not idle', async () => {
    // 600 s of thinking, with an SSE comment every 20 s; the client parses none of them, but they are bytes.
    await withPeer([{ content: 'Worth the wait.', thinkMs: 600, keepAliveMs: 20 }], async ({ peer, url }) => {
      const result = await run(declared(url, { idleSeconds: 150 }));
      assert.deepEqual(result, { text: 'Worth the wait.' });
      assert.equal(peer.chatBodies.length, 1);
    });
  });
});
