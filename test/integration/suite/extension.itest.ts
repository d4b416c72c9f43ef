import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import manifest from '../../../package.json';

const EXTENSION_ID = `${manifest.publisher}.${manifest.name}`;

async function activeExtension(): Promise<vscode.Extension<unknown>> {
  const ext = vscode.extensions.getExtension(EXTENSION_ID);
  assert.ok(ext, `${EXTENSION_ID} is not installed in this extension host`);
  await ext.activate();
  return ext;
}

function workspaceFile(...parts: string[]): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the test workspace is open');
  return vscode.Uri.joinPath(folder.uri, ...parts);
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

suite('TuneLab in the extension host', () => {
  teardown(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  test('opening a JSONL dataset activates TuneLab', async () => {
    const doc = await vscode.workspace.openTextDocument(workspaceFile('train.jsonl'));
    await vscode.window.showTextDocument(doc);
    assert.equal(doc.languageId, 'jsonl');
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext);
    await until('TuneLab to activate', () => (ext.isActive ? true : undefined));
  });

  test('every contributed command is registered', async () => {
    await activeExtension();
    const registered = new Set(await vscode.commands.getCommands(true));
    const contributed = manifest.contributes.commands.map((c) => c.command);
    assert.ok(contributed.length > 0);
    const missing = contributed.filter((id) => !registered.has(id));
    assert.deepEqual(missing, [], `contributed but not registered: ${missing.join(', ')}`);
  });

  test('the TuneLab container and its views open', async () => {
    await activeExtension();
    await vscode.commands.executeCommand('workbench.view.extension.tunelab');
    // Each contributed view gets a `<id>.focus` command; running it fails if the view does not exist.
    for (const view of manifest.contributes.views.tunelab) {
      await vscode.commands.executeCommand(`${view.id}.focus`);
    }
  });

  test('Open Topics File opens the workspace topics file', async () => {
    await activeExtension();
    await vscode.commands.executeCommand('tunelab.openTopicsFile');
    const editor = await until('an editor on topics.jsonc', () => {
      const e = vscode.window.activeTextEditor;
      return e?.document.uri.path.endsWith('/topics.jsonc') ? e : undefined;
    });
    assert.match(editor.document.getText(), /"categories"/);
  });

  test('a changed tunelab.topics.file applies without a reload', async () => {
    await activeExtension();
    const other = workspaceFile('taxonomy', 'civic.jsonc');
    await vscode.workspace.fs.writeFile(other, new TextEncoder().encode('{ "categories": [] }\n'));
    const config = vscode.workspace.getConfiguration('tunelab');
    try {
      await config.update('topics.file', 'taxonomy/civic.jsonc', vscode.ConfigurationTarget.Workspace);
      await vscode.commands.executeCommand('tunelab.openTopicsFile');
      await until('an editor on taxonomy/civic.jsonc', () =>
        vscode.window.activeTextEditor?.document.uri.path.endsWith('/taxonomy/civic.jsonc') ? true : undefined,
      );
    } finally {
      await config.update('topics.file', undefined, vscode.ConfigurationTarget.Workspace);
      await vscode.workspace.fs.delete(vscode.Uri.joinPath(other, '..'), { recursive: true });
    }
  });

  test('a workspace tunelab.topics.file that points outside the folder is ignored: nothing outside is opened', async () => {
    await activeExtension();
    const root = vscode.workspace.workspaceFolders?.[0]?.uri;
    assert.ok(root);
    const outside = vscode.Uri.joinPath(root, '..', 'tunelab-outside-topics.jsonc');
    await vscode.workspace.fs.writeFile(outside, new TextEncoder().encode('{ "categories": [{ "name": "Outside", "subtopics": ["x"] }] }\n'));
    const config = vscode.workspace.getConfiguration('tunelab');
    try {
      await config.update('topics.file', '../tunelab-outside-topics.jsonc', vscode.ConfigurationTarget.Workspace);
      let settled = false;
      const opening = Promise.resolve(vscode.commands.executeCommand('tunelab.openTopicsFile')).finally(() => { settled = true; });
      // The command waits on its warning: dismiss notifications until it has ended.
      await until('Open Topics File to end', async () => {
        if (settled) return true;
        await vscode.commands.executeCommand('notifications.clearAll');
        return undefined;
      });
      await opening;
      assert.ok(!vscode.window.visibleTextEditors.some((e) => e.document.uri.path.endsWith('/tunelab-outside-topics.jsonc')), 'the file outside the workspace was not opened');
    } finally {
      await config.update('topics.file', undefined, vscode.ConfigurationTarget.Workspace);
      await vscode.workspace.fs.delete(outside).then(undefined, () => undefined);
    }
  });

  test('Show Log and Get Started run without error', async () => {
    await activeExtension();
    await vscode.commands.executeCommand('tunelab.showLog');
    await vscode.commands.executeCommand('tunelab.getStarted');
  });
});
