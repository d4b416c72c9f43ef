import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import manifest from '../../../package.json';
import { OpenAIPeer, type RunningPeer } from '../../peers/openaiPeer';

const EXTENSION_ID = `${manifest.publisher}.${manifest.name}`;

type TestResult = { ok: true; text: string; latencyMs: number } | { ok: false; kind: string; message: string };

async function testEndpoint(id: string): Promise<TestResult | undefined> {
  return vscode.commands.executeCommand<TestResult | undefined>('tunelab.testEndpoint', id, { quiet: true });
}

async function until<T>(what: string, probe: () => T | undefined, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

suite('Endpoints in the extension host', () => {
  const peer = new OpenAIPeer({ models: ['test-model'] });
  let running: RunningPeer;

  suiteSetup(async () => {
    await vscode.extensions.getExtension(EXTENSION_ID)?.activate();
    running = await peer.start();
    const config = vscode.workspace.getConfiguration('tunelab');
    await config.update('endpoints', [{ id: 'peer', kind: 'openai-compatible', url: `${running.url}/v1`, model: 'test-model' }], vscode.ConfigurationTarget.Global);
  });

  suiteTeardown(async () => {
    await vscode.workspace.getConfiguration('tunelab').update('endpoints', undefined, vscode.ConfigurationTarget.Global);
    await running.close();
  });

  test('Test Endpoint sends a tiny request to an OpenAI-compatible server and reports its answer', async () => {
    peer.reply({ content: 'ready', usage: { promptTokens: 9, completionTokens: 1 } });
    const result = await testEndpoint('peer');
    assert.ok(result?.ok, JSON.stringify(result));
    assert.equal(result.text, 'ready');
    const request = await until('the request at the peer', () => peer.chatBodies.at(-1));
    assert.equal((request as { model?: unknown }).model, 'test-model');
  });

  test('a server error comes back in plain words, as the typed error kind', async () => {
    peer.reply({ status: 500, error: { message: 'the GPU fell over', type: 'server_error' } });
    const result = await testEndpoint('peer');
    assert.ok(result !== undefined && !result.ok, JSON.stringify(result));
    assert.equal(result.kind, 'server');
    assert.match(result.message, /peer/);
  });

  test('an unknown endpoint id gets no request', async () => {
    const before = peer.requests.length;
    assert.equal(await testEndpoint('nope'), undefined);
    assert.equal(peer.requests.length, before);
  });

  test('the endpoints setting cannot be set by a workspace (it could send a key to another host)', async () => {
    await assert.rejects(
      Promise.resolve(vscode.workspace.getConfiguration('tunelab').update('endpoints', [{ id: 'evil', kind: 'openai', model: 'x', url: 'http://attacker.invalid/v1' }], vscode.ConfigurationTarget.Workspace)),
    );
  });
});
