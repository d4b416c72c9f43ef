import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { createBedrockEndpoint, toBedrockError, toConverseStreamInput, toFinishReason } from '../../src/endpoints/bedrock';
import { samplingLimit } from '../../src/endpoints/bedrockModels';
import type { ChatChunk, ChatRequest } from '../../src/endpoints/types';
import { replyEvents, startBedrockPeer, type BedrockPeer } from '../peers/bedrockPeer';
import { collect, rejectsWith, textOf } from '../harness/chat';

const MODEL = 'anthropic.claude-3-haiku-20240307-v1:0';

const request: ChatRequest = {
  messages: [
    { role: 'system', content: 'Answer briefly.' },
    { role: 'user', content: 'What is Bedrock?' },
    { role: 'user', content: 'In one line.' },
    { role: 'assistant', content: 'A managed' },
    { role: 'system', content: 'Be kind.' },
    { role: 'assistant', content: 'service.' },
    { role: 'user', content: 'Thanks!' },
  ],
  temperature: 0.2,
  topP: 0.9,
  maxTokens: 64,
  stop: ['###'],
  json: true,
  seed: 7,
};

void describe('Bedrock request mapping', () => {
  void it('system messages to system, same-role turns merged, inferenceConfig; json and seed ignored', () => {
    assert.deepEqual(toConverseStreamInput(MODEL, request), {
      modelId: MODEL,
      system: [{ text: 'Answer briefly.' }, { text: 'Be kind.' }],
      messages: [
        { role: 'user', content: [{ text: 'What is Bedrock?\n\nIn one line.' }] },
        { role: 'assistant', content: [{ text: 'A managed\n\nservice.' }] },
        { role: 'user', content: [{ text: 'Thanks!' }] },
      ],
      inferenceConfig: { maxTokens: 64, temperature: 0.2, topP: 0.9, stopSequences: ['###'] },
    });
  });

  void it('leaves out system and inferenceConfig when there is nothing to send', () => {
    assert.deepEqual(toConverseStreamInput('m', { messages: [{ role: 'user', content: 'Hi' }], stop: [] }), {
      modelId: 'm',
      messages: [{ role: 'user', content: [{ text: 'Hi' }] }],
    });
  });

  void it('never sends both temperature and topP to the Claude models that refuse the pair; temperature is kept', () => {
    // Claude Opus 4.1, Sonnet 4.5, Haiku 4.5, Opus 4.5 and later answer Bedrock's ValidationException
    // "The model returned the following errors: `temperature` and `top_p` cannot both be specified for
    // this model. Please use only one." (Anthropic's parameters on Bedrock:
    // docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-anthropic-claude-messages-request-response.html;
    // reports: BerriAI/litellm#15070 (Sonnet 4.5), aws-samples/bedrock-access-gateway#191 (Haiku 4.5)
    // and #238 (Sonnet 4.6, Opus 4.5), open-webui/functions#9 (Opus 4.1)).
    const both: ChatRequest = { messages: [{ role: 'user', content: 'Hi' }], temperature: 0.7, topP: 0.9, maxTokens: 32 };
    for (const id of [
      'anthropic.claude-sonnet-4-5-20250929-v1:0', 'us.anthropic.claude-haiku-4-5-20251001-v1:0', 'anthropic.claude-opus-4-1-20250805-v1:0',
      'global.anthropic.claude-opus-4-5-20251101-v1:0', 'eu.anthropic.claude-sonnet-4-6',
      'arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-sonnet-4-5-20250929-v1:0',
    ]) {
      assert.deepEqual(toConverseStreamInput(id, both).inferenceConfig, { maxTokens: 32, temperature: 0.7 }, id);
      assert.match(samplingLimit(id) ?? '', /takes temperature or top_p, not both/, id);
    }
    for (const id of ['anthropic.claude-sonnet-4-20250514-v1:0', 'anthropic.claude-opus-4-20250514-v1:0', 'anthropic.claude-3-7-sonnet-20250219-v1:0', 'meta.llama3-1-70b-instruct-v1:0']) {
      assert.deepEqual(toConverseStreamInput(id, both).inferenceConfig, { maxTokens: 32, temperature: 0.7, topP: 0.9 }, id);
      assert.equal(samplingLimit(id), undefined, id);
    }
    // top_p alone still goes.
    assert.deepEqual(toConverseStreamInput('anthropic.claude-sonnet-4-5-20250929-v1:0', { ...both, temperature: undefined }).inferenceConfig, { maxTokens: 32, topP: 0.9 });
  });

  void it('maps stop reasons', () => {
    assert.equal(toFinishReason('end_turn'), 'stop');
    assert.equal(toFinishReason('stop_sequence'), 'stop');
    assert.equal(toFinishReason('max_tokens'), 'length');
    assert.equal(toFinishReason('content_filtered'), 'content-filter');
    assert.equal(toFinishReason('guardrail_intervened'), 'content-filter');
    assert.equal(toFinishReason('tool_use'), 'tool-calls');
    assert.equal(toFinishReason('malformed_model_output'), 'other');
    assert.equal(toFinishReason(undefined), 'other');
  });
});

void describe('toBedrockError', () => {
  const err = (name: string, message: string, status?: number): Error =>
    Object.assign(new Error(message), { name, ...(status === undefined ? {} : { $metadata: { httpStatusCode: status } }) });

  void it('maps validation messages to context-too-long, not-found or bad-request, truncated', () => {
    assert.equal(toBedrockError(err('ValidationException', 'Input is too long for requested model.', 400), MODEL).kind, 'context-too-long');
    assert.equal(toBedrockError(err('ValidationException', 'max_tokens: 999999 > 4096, which is the maximum allowed', 400), MODEL).kind, 'context-too-long');
    assert.equal(toBedrockError(err('ValidationException', 'The provided model identifier is invalid.', 400), MODEL).kind, 'not-found');
    assert.equal(toBedrockError(err('ResourceNotFoundException', 'Model not found.', 404), MODEL).kind, 'not-found');
    const bad = toBedrockError(err('ValidationException', `Malformed input request: ${'x'.repeat(1000)}`, 400), MODEL);
    assert.equal(bad.kind, 'bad-request');
    assert.ok(bad.message.length < 500, bad.message);
    assert.equal(bad.status, 400);
    assert.equal(bad.retryable, false);
  });

  void it('maps credentials, server, network and abort errors', () => {
    const creds = toBedrockError(err('CredentialsProviderError', 'Could not load credentials from any providers'), MODEL);
    assert.equal(creds.kind, 'auth');
    assert.match(creds.message, /aws sso login/);
    assert.equal(toBedrockError(err('ExpiredTokenException', 'x', 403), MODEL).kind, 'auth');
    assert.equal(toBedrockError(err('modelStreamErrorException', 'boom'), MODEL).kind, 'server');
    assert.equal(toBedrockError(err('ServiceUnavailableException', 'busy', 503), MODEL).kind, 'server');
    assert.equal(toBedrockError(err('InternalServerException', 'oops', 500), MODEL).kind, 'server');
    assert.equal(toBedrockError(err('ModelTimeoutException', 'slow', 408), MODEL).kind, 'timeout');
    assert.equal(toBedrockError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }), MODEL).kind, 'network');
    assert.equal(toBedrockError(err('AbortError', 'aborted'), MODEL).kind, 'cancelled');
    const ac = new AbortController();
    ac.abort();
    assert.equal(toBedrockError(new Error('socket hang up'), MODEL, ac.signal).kind, 'cancelled');
  });
});

void describe('Bedrock endpoint against a local peer', () => {
  let peer: BedrockPeer;
  let client: BedrockRuntimeClient;
  before(async () => {
    peer = await startBedrockPeer();
    client = new BedrockRuntimeClient({ endpoint: peer.url, region: 'us-east-1', credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' }, maxAttempts: 1 });
  });
  after(async () => {
    client.destroy();
    await peer.close();
  });

  void it('sends the Converse request and streams text, usage, then finish', async () => {
    peer.script(MODEL, { kind: 'stream', events: replyEvents(['Amazon ', 'Bedrock is ', 'a managed 😀', ' service.'], 'end_turn', { inputTokens: 31, outputTokens: 9 }) });
    const endpoint = createBedrockEndpoint({ id: 'claude', modelId: MODEL, client });
    const chunks = await collect(endpoint, request);
    assert.deepEqual(chunks, [
      { type: 'text', text: 'Amazon ' },
      { type: 'text', text: 'Bedrock is ' },
      { type: 'text', text: 'a managed 😀' },
      { type: 'text', text: ' service.' },
      { type: 'usage', usage: { inputTokens: 31, outputTokens: 9 } },
      { type: 'finish', reason: 'stop' },
    ]);
    const logged = peer.requests.at(-1);
    assert.ok(logged !== undefined);
    assert.equal(logged.method, 'POST');
    assert.equal(logged.modelId, MODEL);
    assert.equal(logged.path, `/model/${encodeURIComponent(MODEL)}/converse-stream`);
    assert.match(logged.headers.authorization ?? '', /^AWS4-HMAC-SHA256 Credential=testing\/\d{8}\/us-east-1\/bedrock\//);
    assert.deepEqual(logged.body, {
      system: [{ text: 'Answer briefly.' }, { text: 'Be kind.' }],
      messages: [
        { role: 'user', content: [{ text: 'What is Bedrock?\n\nIn one line.' }] },
        { role: 'assistant', content: [{ text: 'A managed\n\nservice.' }] },
        { role: 'user', content: [{ text: 'Thanks!' }] },
      ],
      inferenceConfig: { maxTokens: 64, temperature: 0.2, topP: 0.9, stopSequences: ['###'] },
    });
  });

  void it('reports every event as progress, extended thinking\'s reasoning deltas too, so a model thinking is not idle', async () => {
    const thinking = Array.from({ length: 8 }, (_, i) => ({ event: 'contentBlockDelta', body: { contentBlockIndex: 0, delta: { reasoningContent: { text: `step ${i}. ` } } } }));
    const [start, ...rest] = replyEvents(['Done.'], 'end_turn');
    assert.ok(start !== undefined);
    peer.script('thinker', { kind: 'stream', events: [start, ...thinking, ...rest.map((e) => (e.event === 'contentBlockDelta' ? { ...e, body: { ...e.body, contentBlockIndex: 1 } } : e))] });
    const endpoint = createBedrockEndpoint({ id: 'thinker', modelId: 'thinker', client });
    let progress = 0;
    const chunks: ChatChunk[] = [];
    for await (const c of endpoint.chat({ messages: [{ role: 'user', content: 'Hi' }] }, new AbortController().signal, { onProgress: () => { progress++; } })) chunks.push(c);
    assert.deepEqual(chunks, [{ type: 'text', text: 'Done.' }, { type: 'finish', reason: 'stop' }], 'the thinking is not shown as text');
    assert.ok(progress >= 1 + 8, `the head and the 8 thinking events are progress (got ${progress})`);
  });

  void it('maps the stream stop reason (max_tokens → length, guardrail → content-filter)', async () => {
    peer.script('m', { kind: 'stream', events: replyEvents(['cut'], 'max_tokens') }, { kind: 'stream', events: replyEvents([], 'guardrail_intervened') });
    const endpoint = createBedrockEndpoint({ id: 'm', modelId: 'm', client });
    const hi: ChatRequest = { messages: [{ role: 'user', content: 'Hi' }] };
    assert.deepEqual(await collect(endpoint, hi), [{ type: 'text', text: 'cut' }, { type: 'finish', reason: 'length' }]);
    assert.deepEqual(await collect(endpoint, hi), [{ type: 'finish', reason: 'content-filter' }]);
  });

  void it('throttling is rate-limited and retryable', async () => {
    peer.script('m', { kind: 'error', status: 429, type: 'ThrottlingException', message: 'Too many requests, please wait before trying again.' });
    const e = await rejectsWith(collect(createBedrockEndpoint({ id: 'm', modelId: 'm', client }), { messages: [{ role: 'user', content: 'Hi' }] }), 'rate-limited');
    assert.equal(e.status, 429);
    assert.equal(e.retryable, true);
  });

  void it('validation errors are bad-request or context-too-long, with the server message but never the prompt', async () => {
    peer.script('m',
      { kind: 'error', status: 400, type: 'ValidationException', message: 'Malformed input request: #: extraneous key [foo] is not permitted' },
      { kind: 'error', status: 400, type: 'ValidationException', message: 'Input is too long for requested model.' });
    const endpoint = createBedrockEndpoint({ id: 'm', modelId: 'm', client });
    const secret: ChatRequest = { messages: [{ role: 'user', content: 'PROMPT-SECRET' }] };
    const bad = await rejectsWith(collect(endpoint, secret), 'bad-request');
    assert.match(bad.message, /extraneous key \[foo\]/);
    assert.doesNotMatch(bad.message, /PROMPT-SECRET|testing/);
    await rejectsWith(collect(endpoint, secret), 'context-too-long');
  });

  void it('a model that refuses the pair under an id TuneLab cannot read is asked again without topP, and remembered', async () => {
    const profile = 'arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/a1b2c3d4e5f6';
    peer.script(profile,
      { kind: 'error', status: 400, type: 'ValidationException', message: 'The model returned the following errors: `temperature` and `top_p` cannot both be specified for this model. Please use only one.' },
      { kind: 'stream', events: replyEvents(['Yes.']) },
      { kind: 'stream', events: replyEvents(['Again.']) });
    const endpoint = createBedrockEndpoint({ id: 'p', modelId: profile, client });
    const both: ChatRequest = { messages: [{ role: 'user', content: 'Hi' }], temperature: 0.5, topP: 0.9 };
    assert.equal(textOf(await collect(endpoint, both)), 'Yes.');
    assert.equal(textOf(await collect(endpoint, both)), 'Again.');
    const configs = peer.requests.filter((r) => r.modelId === profile).map((r) => (r.body as { inferenceConfig?: unknown }).inferenceConfig);
    assert.deepEqual(configs, [{ temperature: 0.5, topP: 0.9 }, { temperature: 0.5 }, { temperature: 0.5 }]);
  });

  void it('an unknown model id is not-found', async () => {
    const e = await rejectsWith(collect(createBedrockEndpoint({ id: 'x', modelId: 'no.such-model', client }), { messages: [{ role: 'user', content: 'Hi' }] }), 'not-found');
    assert.match(e.message, /no\.such-model/);
  });

  void it('access denied is auth, with what to do', async () => {
    peer.script('m', { kind: 'error', status: 403, type: 'AccessDeniedException', message: "You don't have access to the model with the specified model ID." });
    const e = await rejectsWith(collect(createBedrockEndpoint({ id: 'm', modelId: 'm', client }), { messages: [{ role: 'user', content: 'Hi' }] }), 'auth');
    assert.match(e.message, /Bedrock console/);
    assert.match(e.message, /aws sso login/);
    assert.doesNotMatch(e.message, /testing/);
  });

  void it('an exception mid-stream is an EndpointError after the text before it', async () => {
    for (const [type, kind] of [['modelStreamErrorException', 'server'], ['throttlingException', 'rate-limited'], ['validationException', 'bad-request']] as const) {
      peer.script('m', { kind: 'stream', events: replyEvents(['Half ', 'an answer']).slice(0, 3), exception: { type, message: 'The model broke off.' } });
      const seen: ChatChunk[] = [];
      const run = async (): Promise<void> => {
        for await (const chunk of createBedrockEndpoint({ id: 'm', modelId: 'm', client }).chat({ messages: [{ role: 'user', content: 'Hi' }] }, new AbortController().signal)) seen.push(chunk);
      };
      await rejectsWith(run(), kind);
      assert.equal(textOf(seen), 'Half an answer', type);
      assert.ok(!seen.some((c) => c.type === 'finish'));
    }
  });

  void it('abort mid-stream ends with cancelled and closes the connection', async () => {
    peer.script('slow', { kind: 'stream', events: replyEvents(['One']).slice(0, 2), hang: true });
    const ac = new AbortController();
    const seen: ChatChunk[] = [];
    const run = async (): Promise<void> => {
      for await (const chunk of createBedrockEndpoint({ id: 's', modelId: 'slow', client }).chat({ messages: [{ role: 'user', content: 'Hi' }] }, ac.signal)) {
        seen.push(chunk);
        ac.abort();
      }
    };
    await rejectsWith(run(), 'cancelled');
    assert.deepEqual(seen, [{ type: 'text', text: 'One' }]);
    await peer.streamClosed;
  });

  void it('an aborted signal is cancelled before any request', async () => {
    const before = peer.requests.length;
    const ac = new AbortController();
    ac.abort();
    await rejectsWith(collect(createBedrockEndpoint({ id: 'm', modelId: 'm', client }), { messages: [{ role: 'user', content: 'Hi' }] }, ac.signal), 'cancelled');
    assert.equal(peer.requests.length, before);
  });

  void it('an unreachable endpoint is a network error', async () => {
    const closed = await startBedrockPeer();
    const url = closed.url;
    await closed.close();
    const offline = new BedrockRuntimeClient({ endpoint: url, region: 'us-east-1', credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' }, maxAttempts: 1 });
    try {
      await rejectsWith(collect(createBedrockEndpoint({ id: 'm', modelId: 'm', client: offline }), { messages: [{ role: 'user', content: 'Hi' }] }), 'network');
    } finally {
      offline.destroy();
    }
  });
});
