import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import * as vscode from 'vscode';
import manifest from '../../../package.json';
import type { TuneLabApi } from '../../../src/extension';

const EXTENSION_ID = `${manifest.publisher}.${manifest.name}`;

/** The bundles a lazy feature lives in (scripts/editorBundles.mjs): none is evaluated at activation. */
const LAZY_BUNDLES = ['endpoints.js', 'tokenizers.js', 'judge.js', 'curation.js', 'promptLab.js', 'generation.js', 'promptFiles.js'];

function isApi(value: unknown): value is TuneLabApi {
  if (typeof value !== 'object' || value === null) return false;
  const { activation, loadedBundles } = value as Partial<Record<keyof TuneLabApi, unknown>>;
  return typeof activation === 'object' && activation !== null && typeof loadedBundles === 'function';
}

async function api(): Promise<TuneLabApi> {
  const ext = vscode.extensions.getExtension(EXTENSION_ID);
  assert.ok(ext, `${EXTENSION_ID} is not installed in this extension host`);
  const exports: unknown = await ext.activate();
  assert.ok(isApi(exports), 'activate() returns the activation record and loadedBundles()');
  return exports;
}

// Named so mocha runs it first (index.ts sorts the files): the other suites load features.
suite('Activation in the extension host', () => {
  test('evaluates dist/extension.js only, and records how long it took', async () => {
    const { activation } = await api();
    assert.ok(Number.isFinite(activation.ms) && activation.ms > 0, `activation took ${String(activation.ms)} ms`);
    assert.deepEqual(activation.bundles, ['extension.js'], `bundles evaluated at activation: ${activation.bundles.join(', ')}`);
    for (const lazy of LAZY_BUNDLES) assert.ok(!activation.bundles.includes(lazy), `${lazy} was evaluated at activation`);
    // The figure for the README and bench/activation.bench.ts, beside the suite's results.
    assert.ok(activation.evaluateMs > 0 && activation.activateMs > 0 && activation.hostMs >= 0, JSON.stringify(activation));
    assert.ok(Math.abs(activation.evaluateMs + activation.activateMs - activation.ms) < 0.001, JSON.stringify(activation));
    const record = { ms: activation.ms, evaluateMs: activation.evaluateMs, activateMs: activation.activateMs, hostMs: activation.hostMs, bundles: activation.bundles, vscode: vscode.version, at: new Date().toISOString() };
    console.log(`TuneLab activation in the extension host: ${activation.ms.toFixed(1)} ms, ${activation.evaluateMs.toFixed(1)} ms evaluating and ${activation.activateMs.toFixed(1)} ms in activate() (${activation.bundles.join(', ')})`);
    const results = process.env.TUNELAB_TEST_RESULTS;
    if (results) writeFileSync(join(dirname(results), 'activation.json'), `${JSON.stringify(record, null, 2)}\n`);
  });

  test('a lazy feature loads on the first run of one of its commands, which then works', async () => {
    const tunelab = await api();
    const before = tunelab.loadedBundles();
    assert.ok(!before.includes('judge.js'), `the judge is loaded before any use: ${before.join(', ')}`);
    // Refresh Judge Runs is harmless: the stand-in loads the judge and hands the call on.
    await vscode.commands.executeCommand('tunelab.refreshJudgeRuns');
    assert.ok(tunelab.loadedBundles().includes('judge.js'), `after Refresh Judge Runs: ${tunelab.loadedBundles().join(', ')}`);
    // The real command is registered in the stand-in's place, and runs again.
    assert.ok((await vscode.commands.getCommands(true)).includes('tunelab.refreshJudgeRuns'));
    await vscode.commands.executeCommand('tunelab.refreshJudgeRuns');
  });
});
