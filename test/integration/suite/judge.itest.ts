import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import manifest from '../../../package.json';
import { readVerdictCache, verdictKey, writeVerdictCache, type CachedVerdict, type JudgeSetup } from '../../../src/core/judge/cache';
import { LEAGUE_RUBRIC } from '../../../src/core/judge/prompts';
import { judgeResponder } from '../../peers/judgeResponder';
import { OpenAIPeer, type RunningPeer } from '../../peers/openaiPeer';

const EXTENSION_ID = `${manifest.publisher}.${manifest.name}`;

function workspaceFile(...parts: string[]): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the test workspace is open');
  return vscode.Uri.joinPath(folder.uri, ...parts);
}

function row(question: string, candidate: string, baseline: string): string {
  const answer = (column: number, endpoint: string, text: string): Record<string, unknown> => ({ column, endpoint, system: '', parameters: {}, text, finish: 'stop' });
  return JSON.stringify({ question, source: { file: 'eval.jsonl', line: 1 }, columnsKey: '0123456789abcdef', answers: [answer(0, 'tuned', candidate), answer(1, 'base', baseline)] });
}

async function lensTitles(uri: vscode.Uri): Promise<string[]> {
  const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri);
  return lenses.map((l) => l.command?.title ?? '');
}

async function waitFor<T>(what: string, get: () => Promise<T>, ok: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + 10_000;
  let value = await get();
  while (!ok(value)) {
    assert.ok(Date.now() < deadline, `${what}: still ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 100));
    value = await get();
  }
  return value;
}

suite('The judge in the extension host', () => {
  // A judge that sees quality: the answer marked [good] wins, a tie when both or neither are.
  const peer = new OpenAIPeer({ responder: judgeResponder('marked') });
  let running: RunningPeer;
  const folder = workspaceFile('judged');

  suiteSetup(async () => {
    await vscode.extensions.getExtension(EXTENSION_ID)?.activate();
    running = await peer.start();
    await vscode.workspace.getConfiguration('tunelab').update('endpoints', [
      { id: 'peer-judge', kind: 'openai-compatible', url: `${running.url}/v1`, model: 'judge-model' },
    ], vscode.ConfigurationTarget.Global);
  });

  suiteTeardown(async () => {
    await vscode.workspace.getConfiguration('tunelab').update('endpoints', undefined, vscode.ConfigurationTarget.Global);
    await running.close();
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.workspace.fs.delete(folder, { recursive: true, useTrash: false }).then(undefined, () => undefined);
  });

  test('Judge This File: a CodeLens with the win rate, the verdicts in the sidecar, and an edited answer judged again alone', async () => {
    const results = vscode.Uri.joinPath(folder, 'eval.results.jsonl');
    await vscode.workspace.fs.writeFile(results, new TextEncoder().encode(`${[
      row('How do I renew my licence?', '[good] Online at the DMV with your old licence.', 'Go somewhere.'),
      row('Where do I apply for SNAP?', '[good] At the county office or online.', 'Not sure.'),
      row('How do I register to vote?', 'Online.', 'Online.'),
      row('When is my tax refund coming?', 'Soon.', '[good] Usually within 21 days of e-filing.'),
    ].join('\n')}\n`));
    const document = await vscode.workspace.openTextDocument(results);
    const editor = await vscode.window.showTextDocument(document);

    const start = await waitFor('the CodeLens before judging', () => lensTitles(results), (t) => t.length > 0);
    assert.deepEqual(start, ['$(law) Judge 4 question(s): tuned (A) vs base (B)']);

    await vscode.commands.executeCommand('tunelab.judgeFile', results, { endpoint: 'peer-judge' });
    assert.equal(peer.chatBodies.length, 8, 'each question in both orders');
    const titles = await lensTitles(results);
    assert.match(titles[0] ?? '', /^W 2 · T 1 · L 1 — wins 50% \(\d+–\d+%\) · adjusted 63% \(\d+–\d+%\)$/);
    assert.ok(titles.includes('Re-run…'));

    const sidecar = vscode.Uri.joinPath(folder, '.tunelab', 'eval.results.jsonl.verdicts.json');
    const read = readVerdictCache(new TextDecoder().decode(await vscode.workspace.fs.readFile(sidecar)));
    assert.equal(read.problem, undefined);
    // Seven keys: the third question's two answers are the same text, so its two orders are one key.
    assert.equal(read.verdicts.size, 7);
    assert.deepEqual([read.setup?.judge, read.setup?.rubricName, read.setup?.candidate, read.setup?.baseline], ['peer-judge/judge-model', 'league', 0, 1]);
    assert.equal(read.runs.length, 1);
    assert.deepEqual([read.runs[0]?.wins, read.runs[0]?.ties, read.runs[0]?.losses, read.runs[0]?.winRate, read.runs[0]?.adjustedWinRate], [2, 1, 1, 0.5, 0.625]);

    // Editing the tie's candidate answer takes its verdict away; the next run asks only about it.
    const line = document.lineAt(2);
    await editor.edit((b) => { b.replace(line.range, row('How do I register to vote?', '[good] Online at vote.gov in a few minutes.', 'Online.')); });
    await waitFor('the CodeLens after the edit', () => lensTitles(results), (t) => t.includes('Run (1 not judged)'));
    await vscode.commands.executeCommand('tunelab.judgeFile', results);
    assert.equal(peer.chatBodies.length, 10, 'only the edited question was judged again');
    const after = await lensTitles(results);
    assert.match(after[0] ?? '', /^W 3 · T 0 · L 1 — wins 75% \(\d+–\d+%\) · adjusted 75%/);

    // Undo brings the old answer back, and its cached verdict with it: nothing to judge.
    await vscode.commands.executeCommand('undo');
    const undone = await waitFor('the CodeLens after undo', () => lensTitles(results), (t) => /^W 2 · T 1 · L 1/.test(t[0] ?? ''));
    assert.ok(!undone.some((t) => t.startsWith('Run (')));
    await vscode.commands.executeCommand('workbench.action.files.revert');
  });

  test('Judge Selection judges only the selected lines', async () => {
    const results = vscode.Uri.joinPath(folder, 'selection.results.jsonl');
    await vscode.workspace.fs.writeFile(results, new TextEncoder().encode(`${[
      row('Q one?', '[good] a', 'b'),
      row('Q two?', 'a', '[good] b'),
      row('Q three?', '[good] a', 'b'),
    ].join('\n')}\n`));
    const editor = await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(results));
    editor.selections = [new vscode.Selection(1, 0, 1, 3)];
    const before = peer.chatBodies.length;
    await vscode.commands.executeCommand('tunelab.judgeSelection', results, { endpoint: 'peer-judge' });
    assert.equal(peer.chatBodies.length - before, 2);
    const titles = await lensTitles(results);
    assert.match(titles[0] ?? '', /^W 0 · T 0 · L 1 — wins 0% \(0–0%\) · adjusted 0%/);
    assert.ok(titles.includes('Run (2 not judged)'));
  });

  /** A sidecar holding a verdict in both orders for each question, under `setup`. */
  function sidecarFor(questions: readonly [string, string, string][], setup: JudgeSetup): string {
    const verdicts = new Map<string, CachedVerdict>();
    for (const [question, a, b] of questions) {
      verdicts.set(verdictKey({ question, answerA: a, answerB: b, judge: setup.judge, rubric: setup.rubric }), { verdict: 'A', reasoning: 'cached' });
      verdicts.set(verdictKey({ question, answerA: b, answerB: a, judge: setup.judge, rubric: setup.rubric }), { verdict: 'B', reasoning: 'cached' });
    }
    return writeVerdictCache(verdicts, { setup });
  }

  test('Judge This File with an endpoint re-pointed at another model asks the new model, not the old verdicts', async () => {
    const questions: [string, string, string][] = [['Re-pointed one?', '[good] a', 'b'], ['Re-pointed two?', 'a', '[good] b']];
    const results = vscode.Uri.joinPath(folder, 'repointed.results.jsonl');
    await vscode.workspace.fs.writeFile(results, new TextEncoder().encode(`${questions.map(([q, a, b]) => row(q, a, b)).join('\n')}\n`));
    // The last run was judged when "peer-judge" pointed at old-model; it points at judge-model now.
    const old: JudgeSetup = { judge: 'peer-judge/old-model', endpoint: 'peer-judge', rubricName: 'league', rubric: LEAGUE_RUBRIC, candidate: 0, baseline: 1 };
    const sidecar = vscode.Uri.joinPath(folder, '.tunelab', 'repointed.results.jsonl.verdicts.json');
    await vscode.workspace.fs.writeFile(sidecar, new TextEncoder().encode(sidecarFor(questions, old)));
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(results));
    // With the old model's verdicts taken as the current judge's, the lens would show their win rate instead.
    await waitFor('the CodeLens: nothing judged by the current judge', () => lensTitles(results), (t) => t.some((x) => x.startsWith('$(law) Judge 2 question(s)')));
    const before = peer.chatBodies.length;
    await vscode.commands.executeCommand('tunelab.judgeFile', results);
    assert.equal(peer.chatBodies.length - before, 4, 'both questions in both orders, asked of the model the endpoint names now');
    const read = readVerdictCache(new TextDecoder().decode(await vscode.workspace.fs.readFile(sidecar)));
    assert.equal(read.setup?.judge, 'peer-judge/judge-model');
    assert.equal(read.verdicts.size, 8, 'the old model\'s verdicts stay in the file under their own key');
  });

  test('a rubric name in the sidecar that leads out of the workspace is refused, and nothing is read or asked', async () => {
    const results = vscode.Uri.joinPath(folder, 'outside.results.jsonl');
    await vscode.workspace.fs.writeFile(results, new TextEncoder().encode(`${row('Outside?', '[good] a', 'b')}\n`));
    // A usable rubric just outside the workspace folder, named from the sidecar with "..".
    const root = vscode.workspace.workspaceFolders?.[0]?.uri;
    assert.ok(root);
    const outside = vscode.Uri.joinPath(root, '..', 'tunelab-outside-rubric.tlprompt');
    await vscode.workspace.fs.writeFile(outside, new TextEncoder().encode(LEAGUE_RUBRIC));
    const sidecar = vscode.Uri.joinPath(folder, '.tunelab', 'outside.results.jsonl.verdicts.json');
    const setup: JudgeSetup = { judge: 'peer-judge/judge-model', endpoint: 'peer-judge', rubricName: '../tunelab-outside-rubric.tlprompt', rubric: 'x', candidate: 0, baseline: 1 };
    const text = writeVerdictCache(new Map(), { setup });
    await vscode.workspace.fs.writeFile(sidecar, new TextEncoder().encode(text));
    try {
      await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(results));
      const before = peer.chatBodies.length;
      await vscode.commands.executeCommand('tunelab.judgeFile', results);
      assert.equal(peer.chatBodies.length, before, 'no request: the rubric was refused before it was read');
      assert.equal(new TextDecoder().decode(await vscode.workspace.fs.readFile(sidecar)), text);
    } finally {
      await vscode.workspace.fs.delete(outside).then(undefined, () => undefined);
    }
  });

  test('a verdicts sidecar that gets merge conflict markers while the judge runs is left as it is', async () => {
    const results = vscode.Uri.joinPath(folder, 'merged.results.jsonl');
    await vscode.workspace.fs.writeFile(results, new TextEncoder().encode(`${Array.from({ length: 20 }, (_, i) => row(`Merged ${i}?`, `[good] answer ${i}`, `meh ${i}`)).join('\n')}\n`));
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(results));
    const slow = new OpenAIPeer({ responder: judgeResponder('marked'), latencyMs: 100 });
    const slowRunning = await slow.start();
    const sidecar = vscode.Uri.joinPath(folder, '.tunelab', 'merged.results.jsonl.verdicts.json');
    const conflicted = '{\n<<<<<<< HEAD\n "version": 1,\n=======\n "version": 1, "runs": [],\n>>>>>>> theirs\n "verdicts": {}\n}\n';
    try {
      await vscode.workspace.getConfiguration('tunelab').update('endpoints', [
        { id: 'peer-judge', kind: 'openai-compatible', url: `${running.url}/v1`, model: 'judge-model' },
        { id: 'slow-judge', kind: 'openai-compatible', url: `${slowRunning.url}/v1`, model: 'judge-model', rateLimits: { maxConcurrent: 1 } },
      ], vscode.ConfigurationTarget.Global);
      const judging = vscode.commands.executeCommand('tunelab.judgeFile', results, { endpoint: 'slow-judge' });
      await waitFor('some verdicts', () => Promise.resolve(slow.chatBodies.length), (n) => n >= 2);
      await vscode.workspace.fs.writeFile(sidecar, new TextEncoder().encode(conflicted));
      await judging;
      assert.equal(slow.chatBodies.length, 40, 'the run finished');
      assert.equal(new TextDecoder().decode(await vscode.workspace.fs.readFile(sidecar)), conflicted);
    } finally {
      await slowRunning.close();
    }
  });

  test('Cancel stops a run midway; the verdicts judged so far are kept', async () => {
    const results = vscode.Uri.joinPath(folder, 'slow.results.jsonl');
    await vscode.workspace.fs.writeFile(results, new TextEncoder().encode(`${Array.from({ length: 40 }, (_, i) => row(`Question ${i}?`, `[good] answer ${i}`, `meh ${i}`)).join('\n')}\n`));
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(results));
    const slow = new OpenAIPeer({ responder: judgeResponder('marked'), latencyMs: 150 });
    const slowRunning = await slow.start();
    try {
      await vscode.workspace.getConfiguration('tunelab').update('endpoints', [
        { id: 'peer-judge', kind: 'openai-compatible', url: `${running.url}/v1`, model: 'judge-model' },
        { id: 'slow-judge', kind: 'openai-compatible', url: `${slowRunning.url}/v1`, model: 'judge-model', rateLimits: { maxConcurrent: 2 } },
      ], vscode.ConfigurationTarget.Global);
      const judging = vscode.commands.executeCommand('tunelab.judgeFile', results, { endpoint: 'slow-judge' });
      await waitFor('some verdicts', () => Promise.resolve(slow.chatBodies.length), (n) => n >= 4);
      await vscode.commands.executeCommand('tunelab.judgeCancel', results);
      await judging;
      const titles = await lensTitles(results);
      const judged = /^W (\d+) · T 0 · L 0/.exec(titles[0] ?? '');
      assert.ok(judged, titles.join(' | '));
      const n = Number(judged[1]);
      assert.ok(n >= 1 && n < 40, `cancel kept ${n} of 40`);
      assert.ok(titles.includes(`Run (${40 - n} not judged)`), titles.join(' | '));
    } finally {
      await slowRunning.close();
    }
  });
});
