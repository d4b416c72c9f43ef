import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { createSageMakerEndpoint, listInServiceEndpoints, toSageMakerError } from '../../src/endpoints/sagemaker';
import { LineBuffer } from '../../src/endpoints/sagemaker/lineBuffer';
import {
  adapters, DEFAULT_JUMPSTART_TEMPLATE, detectFamily, fillTemplate, parseReply, parseStreamLine, readJumpStartTemplate, renderJumpStartPrompt, renderLlama3Chat,
} from '../../src/endpoints/sagemaker/payloads';
import { EndpointError, type ChatChunk, type ChatRequest } from '../../src/endpoints/types';
import { splitUtf8 } from '../peers/sagemakerPeer';
import { collect, rejectsWith, textOf } from '../harness/chat';
import { useSageMakerPeer } from '../harness/sagemaker';

const DEFAULT_PREFIX = 'Below is an instruction that describes a task, paired with an input that provides further context. Write a response that appropriately completes the request.\n\n';

const request: ChatRequest = {
  messages: [{ role: 'system', content: 'Answer briefly.' }, { role: 'user', content: 'What is SageMaker?' }],
  temperature: 0.7,
  topP: 0.9,
  maxTokens: 64,
  stop: ['###'],
};

void describe('SageMaker payloads: rendering', () => {
  void it('jumpstart-text fills the default template, then the response demarcation', () => {
    const p = adapters['jumpstart-text'].render(request);
    const prompt = `${DEFAULT_PREFIX}### Instruction:\nWhat is SageMaker?\n\n### Input:\nAnswer briefly.\n\n### Response:\n`;
    assert.equal(p.prompt, prompt);
    assert.equal(p.body, JSON.stringify({ inputs: prompt, parameters: { max_new_tokens: 64, temperature: 0.7, top_p: 0.9, do_sample: true, stop: ['###'] } }));
    assert.equal(p.contentType, 'application/json');
    assert.equal(p.accept, 'application/json');
    assert.equal(p.customAttributes, undefined);
  });

  void it('jumpstart-text: greedy when temperature is 0, accept_eula and stream when asked', () => {
    const p = adapters['jumpstart-text'].render({ messages: [{ role: 'user', content: 'Hi' }], temperature: 0, topP: 0.5 }, { acceptEula: true, stream: true });
    // An empty input keeps the template's own line break before the demarcation.
    const prompt = `${DEFAULT_PREFIX}### Instruction:\nHi\n\n### Input:\n\n\n### Response:\n`;
    assert.equal(p.body, JSON.stringify({ inputs: prompt, parameters: { max_new_tokens: 512, do_sample: false }, stream: true }));
    assert.equal(p.customAttributes, 'accept_eula=true');
  });

  void it('a dataset template with other field names; no second field puts the system message before the instruction', () => {
    const template = { prompt: 'Q: {question}\n{{literal}}\n', completion: ' {answer}' };
    assert.equal(renderJumpStartPrompt(request.messages, template), 'Q: Answer briefly.\n\nWhat is SageMaker?\n{literal}\n\n\n### Response:\n');
    assert.equal(renderJumpStartPrompt([{ role: 'user', content: 'x' }], template, ''), 'Q: x\n{literal}\n');
    // Without {instruction} or {context}: the first field takes the user message, the second the system message.
    const two = { prompt: '{question} | {topic}', completion: '{answer}' };
    assert.equal(renderJumpStartPrompt(request.messages, two), 'What is SageMaker? | Answer briefly.\n\n### Response:\n');
  });

  void it('earlier turns go to the context as User/Assistant paragraphs', () => {
    const prompt = renderJumpStartPrompt([
      { role: 'system', content: 'S' }, { role: 'user', content: 'U1' }, { role: 'assistant', content: 'A1' }, { role: 'user', content: 'U2' },
    ], DEFAULT_JUMPSTART_TEMPLATE);
    assert.equal(prompt, `${DEFAULT_PREFIX}### Instruction:\nU2\n\n### Input:\nS\n\nUser: U1\n\nAssistant: A1\n\n### Response:\n`);
  });

  void it('fillTemplate follows str.format: escaped braces, unknown fields empty, non-names left alone', () => {
    assert.equal(fillTemplate('{{a}} {a} {b} {0} { x }', new Map([['a', 'A']])), '{a} A  {0} { x }');
  });

  void it('readJumpStartTemplate reads template.json and reports mistakes', () => {
    const ok = readJumpStartTemplate('\uFEFF{"prompt": "{instruction}", "completion": " {response}"}');
    assert.deepEqual(ok, { ok: true, template: { prompt: '{instruction}', completion: ' {response}' } });
    const bad = readJumpStartTemplate('{"prompt": "no fields", "completion": " {response}"}');
    assert.equal(bad.ok, false);
  });

  void it('llama3-chat renders the Llama 3 template and stops on <|eot_id|>', () => {
    const p = adapters['llama3-chat'].render(request);
    const prompt = '<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nAnswer briefly.<|eot_id|>'
      + '<|start_header_id|>user<|end_header_id|>\n\nWhat is SageMaker?<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n';
    assert.equal(renderLlama3Chat(request.messages), prompt);
    assert.equal(p.body, JSON.stringify({ inputs: prompt, parameters: { max_new_tokens: 64, temperature: 0.7, top_p: 0.9, do_sample: true, stop: ['<|eot_id|>', '###'] } }));
  });

  void it('tgi asks for details', () => {
    const p = adapters.tgi.render({ messages: [{ role: 'user', content: 'Hi' }], seed: 7 });
    const prompt = renderLlama3Chat([{ role: 'user', content: 'Hi' }]);
    assert.equal(p.body, JSON.stringify({ inputs: prompt, parameters: { max_new_tokens: 512, do_sample: false, stop: ['<|eot_id|>'], seed: 7, details: true } }));
  });

  void it('messages renders an OpenAI-style body', () => {
    const p = adapters.messages.render({ ...request, json: true }, { stream: true, acceptEula: true });
    assert.equal(p.body, JSON.stringify({
      messages: [{ role: 'system', content: 'Answer briefly.' }, { role: 'user', content: 'What is SageMaker?' }],
      max_tokens: 64, temperature: 0.7, top_p: 0.9, stop: ['###'], response_format: { type: 'json_object' }, stream: true,
    }));
    assert.equal(p.customAttributes, 'accept_eula=true');
    assert.equal(p.prompt, undefined);
  });
});

void describe('SageMaker payloads: replies', () => {
  void it('reads generated_text as an object or a list, stripping an echoed prompt', () => {
    assert.deepEqual(parseReply({ generated_text: ' Hello' }), { text: ' Hello' });
    assert.deepEqual(parseReply([{ generated_text: 'Hi' }]), { text: 'Hi' });
    assert.deepEqual(adapters['jumpstart-text'].parse([{ generated_text: 'PROMPT answer' }], 'PROMPT'), { text: ' answer' });
    assert.deepEqual(parseReply({ generated_text: 'not echoed' }, 'PROMPT'), { text: 'not echoed' });
    assert.deepEqual(parseReply({ generated_text: 'Done.<|eot_id|>' }), { text: 'Done.' });
    assert.deepEqual(parseReply({ generated_texts: ['old style'] }), { text: 'old style' });
  });

  void it('reads TGI details and choices', () => {
    assert.deepEqual(parseReply([{ generated_text: 'x', details: { finish_reason: 'length', generated_tokens: 5, prefill: [{}, {}, {}] } }]), {
      text: 'x', reason: 'length', usage: { inputTokens: 3, outputTokens: 5 },
    });
    assert.deepEqual(parseReply({ choices: [{ message: { role: 'assistant', content: 'Yes' }, finish_reason: 'stop' }], usage: { prompt_tokens: 9, completion_tokens: 1 } }), {
      text: 'Yes', reason: 'stop', usage: { inputTokens: 9, outputTokens: 1 },
    });
  });

  void it('a reply of another shape is a bad-response error that says what to do; an error reply is a server error', () => {
    assert.throws(() => parseReply({ outputs: ['x'] }), (e: unknown) => e instanceof EndpointError && e.kind === 'bad-response' && /payload family/.test(e.message));
    assert.throws(() => parseReply({ error: 'Input validation error' }), (e: unknown) => e instanceof EndpointError && e.kind === 'server' && /Input validation/.test(e.message));
  });

  void it('detects the family from the reply shape', () => {
    assert.equal(detectFamily({ choices: [] }), 'messages');
    assert.equal(detectFamily([{ generated_text: 'x', details: {} }]), 'tgi');
    assert.equal(detectFamily({ token: { text: 'a' } }), 'tgi');
    assert.equal(detectFamily([{ generated_text: 'x' }]), 'jumpstart-text');
    assert.equal(detectFamily({ generated_text: 'x' }), 'jumpstart-text');
    assert.equal(detectFamily({ foo: 1 }), undefined);
    assert.equal(detectFamily('text'), undefined);
    assert.equal(detectFamily(null), undefined);
  });

  void it('parses TGI stream lines: special tokens skipped, final details', () => {
    assert.deepEqual(parseStreamLine('data:{"token":{"id":1,"text":"Hel","special":false},"generated_text":null,"details":null}'), [{ type: 'text', text: 'Hel' }]);
    assert.deepEqual(parseStreamLine('data:{"token":{"id":2,"text":"<|eot_id|>","special":true},"generated_text":"Hel","details":{"finish_reason":"eos_token","generated_tokens":2}}'), [{ type: 'finish', reason: 'stop' }]);
    assert.deepEqual(parseStreamLine('{"token":{"text":"bare"}}'), [{ type: 'text', text: 'bare' }]);
    assert.deepEqual(parseStreamLine(''), []);
    assert.deepEqual(parseStreamLine(':keep-alive'), []);
  });

  void it('parses messages stream lines and [DONE]', () => {
    assert.deepEqual(parseStreamLine('data: {"choices":[{"index":0,"delta":{"role":"assistant","content":"Hi"}}]}'), [{ type: 'text', text: 'Hi' }]);
    assert.deepEqual(parseStreamLine('data: {"choices":[{"index":0,"delta":{},"finish_reason":"length"}],"usage":{"prompt_tokens":3,"completion_tokens":4}}'), [
      { type: 'usage', usage: { inputTokens: 3, outputTokens: 4 } }, { type: 'finish', reason: 'length' },
    ]);
    assert.deepEqual(parseStreamLine('data: [DONE]'), []);
    assert.throws(() => parseStreamLine('data: {"choi'), (e: unknown) => e instanceof EndpointError && e.kind === 'bad-response');
    assert.throws(() => parseStreamLine('data:{"error":"Request failed during generation","error_type":"generation"}'), (e: unknown) => e instanceof EndpointError && e.kind === 'server');
  });
});

void describe('LineBuffer', () => {
  void it('reassembles lines split across parts, CRLF included', () => {
    const b = new LineBuffer();
    const enc = new TextEncoder();
    assert.deepEqual(b.push(enc.encode('{"a":')), []);
    assert.deepEqual(b.push(enc.encode('1}\r\n{"b"')), ['{"a":1}']);
    assert.deepEqual(b.push(enc.encode(':2}\n\n{"c":3}')), ['{"b":2}', '']);
    assert.deepEqual(b.end(), ['{"c":3}']);
    assert.deepEqual(b.end(), []);
  });

  void it('reassembles a UTF-8 character split across parts, at every cut', () => {
    const text = '{"t":"é€😀"}\n';
    const size = new TextEncoder().encode(text).length;
    for (let cut = 1; cut < size; cut++) {
      for (let cut2 = cut; cut2 < size; cut2++) {
        const b = new LineBuffer();
        const lines = splitUtf8(text, [cut, cut2]).flatMap((part) => b.push(part));
        lines.push(...b.end());
        assert.deepEqual(lines, ['{"t":"é€😀"}'], `cuts ${cut}, ${cut2}`);
      }
    }
  });
});

void describe('toSageMakerError', () => {
  void it('maps credentials, throttling, network and abort errors', () => {
    const creds = toSageMakerError(Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' }), 'ep');
    assert.equal(creds.kind, 'auth');
    assert.match(creds.message, /aws sso login/);
    assert.equal(toSageMakerError(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } }), 'ep').kind, 'rate-limited');
    assert.equal(toSageMakerError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }), 'ep').kind, 'network');
    assert.equal(toSageMakerError(Object.assign(new Error('aborted'), { name: 'AbortError' }), 'ep').kind, 'cancelled');
    const ac = new AbortController();
    ac.abort();
    assert.equal(toSageMakerError(new Error('socket hang up'), 'ep', ac.signal).kind, 'cancelled');
    assert.equal(toSageMakerError(Object.assign(new Error('x'), { name: 'ExpiredTokenException', $metadata: { httpStatusCode: 403 } }), 'ep').kind, 'auth');
  });
});

void describe('SageMaker endpoint against a local peer', () => {
  const rig = useSageMakerPeer();

  void it('non-streaming JumpStart reply, with accept_eula sent', async () => {
    rig.peer.script('js', { kind: 'json', body: [{ generated_text: ' Amazon SageMaker is a managed ML service.' }] });
    const endpoint = createSageMakerEndpoint({ id: 'ft', endpointName: 'js', family: 'jumpstart-text', acceptEula: true, stream: false, client: rig.client });
    const chunks = await collect(endpoint, request);
    assert.deepEqual(chunks, [{ type: 'text', text: ' Amazon SageMaker is a managed ML service.' }, { type: 'finish', reason: 'stop' }]);
    const logged = rig.peer.requests.at(-1);
    assert.ok(logged !== undefined);
    assert.equal(logged.path, '/endpoints/js/invocations');
    assert.equal(logged.headers['x-amzn-sagemaker-custom-attributes'], 'accept_eula=true');
    assert.equal(logged.headers['content-type'], 'application/json');
    assert.equal(logged.body, adapters['jumpstart-text'].render(request).body);
    assert.match(logged.headers.authorization ?? '', /^AWS4-HMAC-SHA256 Credential=testing\//);
  });

  void it('streams TGI lines split across PayloadParts and mid-character', async () => {
    const lines = [
      'data:{"token":{"id":1,"text":"Grüß","special":false},"generated_text":null,"details":null}\n\n',
      'data:{"token":{"id":2,"text":" 😀","special":false},"generated_text":null,"details":null}\n\n',
      'data:{"token":{"id":3,"text":"<|eot_id|>","special":true},"generated_text":"Grüß 😀","details":{"finish_reason":"eos_token","generated_tokens":3,"seed":null}}\n\n',
    ].join('');
    const umlaut = new TextEncoder().encode(lines.slice(0, lines.indexOf('ü'))).length + 1; // inside 'ü'
    const emoji = new TextEncoder().encode(lines.slice(0, lines.indexOf('😀'))).length + 2; // inside '😀'
    rig.peer.script('tgi', { kind: 'stream', parts: splitUtf8(lines, [10, umlaut, emoji, emoji + 1, emoji + 40]) });
    const endpoint = createSageMakerEndpoint({ id: 'tgi', endpointName: 'tgi', family: 'tgi', client: rig.client });
    const chunks = await collect(endpoint, { messages: [{ role: 'user', content: 'Hi' }] });
    assert.deepEqual(chunks, [{ type: 'text', text: 'Grüß' }, { type: 'text', text: ' 😀' }, { type: 'finish', reason: 'stop' }]);
    const logged = rig.peer.requests.at(-1);
    assert.equal(logged?.path, '/endpoints/tgi/invocations-response-stream');
    assert.equal((JSON.parse(logged.body) as { stream?: boolean }).stream, true);
    assert.equal(logged.headers['x-amzn-sagemaker-custom-attributes'], undefined);
  });

  void it('reports every PayloadPart as progress (the idle limit counts silence), even parts that finish no line', async () => {
    const line = 'data:{"token":{"id":1,"text":"Slowly","special":false},"generated_text":"Slowly","details":{"finish_reason":"eos_token","generated_tokens":1,"seed":null}}\n\n';
    // Six parts, the first five inside one line: no chunk before the last, but bytes all along.
    rig.peer.script('slow', { kind: 'stream', parts: splitUtf8(line, [10, 20, 30, 40, 50]) });
    const endpoint = createSageMakerEndpoint({ id: 'slow', endpointName: 'slow', family: 'tgi', client: rig.client });
    let progress = 0;
    const chunks: ChatChunk[] = [];
    for await (const c of endpoint.chat({ messages: [{ role: 'user', content: 'Hi' }] }, new AbortController().signal, { onProgress: () => { progress++; } })) chunks.push(c);
    assert.deepEqual(chunks, [{ type: 'text', text: 'Slowly' }, { type: 'finish', reason: 'stop' }]);
    assert.ok(progress >= 7, `the head and each of the 6 parts are progress (got ${progress})`);
  });

  void it('streams the messages family, usage and finish last', async () => {
    const text = [
      'data: {"choices":[{"index":0,"delta":{"role":"assistant","content":"Yes"}}]}',
      'data: {"choices":[{"index":0,"delta":{"content":", it is."}}]}',
      'data: {"choices":[{"index":0,"delta":{},"finish_reason":"length"}]}',
      'data: {"choices":[],"usage":{"prompt_tokens":12,"completion_tokens":3}}',
      'data: [DONE]',
      '',
    ].join('\n\n');
    rig.peer.script('lmi', { kind: 'stream', parts: splitUtf8(text, [5, 30, 31, 100, 150]) });
    const endpoint = createSageMakerEndpoint({ id: 'lmi', endpointName: 'lmi', family: 'messages', acceptEula: true, client: rig.client });
    const chunks = await collect(endpoint, request);
    assert.deepEqual(chunks, [
      { type: 'text', text: 'Yes' }, { type: 'text', text: ', it is.' }, { type: 'usage', usage: { inputTokens: 12, outputTokens: 3 } }, { type: 'finish', reason: 'length' },
    ]);
    assert.equal(rig.peer.requests.at(-1)?.headers['x-amzn-sagemaker-custom-attributes'], 'accept_eula=true');
  });

  void it('a ModelStreamError mid-stream is an EndpointError after the text before it', async () => {
    rig.peer.script('broken', {
      kind: 'stream',
      parts: ['data:{"token":{"text":"Par","special":false}}\n', 'data:{"token":{"text":"tial","spe'],
      exception: { type: 'ModelStreamError', message: 'Model container failed while generating.', errorCode: 'ModelStreamError' },
    });
    const endpoint = createSageMakerEndpoint({ id: 'b', endpointName: 'broken', family: 'tgi', client: rig.client });
    const got: ChatChunk[] = [];
    const error = await rejectsWith((async () => { for await (const c of endpoint.chat(request, new AbortController().signal)) got.push(c); })(), 'server');
    assert.deepEqual(got, [{ type: 'text', text: 'Par' }]);
    assert.match(error.message, /Model container failed while generating/);
    assert.match(error.message, /broken/);
  });

  void it('a ModelError (424) is mapped with the container message, truncated', async () => {
    const original = `{"error":"Input validation error: temperature must be strictly positive ${'x'.repeat(500)}"}`;
    rig.peer.script('bad', { kind: 'error', status: 424, type: 'ModelError', body: {
      ErrorCode: 'CLIENT_ERROR_FROM_MODEL', Message: `Received client error (422) from primary with message "${original}". See the logs.`,
      OriginalMessage: original, OriginalStatusCode: 422, LogStreamArn: 'arn:aws:logs:us-east-1:123456789012:log-group:/aws/sagemaker/Endpoints/bad',
    } });
    const endpoint = createSageMakerEndpoint({ id: 'bad', endpointName: 'bad', family: 'jumpstart-text', stream: false, client: rig.client });
    const error = await rejectsWith(collect(endpoint, request), 'bad-request');
    assert.match(error.message, /temperature must be strictly positive/);
    assert.match(error.message, /\(422\)/);
    assert.ok(error.message.length < 500, error.message);
    assert.equal(error.status, 424);
    assert.equal(error.retryable, false);
  });

  void it('an unknown endpoint (ValidationError) is not-found', async () => {
    const endpoint = createSageMakerEndpoint({ id: 'x', endpointName: 'missing', family: 'messages', stream: false, client: rig.client });
    const error = await rejectsWith(collect(endpoint, request), 'not-found');
    assert.match(error.message, /missing/);
    assert.equal(error.status, 400);
  });

  void it('auto with an Instruct model falls back from messages to llama3-chat on a bad request, and keeps it', async () => {
    rig.peer.script('auto',
      { kind: 'error', status: 424, type: 'ModelError', body: { Message: 'Received client error (422)', OriginalMessage: 'Unknown field messages', OriginalStatusCode: 422 } },
      { kind: 'json', body: { generated_text: 'ok' } },
      { kind: 'json', body: { generated_text: 'again' } });
    const endpoint = createSageMakerEndpoint({ id: 'a', endpointName: 'auto', family: 'auto', model: 'meta-textgeneration-llama-3-8b-instruct', stream: false, client: rig.client });
    assert.equal(textOf(await collect(endpoint, request)), 'ok');
    assert.equal(textOf(await collect(endpoint, request)), 'again');
    const bodies = rig.peer.requests.filter((r) => r.path === '/endpoints/auto/invocations').map((r) => Object.keys(JSON.parse(r.body) as object).join(','));
    assert.deepEqual(bodies, ['messages,max_tokens,temperature,top_p,stop,stream', 'inputs,parameters', 'inputs,parameters']);
  });

  void it('abort mid-stream ends with cancelled and closes the connection', async () => {
    rig.peer.script('slow', { kind: 'stream', parts: ['data:{"token":{"text":"One","special":false}}\n'], hang: true });
    const endpoint = createSageMakerEndpoint({ id: 's', endpointName: 'slow', family: 'tgi', client: rig.client });
    const ac = new AbortController();
    const got: ChatChunk[] = [];
    await rejectsWith((async () => {
      for await (const c of endpoint.chat(request, ac.signal)) {
        got.push(c);
        ac.abort();
      }
    })(), 'cancelled');
    assert.deepEqual(got, [{ type: 'text', text: 'One' }]);
    await rig.peer.streamClosed;
  });

  void it('an aborted signal is cancelled before any request', async () => {
    const before = rig.peer.requests.length;
    const ac = new AbortController();
    ac.abort();
    await rejectsWith(collect(createSageMakerEndpoint({ id: 'z', endpointName: 'js', family: 'messages', client: rig.client }), request, ac.signal), 'cancelled');
    assert.equal(rig.peer.requests.length, before);
  });

  void it('lists InService endpoints, with instance types', async () => {
    rig.peer.endpoints = [
      { name: 'llama-3-8b-ft', status: 'InService', created: new Date('2025-03-01T10:00:00Z'), instanceType: 'ml.g5.2xlarge' },
      { name: 'creating', status: 'Creating', created: new Date('2025-03-02T10:00:00Z') },
      { name: 'old', status: 'InService', created: new Date('2024-12-31T23:59:59.5Z') },
    ];
    const control = new SageMakerClient({ endpoint: rig.peer.url, region: 'us-east-1', credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' }, maxAttempts: 1 });
    try {
      assert.deepEqual(await listInServiceEndpoints(control), [
        { name: 'llama-3-8b-ft', status: 'InService', created: new Date('2025-03-01T10:00:00Z') },
        { name: 'old', status: 'InService', created: new Date('2024-12-31T23:59:59.5Z') },
      ]);
      const list = rig.peer.requests.find((r) => r.headers['x-amz-target'] === 'SageMaker.ListEndpoints');
      assert.equal((JSON.parse(list?.body ?? '{}') as { StatusEquals?: string }).StatusEquals, 'InService');
      const withTypes = await listInServiceEndpoints(control, { instanceTypes: true });
      assert.deepEqual(withTypes.map((e) => [e.name, e.instanceType]), [['llama-3-8b-ft', 'ml.g5.2xlarge'], ['old', undefined]]);
    } finally {
      control.destroy();
    }
  });
});
