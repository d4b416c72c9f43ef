import assert from 'node:assert/strict';
import * as vscode from 'vscode';

function workspaceFile(...parts: string[]): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the test workspace is open');
  return vscode.Uri.joinPath(folder.uri, ...parts);
}

async function diagnosticsOf(uri: vscode.Uri, count: number): Promise<vscode.Diagnostic[]> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const found = vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'TuneLab');
    if (found.length === count) return found;
    assert.ok(Date.now() < deadline, `expected ${count} TuneLab diagnostics, have: ${found.map((d) => d.message).join(' | ')}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

suite('TuneLab prompt files', () => {
  teardown(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  test('the sample prompt file opens as a TuneLab Prompt, with no problems', async () => {
    const document = await vscode.workspace.openTextDocument(workspaceFile('prompts', 'public-services.tlprompt'));
    await vscode.window.showTextDocument(document);
    assert.equal(document.languageId, 'tlprompt');
    await new Promise((r) => setTimeout(r, 500));
    await diagnosticsOf(document.uri, 0);
  });

  test('an unknown front-matter key and a bad value are marked where they are', async () => {
    const uri = workspaceFile('prompts', 'draft.tlprompt');
    await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode('---\ntemprature: 0.7\ntop_p: 3\n---\nsystem:\nBe kind.\nuser:\n{{question}}\n'));
    try {
      const document = await vscode.workspace.openTextDocument(uri);
      await vscode.window.showTextDocument(document);
      const found = await diagnosticsOf(uri, 2);
      assert.deepEqual(found.map((d) => [d.range.start.line, d.severity]).sort(), [[1, vscode.DiagnosticSeverity.Warning], [2, vscode.DiagnosticSeverity.Error]]);
      assert.ok(found.some((d) => /Unknown key "temprature"/.test(d.message)));
    } finally {
      await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
      await vscode.workspace.fs.delete(uri);
    }
  });
});
