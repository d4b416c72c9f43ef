/**
 * What a SageMaker endpoint sends: the payload family `auto` picks, and the Llama 3.x chat
 * templates byte for byte. Sources are cited beside each case.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_JUMPSTART_TEMPLATE } from '../../src/core/formats/jumpstartTemplate';
import { parseEndpoints } from '../../src/endpoints/config';
import { createEndpoint } from '../../src/endpoints/factory';
import { createSageMakerEndpoint } from '../../src/endpoints/sagemaker';
import { autoFamilies, payloadFor } from '../../src/endpoints/sagemaker/auto';
import { trainingJobOf } from '../../src/endpoints/sagemaker/discover';
import { llamaChatVersion, strftimeDate } from '../../src/endpoints/sagemaker/llamaChat';
import { adapters, renderJumpStartPrompt, renderLlama3Chat } from '../../src/endpoints/sagemaker/payloads';
import type { ChatMessage, ChatRequest } from '../../src/endpoints/types';
import { collect, textOf } from '../harness/chat';
import { useSageMakerPeer } from '../harness/sagemaker';

const conversation: ChatMessage[] = [
  { role: 'system', content: ' Answer as the passport office would. \n' },
  { role: 'user', content: 'How do I renew?' },
];

void describe('Llama 3.x chat templates', () => {
  // The strings below are what each model's tokenizer_config.json chat_template renders with
  // add_generation_prompt=True (meta-llama/Meta-Llama-3-8B-Instruct, Llama-3.1-8B-Instruct,
  // Llama-3.2-1B-Instruct, Llama-3.3-70B-Instruct on the Hugging Face Hub).
  const turns = '<|start_header_id|>user<|end_header_id|>\n\nHow do I renew?<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n';

  void it('3.0: each turn trimmed, no system block of its own', () => {
    assert.equal(renderLlama3Chat(conversation, '3.0'),
      '<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nAnswer as the passport office would.<|eot_id|>' + turns);
  });

  void it('3.1 and 3.3: the system block with the knowledge cutoff and the template\'s fixed date, also without a system prompt', () => {
    const block = (system: string): string =>
      `<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nCutting Knowledge Date: December 2023\nToday Date: 26 Jul 2024\n\n${system}<|eot_id|>`;
    assert.equal(renderLlama3Chat(conversation, '3.1'), block('Answer as the passport office would.') + turns);
    assert.equal(renderLlama3Chat(conversation, '3.3'), block('Answer as the passport office would.') + turns);
    assert.equal(renderLlama3Chat(conversation.slice(1), '3.1'), block('') + turns);
  });

  void it('3.2: the same block dated today, as strftime_now("%d %b %Y") writes it', () => {
    const today = new Date(2026, 11, 3);
    assert.equal(strftimeDate(today), '03 Dec 2026');
    assert.equal(renderLlama3Chat(conversation.slice(1), '3.2', today),
      '<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nCutting Knowledge Date: December 2023\nToday Date: 03 Dec 2026\n\n<|eot_id|>' + turns);
  });

  void it('the model id says which: JumpStart ids, Hugging Face ids, Ollama names; a size is not a version', () => {
    const cases: [string, string | undefined][] = [
      ['meta-textgeneration-llama-3-8b', '3.0'],
      ['meta-textgeneration-llama-3-70b-instruct', '3.0'],
      ['meta-textgeneration-llama-3-1-8b-instruct', '3.1'],
      ['meta-textgeneration-llama-3-1-405b-instruct-fp8', '3.1'],
      ['meta-textgeneration-llama-3-2-3b', '3.2'],
      ['meta-textgeneration-llama-3-3-70b-instruct', '3.3'],
      ['meta-llama/Meta-Llama-3-8B-Instruct', '3.0'],
      ['meta-llama/Llama-3.2-1B-Instruct', '3.2'],
      ['llama3.1:8b', '3.1'],
      ['meta-textgeneration-llama-2-7b-f', undefined],
      ['huggingface-llm-mistral-7b-instruct', undefined],
    ];
    for (const [id, version] of cases) assert.equal(llamaChatVersion(id), version, id);
  });

  void it('llama3-chat and tgi render the endpoint model\'s template', () => {
    const p = adapters['llama3-chat'].render({ messages: conversation.slice(1) }, { chatTemplate: '3.1' });
    assert.match(p.prompt ?? '', /^<\|begin_of_text\|><\|start_header_id\|>system<\|end_header_id\|>\n\nCutting Knowledge Date: December 2023\n/);
    const t = adapters.tgi.render({ messages: conversation.slice(1) }, { chatTemplate: '3.0' });
    assert.equal(t.prompt, `<|begin_of_text|>${turns}`);
  });
});

void describe('what auto sends, from what is known about the model', () => {
  void it('a template, then an Instruct or chat model id, else JumpStart\'s instruction template', () => {
    assert.deepEqual(autoFamilies(true, 'meta-textgeneration-llama-3-1-8b-instruct'), ['jumpstart-text']);
    assert.deepEqual(autoFamilies(false, 'meta-textgeneration-llama-3-1-8b-instruct'), ['messages', 'llama3-chat']);
    assert.deepEqual(autoFamilies(false, 'meta-textgeneration-llama-2-7b-f'), ['messages']);
    assert.deepEqual(autoFamilies(false, 'huggingface-llm-mistral-7b-instruct'), ['messages']);
    assert.deepEqual(autoFamilies(false, 'meta-textgeneration-llama-3-8b'), ['jumpstart-text', 'messages']);
    assert.deepEqual(autoFamilies(false, undefined), ['jumpstart-text', 'messages']);
  });

  void it('a listed endpoint\'s training job decides its payload', () => {
    assert.equal(trainingJobOf('s3://bucket/meta-textgeneration-llama-3-8b-2026-11-03-09-00-00-000/output/model.tar.gz'), 'meta-textgeneration-llama-3-8b-2026-11-03-09-00-00-000');
    assert.equal(trainingJobOf('s3://bucket/prefix/job-1/output/model/'), 'job-1');
    assert.equal(trainingJobOf('s3://jumpstart-cache-prod-us-east-1/meta-textgeneration/llama-3-8b/artifacts/inference-prepack/v1.0.0/'), undefined);
    assert.equal(payloadFor({ modelId: 'meta-textgeneration-llama-3-8b', tuning: 'instruction' }), 'jumpstart-text');
    assert.equal(payloadFor({ modelId: 'meta-textgeneration-llama-3-1-8b', tuning: 'chat' }), 'llama3-chat');
    assert.equal(payloadFor({ modelId: 'huggingface-llm-mistral-7b', tuning: 'chat' }), 'messages');
    assert.equal(payloadFor({ modelId: 'meta-textgeneration-llama-3-8b' }), 'auto');
  });
});

void describe('SageMaker auto payload against a local peer', () => {
  const rig = useSageMakerPeer();
  const request: ChatRequest = { messages: [{ role: 'system', content: 'Be kind.' }, { role: 'user', content: 'Renew my licence.' }], maxTokens: 64 };

  void it('without a template or a model: JumpStart\'s default instruction prompt, never the Messages API or the Llama chat template', async () => {
    rig.peer.script('tuned', { kind: 'json', body: [{ generated_text: 'Renew online.' }] });
    const endpoint = createSageMakerEndpoint({ id: 't', endpointName: 'tuned', family: 'auto', stream: false, client: rig.client });
    assert.equal(textOf(await collect(endpoint, request)), 'Renew online.');
    const body = rig.bodiesOf('tuned')[0];
    assert.ok(body);
    assert.equal(body.inputs, renderJumpStartPrompt(request.messages, DEFAULT_JUMPSTART_TEMPLATE));
    assert.equal(body.messages, undefined);
  });

  void it('what the hint about removing "template" promises: the same endpoint from settings, without one, uses JumpStart\'s default template', async () => {
    const { endpoints } = parseEndpoints([{ id: 'ft', kind: 'sagemaker', endpointName: 'settings-tuned', region: 'us-east-1' }]);
    const config = endpoints[0];
    assert.ok(config);
    rig.peer.script('settings-tuned', { kind: 'json', body: { generated_text: 'ok' } });
    const endpoint = createSageMakerEndpoint({ id: config.id, endpointName: config.endpointName ?? '', family: config.payload ?? 'auto', stream: false, client: rig.client });
    await collect(endpoint, request);
    assert.equal(createEndpoint(config, undefined).id, 'ft');
    assert.equal(rig.bodiesOf('settings-tuned')[0]?.inputs, renderJumpStartPrompt(request.messages, DEFAULT_JUMPSTART_TEMPLATE));
  });

  void it('a base model id is prompted the same way; a container that refuses text inputs gets the Messages API instead', async () => {
    rig.peer.script('base',
      { kind: 'error', status: 424, type: 'ModelError', body: { Message: 'Received client error (422)', OriginalMessage: 'Failed to deserialize the JSON body: missing field `messages`', OriginalStatusCode: 422 } },
      { kind: 'json', body: { choices: [{ message: { content: 'ok' }, finish_reason: 'stop' }] } });
    const endpoint = createSageMakerEndpoint({ id: 'b', endpointName: 'base', family: 'auto', model: 'meta-textgeneration-llama-3-8b', stream: false, client: rig.client });
    assert.equal(textOf(await collect(endpoint, request)), 'ok');
    assert.deepEqual(rig.bodiesOf('base').map((b) => Object.keys(b)[0]), ['inputs', 'messages']);
  });

  void it('an Instruct model: the Messages API, then on a bad request the Llama 3.1 template with its system block, kept for later requests', async () => {
    rig.peer.script('chat',
      { kind: 'error', status: 424, type: 'ModelError', body: { Message: 'Received client error (400)', OriginalMessage: 'Unknown field messages', OriginalStatusCode: 400 } },
      { kind: 'json', body: { generated_text: 'one' } },
      { kind: 'json', body: { generated_text: 'two' } });
    const endpoint = createSageMakerEndpoint({ id: 'c', endpointName: 'chat', family: 'auto', model: 'meta-textgeneration-llama-3-1-8b-instruct', stream: false, client: rig.client });
    assert.equal(textOf(await collect(endpoint, request)), 'one');
    assert.equal(textOf(await collect(endpoint, request)), 'two');
    const bodies = rig.bodiesOf('chat');
    assert.deepEqual(bodies.map((b) => Object.keys(b)[0]), ['messages', 'inputs', 'inputs']);
    assert.equal(bodies[1]?.inputs, renderLlama3Chat(request.messages, '3.1'));
  });

  void it('payload llama3-chat with a Llama 3.2 model id renders 3.2\'s template', async () => {
    rig.peer.script('l32', { kind: 'json', body: { generated_text: 'ok' } });
    const endpoint = createSageMakerEndpoint({ id: 'l', endpointName: 'l32', family: 'llama3-chat', model: 'meta-llama/Llama-3.2-3B-Instruct', stream: false, client: rig.client });
    await collect(endpoint, request);
    assert.match(String(rig.bodiesOf('l32')[0]?.inputs), /^<\|begin_of_text\|><\|start_header_id\|>system<\|end_header_id\|>\n\nCutting Knowledge Date: December 2023\nToday Date: \d\d [A-Z][a-z]{2} \d{4}\n\nBe kind\.<\|eot_id\|>/);
  });
});
