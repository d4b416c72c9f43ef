import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import manifest from '../../../package.json';
import { columnsKey, parseResultsLine, questionKey, resultsLine, type ResultsRow } from '../../../src/core/promptLab/results';
import type { ColumnSpec } from '../../../src/core/protocol';
import { prepareResume } from '../../../src/host/promptLabEvalBatch';
import { OpenAIPeer, type RunningPeer } from '../../peers/openaiPeer';

const EXTENSION_ID = `${manifest.publisher}.${manifest.name}`;

function workspaceFile(...parts: string[]): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the test workspace is open');
  return vscode.Uri.joinPath(folder.uri, ...parts);
}

async function write(uri: vscode.Uri, text: string): Promise<void> {
  await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(text));
}

suite('Prompt Lab in the extension host', () => {
  const peer = new OpenAIPeer({ defaultReply: { content: 'Renew online; bring your licence.', usage: { promptTokens: 30, completionTokens: 8 } } });
  let running: RunningPeer;
  const created: vscode.Uri[] = [];

  suiteSetup(async () => {
    await vscode.extensions.getExtension(EXTENSION_ID)?.activate();
    running = await peer.start();
    await vscode.workspace.getConfiguration('tunelab').update('endpoints', [
      { id: 'peer-lab', kind: 'openai-compatible', url: `${running.url}/v1`, model: 'lab-model' },
    ], vscode.ConfigurationTarget.Global);
  });

  suiteTeardown(async () => {
    await vscode.workspace.getConfiguration('tunelab').update('endpoints', undefined, vscode.ConfigurationTarget.Global);
    await running.close();
    for (const uri of created) await vscode.workspace.fs.delete(uri, { recursive: true, useTrash: false }).then(undefined, () => undefined);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  test('Open in Prompt Lab, then Run over Eval Set: one results line per question, with the prompt file\'s system prompt and parameters', async () => {
    const prompt = workspaceFile('prompts', 'batch.tlprompt');
    const folder = workspaceFile('evals');
    created.push(prompt, folder);
    await write(prompt, '---\nendpoint: peer-lab\ntemperature: 0.2\nmax_tokens: 200\n---\nsystem:\nYou help residents with state services.\n\nuser:\nHow do I renew?\n');
    const evalSet = vscode.Uri.joinPath(folder, 'eval.jsonl');
    await write(evalSet, [
      '{"instruction": "How do I renew my driver\'s licence?", "context": "", "response": "Online at the DMV."}',
      '{"instruction": "Where do I apply for food assistance?", "context": "I live in Ohio.", "response": "At the county office."}',
      '{"instruction": "broken line", ',
      '{"instruction": "How do I register to vote?", "context": "", "response": "Online or by mail."}',
      '',
    ].join('\n'));

    await vscode.commands.executeCommand('tunelab.openInPromptLab', prompt);
    const before = peer.chatBodies.length;
    await vscode.commands.executeCommand('tunelab.runEvalSet', evalSet);

    const results = vscode.Uri.joinPath(folder, 'eval.results.jsonl');
    const lines = new TextDecoder().decode(await vscode.workspace.fs.readFile(results)).split('\n');
    assert.equal(lines.at(-1), '', 'the file ends with a newline: every line is whole');
    const rows = lines.slice(0, -1).map((l) => {
      const parsed = parseResultsLine(l);
      assert.ok(parsed.ok, parsed.ok ? '' : parsed.message);
      return parsed.row;
    });
    assert.equal(rows.length, 3, 'three questions, the broken line skipped');
    const byLine = new Map(rows.map((r) => [r.source.line, r]));
    assert.deepEqual([...byLine.keys()].sort(), [1, 2, 4]);
    const ohio = byLine.get(2);
    assert.ok(ohio);
    assert.match(ohio.question, /food assistance[\s\S]*Ohio/);
    assert.equal(ohio.reference, 'At the county office.');
    const [answer] = ohio.answers;
    assert.ok(answer);
    assert.equal(answer.endpoint, 'peer-lab');
    assert.equal(answer.text, 'Renew online; bring your licence.');
    assert.equal(answer.parameters.temperature, 0.2);
    assert.equal(answer.system, 'You help residents with state services.');
    assert.equal(answer.error, undefined);

    const sent = peer.chatBodies.slice(before);
    assert.equal(sent.length, 3);
    for (const body of sent) {
      assert.equal(body.temperature, 0.2);
      assert.equal(body.max_tokens, 200);
      assert.deepEqual((body.messages as { role: string }[]).map((m) => m.role), ['system', 'user']);
    }
  });

  test('Resume keeps a finished last answer that has no final newline, and cuts only a line a stopped run left half-written', async () => {
    const folder = workspaceFile('evals-resume');
    created.push(folder);
    await vscode.workspace.fs.createDirectory(folder);
    const columns: ColumnSpec[] = [{ endpoint: 'peer-lab', system: '', parameters: {} }];
    const rowOf = (line: number, question: string): ResultsRow => ({
      question, source: { file: 'eval.jsonl', line }, columnsKey: columnsKey(columns),
      answers: [{ column: 0, endpoint: 'peer-lab', system: '', parameters: {}, text: `answer to ${question}`, finish: 'stop' }],
    });
    const first = resultsLine(rowOf(1, 'How do I renew?'));
    const last = resultsLine(rowOf(2, 'Where do I vote?'));
    const read = async (uri: vscode.Uri): Promise<string> => new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));

    // Saved by a tool that drops the final newline: both paid answers stay, and the next row starts a line.
    const whole = vscode.Uri.joinPath(folder, 'whole.results.jsonl');
    await write(whole, `${first}\n${last}`);
    const kept = await prepareResume(whole, columns);
    assert.equal(kept.dropped, undefined);
    assert.deepEqual([...kept.done].sort(), [questionKey(0, 'How do I renew?'), questionKey(1, 'Where do I vote?')].sort());
    assert.equal(await read(whole), `${first}\n${last}\n`);

    // A run killed mid-write: only the half line goes (multi-byte text before it stays byte for byte).
    const cut = vscode.Uri.joinPath(folder, 'cut.results.jsonl');
    const accented = resultsLine(rowOf(1, 'Où est la mairie ? — café'));
    await write(cut, `${accented}\n${last.slice(0, 50)}`);
    const trimmed = await prepareResume(cut, columns);
    assert.equal(trimmed.dropped, last.slice(0, 50));
    assert.deepEqual([...trimmed.done], [questionKey(0, 'Où est la mairie ? — café')]);
    assert.equal(await read(cut), `${accented}\n`);
  });
});
