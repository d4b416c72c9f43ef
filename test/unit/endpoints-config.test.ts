import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseEndpoints, usesApiKey } from '../../src/endpoints/config';
import { createEndpoint } from '../../src/endpoints/factory';

void describe('the tunelab.endpoints setting', () => {
  void it('reads one entry of each kind, with defaults filled in', () => {
    const { endpoints, problems } = parseEndpoints([
      { id: 'gpt', kind: 'openai', model: 'gpt-4o-mini', defaults: { temperature: 0.2 } },
      { id: 'azure', kind: 'azure-openai', url: 'https://r.openai.azure.com', deployment: 'gpt4o' },
      { id: 'local', kind: 'openai-compatible', url: 'http://127.0.0.1:11434/v1', model: 'llama3.1:8b', rateLimits: { maxConcurrent: 2 }, headers: { 'x-gateway-route': 'gpu-a' } },
      { id: 'tuned', kind: 'sagemaker', endpointName: 'jumpstart-llama3-8b', region: 'us-west-2', template: '${workspaceFolder}/template.json', acceptEula: true },
      { id: 'base', kind: 'bedrock', model: 'meta.llama3-1-70b-instruct-v1:0', region: 'us-west-2' },
    ]);
    assert.deepEqual(problems, []);
    assert.deepEqual(endpoints.map((e) => [e.id, e.kind, e.label]), [
      ['gpt', 'openai', 'gpt'], ['azure', 'azure-openai', 'azure'], ['local', 'openai-compatible', 'local'], ['tuned', 'sagemaker', 'tuned'], ['base', 'bedrock', 'base'],
    ]);
    assert.equal(endpoints[0]?.defaults.temperature, 0.2);
    // An api-version that serves the reasoning models (o3, o4-mini, gpt-5): 2025-04-01-preview, per
    // learn.microsoft.com/azure/ai-foundry/openai/how-to/reasoning and …/api-version-lifecycle.
    assert.equal(endpoints[1]?.apiVersion, '2025-04-01-preview');
    assert.equal(endpoints[2]?.rateLimits.maxConcurrent, 2);
    assert.deepEqual(endpoints[2].headers, { 'x-gateway-route': 'gpu-a' });
    assert.equal(endpoints[3]?.payload, 'auto');
    assert.equal(endpoints[3].template, '${workspaceFolder}/template.json');
    assert.equal(endpoints[3].acceptEula, true);
    for (const e of endpoints) assert.equal(createEndpoint(e, 'k').id, e.id, `${e.kind} builds an endpoint`);
  });

  void it('skips wrong entries and says what each needs', () => {
    const { endpoints, problems } = parseEndpoints([
      { id: 'a', kind: 'openai-compatible', model: 'm' },
      { id: 'b', kind: 'openai-compatible', url: 'ftp://x', model: 'm' },
      { id: 'c', kind: 'sagemaker' },
      { id: 'd', kind: 'telepathy' },
      { id: '../etc', kind: 'openai', model: 'm' },
      { id: 'e', kind: 'openai', model: 'm' },
      { id: 'e', kind: 'openai', model: 'm' },
      'not an object',
    ]);
    assert.deepEqual(endpoints.map((e) => e.id), ['e']);
    assert.equal(problems.length, 7, problems.join('\n'));
    assert.match(problems[0] ?? '', /needs "url"/);
    assert.match(problems[1] ?? '', /http\(s\) URL/);
    assert.match(problems[2] ?? '', /needs "endpointName"/);
    assert.match(problems[3] ?? '', /"kind" must be one of/);
    assert.match(problems[4] ?? '', /"id" must be/);
    assert.match(problems[5] ?? '', /used twice/);
  });

  void it('is a list or nothing', () => {
    assert.deepEqual(parseEndpoints(undefined), { endpoints: [], problems: [] });
    assert.match(parseEndpoints({ id: 'x' }).problems[0] ?? '', /must be a list/);
  });

  void it('asks for a key only for the kinds that use one', () => {
    assert.equal(usesApiKey('openai'), 'required');
    assert.equal(usesApiKey('azure-openai'), 'required');
    assert.equal(usesApiKey('openai-compatible'), 'optional');
    assert.equal(usesApiKey('sagemaker'), 'none');
    assert.equal(usesApiKey('bedrock'), 'none');
  });
});
