import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { repoFile } from '../harness/repoFile';
import { EndpointError } from '../../src/endpoints/types';
import { handleFailure, isCancellation, restrictedNotice, restrictedText, runCommand, type CommandEffects, type Notice } from '../../src/host/commandPolicy';

/** Effects that record what the policy did, for a workspace trusted or not. */
function recorder(trusted: boolean): CommandEffects & { readonly calls: string[]; readonly shown: Notice[] } {
  const calls: string[] = [];
  const shown: Notice[] = [];
  return {
    calls,
    shown,
    isTrusted: () => trusted,
    restricted: (notice) => { calls.push('restricted'); shown.push(notice); },
    failed: (line, notice) => { calls.push(`error ${line}`); shown.push(notice); },
    cancelled: (line) => { calls.push(`info ${line}`); },
  };
}

function cancellationError(): Error {
  // VS Code's CancellationError: name and message `Canceled`.
  const err = new Error('Canceled');
  err.name = 'Canceled';
  return err;
}

void describe('command policy: the trust gate', () => {
  void it('refuses a gated command in Restricted Mode with the usual notice, without running it', async () => {
    const effects = recorder(false);
    let ran = false;
    const result = await runCommand('tunelab.scoreRows', { trust: { to: 'score rows' } }, effects, () => { ran = true; return 1; });
    assert.equal(result, undefined);
    assert.equal(ran, false);
    assert.deepEqual(effects.calls, ['restricted']);
    assert.deepEqual(effects.shown, [{ message: 'TuneLab: this workspace is in Restricted Mode, so TuneLab makes no network calls. Trust the workspace to score rows.', buttons: [] }]);
  });

  void it('runs a gated command in a trusted workspace and passes its result back', async () => {
    const effects = recorder(true);
    assert.equal(await runCommand('tunelab.scoreRows', { trust: { to: 'score rows' } }, effects, () => Promise.resolve(42)), 42);
    assert.deepEqual(effects.calls, []);
  });

  void it('runs a command without a gate in Restricted Mode', async () => {
    const effects = recorder(false);
    assert.equal(await runCommand('tunelab.showLog', {}, effects, () => 'shown'), 'shown');
    assert.deepEqual(effects.calls, []);
  });

  void it('words the notice: a whole message and the Manage Workspace Trust button when asked', () => {
    assert.deepEqual(restrictedNotice({ message: 'TuneLab: no rows move.', manage: true }), { message: 'TuneLab: no rows move.', buttons: ['Manage Workspace Trust'] });
    assert.deepEqual(restrictedNotice({ to: 'test endpoints', manage: true }).buttons, ['Manage Workspace Trust']);
    assert.equal(restrictedText('test endpoints'), 'This workspace is in Restricted Mode, so TuneLab makes no network calls. Trust the workspace to test endpoints.');
  });
});

void describe('command policy: failures', () => {
  void it('logs a failure as an error and shows it with Show Log, after the command\'s prefix', async () => {
    const effects = recorder(true);
    const result = await runCommand<string>('tunelab.runEvalSet', { errorPrefix: 'the eval run failed: ' }, effects, () => Promise.reject(new Error('no eval set')));
    assert.equal(result, undefined);
    assert.deepEqual(effects.calls, ['error tunelab.runEvalSet: no eval set']);
    assert.deepEqual(effects.shown, [{ message: 'TuneLab: the eval run failed: no eval set', buttons: ['Show Log'] }]);
  });

  void it('reports a synchronous throw and a thrown non-Error the same way', async () => {
    const effects = recorder(true);
    await runCommand('tunelab.judgeFile', {}, effects, () => { throw new Error('There is no endpoint "x".'); });
    // eslint-disable-next-line @typescript-eslint/only-throw-error -- what a careless callee might throw
    await runCommand('tunelab.judgeFile', {}, effects, () => { throw 'plain text'; });
    assert.deepEqual(effects.shown.map((n) => n.message), ['TuneLab: There is no endpoint "x".', 'TuneLab: plain text']);
  });

  void it('shows nothing for a cancelled run: VS Code\'s CancellationError, an AbortError, a cancelled endpoint call', async () => {
    const abort = new Error('This operation was aborted');
    abort.name = 'AbortError';
    for (const err of [cancellationError(), abort, new EndpointError('cancelled', 'The request was cancelled.')]) {
      const effects = recorder(true);
      assert.equal(await runCommand<string>('tunelab.suggestSubtopics', {}, effects, () => Promise.reject(err)), undefined);
      assert.deepEqual(effects.shown, [], err.name);
      assert.deepEqual(effects.calls, ['info tunelab.suggestSubtopics: cancelled.']);
    }
  });

  void it('does not take an endpoint\'s other failures, or a plain error, for a cancellation', () => {
    assert.equal(isCancellation(new EndpointError('timeout', 'The endpoint did not answer in time.')), false);
    assert.equal(isCancellation(new Error('Canceled by the server')), false);
    assert.equal(isCancellation('AbortError'), false);
  });

  void it('reports a failure a command caught itself the same way (handleFailure)', () => {
    const effects = recorder(true);
    handleFailure('tunelab.listSageMakerEndpoints', new Error('no credentials'), 'could not list SageMaker endpoints: ', effects);
    assert.deepEqual(effects.shown, [{ message: 'TuneLab: could not list SageMaker endpoints: no credentials', buttons: ['Show Log'] }]);
  });
});

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    return e.isDirectory() ? sourceFiles(full) : e.name.endsWith('.ts') ? [full] : [];
  });
}

void describe('command table', () => {
  void it('is the only place in src/ that calls vscode.commands.registerCommand', () => {
    const root = path.resolve(repoFile('src/host/commandTable.ts'), '../../..');
    const direct = sourceFiles(path.join(root, 'src'))
      .filter((f) => /vscode\.commands\.registerCommand\(/.test(readFileSync(f, 'utf8')))
      .map((f) => path.relative(root, f).replace(/\\/g, '/'));
    assert.deepEqual(direct, ['src/host/commandTable.ts']);
  });
});
