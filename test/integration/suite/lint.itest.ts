import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import manifest from '../../../package.json';

const EXTENSION_ID = `${manifest.publisher}.${manifest.name}`;
const enc = new TextEncoder();

function workspaceFile(...parts: string[]): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the test workspace is open');
  return vscode.Uri.joinPath(folder.uri, ...parts);
}

async function until<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last instanceof Error ? `: ${last.message}` : ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function ours(uri: vscode.Uri): vscode.Diagnostic[] {
  return vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'TuneLab');
}

function ruleOf(d: vscode.Diagnostic): string {
  return typeof d.code === 'object' ? String(d.code.value) : String(d.code);
}

/** `line:rule` for each diagnostic (1-based lines, as a user reads them), sorted. */
function summary(uri: vscode.Uri): string[] {
  return ours(uri).map((d) => `${d.range.start.line + 1}:${ruleOf(d)}`).sort();
}

/** Waits until the diagnostics summary equals `expected` (the lint is debounced and runs in slices). */
async function expectDiagnostics(uri: vscode.Uri, expected: string[], timeoutMs?: number): Promise<void> {
  const want = [...expected].sort();
  try {
    await until(`diagnostics ${JSON.stringify(want)}`, () => (JSON.stringify(summary(uri)) === JSON.stringify(want) ? true : undefined), timeoutMs);
  } catch (err) {
    assert.deepEqual(summary(uri), want, err instanceof Error ? err.message : String(err));
  }
}

const row = (instruction: string, response: string, context = ''): string => JSON.stringify({ instruction, context, response });

/** A JumpStart dataset with one problem of each common kind, one per line. */
const LEAKY = [
  row('How do I renew my passport by mail?', '### Answer: Fill out form DS-82 and mail it with your old passport and a photo.'),
  row('What documents do I need for a REAL ID card?', 'Bring proof of identity, your Social Security number and two proofs of address.'),
  '',
  row('How do I register to vote in my state?', 'Most states let you register online at the election office website in a few minutes.'),
  row('What documents do I need for a REAL ID card?', 'Bring proof of identity, your Social Security number and two proofs of address.'),
  '{"instruction": "Where do I apply for food assistance?", "context": "", "response": "Apply at your state\'s SNAP office."',
].join('\n') + '\n';

async function openDataset(relative: string, text: string): Promise<{ uri: vscode.Uri; editor: vscode.TextEditor }> {
  const uri = workspaceFile(...relative.split('/'));
  await vscode.workspace.fs.writeFile(uri, enc.encode(text));
  const document = await vscode.workspace.openTextDocument(uri);
  const editor = await vscode.window.showTextDocument(document);
  assert.equal(document.languageId, 'jsonl');
  return { uri, editor };
}

suite('Dataset linting in the extension host', () => {
  suiteSetup(async () => {
    await vscode.extensions.getExtension(EXTENSION_ID)?.activate();
  });

  teardown(async () => {
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    const config = vscode.workspace.getConfiguration('tunelab');
    await config.update('lint.rules', undefined, vscode.ConfigurationTarget.Workspace);
    await config.update('dataset.format', undefined, vscode.ConfigurationTarget.Workspace);
  });

  test('a dataset with a leaked header, a blank line, a duplicate and a broken line gets each as a diagnostic', async () => {
    const { uri } = await openDataset('leaky.jsonl', LEAKY);
    await expectDiagnostics(uri, ['1:leaked-header', '3:blank-line', '5:duplicate', '6:json-syntax']);
    const diagnostics = ours(uri);
    const leaked = diagnostics.find((d) => ruleOf(d) === 'leaked-header');
    assert.ok(leaked);
    const line = LEAKY.split('\n')[0] ?? '';
    assert.equal(line.slice(leaked.range.start.character, leaked.range.end.character).startsWith('### Answer:'), true, `range ${leaked.range.start.character}-${leaked.range.end.character} covers the header`);
    assert.equal(leaked.severity, vscode.DiagnosticSeverity.Warning);

    const syntax = diagnostics.find((d) => ruleOf(d) === 'json-syntax');
    assert.ok(syntax);
    assert.equal(syntax.severity, vscode.DiagnosticSeverity.Error);
    assert.match(syntax.message, /not closed/);

    const dup = diagnostics.find((d) => ruleOf(d) === 'duplicate');
    assert.ok(dup);
    assert.match(dup.message, /line 2/);
    assert.equal(dup.relatedInformation?.[0]?.location.range.start.line, 1, 'the duplicate points at the first copy');

    assert.ok(typeof leaked.code === 'object' && leaked.code.target.fragment === 'leaked-header', 'the code links to the rule\'s README section');
  });

  test('typing re-lints only what changed, and the diagnostics follow', async () => {
    const { uri, editor } = await openDataset('typing.jsonl', LEAKY);
    await expectDiagnostics(uri, ['1:leaked-header', '3:blank-line', '5:duplicate', '6:json-syntax']);
    // Close the broken object on line 6, and delete the blank line 3.
    const last = editor.document.lineAt(5);
    await editor.edit((b) => { b.insert(last.range.end, '}'); });
    await expectDiagnostics(uri, ['1:leaked-header', '3:blank-line', '5:duplicate']);
    await editor.edit((b) => { b.delete(new vscode.Range(2, 0, 3, 0)); });
    await expectDiagnostics(uri, ['1:leaked-header', '4:duplicate']);
    // A new line above shifts every diagnostic down by one.
    await editor.edit((b) => { b.insert(new vscode.Position(0, 0), `${row('Can I get a replacement Social Security card online?', 'Yes, in most states you can request one through your online account.')}\n`); });
    await expectDiagnostics(uri, ['2:leaked-header', '5:duplicate']);
  });

  test('the leaked-header quick fix removes exactly the header, and undo brings it back', async () => {
    const { uri, editor } = await openDataset('fix.jsonl', LEAKY);
    await expectDiagnostics(uri, ['1:leaked-header', '3:blank-line', '5:duplicate', '6:json-syntax']);
    const leaked = ours(uri).find((d) => ruleOf(d) === 'leaked-header');
    assert.ok(leaked);
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', uri, leaked.range, vscode.CodeActionKind.QuickFix.value);
    const fix = actions.find((a) => /Remove the leaked/.test(a.title));
    assert.ok(fix?.edit, `quick fixes offered: ${actions.map((a) => a.title).join(' | ')}`);
    const before = editor.document.getText();
    assert.ok(await vscode.workspace.applyEdit(fix.edit));
    const fixed = JSON.parse(editor.document.lineAt(0).text) as { response: string };
    assert.equal(fixed.response, 'Fill out form DS-82 and mail it with your old passport and a photo.');
    assert.deepEqual(editor.document.getText().split('\n').slice(1), before.split('\n').slice(1), 'no other line changed');
    await expectDiagnostics(uri, ['3:blank-line', '5:duplicate', '6:json-syntax']);
    await vscode.commands.executeCommand('undo');
    assert.equal(editor.document.getText(), before, 'one undo restores the line');
    await expectDiagnostics(uri, ['1:leaked-header', '3:blank-line', '5:duplicate', '6:json-syntax']);
  });

  test('delete-this-duplicate and fix-all are single undoable edits', async () => {
    const dup = row('How do I replace a lost birth certificate?', 'Order a certified copy from the vital records office of the state where you were born.');
    const text = [row('Where can I get a fishing license?', 'Buy one online from your state wildlife agency or at a sporting goods store.'), dup, dup, dup, ''].join('\n');
    const { uri, editor } = await openDataset('dups.jsonl', text);
    await expectDiagnostics(uri, ['3:duplicate', '4:duplicate']);
    const first = ours(uri).find((d) => d.range.start.line === 2);
    assert.ok(first);
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', uri, first.range, vscode.CodeActionKind.QuickFix.value);
    const all = actions.find((a) => a.title.startsWith('Fix all duplicate'));
    assert.ok(all?.edit, `quick fixes offered: ${actions.map((a) => a.title).join(' | ')}`);
    assert.ok(await vscode.workspace.applyEdit(all.edit));
    assert.equal(editor.document.lineCount, 3, 'two copies deleted, the first kept');
    await expectDiagnostics(uri, []);
    await vscode.commands.executeCommand('undo');
    assert.equal(editor.document.getText(), text);
  });

  test('rule settings apply without a reload', async () => {
    const { uri } = await openDataset('settings.jsonl', LEAKY);
    await expectDiagnostics(uri, ['1:leaked-header', '3:blank-line', '5:duplicate', '6:json-syntax']);
    const config = vscode.workspace.getConfiguration('tunelab');
    await config.update('lint.rules', { 'leaked-header': 'off', duplicate: 'error' }, vscode.ConfigurationTarget.Workspace);
    await expectDiagnostics(uri, ['3:blank-line', '5:duplicate', '6:json-syntax']);
    assert.equal(ours(uri).find((d) => ruleOf(d) === 'duplicate')?.severity, vscode.DiagnosticSeverity.Error);
  });

  test('a template.json beside the dataset sets the keys a JumpStart record must have', async () => {
    const dir = workspaceFile('templated');
    await vscode.workspace.fs.createDirectory(dir);
    await vscode.workspace.fs.writeFile(vscode.Uri.joinPath(dir, 'template.json'), enc.encode(JSON.stringify({
      prompt: 'Question:\n{question}\n\n', completion: ' {answer}',
    })));
    const good = JSON.stringify({ question: 'How do I appeal a parking ticket in my city?', answer: 'Follow the appeal steps printed on the ticket before its deadline.' });
    const old = row('How do I appeal a parking ticket in my city?', 'Follow the appeal steps printed on the ticket.');
    const { uri } = await openDataset('templated/data.jsonl', `${good}\n${old}\n`);
    await until('a schema finding on line 2', () => (summary(uri).some((s) => s.startsWith('2:')) ? true : undefined));
    assert.deepEqual(summary(uri).filter((s) => s.startsWith('1:')), [], 'the line with the template\'s keys is clean');
  });

  test('a line in another format than the file is flagged as mixed-format', async () => {
    const chat = (q: string, a: string): string => JSON.stringify({ messages: [{ role: 'user', content: q }, { role: 'assistant', content: a }] });
    const dir = workspaceFile('chat');
    await vscode.workspace.fs.createDirectory(dir);
    const text = [
      chat('How do I renew my library card online?', 'Sign in to your library account and choose Renew under card settings.'),
      chat('Where do I report a pothole in my street?', 'Use your city 311 service, by phone, app or website, with the exact location.'),
      row('How do I get a copy of my tax transcript?', 'Request it online from the tax agency with your ID verified.'),
      '',
    ].join('\n');
    const { uri } = await openDataset('chat/mixed.jsonl', text);
    // Three lines of OpenAI chat are also fewer than the 10 examples OpenAI fine-tuning needs.
    await expectDiagnostics(uri, ['1:too-few-examples', '3:mixed-format']);
  });

  test('hover shows the line\'s format and its token count as the trainer counts it', async () => {
    const { uri } = await openDataset('hover.jsonl', LEAKY);
    await expectDiagnostics(uri, ['1:leaked-header', '3:blank-line', '5:duplicate', '6:json-syntax']);
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', uri, new vscode.Position(1, 5));
    const text = hovers.flatMap((h) => h.contents.map((c) => (c instanceof vscode.MarkdownString ? c.value : JSON.stringify(c)))).join('\n');
    assert.match(text, /JumpStart instruction/);
    // Counted as the trainer counts it (the built-in template filled, with its tokens) against max_input_length.
    assert.match(text, /\d+ of 1,024 Llama 3 tokens/);
  });

  test('a row of a million characters without a space: too-long says "more than", its other findings stay, and the hover gives a bound', async () => {
    const huge = row('How do I renew my passport by mail?', `Mail dana.whitfield@gmail.com for the form. ${'x'.repeat(1_000_000)}`);
    const { uri } = await openDataset('huge.jsonl', `${row('Where do I vote?', 'At the polling place printed on your voter card.')}\n${huge}\n`);
    await expectDiagnostics(uri, ['2:pii', '2:too-long'], 60_000);
    const tooLong = ours(uri).find((d) => ruleOf(d) === 'too-long');
    assert.match(tooLong?.message ?? '', /^This record is more than [\d,]+ tokens \(counting stopped there\)/);
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', uri, new vscode.Position(1, 5));
    const text = hovers.flatMap((h) => h.contents.map((c) => (c instanceof vscode.MarkdownString ? c.value : JSON.stringify(c)))).join('\n');
    assert.match(text, /more than [\d,]+ of 1,024 Llama 3 tokens/);
  });

  test('Show Dataset Stats opens the stats view beside the dataset', async () => {
    await openDataset('stats.jsonl', LEAKY);
    await vscode.commands.executeCommand('tunelab.showDatasetStats');
    await until('a Dataset Stats tab', () => vscode.window.tabGroups.all.flatMap((g) => g.tabs).find((t) => t.label.startsWith('Dataset Stats')));
  });

  test('a 50,000-line dataset is linted completely, with a duplicate at its end found', async () => {
    const lines: string[] = [];
    for (let i = 0; i < 50_000; i++) lines.push(row(`Question number ${i} about permit ${i * 7} in district ${i % 97}?`, `Answer ${i}: visit the permit office for district ${i % 97} with form ${i}.`));
    lines.push(lines[10] ?? '');
    const { uri } = await openDataset('big.jsonl', `${lines.join('\n')}\n`);
    await expectDiagnostics(uri, ['50001:duplicate'], 60_000);
  });
});

suite('Dataset linting: the project file', () => {
  test('a tunelab.jsonc at the workspace root configures the rules, and edits to it apply at once', async () => {
    const project = workspaceFile('tunelab.jsonc');
    const original = await vscode.workspace.fs.readFile(project).then((b) => b, () => undefined);
    try {
      const { uri } = await openDataset('project.jsonl', LEAKY);
      await expectDiagnostics(uri, ['1:leaked-header', '3:blank-line', '5:duplicate', '6:json-syntax']);
      await vscode.workspace.fs.writeFile(project, enc.encode('// team settings\n{ "rules": { "duplicate": "off", "blank-line": "info", }, }\n'));
      await expectDiagnostics(uri, ['1:leaked-header', '3:blank-line', '6:json-syntax']);
      assert.equal(ours(uri).find((d) => ruleOf(d) === 'blank-line')?.severity, vscode.DiagnosticSeverity.Information);
    } finally {
      if (original !== undefined) await vscode.workspace.fs.writeFile(project, original);
      else await vscode.workspace.fs.delete(project);
      await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    }
  });

  // `(a+)+$` over 28 `a`s and a `!` took 3 s in JavaScript's engine and tripled every two more, and
  // it ran in the extension host: 10,000 would never finish. On RE2 it is one pass.
  test('placeholder patterns from tunelab.jsonc run on RE2: a catastrophic one does not freeze the lint, the others report', async function () {
    // In Restricted Mode a workspace's patterns are not run at all (unit-tested in user-patterns.test.ts).
    if (!vscode.workspace.isTrusted) this.skip();
    const project = workspaceFile('tunelab.jsonc');
    const original = await vscode.workspace.fs.readFile(project).then((b) => b, () => undefined);
    try {
      await vscode.workspace.fs.writeFile(project, enc.encode(JSON.stringify({
        rules: { 'unfilled-placeholder': { options: { patterns: ['(a+)+$', '(\\w)\\1', '<[A-Z_]+>'] } } },
      })));
      const { uri } = await openDataset('patterns.jsonl', [
        row('What do I write on the form?', `Write ${'a'.repeat(10_000)}!`),
        row('Who do I send the form to?', 'Send it to <AGENCY_NAME> at the address on your notice.'),
      ].join('\n') + '\n');
      await until('the placeholder on line 2', () => (summary(uri).includes('2:unfilled-placeholder') ? true : undefined), 30_000);
      assert.ok(!summary(uri).includes('1:unfilled-placeholder'), `line 1 has no placeholder: ${summary(uri).join(', ')}`);
      const found = ours(uri).find((d) => ruleOf(d) === 'unfilled-placeholder');
      assert.match(found?.message ?? '', /"<AGENCY_NAME>" matches the placeholder pattern/);
    } finally {
      if (original !== undefined) await vscode.workspace.fs.writeFile(project, original);
      else await vscode.workspace.fs.delete(project);
      await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    }
  });
});
