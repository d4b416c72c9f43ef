import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chooseKey, isLoopback, isOpenAIApi, keyVariable } from '../../src/cli/endpointKeys';
import { masker, printableLines } from '../../src/cli/endpointSetup';
import { parseEndpoints, type EndpointConfig } from '../../src/endpoints/config';

/** The endpoints a file declares; every entry must be valid. */
function endpoints(...raw: Record<string, unknown>[]): EndpointConfig[] {
  const { endpoints: list, problems } = parseEndpoints(raw);
  assert.deepEqual(problems, []);
  return list;
}

const GENERIC = { TUNELAB_API_KEY: 'sk-generic-tunelab-0001', OPENAI_API_KEY: 'sk-generic-openai-0001' };

void describe('which key the CLI sends where', () => {
  void it('sends the generic variables only to OpenAI\'s own API, over https', () => {
    const [own, viaHttps, lookalike, otherPort, overHttp] = endpoints(
      { id: 'gpt', kind: 'openai', model: 'gpt-4o-mini' },
      { id: 'gpt2', kind: 'openai', model: 'gpt-4o-mini', url: 'https://api.openai.com/v1' },
      { id: 'evil', kind: 'openai', model: 'gpt-4o-mini', url: 'https://api.openai.com.evil.example/v1' },
      { id: 'port', kind: 'openai', model: 'gpt-4o-mini', url: 'https://api.openai.com:8443/v1' },
      { id: 'plain', kind: 'openai', model: 'gpt-4o-mini', url: 'http://api.openai.com/v1' },
    ) as [EndpointConfig, EndpointConfig, EndpointConfig, EndpointConfig, EndpointConfig];
    const all = [own, viaHttps, lookalike, otherPort, overHttp];
    assert.deepEqual(chooseKey(own, GENERIC, all, 'e.json'), { key: GENERIC.TUNELAB_API_KEY, variable: 'TUNELAB_API_KEY' });
    assert.deepEqual(chooseKey(own, { OPENAI_API_KEY: ' sk-x-openai ' }, all, 'e.json'), { key: 'sk-x-openai', variable: 'OPENAI_API_KEY' });
    assert.deepEqual(chooseKey(own, { ...GENERIC, TUNELAB_API_KEY_GPT: 'sk-own-gpt' }, all, 'e.json'), { key: 'sk-own-gpt', variable: 'TUNELAB_API_KEY_GPT' });
    assert.equal(chooseKey(viaHttps, GENERIC, all, 'e.json').variable, 'TUNELAB_API_KEY');
    for (const elsewhere of [lookalike, otherPort, overHttp]) {
      const c = chooseKey(elsewhere, GENERIC, all, 'e.json');
      assert.equal(c.key, undefined, elsewhere.id);
      assert.match(c.problem ?? '', new RegExp(`^endpoint "${elsewhere.id}" \\(OpenAI\\) needs an API key: set ${keyVariable(elsewhere.id)} in the environment \\(TUNELAB_API_KEY or OPENAI_API_KEY are set but only sent to OpenAI's own API, https://api\\.openai\\.com/v1, not to `));
    }
    assert.deepEqual([isOpenAIApi('https://api.openai.com/v1'), isOpenAIApi('https://API.OPENAI.COM:443/v1'), isOpenAIApi('http://api.openai.com/v1'), isOpenAIApi('https://api.openai.com./v1')], [true, true, false, false]);
  });

  void it('sends an OpenAI-compatible server no generic key, and says so', () => {
    const [local] = endpoints({ id: 'local', kind: 'openai-compatible', url: 'http://127.0.0.1:11434/v1', model: 'llama3.1:8b' }) as [EndpointConfig];
    const c = chooseKey(local, GENERIC, [local], 'e.json');
    assert.equal(c.key, undefined);
    assert.equal(c.problem, undefined);
    assert.equal(c.warning, 'endpoint "local" (OpenAI-compatible server) gets no key (TUNELAB_API_KEY or OPENAI_API_KEY are set but only sent to OpenAI\'s own API, https://api.openai.com/v1, not to http://127.0.0.1:11434). If http://127.0.0.1:11434 needs one, set TUNELAB_API_KEY_LOCAL.');
    assert.deepEqual(chooseKey(local, {}, [local], 'e.json'), {});
    assert.deepEqual(chooseKey(local, { TUNELAB_API_KEY_LOCAL: 'k-local-1' }, [local], 'e.json'), { key: 'k-local-1', variable: 'TUNELAB_API_KEY_LOCAL' });
  });

  void it('sends no key over plain http except to this machine', () => {
    const list = endpoints(
      { id: 'lan', kind: 'openai-compatible', url: 'http://192.0.2.10:8000/v1', model: 'm' },
      { id: 'named', kind: 'openai-compatible', url: 'http://127.0.0.1.nip.io:8000/v1', model: 'm' },
      { id: 'tls', kind: 'openai-compatible', url: 'https://192.0.2.10:8443/v1', model: 'm' },
      { id: 'v6', kind: 'openai-compatible', url: 'http://[::1]:8000/v1', model: 'm' },
      { id: 'az', kind: 'azure-openai', url: 'http://my-resource.openai.azure.com', deployment: 'd' },
    );
    const env = Object.fromEntries(list.map((e) => [keyVariable(e.id), `sk-${e.id}-key`]));
    const [lan, named, tls, v6, az] = list.map((e) => chooseKey(e, env, list, 'e.json'));
    assert.equal(lan?.problem, 'endpoint "lan" (OpenAI-compatible server) would send its key from TUNELAB_API_KEY_LAN over plain http to http://192.0.2.10:8000, where anyone on the way can read it. Give it an https:// "url" in e.json, or reach the server through a tunnel to this machine (e.g. ssh -L 8000:localhost:8000 <server>, then "url": "http://127.0.0.1:8000/v1"); if the server needs no key, unset TUNELAB_API_KEY_LAN.');
    assert.match(named?.problem ?? '', /over plain http to http:\/\/127\.0\.0\.1\.nip\.io:8000/);
    assert.match(az?.problem ?? '', /^endpoint "az" \(Azure OpenAI\) would send its key from TUNELAB_API_KEY_AZ over plain http/);
    assert.deepEqual(tls, { key: 'sk-tls-key', variable: 'TUNELAB_API_KEY_TLS' });
    assert.deepEqual(v6, { key: 'sk-v6-key', variable: 'TUNELAB_API_KEY_V6' });
    for (const url of ['http://localhost:1/', 'http://127.0.0.1/', 'http://127.1/', 'http://0x7f.0.0.1/', 'http://127.255.0.9:80/', 'http://[::1]/', 'http://[::ffff:127.0.0.1]/']) assert.ok(isLoopback(url), url);
    for (const url of ['http://0.0.0.0/', 'http://10.0.0.1/', 'http://api.localhost/', 'http://localhost.example/', 'http://[::ffff:10.0.0.1]/', 'http://128.0.0.1/', 'not a url']) assert.ok(!isLoopback(url), url);
  });

  void it('Azure OpenAI takes only its own variable; AZURE_OPENAI_API_KEY and the generic ones are named as not read', () => {
    const [az] = endpoints({ id: 'az', kind: 'azure-openai', url: 'https://my-resource.openai.azure.com', deployment: 'gpt-4o' }) as [EndpointConfig];
    const c = chooseKey(az, { ...GENERIC, AZURE_OPENAI_API_KEY: 'az-generic-0001' }, [az], 'e.json');
    assert.equal(c.key, undefined);
    assert.equal(c.problem, 'endpoint "az" (Azure OpenAI) needs an API key: set TUNELAB_API_KEY_AZ in the environment (TUNELAB_API_KEY, OPENAI_API_KEY or AZURE_OPENAI_API_KEY are set but not read: an Azure key belongs to one resource, and only the endpoint\'s own variable says it is this one\'s).');
    assert.deepEqual(chooseKey(az, { TUNELAB_API_KEY_AZ: 'az-own' }, [az], 'e.json'), { key: 'az-own', variable: 'TUNELAB_API_KEY_AZ' });
  });

  void it('ids that differ only in case and punctuation never share a key silently', () => {
    const list = endpoints(
      { id: 'a-b', kind: 'openai-compatible', url: 'http://127.0.0.1:1/v1', model: 'm' },
      { id: 'a.b', kind: 'openai-compatible', url: 'https://gateway.example/v1', model: 'm' },
      { id: 'A_B', kind: 'openai', model: 'gpt-4o-mini' },
      { id: 'a-b-aws', kind: 'bedrock', model: 'meta.llama3-1-70b-instruct-v1:0' },
    );
    const [ab, aDotB, AB] = list as [EndpointConfig, EndpointConfig, EndpointConfig];
    assert.equal(keyVariable('a.b'), 'TUNELAB_API_KEY_A_B');
    const env = { TUNELAB_API_KEY_A_B: 'sk-meant-for-one-0001' };
    assert.equal(chooseKey(ab, env, list, 'e.json').problem, 'endpoints "a-b" and "a.b" in e.json both take their key from TUNELAB_API_KEY_A_B (an id is upper-cased and its other characters become _), so the key set for one would be sent to the other\'s server. Rename one of them in e.json to an id that differs in more than case and punctuation (e.g. "a-b2"), and set its own variable.');
    assert.match(chooseKey(aDotB, env, list, 'e.json').problem ?? '', /^endpoints "a\.b" and "a-b" in e\.json both take their key from TUNELAB_API_KEY_A_B/);
    assert.match(chooseKey(AB, env, list, 'e.json').problem ?? '', /^endpoints "A_B" and "a-b" /);
    // Without the shared variable nothing is shared; an AWS endpoint reads no key at all.
    assert.equal(chooseKey(ab, {}, list, 'e.json').problem, undefined);
    assert.deepEqual(chooseKey(ab, env, [ab, list[3] as EndpointConfig], 'e.json'), { key: 'sk-meant-for-one-0001', variable: 'TUNELAB_API_KEY_A_B' });
  });
});

void describe('masking what the CLI prints', () => {
  const KEY = 'sk-proj-Abc123Def456Ghi789';
  void it('masks a key, any prefix of it from 8 characters, and each secret (longest first)', () => {
    const mask = masker([KEY, 'gw-route-secret-77']);
    assert.equal(mask(`key ${KEY} sent`), 'key *** sent');
    assert.equal(mask('Incorrect API key provided: sk-proj-Abc1****************i789.'), 'Incorrect API key provided: *******************i789.');
    assert.equal(mask('sk-proj-Ab and sk-proj- and sk-pro'), '*** and *** and sk-pro');
    assert.equal(mask('header gw-route-secret-77, then gw-route-se…'), 'header ***, then ***…');
    assert.equal(mask('nothing here'), 'nothing here');
  });

  void it('masks short secrets only whole, and keys added after the masker was made', () => {
    const secrets = ['abcd'];
    const mask = masker(secrets);
    assert.equal(mask('abcd abc'), '*** abc');
    secrets.push('late-key-0123456789');
    assert.equal(mask('late-key-01'), '***');
  });
});

void describe('text from data on a terminal', () => {
  void it('escapes every control character of output as lint does, keeping its line feeds', () => {
    assert.equal(printableLines('one\u001b]0;t\u0007\ntwo\r\n\u009b2J \u202eevil\n'), 'one\\u001b]0;t\\u0007\ntwo\\r\n\\u009b2J \\u202eevil\n');
    assert.equal(printableLines('Café ✓ — data\\train.jsonl\n'), 'Café ✓ — data\\train.jsonl\n');
    assert.equal(printableLines('tab\there'), 'tab\\there');
  });
});
