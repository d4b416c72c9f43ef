import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import manifest from '../../../package.json';
import { readScoreCache, rowKey, SCORE_RUBRIC, scoreRowsOf } from '../../../src/core/judge/score';
import { readEvalSet } from '../../../src/core/promptLab/evalSet';
import { OpenAIPeer, type PeerReply, type RunningPeer } from '../../peers/openaiPeer';

const EXTENSION_ID = `${manifest.publisher}.${manifest.name}`;

function workspaceFile(...parts: string[]): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the test workspace is open');
  return vscode.Uri.joinPath(folder.uri, ...parts);
}

async function write(uri: vscode.Uri, text: string): Promise<void> {
  await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(text));
}

async function readText(uri: vscode.Uri): Promise<string> {
  return new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
}

async function until<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A judge that sees quality: an answer marked "[bad]" gets 2, any other 8. */
function scoreByContent(body: Record<string, unknown>): PeerReply {
  const messages = Array.isArray(body['messages']) ? body['messages'] as { role?: unknown; content?: unknown }[] : [];
  const user = messages.find((m) => m.role === 'user')?.content;
  const text = typeof user === 'string' ? user : '';
  const from = text.indexOf('[The Start of the Answer]');
  const to = text.indexOf('[The End of the Answer]');
  const answer = from < 0 || to < 0 ? '' : text.slice(from, to);
  return { content: answer.includes('[bad]') ? 'The answer is wrong and unhelpful.\n\n[[2]]' : 'Correct, clear and concrete.\n\n[[8]]' };
}

/** JumpStart instruction rows; the odd spacing and the accent check that kept rows stay byte for byte. */
const ROWS = [
  '{"instruction": "How do I renew my driver\'s licence?", "context": "", "response": "Renew online at the DMV with your licence number."}',
  '{"instruction": "What does a passport cost?", "context": "", "response": "[bad] Passports are free for everyone."}',
  '{"instruction":"Where do I register to vote?",   "context":"", "response":"Online, or at the county election office (café hours 9–5)."}',
  '{"instruction": "How do I get a fishing licence?", "context": "", "response": "[bad] You never need one."}',
  '{"instruction": "Can I renew my ID by mail?", "context": "", "response": "[bad] No state allows that."}',
  '{"instruction": "How do I apply for food assistance?", "context": "I live in Ohio.", "response": "Apply at benefits.ohio.gov or at your county office."}',
  '{"instruction": "How long does a birth certificate take?", "context": "", "response": "About two weeks by mail, or the same day in person."}',
];
const BAD = new Set([1, 3, 4]);

suite('Pointwise curation in the extension host', () => {
  const peer = new OpenAIPeer({ responder: scoreByContent });
  let running: RunningPeer;
  const folder = workspaceFile('curation');
  // Rejected rows go outside the dataset's folder, which JumpStart would train on whole.
  const rejectedFolder = workspaceFile('.tunelab', 'rejected', 'curation');

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
    await vscode.workspace.fs.delete(rejectedFolder, { recursive: true, useTrash: false }).then(undefined, () => undefined);
  });

  test('Score Rows writes the sidecar; Move Rows Below Score moves the low rows as one undoable edit', async () => {
    const dataset = vscode.Uri.joinPath(folder, 'train.jsonl');
    const original = `${ROWS.join('\n')}\n`;
    await write(dataset, original);
    const document = await vscode.workspace.openTextDocument(dataset);
    await vscode.window.showTextDocument(document);
    assert.equal(document.languageId, 'jsonl');

    const before = peer.chatBodies.length;
    await vscode.commands.executeCommand('tunelab.scoreRows', { endpoint: 'peer-judge' });

    // The sidecar: one score per row, keyed by the judge and the built-in rubric.
    const sidecar = vscode.Uri.joinPath(folder, '.tunelab', 'train.jsonl.scores.json');
    const cache = readScoreCache(await readText(sidecar));
    assert.equal(cache.problem, undefined);
    assert.ok(cache.setup !== undefined, 'the sidecar names the judge and rubric');
    assert.equal(cache.setup.judge, 'peer-judge/judge-model');
    assert.equal(cache.setup.endpoint, 'peer-judge');
    assert.equal(cache.setup.rubric, SCORE_RUBRIC);
    const { rows } = scoreRowsOf(readEvalSet(original, {}).items);
    assert.equal(rows.length, ROWS.length);
    for (const row of rows) {
      assert.equal(cache.scores.get(rowKey(row, cache.setup))?.score, BAD.has(row.line) ? 2 : 8, `row ${row.line + 1}`);
    }
    const sent = peer.chatBodies.slice(before);
    assert.equal(sent.length, ROWS.length, 'one request per row');
    assert.ok(sent.every((b) => b.temperature === 0 && b.max_tokens === 1000));

    // A second run asks nothing: every row is in the cache.
    await vscode.commands.executeCommand('tunelab.scoreRows', { endpoint: 'peer-judge' });
    assert.equal(peer.chatBodies.length, before + ROWS.length);

    await vscode.window.showTextDocument(document);
    await vscode.commands.executeCommand('tunelab.moveRowsBelowScore', { threshold: 5, confirm: false });

    const kept = `${ROWS.filter((_, i) => !BAD.has(i)).join('\n')}\n`;
    const removed = `${ROWS.filter((_, i) => BAD.has(i)).join('\n')}\n`;
    assert.equal(document.getText(), kept, 'the kept rows, byte for byte');
    const rejected = vscode.Uri.joinPath(rejectedFolder, 'train.rejected.jsonl');
    await assert.rejects(Promise.resolve(vscode.workspace.fs.stat(vscode.Uri.joinPath(folder, 'train.rejected.jsonl'))), 'nothing is written beside the dataset');
    const rejectedDocument = await vscode.workspace.openTextDocument(rejected);
    assert.equal(rejectedDocument.getText(), removed);
    // Both files were saved, so the disk has each row exactly once.
    assert.equal(await readText(dataset), kept);
    assert.equal(await readText(rejected), removed);

    // One undo in the dataset's editor puts the rows back.
    await vscode.window.showTextDocument(document);
    await vscode.commands.executeCommand('undo');
    await until('the undo to restore the dataset', () => (document.getText() === original ? true : undefined), 5_000);
    assert.equal(document.getText(), original);

    // Saved, so closing the editors asks nothing.
    await document.save();
    if (!rejectedDocument.isClosed && rejectedDocument.isDirty) await rejectedDocument.save();
  });

  test('an old rejected file beside the dataset moves out with the next rows, none lost or doubled, and is never linted', async () => {
    const dataset = vscode.Uri.joinPath(folder, 'old.jsonl');
    const legacy = vscode.Uri.joinPath(folder, 'old.rejected.jsonl');
    const rejected = vscode.Uri.joinPath(rejectedFolder, 'old.rejected.jsonl');
    // Two rows an earlier version rejected (one of them broken JSON, which a dataset would be flagged for), one already moved.
    const earlier = ['{"instruction": "Old one", "context": "", "response": "[bad] old"}', '{"instruction": "broken'];
    await write(legacy, `${earlier.join('\n')}\n`);
    await vscode.workspace.fs.createDirectory(rejectedFolder);
    await write(rejected, '{"instruction": "Already out", "context": "", "response": "[bad] out"}');
    await write(dataset, `${ROWS.join('\n')}\n`);

    const legacyDocument = await vscode.workspace.openTextDocument(legacy);
    const document = await vscode.workspace.openTextDocument(dataset);
    await vscode.window.showTextDocument(document);
    // The dataset is linted (its rows have no errors, but a broken line added to it would be), the rejected file never.
    const edit = new vscode.WorkspaceEdit();
    edit.insert(dataset, new vscode.Position(ROWS.length, 0), '{"instruction": "broken\n');
    assert.ok(await vscode.workspace.applyEdit(edit));
    await until('the dataset to be linted', () => (vscode.languages.getDiagnostics(dataset).some((d) => d.source === 'TuneLab') ? true : undefined));
    assert.deepEqual(vscode.languages.getDiagnostics(legacy).filter((d) => d.source === 'TuneLab'), [], 'the old rejected file is not linted');
    await vscode.commands.executeCommand('undo');
    await until('the undo', () => (document.getText() === `${ROWS.join('\n')}\n` ? true : undefined));
    await document.save();
    assert.equal(legacyDocument.isDirty, false);

    await vscode.commands.executeCommand('tunelab.scoreRows', { endpoint: 'peer-judge', uri: dataset });
    await vscode.commands.executeCommand('tunelab.moveRowsBelowScore', { uri: dataset, threshold: 5, confirm: false });

    await assert.rejects(Promise.resolve(vscode.workspace.fs.stat(legacy)), 'the old file is gone');
    const expected = [
      '{"instruction": "Already out", "context": "", "response": "[bad] out"}',
      ...earlier,
      ...ROWS.filter((_, i) => BAD.has(i)),
    ];
    assert.equal(await readText(rejected), `${expected.join('\n')}\n`);
    assert.equal(await readText(dataset), `${ROWS.filter((_, i) => !BAD.has(i)).join('\n')}\n`);
    const rejectedDocument = await vscode.workspace.openTextDocument(rejected);
    assert.deepEqual(vscode.languages.getDiagnostics(rejected).filter((d) => d.source === 'TuneLab'), [], 'the rejected file is not linted');
    if (rejectedDocument.isDirty) await rejectedDocument.save();
  });

  test('a scores file with merge conflict markers is never overwritten, and Score Rows stops before asking anything', async () => {
    const dataset = vscode.Uri.joinPath(folder, 'conflicted.jsonl');
    const original = `${ROWS.join('\n')}\n`;
    await write(dataset, original);
    const sidecar = vscode.Uri.joinPath(folder, '.tunelab', 'conflicted.jsonl.scores.json');
    await vscode.workspace.fs.createDirectory(vscode.Uri.joinPath(folder, '.tunelab'));
    const conflicted = '<<<<<<< HEAD\n{\n "version": 1,\n "scores": {}\n}\n=======\n{\n "version": 1,\n "scores": {}\n}\n>>>>>>> theirs\n';
    await write(sidecar, conflicted);
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(dataset));

    const before = peer.chatBodies.length;
    await vscode.commands.executeCommand('tunelab.scoreRows', { endpoint: 'peer-judge', uri: dataset });
    assert.equal(peer.chatBodies.length, before, 'nothing is asked (or paid for) while the scores cannot be saved');
    assert.equal(await readText(sidecar), conflicted, 'the conflicted file is left byte for byte');
    await vscode.commands.executeCommand('tunelab.moveRowsBelowScore', { uri: dataset, threshold: 5, confirm: false });
    assert.equal(await readText(dataset), original, 'no rows move on scores that cannot be read');

    // Resolved (here: deleted), scoring runs and writes a fresh file.
    await vscode.workspace.fs.delete(sidecar);
    await vscode.commands.executeCommand('tunelab.scoreRows', { endpoint: 'peer-judge', uri: dataset });
    assert.equal(peer.chatBodies.length, before + ROWS.length);
    assert.equal(readScoreCache(await readText(sidecar)).scores.size, ROWS.length);
  });

  test('Move Rows Below Score writes the rejected file first: when it cannot be written, no row leaves the dataset', async () => {
    const dataset = vscode.Uri.joinPath(folder, 'guarded.jsonl');
    const original = `${ROWS.join('\n')}\n`;
    await write(dataset, original);
    const rejected = vscode.Uri.joinPath(rejectedFolder, 'guarded.rejected.jsonl');
    const earlier = '{"instruction": "Rejected before", "context": "", "response": "[bad] old"}\n';
    await vscode.workspace.fs.createDirectory(rejectedFolder);
    await write(rejected, earlier);
    await vscode.commands.executeCommand('tunelab.scoreRows', { endpoint: 'peer-judge', uri: dataset });

    // The rejected file is open with an edit not yet saved: it cannot be written without saving that edit too.
    const rejectedDocument = await vscode.workspace.openTextDocument(rejected);
    const note = new vscode.WorkspaceEdit();
    note.insert(rejected, new vscode.Position(0, 0), '{"note": "typed, not saved"}\n');
    assert.ok(await vscode.workspace.applyEdit(note));
    assert.ok(rejectedDocument.isDirty);

    const document = await vscode.workspace.openTextDocument(dataset);
    await vscode.commands.executeCommand('tunelab.moveRowsBelowScore', { uri: dataset, threshold: 5, confirm: false });
    // Before: the dataset was saved without the rows and the rejected file never was, so on disk they were in neither.
    assert.equal(await readText(dataset), original, 'every row is still in the dataset on disk');
    assert.equal(document.getText(), original, 'and in the editor');
    assert.equal(await readText(rejected), earlier, 'the rejected file on disk is as it was');
    assert.ok(rejectedDocument.getText().startsWith('{"note": "typed, not saved"}'), "the user's unsaved edit is kept");

    // Once that edit is saved, the move goes through: the rows are on disk in the rejected file, then gone from the dataset.
    assert.ok(await rejectedDocument.save());
    await vscode.commands.executeCommand('tunelab.moveRowsBelowScore', { uri: dataset, threshold: 5, confirm: false });
    assert.equal(await readText(rejected), `{"note": "typed, not saved"}\n${earlier}${ROWS.filter((_, i) => BAD.has(i)).join('\n')}\n`);
    assert.equal(await readText(dataset), `${ROWS.filter((_, i) => !BAD.has(i)).join('\n')}\n`);
  });
});
