import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { EndpointConfig } from '../../src/endpoints/config';
import { backends } from '../../src/endpoints/backends';
import type { EndpointRegistry } from '../../src/host/endpoints';
import { endpointOption, endpointOptions, refreshLiveSageMaker, sageMakerRegions } from '../../src/host/endpointOptions';
import { startSageMakerPeer, type SageMakerPeer } from '../peers/sagemakerPeer';

/** The registry's surface the picker uses, with its real live-endpoint rules. */
function registry(configured: EndpointConfig[]): EndpointRegistry {
  let live: EndpointConfig[] = [];
  const fake = {
    endpoints: configured,
    get liveEndpoints() { return live; },
    setLive(configs: readonly EndpointConfig[]) { live = configs.filter((c) => !configured.some((e) => e.id === c.id)); },
    get(id: string) { return configured.find((e) => e.id === id) ?? live.find((e) => e.id === id); },
    backends: () => Promise.resolve(backends),
  };
  return fake as unknown as EndpointRegistry;
}

const sageMaker = (id: string, endpointName: string, region?: string, profile?: string): EndpointConfig => ({
  id, kind: 'sagemaker', label: id, endpointName, payload: 'auto', acceptEula: false, defaults: {}, rateLimits: {},
  ...(region === undefined ? {} : { region }), ...(profile === undefined ? {} : { profile }),
});

void describe('Prompt Lab\'s endpoint picker', () => {
  void it('describes each endpoint in one line, and offers a seed to all but Bedrock', () => {
    assert.deepEqual(endpointOption({ id: 'local', kind: 'openai-compatible', label: 'Local', model: 'llama3.1:8b', url: 'http://x/v1', defaults: {}, rateLimits: {} }, false),
      { id: 'local', label: 'Local', detail: 'OpenAI-compatible server · llama3.1:8b', seed: true, live: false });
    const bedrock = endpointOption({ id: 'b', kind: 'bedrock', label: 'B', model: 'meta.llama3-1-70b-instruct-v1:0', region: 'us-west-2', defaults: {}, rateLimits: {} }, false);
    assert.equal(bedrock.seed, false);
    assert.match(bedrock.detail, /meta\.llama3-1-70b-instruct-v1:0 · us-west-2$/);
    assert.equal(bedrock.topPUnused, undefined);
  });

  void it('says why top_p is not used for a Bedrock model that takes temperature or top_p, not both', () => {
    const claude = endpointOption({ id: 'c', kind: 'bedrock', label: 'C', model: 'us.anthropic.claude-sonnet-4-5-20250929-v1:0', region: 'us-east-1', defaults: {}, rateLimits: {} }, false);
    assert.equal(claude.topPUnused, 'Claude Sonnet 4.5 takes temperature or top_p, not both: TuneLab sends temperature, so top_p is not used.');
    const older = endpointOption({ id: 'o', kind: 'bedrock', label: 'O', model: 'anthropic.claude-3-7-sonnet-20250219-v1:0', defaults: {}, rateLimits: {} }, false);
    assert.equal(older.topPUnused, undefined);
  });

  void it('looks for live endpoints in the regions of the SageMaker endpoints configured, else the environment\'s', () => {
    const env = { AWS_REGION: 'eu-west-1' };
    assert.deepEqual(sageMakerRegions(registry([]), env), [{ region: 'eu-west-1', profile: undefined }]);
    assert.deepEqual(sageMakerRegions(registry([]), {}), [{ region: 'us-east-1', profile: undefined }]);
    assert.deepEqual(sageMakerRegions(registry([sageMaker('a', 'x', 'us-west-2', 'ml'), sageMaker('b', 'y', 'us-west-2', 'ml'), sageMaker('c', 'z')]), env), [
      { region: 'us-west-2', profile: 'ml' },
      { region: 'eu-west-1', profile: undefined },
    ]);
  });

  void describe('against a SageMaker server (the real AWS SDK clients)', () => {
    let peer: SageMakerPeer;
    const saved: Record<string, string | undefined> = {};
    const env: Record<string, string> = {
      AWS_ENDPOINT_URL_SAGEMAKER: '',
      AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME: '',
      AWS_ACCESS_KEY_ID: 'testing',
      AWS_SECRET_ACCESS_KEY: 'testing',
      AWS_MAX_ATTEMPTS: '1',
    };

    before(async () => {
      peer = await startSageMakerPeer();
      env.AWS_ENDPOINT_URL_SAGEMAKER = peer.url;
      env.AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME = peer.url;
      for (const [k, v] of Object.entries(env)) { saved[k] = process.env[k]; process.env[k] = v; }
    });

    after(async () => {
      for (const [k, v] of Object.entries(saved)) { if (v === undefined) Reflect.deleteProperty(process.env, k); else process.env[k] = v; }
      await peer.close();
    });

    void it('lists the InService endpoints not configured yet as live options, and they answer', async () => {
      peer.endpoints = [
        { name: 'llama-3-8b-ft', status: 'InService', created: new Date('2026-11-01T10:00:00Z'), instanceType: 'ml.g5.2xlarge' },
        { name: 'llama-3-8b-base', status: 'InService', created: new Date('2026-11-01T09:00:00Z') },
        { name: 'still-creating', status: 'Creating', created: new Date('2026-11-02T10:00:00Z') },
      ];
      const reg = registry([sageMaker('base', 'llama-3-8b-base', 'us-east-1')]);
      const problems = await refreshLiveSageMaker(reg, { AWS_REGION: 'us-east-1' });
      assert.deepEqual(problems, []);
      assert.deepEqual(endpointOptions(reg).map((o) => [o.id, o.live]), [
        ['base', false],
        ['sagemaker:us-east-1:llama-3-8b-ft', true],
      ]);
      const live = reg.get('sagemaker:us-east-1:llama-3-8b-ft');
      assert.ok(live);
      // Nothing is known about this endpoint's model, so 'auto' sends JumpStart's default instruction
      // prompt; the reply is a streamed TGI-style one, as LMI containers send.
      peer.script('llama-3-8b-ft', { kind: 'stream', parts: [
        'data:{"token":{"id":1,"text":"Renew","special":false},"generated_text":null,"details":null}\n\n',
        'data:{"token":{"id":2,"text":" online.","special":false},"generated_text":"Renew online.","details":{"finish_reason":"eos_token","generated_tokens":2,"seed":null}}\n\n',
      ].map((t) => new TextEncoder().encode(t)) });
      const endpoint = backends.createEndpoint(live, undefined);
      let text = '';
      for await (const chunk of endpoint.chat({ messages: [{ role: 'user', content: 'How do I renew?' }], maxTokens: 32 }, new AbortController().signal)) {
        if (chunk.type === 'text') text += chunk.text;
      }
      assert.equal(text, 'Renew online.');
      assert.ok(peer.requests.some((r) => r.path.startsWith('/endpoints/llama-3-8b-ft/invocations')));
    });

    void it('a listed endpoint is prompted as its model was trained: the JumpStart tag and the training job\'s hyperparameters', async () => {
      const job = (name: string): string => `s3://sagemaker-us-east-1-123456789012/${name}/output/model/`;
      peer.endpoints = [
        {
          name: 'instruction-ft', status: 'InService', created: new Date('2026-11-03T10:00:00Z'), instanceType: 'ml.g5.2xlarge',
          tags: { 'sagemaker-sdk:jumpstart-model-id': 'meta-textgeneration-llama-3-8b' }, modelData: job('meta-textgeneration-llama-3-8b-2026-11-03-09-00-00-000'),
        },
        {
          name: 'chat-ft', status: 'InService', created: new Date('2026-11-02T10:00:00Z'),
          tags: { 'sagemaker-sdk:jumpstart-model-id': 'meta-textgeneration-llama-3-1-8b' }, modelData: job('meta-textgeneration-llama-3-1-8b-2026-11-02-09-00-00-000'),
        },
        {
          name: 'instruct-base', status: 'InService', created: new Date('2026-11-01T10:00:00Z'),
          tags: { 'sagemaker-sdk:jumpstart-model-id': 'meta-textgeneration-llama-3-2-3b-instruct' },
        },
      ];
      peer.trainingJobs = {
        'meta-textgeneration-llama-3-8b-2026-11-03-09-00-00-000': { instruction_tuned: 'True', chat_dataset: 'False', epoch: '5' },
        'meta-textgeneration-llama-3-1-8b-2026-11-02-09-00-00-000': { chat_dataset: '"True"', epoch: '1' },
      };
      const reg = registry([]);
      assert.deepEqual(await refreshLiveSageMaker(reg, { AWS_REGION: 'us-east-1' }), []);
      const seen = reg.liveEndpoints.map((e) => [e.endpointName, e.payload, e.model]);
      assert.deepEqual(seen, [
        ['instruction-ft', 'jumpstart-text', 'meta-textgeneration-llama-3-8b'],
        ['chat-ft', 'llama3-chat', 'meta-textgeneration-llama-3-1-8b'],
        ['instruct-base', 'auto', 'meta-textgeneration-llama-3-2-3b-instruct'],
      ]);
      assert.equal(endpointOptions(reg)[1]?.detail, 'Amazon SageMaker · chat-ft · meta-textgeneration-llama-3-1-8b · us-east-1');

      // The chat-tuned Llama 3.1 gets its chat template with the system block, as a text prompt.
      const chat = reg.get('sagemaker:us-east-1:chat-ft');
      assert.ok(chat);
      peer.script('chat-ft', { kind: 'stream', parts: ['data:{"token":{"id":1,"text":"Yes.","special":false},"generated_text":"Yes.","details":null}\n\n'] });
      const chunks: unknown[] = [];
      for await (const chunk of backends.createEndpoint(chat, undefined).chat({ messages: [{ role: 'user', content: 'Hi' }], maxTokens: 8 }, new AbortController().signal)) chunks.push(chunk);
      assert.ok(chunks.length > 0);
      const sent = peer.requests.filter((r) => r.path.startsWith('/endpoints/chat-ft/')).map((r) => JSON.parse(r.body) as { inputs?: string });
      assert.match(sent[0]?.inputs ?? '', /^<\|begin_of_text\|><\|start_header_id\|>system<\|end_header_id\|>\n\nCutting Knowledge Date: December 2023\nToday Date: 26 Jul 2024\n\n<\|eot_id\|>/);
    });

    void it('a region that cannot be listed is a problem to show, not a failure, and the configured endpoints remain', async () => {
      process.env.AWS_ENDPOINT_URL_SAGEMAKER = 'http://127.0.0.1:9';
      try {
        const reg = registry([sageMaker('base', 'llama-3-8b-base', 'us-east-1')]);
        const problems = await refreshLiveSageMaker(reg, {});
        assert.equal(problems.length, 1);
        assert.match(problems[0] ?? '', /^us-east-1: /);
        assert.deepEqual(endpointOptions(reg).map((o) => o.id), ['base']);
      } finally {
        process.env.AWS_ENDPOINT_URL_SAGEMAKER = peer.url;
      }
    });
  });
});
