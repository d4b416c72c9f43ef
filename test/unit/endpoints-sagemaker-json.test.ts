/**
 * JSON mode on SageMaker containers that run Hugging Face TGI. TGI's grammar is
 * `{"type": "json", "value": <JSON schema>}` (GrammarType in text-generation-inference's router,
 * `#[serde(tag = "type", content = "value")]`; docs: huggingface.co/docs/text-generation-inference/
 * conceptual/guidance), both as `parameters.grammar` of /generate and as `response_format` of its
 * Messages API. Containers before OpenAI's bare `{"type": "json_object"}` was accepted answer 422:
 * "Failed to deserialize the JSON body into the target type: response_format: missing field
 * `value`" (huggingface/text-generation-inference issue #2899). That refusal is about JSON mode,
 * not about the payload family, so it must not move an `auto` endpoint to another family.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createSageMakerEndpoint } from '../../src/endpoints/sagemaker';
import { adapters } from '../../src/endpoints/sagemaker/payloads';
import type { ChatRequest } from '../../src/endpoints/types';
import type { PeerReply } from '../peers/sagemakerPeer';
import { collect, rejectsWith, textOf } from '../harness/chat';
import { useSageMakerPeer } from '../harness/sagemaker';

const TGI_422: PeerReply = {
  kind: 'error', status: 424, type: 'ModelError', body: {
    ErrorCode: 'CLIENT_ERROR_FROM_MODEL',
    Message: 'Received client error (422) from primary with message "Failed to deserialize the JSON body into the target type: response_format: missing field `value` at line 1 column 190".',
    OriginalMessage: 'Failed to deserialize the JSON body into the target type: response_format: missing field `value` at line 1 column 190',
    OriginalStatusCode: 422,
  },
};
const ok = (content: string): PeerReply => ({ kind: 'json', body: { choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }] } });

void describe('JSON mode on TGI containers', () => {
  const rig = useSageMakerPeer();
  const ask: ChatRequest = { messages: [{ role: 'user', content: 'Five questions as JSON.' }], json: true, maxTokens: 64 };
  const plain: ChatRequest = { messages: [{ role: 'user', content: 'Hello' }], maxTokens: 16 };

  void it('an auto endpoint answered 422 for json_object asks again with TGI\'s grammar, and stays on the Messages API', async () => {
    rig.peer.script('tgi-chat', TGI_422, ok('{"questions": []}'), ok('{"questions": ["a"]}'), ok('Hi.'));
    const endpoint = createSageMakerEndpoint({ id: 'c', endpointName: 'tgi-chat', family: 'auto', model: 'meta-textgeneration-llama-3-1-8b-instruct', stream: false, client: rig.client });
    assert.equal(textOf(await collect(endpoint, ask)), '{"questions": []}');
    assert.equal(textOf(await collect(endpoint, ask)), '{"questions": ["a"]}');
    assert.equal(textOf(await collect(endpoint, plain)), 'Hi.');
    const bodies = rig.bodiesOf('tgi-chat');
    assert.deepEqual(bodies.map((b) => b.response_format), [
      { type: 'json_object' },
      { type: 'json', value: { type: 'object' } },
      { type: 'json', value: { type: 'object' } }, // learned: no second refusal
      undefined,
    ]);
    assert.ok(bodies.every((b) => Array.isArray(b.messages)), 'every request is the Messages API, never llama3-chat');
  });

  void it('a container that refuses the grammar too reports it, without switching family', async () => {
    rig.peer.script('strict', TGI_422, { ...TGI_422 }, ok('Hi.'));
    const endpoint = createSageMakerEndpoint({ id: 's', endpointName: 'strict', family: 'auto', model: 'meta-textgeneration-llama-3-8b-instruct', stream: false, client: rig.client });
    const error = await rejectsWith(collect(endpoint, ask), 'bad-request');
    assert.match(error.message, /response_format/);
    assert.equal(textOf(await collect(endpoint, plain)), 'Hi.');
    assert.ok(rig.bodiesOf('strict').every((b) => Array.isArray(b.messages)));
  });

  void it('the tgi family asks /generate for JSON with parameters.grammar', () => {
    const body = JSON.parse(adapters.tgi.render(ask).body) as { parameters: Record<string, unknown> };
    assert.deepEqual(body.parameters.grammar, { type: 'json', value: { type: 'object' } });
    const none = JSON.parse(adapters.tgi.render(plain).body) as { parameters: Record<string, unknown> };
    assert.equal(none.parameters.grammar, undefined);
  });
});
