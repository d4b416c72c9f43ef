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

void describe('an endpoint\'s reply timeouts (tunelab.endpoints[].timeouts)', () => {
  void it('reads idleSeconds and totalSeconds, and the built endpoint carries them for the scheduler', () => {
    const { endpoints, problems } = parseEndpoints([
      { id: 'o3', kind: 'openai', model: 'o3', timeouts: { idleSeconds: 900, totalSeconds: 3600 } },
      { id: 'tuned', kind: 'sagemaker', endpointName: 'llama3-8b', timeouts: { idleSeconds: 45 } },
    ]);
    assert.deepEqual(problems, []);
    assert.deepEqual(endpoints.map((e) => e.timeouts), [{ idleSeconds: 900, totalSeconds: 3600 }, { idleSeconds: 45 }]);
    const [o3, tuned] = endpoints.map((e) => createEndpoint(e, 'k'));
    assert.deepEqual(o3?.timeouts, { idleMs: 900_000, totalMs: 3_600_000 });
    assert.deepEqual(tuned?.timeouts, { idleMs: 45_000, totalMs: 1_800_000 }, 'an unset limit keeps its default (30 min total)');
  });

  void it('defaults to 2 min of silence, 10 min for a reasoning model (it thinks before its first byte), and 30 min in all', () => {
    const { endpoints } = parseEndpoints([
      { id: 'mini', kind: 'openai', model: 'gpt-4o-mini' },
      { id: 'o4', kind: 'openai', model: 'o4-mini' },
      { id: 'az5', kind: 'azure-openai', url: 'https://r.openai.azure.com', deployment: 'gpt-5' },
      { id: 'base', kind: 'bedrock', model: 'meta.llama3-1-70b-instruct-v1:0' },
    ]);
    assert.deepEqual(endpoints.map((e) => createEndpoint(e, 'k').timeouts), [
      { idleMs: 120_000, totalMs: 1_800_000 },
      { idleMs: 600_000, totalMs: 1_800_000 },
      { idleMs: 600_000, totalMs: 1_800_000 },
      { idleMs: 120_000, totalMs: 1_800_000 },
    ]);
  });

  void it('reports a wrong value and keeps the endpoint with the default for it', () => {
    const { endpoints, problems } = parseEndpoints([
      { id: 'a', kind: 'openai', model: 'm', timeouts: { idleSeconds: 0, totalSeconds: '600' } },
      { id: 'b', kind: 'openai', model: 'm', timeouts: 600 },
      { id: 'c', kind: 'openai', model: 'm', timeouts: { idle: 60, idleSeconds: 700, totalSeconds: 600 } },
    ]);
    assert.deepEqual(endpoints.map((e) => e.id), ['a', 'b', 'c']);
    assert.deepEqual(endpoints.map((e) => e.timeouts), [{}, {}, { idleSeconds: 700, totalSeconds: 600 }]);
    assert.deepEqual(problems, [
      'tunelab.endpoints[0] ("a"): "timeouts.idleSeconds" must be a number of seconds from 1 to 86400; the default applies.',
      'tunelab.endpoints[0] ("a"): "timeouts.totalSeconds" must be a number of seconds from 1 to 86400; the default applies.',
      'tunelab.endpoints[1] ("b"): "timeouts" must be an object, e.g. { "idleSeconds": 600, "totalSeconds": 3600 }; the default limits apply.',
      'tunelab.endpoints[2] ("c"): "timeouts" has no "idle"; it takes "idleSeconds" and "totalSeconds".',
      'tunelab.endpoints[2] ("c"): "timeouts.idleSeconds" (700) is longer than "totalSeconds" (600), so the total limit stops a silent reply first; lower idleSeconds or raise totalSeconds.',
    ]);
  });
});
