import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import manifest from '../../../package.json';
import { parseResultsLine } from '../../../src/core/promptLab/results';
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
});
