import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { FrameLocator, Locator, Page } from 'playwright-core';
import manifest from '../../package.json';
import { selectedMatrix } from '../../scripts/code-server.mjs';
import { launchBrowser, newPage, screenshot } from '../harness/browser';
import { generationResponder } from '../peers/generationResponder';
import { judgeResponder } from '../peers/judgeResponder';
import { OpenAIPeer } from '../peers/openaiPeer';
import { startCodeServer } from '../harness/codeServer';
import { repoRoot, resultsRoot } from '../harness/paths';

const vsix = join(repoRoot, `tunelab-${manifest.version}.vsix`);

/**
 * The class of the rendered token whose text is `text` in the editor (Monaco renders each token
 * as a span whose class carries its colour; spaces may come out as no-break spaces).
 */
async function tokenClass(page: Page, text: string): Promise<string> {
  const handle = await page.waitForFunction((wanted) => {
    // Runs in the page; the tests' TypeScript has no DOM library, so say what is used of it.
    const { document } = globalThis as unknown as {
      document: { querySelectorAll(selector: string): Iterable<{ textContent: string | null; className: string }> };
    };
    const spans = document.querySelectorAll('.editor-group-container .monaco-editor .view-line span > span');
    for (const span of spans) {
      if ((span.textContent ?? '').replace(/\u00a0/g, ' ').trim() === wanted.trim()) return span.className;
    }
    return undefined;
  }, text);
  return String(await handle.jsonValue());
}

/** The Prompt Lab webview's content: two nested iframes inside the workbench. */
function promptLab(page: Page): FrameLocator {
  return page.locator('iframe.webview.ready').contentFrame().locator('#active-frame').contentFrame();
}

/** A vscode-textarea's or vscode-textfield's native input in the Prompt Lab panel (inside its open shadow root). */
function panelField(panel: FrameLocator, testId: string): Locator {
  return panel.locator(`[data-testid="${testId}"] textarea, [data-testid="${testId}"] input`).first();
}

/** Picks an endpoint in a column's picker the way a user does: open it, click the option. */
async function pickEndpoint(panel: FrameLocator, column: number, label: string): Promise<void> {
  await panel.locator(`[data-testid="endpoint-select-${column}"]`).click();
  await panel.locator(`[data-testid="endpoint-select-${column}"] li.option`, { hasText: label }).first().click();
}

/**
 * Right-clicks `row` and picks `item` from its context menu, until `then` shows. A menu that is
 * still opening (or re-rendering as the tree's selection changes) may drop the first click.
 */
async function fromContextMenu(page: Page, row: Locator, item: string, then: Locator): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    await row.click({ button: 'right' });
    const action = page.locator('.context-view .action-label', { hasText: item }).first();
    await action.waitFor({ state: 'visible' });
    // A busy workbench sometimes drops a click on a menu item and leaves the menu open: after the
    // first try, focus the item by hovering and take it with Enter, as a keyboard user would.
    if (attempt === 1) await action.click();
    else {
      await action.hover();
      await page.keyboard.press('Enter');
    }
    try {
      await then.waitFor({ state: 'visible', timeout: 5_000 });
      return;
    } catch (err) {
      if (attempt === 3) throw err;
      await page.keyboard.press('Escape');
    }
  }
}

async function runPaletteCommand(page: Page, label: string): Promise<void> {
  const input = page.locator('.quick-input-widget input:visible');
  // A workbench still starting up (after a reload) may miss the first key: press again.
  for (let attempt = 1; ; attempt++) {
    await page.keyboard.press('F1');
    try {
      await input.waitFor({ state: 'visible', timeout: 4_000 });
      break;
    } catch (err) {
      if (attempt === 5) throw err;
    }
  }
  await input.fill(`>${label}`);
  // The row whose label is exactly the command: a fuzzy match may rank another first
  // (">File: Save" also matches "File: Compare Active File with Saved").
  const escaped = label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const exact = page.locator('.quick-input-list .monaco-list-row').filter({ has: page.locator('.label-name', { hasText: new RegExp(`^(?:[^:]+: )?${escaped}$`) }) }).first();
  const row = page.locator('.quick-input-list .monaco-list-row', { hasText: label }).first();
  await row.waitFor({ state: 'visible' });
  if (await exact.count() > 0) await exact.click();
  else await page.keyboard.press('Enter');
}

/** Opens a workspace file the way a user does: the Explorer, then a click on its row. */
async function openFromExplorer(page: Page, file: string): Promise<void> {
  // Clicking the Explorer icon while the Explorer is showing would close the sidebar.
  if (!(await page.locator('.explorer-folders-view').first().isVisible())) {
    await page.locator('.activitybar [aria-label^="Explorer"]').first().click();
  }
  await page.locator('.explorer-folders-view .monaco-list-row', { hasText: file }).first().click();
}

async function waitForCount(locator: Locator, count: number): Promise<void> {
  const deadline = Date.now() + 20_000;
  let seen = -1;
  while (Date.now() < deadline) {
    seen = await locator.count();
    if (seen === count) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  assert.equal(seen, count, `expected ${count} of ${String(locator)}`);
}

async function waitForValue(locator: Locator, value: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  let seen = '';
  while (Date.now() < deadline) {
    seen = await locator.inputValue().catch(() => '');
    if (seen === value) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  assert.equal(seen, value);
}

async function waitForText(locator: Locator, pattern: RegExp): Promise<void> {
  const deadline = Date.now() + 20_000;
  let seen = '';
  while (Date.now() < deadline) {
    seen = ((await locator.first().textContent()) ?? '').replace(/\s+/g, ' ').trim();
    if (pattern.test(seen)) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  assert.match(seen, pattern);
}

/**
 * The user's view of TuneLab: the packaged .vsix installed into a real VS Code (code-server),
 * the sample workspace open in headless Chromium.
 */
for (const matrix of selectedMatrix()) {
  void test(`e2e: the packaged extension in VS Code ${matrix.vscode} (code-server ${matrix.codeServer})`, { timeout: 300_000 }, async (t) => {
    assert.ok(existsSync(vsix), `${vsix} is missing: run 'npm run package' first`);
    const out = join(resultsRoot, 'e2e', matrix.codeServer);
    rmSync(out, { recursive: true, force: true });
    mkdirSync(out, { recursive: true });
    // The base model of Prompt Lab's comparisons: a second server, configured before the first
    // start, with no key (an OpenAI-compatible server may need none).
    // It also writes the questions and answers of pair generation; `latencyMs` is read per request,
    // so a step can slow it down.
    const baseOptions: { responder: ReturnType<typeof generationResponder>; latencyMs: number } = { responder: generationResponder(), latencyMs: 0 };
    const base = new OpenAIPeer(baseOptions);
    const baseServer = await base.start();
    // The judge: it always prefers the longer answer, so the sample results' verdicts are known.
    const judgePeer = new OpenAIPeer({ responder: judgeResponder('longer'), latencyMs: 300 });
    const judgeServer = await judgePeer.start();
    const server = await startCodeServer({
      matrix, vsix, logFile: join(out, 'code-server.log'),
      userSettings: {
        'tunelab.endpoints': [
          { id: 'base', kind: 'openai-compatible', label: 'base', url: `${baseServer.url}/v1`, model: 'base-model' },
          { id: 'judge', kind: 'openai-compatible', label: 'judge-70b', url: `${judgeServer.url}/v1`, model: 'judge-model' },
        ],
      },
    });
    copyFileSync(join(repoRoot, 'test/fixtures/leaky.jsonl'), join(server.workspace, 'leaky.jsonl'));
    copyFileSync(join(repoRoot, 'test/fixtures/problems.jsonl'), join(server.workspace, 'problems.jsonl'));
    const peer = new OpenAIPeer({ models: ['test-model'], apiKey: 'sk-e2e-secret', defaultReply: { content: 'ready' } });
    const peerServer = await peer.start();
    const browser = await launchBrowser();
    const consoleLines: string[] = [];
    try {
      const page = await newPage(browser);
      page.on('console', (m) => consoleLines.push(`[${m.type()}] ${m.text()}`));
      page.on('response', (r) => {
        if (r.status() >= 400) consoleLines.push(`[http ${r.status()}] ${r.url()}`);
      });
      page.setDefaultTimeout(20_000);
      let failed = false;
      const step = (name: string, fn: () => Promise<void> | void) =>
        t.test(name, { skip: failed ? 'an earlier step failed' : false }, async () => {
          try {
            await fn();
          } catch (err) {
            failed = true;
            await screenshot(page, join(out, `${name.replace(/[^\w]+/g, '-')}.png`));
            throw err;
          }
        });

      await step('the workbench opens the sample workspace', async () => {
        await page.goto(`${server.url}/?folder=${encodeURIComponent(server.workspace)}`);
        await page.locator('.monaco-workbench').waitFor();
        await page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'train.jsonl' }).waitFor({ timeout: 60_000 });
      });

      await step('the TuneLab container shows the Topics and Prompt Lab views', async () => {
        await page.locator('.activitybar [aria-label^="TuneLab"]').first().click();
        const sidebar = page.locator('.part.sidebar');
        await sidebar.locator('.pane-header', { hasText: 'Topics' }).waitFor();
        await sidebar.locator('.pane-header', { hasText: 'Prompt Lab' }).waitFor();
      });

      await step('the Topics view shows the sample\'s categories and opens the topics file', async () => {
        const sidebar = page.locator('.part.sidebar');
        await sidebar.locator('.monaco-list-row', { hasText: 'Driver licensing' }).first().waitFor();
        await sidebar.locator('.monaco-list-row', { hasText: 'Renewing a license' }).first().waitFor();
        await sidebar.locator('.pane-header', { hasText: 'Topics' }).hover();
        await sidebar.locator('.pane-header', { hasText: 'Topics' }).locator('[aria-label="Open Topics File"]').click();
        await page.locator('.tabs-container .tab', { hasText: 'topics.jsonc' }).waitFor();
      });

      await step('the Prompt Lab panel renders under its CSP and talks to the host', async () => {
        const panel = promptLab(page);
        await panel.locator('h2', { hasText: 'Prompt Lab' }).waitFor({ timeout: 30_000 });
        // The status line arrives in the host's answer to `panel/ready`: proof of the round trip.
        await panel.locator('.status', { hasText: `TuneLab ${manifest.version} · workspace trusted` }).waitFor();
      });

      await step('Show Log in the panel opens TuneLab\'s log', async () => {
        await promptLab(page).locator('vscode-button', { hasText: 'Show Log' }).click();
        const output = page.locator('.part.panel');
        await output.locator('.view-lines', { hasText: `TuneLab ${manifest.version} activated` }).waitFor();
      });

      await step('TuneLab: Get Started runs from the command palette', async () => {
        await runPaletteCommand(page, 'TuneLab: Get Started');
        await page.getByText('Get started with TuneLab').first().waitFor();
        await page.getByText('Open the TuneLab view').first().waitFor();
      });

      await step('a dataset shows leaked headers, role tokens and placeholders as their own tokens', async () => {
        await openFromExplorer(page, 'leaky.jsonl');
        await page.locator('.tabs-container .tab', { hasText: 'leaky.jsonl' }).waitFor();
        // Without TuneLab's grammar each of these is part of one plain string token.
        const plain = await tokenClass(page, ' Fill out form DS-82 and mail it to ');
        for (const marked of ['### Answer:', '{{passport_office}}', '<|assistant|>']) {
          assert.notEqual(await tokenClass(page, marked), plain, `${marked} is not highlighted`);
        }
      });

      await step('a dataset with a leaked header and a duplicate shows squiggles, Problems counts and TuneLab\'s status', async () => {
        // Diagnostics of closed files leave the Problems count, so start from a clean slate.
        await runPaletteCommand(page, 'View: Close All Editors');
        await waitForText(page.locator('#status\\.problems'), /^\D*0\D+0\D*$/);
        await openFromExplorer(page, 'problems.jsonl');
        await page.locator('.tabs-container .tab', { hasText: 'problems.jsonl' }).waitFor();
        const editor = page.locator('.editor-group-container .monaco-editor').first();
        await waitForCount(editor.locator('.squiggly-warning'), 2);
        await waitForText(page.locator('#status\\.problems'), /0\D+2/);
        await page.locator('.statusbar-item', { hasText: 'TuneLab: 4 rows · 0 errors · 2 warnings · 1 duplicate' }).waitFor();
      });

      await step('the light bulb\'s quick fix removes the leaked header, and the count drops', async () => {
        const editor = page.locator('.editor-group-container .monaco-editor').first();
        // The grammar makes the header its own token, so its span is the one to click into.
        await editor.locator('.view-line span > span').getByText(/^###\s+Answer:$/).first().click();
        // The bulb is a content widget in older builds and a glyph in the gutter in newer ones.
        const bulb = editor.locator('[class*="lightBulb"]:visible, [class*="lightbulb"]:visible, [class*="light-bulb"]:visible').first();
        await bulb.waitFor({ state: 'visible' });
        await bulb.click();
        // The menu's rows sit under an overlay that takes the pointer: point at the fix, then Enter.
        const fix = page.locator('.action-widget .monaco-list-row', { hasText: 'Remove the leaked' }).first();
        await fix.waitFor({ state: 'visible' });
        await fix.hover({ force: true });
        await page.locator('.action-widget .monaco-list-row.focused', { hasText: 'Remove the leaked' }).waitFor();
        await page.keyboard.press('Enter');
        await waitForCount(editor.locator('.squiggly-warning'), 1);
        await waitForText(page.locator('#status\\.problems'), /0\D+1(?!\d)/);
        await editor.locator('.view-line', { hasText: '"response": "Fill out form DS-82' }).waitFor();
      });

      await step('Add Endpoint adds an OpenAI-compatible server, keeps its key, and Test Endpoint shows its answer', async () => {
        await runPaletteCommand(page, 'TuneLab: Add Endpoint');
        const quick = page.locator('.quick-input-widget');
        await quick.locator('.monaco-list-row', { hasText: 'OpenAI-compatible server' }).first().click();
        // Each step waits for its own prompt: typing into the box that is closing would be lost.
        const answer = async (prompt: RegExp, text: string, password = false): Promise<void> => {
          await page.locator('.quick-input-widget:visible').filter({ hasText: prompt }).waitFor();
          const input = page.locator(password ? '.quick-input-widget input[type="password"]:visible' : '.quick-input-widget input:visible');
          await input.waitFor({ state: 'visible' });
          await input.fill(text);
          await page.keyboard.press('Enter');
        };
        await answer(/base URL/, `${peerServer.url}/v1`);
        await answer(/model name/, 'test-model');
        await answer(/An id for this endpoint/, 'e2e-peer');
        await answer(/secret storage/, 'sk-e2e-secret', true);
        await page.locator('.quick-input-widget:visible').waitFor({ state: 'hidden' });
        // Newer workbenches may keep a toast out of sight; the notification centre lists them all,
        // and while it is open new notifications go straight into it.
        await runPaletteCommand(page, 'Notifications: Show Notifications');
        const notifications = page.locator('.notifications-center');
        await notifications.getByRole('button', { name: 'Test Endpoint' }).first().click();
        // Running the action closes the centre; the answer arrives as a new notification, read there.
        const answered = notifications.getByText(/e2e-peer \(test-model\) answered in \d+ ms: "ready"/);
        const deadline = Date.now() + 30_000;
        while (!(await answered.isVisible())) {
          assert.ok(Date.now() < deadline, 'the Test Endpoint answer was not shown');
          if (!(await notifications.isVisible())) await runPaletteCommand(page, 'Notifications: Show Notifications');
          await new Promise((r) => setTimeout(r, 500));
        }
        const sent = peer.requests.filter((r) => r.path === '/v1/chat/completions').at(-1);
        assert.equal(sent?.headers.authorization, 'Bearer sk-e2e-secret', 'the stored key was sent');
      });

      const system = 'You help residents with state services. Be kind and concrete.';
      const question = 'How do I renew my driver\'s licence?';

      await step('Prompt Lab streams an answer from the endpoint picked in its column', async () => {
        await runPaletteCommand(page, 'Focus on Prompt Lab View');
        const panel = promptLab(page);
        await pickEndpoint(panel, 1, 'e2e-peer');
        await panelField(panel, 'system').fill(system);
        await panelField(panel, 'question').fill(question);
        peer.reply({ chunks: ['I am sorry the renewal is a hassle. ', 'Renew online ', 'at the DMV site.'], chunkDelayMs: 200, usage: { promptTokens: 31, completionTokens: 17 } });
        await panelField(panel, 'question').press('Control+Enter');
        await panel.locator('[data-testid="answer-1-1-text"]', { hasText: 'I am sorry the renewal is a hassle. Renew online at the DMV site.' }).waitFor();
        await waitForText(panel.locator('[data-testid="answer-1-1-stats"]'), /31[\s\S]*17/);
        const sent = peer.chatBodies.at(-1);
        assert.deepEqual(sent?.messages, [{ role: 'system', content: system }, { role: 'user', content: question }]);
      });

      await step('Compare: two endpoints stream side by side (screenshot for the README)', async () => {
        const panel = promptLab(page);
        // Room for two columns side by side, as a user comparing would make: the Topics view
        // folded away and the side bar widened by dragging its edge.
        const sidebar = page.locator('.part.sidebar');
        await sidebar.locator('.pane-header', { hasText: 'Topics' }).click();
        const box = await sidebar.boundingBox();
        assert.ok(box);
        const y = box.y + box.height / 2;
        await page.mouse.move(box.x + box.width - 1, y);
        await page.mouse.down();
        await page.mouse.move(box.x + box.width + 200, y, { steps: 5 });
        await page.mouse.move(box.x + box.width + 420, y, { steps: 5 });
        await page.mouse.up();
        await panel.locator('[data-testid="add-column"]').click();
        await pickEndpoint(panel, 2, 'base');
        peer.reply({ chunks: ['I am sorry the renewal is a hassle. ', 'Most states let you renew online ', 'if your photo is recent. ', 'Bring your current licence, ', 'proof of address and the fee.'], chunkDelayMs: 600 });
        base.reply({ chunks: ['Go to ', 'the DMV.'], chunkDelayMs: 600 });
        await panel.locator('[data-testid="run"]').click();
        await panel.locator('[data-testid="answer-2-1-text"]', { hasText: 'Go to' }).waitFor();
        await panel.locator('[data-testid="answer-1-1-text"]', { hasText: 'Most states' }).waitFor();
        await panel.locator('[data-testid="answers"]').scrollIntoViewIfNeeded();
        await sidebar.screenshot({ path: join(out, 'prompt-lab-compare.png') });
        await panel.locator('[data-testid="answer-2-1-text"]', { hasText: 'Go to the DMV.' }).waitFor();
        await panel.locator('[data-testid="answer-1-1-text"]', { hasText: 'proof of address and the fee.' }).waitFor();
        assert.equal(base.chatBodies.at(-1)?.model, 'base-model');
      });

      await step('Stop cancels a slow run: both answers end as cancelled and Run is back', async () => {
        const panel = promptLab(page);
        peer.reply({ chunks: Array.from({ length: 20 }, (_, i) => `step ${i + 1}. `), chunkDelayMs: 1_000 });
        base.reply({ chunks: Array.from({ length: 20 }, (_, i) => `part ${i + 1}. `), chunkDelayMs: 1_000 });
        await panel.locator('[data-testid="run"]').click();
        await panel.locator('[data-testid="answer-1-1-text"]', { hasText: 'step 1.' }).waitFor();
        await panel.locator('[data-testid="stop"]').click();
        await waitForText(panel.locator('[data-testid="answer-1-1-stats"]'), /cancel/i);
        await waitForText(panel.locator('[data-testid="answer-2-1-stats"]'), /cancel/i);
        assert.doesNotMatch(await panel.locator('[data-testid="answer-1-1-text"]').innerText(), /step 20\./);
        await panel.locator('[data-testid="run"]:not([disabled])').waitFor();
      });

      await step('an answer made of HTML and script tags shows as text and runs nothing, in text and Markdown', async () => {
        const panel = promptLab(page);
        await panel.locator('[data-testid="remove-column-2"]').click();
        const hostile = '<img src=x onerror="document.title=\'pwned\'"> and </script><script>document.title=\'pwned2\'</script>';
        peer.reply({ content: hostile });
        await panel.locator('[data-testid="run"]').click();
        const text = panel.locator('[data-testid="answer-1-1-text"]');
        await text.filter({ hasText: '<img src=x onerror=' }).waitFor();
        assert.equal(await text.locator('img, script').count(), 0);
        await panel.locator('[data-testid="markdown-toggle"]').click();
        await text.filter({ hasText: 'onerror' }).waitFor();
        assert.equal(await text.locator('img, script, [onerror]').count(), 0);
        await panel.locator('[data-testid="markdown-toggle"]').click();
        assert.ok(!(await page.title()).includes('pwned'));
        assert.deepEqual(consoleLines.filter((l) => /pwned|inline event handler/i.test(l)), []);
      });

      await step('Add to dataset appends the question and answer as one JumpStart line of the open dataset', async () => {
        await openFromExplorer(page, 'train.jsonl');
        await page.locator('.tabs-container .tab.active', { hasText: 'train.jsonl' }).waitFor();
        await runPaletteCommand(page, 'Focus on Prompt Lab View');
        const panel = promptLab(page);
        peer.reply({ content: 'Renew online at your state DMV; bring your licence and the fee.' });
        await panel.locator('[data-testid="run"]').click();
        await panel.locator('[data-testid="answer-1-1-text"]', { hasText: 'bring your licence and the fee.' }).waitFor();
        await panel.locator('[data-testid="answer-1-1-add-to-dataset"]').click();
        await waitForText(panel.locator('[data-testid="answer-1-1-note"]'), /train\.jsonl:\d+/);
        const editor = page.locator('.editor-group-container .monaco-editor').first();
        // In the file's own style (spaced, as Python writes JSON), with the exact question.
        await editor.locator('.view-line', { hasText: '{"instruction": "How do I renew my driver\'s licence?", "context": "", "response": "Renew online' }).first().waitFor();
        await editor.locator('.view-line', { hasText: '"response": "Renew online at your state DMV' }).first().waitFor();
        await runPaletteCommand(page, 'File: Save');
        const saved = Date.now() + 20_000;
        while (!readFileSync(join(server.workspace, 'train.jsonl'), 'utf8').includes('Renew online at your state DMV')) {
          assert.ok(Date.now() < saved, 'the dataset was not saved with the added line');
          await new Promise((r) => setTimeout(r, 200));
        }
      });

      /** The dataset on disk: every line must be a JSON object (no half-written line, ever). */
      const datasetOnDisk = (): Record<string, string>[] => readFileSync(join(server.workspace, 'train.jsonl'), 'utf8').split('\n').filter((l) => l !== '').map((l, i) => {
        try {
          return JSON.parse(l) as Record<string, string>;
        } catch {
          throw new Error(`train.jsonl line ${i + 1} is not valid JSON: ${l.slice(0, 120)}`);
        }
      });
      const topicRow = (name: string): Locator => page.locator('.part.sidebar .monaco-list-row', { hasText: name }).first();

      await step('the Topics tree lists the sample topics, each not generated yet', async () => {
        await runPaletteCommand(page, 'Focus on Topics View');
        await topicRow('Renewing a license').waitFor();
        await waitForText(topicRow('Renewing a license'), /not generated yet/);
        await waitForText(topicRow('Driver licensing'), /3 subtopics · 0 rows/);
      });

      await step('right-click a topic, Generate: six pairs arrive in the open dataset and the coverage rises', async () => {
        const before = datasetOnDisk().length;
        await fromContextMenu(page, topicRow('Renewing a license'), 'Generate Pairs…', page.locator('.quick-input-widget:visible .monaco-list-row', { hasText: 'Generate 6 pair(s)' }).first());
        await page.keyboard.press('Enter');
        const editor = page.locator('.editor-group-container .monaco-editor').first();
        await editor.locator('.view-line', { hasText: 'Renewing a license, question' }).first().waitFor({ timeout: 60_000 });
        await waitForText(topicRow('Renewing a license'), /6 rows/);
        const rows = datasetOnDisk();
        assert.equal(rows.length, before + 6);
        for (const row of rows.slice(before)) {
          assert.match(row.instruction ?? '', /^Renewing a license, question/);
          assert.equal(row.context, '');
          assert.match(row.response ?? '', /^Thank you for asking\./);
        }
      });

      await step('a second run cancelled midway leaves a valid file with every finished pair kept', async () => {
        const before = datasetOnDisk().length;
        // Slow enough (18 answers, 4 at a time, 4 s each) that the cancel lands midway even on a busy machine.
        baseOptions.latencyMs = 4_000;
        await fromContextMenu(page, topicRow('Benefits'), 'Generate for All Subtopics…', page.locator('.quick-input-widget:visible .monaco-list-row', { hasText: 'Generate 18 pair(s)' }).first());
        await page.keyboard.press('Enter');
        const editor = page.locator('.editor-group-container .monaco-editor').first();
        await editor.locator('.view-line', { hasText: 'Unemployment insurance, question' }).first().waitFor({ timeout: 60_000 });
        await runPaletteCommand(page, 'Notifications: Show Notifications');
        const notifications = page.locator('.notifications-center');
        await notifications.getByRole('button', { name: 'Cancel' }).first().click();
        const done = notifications.getByText(/TuneLab \(cancelled\): (\d+) pair\(s\) added to train\.jsonl/);
        const deadline = Date.now() + 60_000;
        while (!(await done.isVisible())) {
          assert.ok(Date.now() < deadline, 'the cancelled run did not report what it added');
          if (!(await notifications.isVisible())) await runPaletteCommand(page, 'Notifications: Show Notifications');
          await new Promise((r) => setTimeout(r, 500));
        }
        baseOptions.latencyMs = 0;
        const added = Number(/(\d+) pair\(s\) added/.exec(await done.innerText())?.[1]);
        assert.ok(added > 0 && added < 18, `cancel midway kept ${added} of 18`);
        const rows = datasetOnDisk();
        assert.equal(rows.length, before + added, 'every finished pair is in the file, and nothing else');
        for (const row of rows.slice(before)) assert.match(row.response ?? '', /^Thank you for asking\./);
        await runPaletteCommand(page, 'Notifications: Clear All Notifications');
      });

      await step('judge a results file: a CodeLens starts it, verdicts appear after each line, and the CodeLens sums them up', async () => {
        await runPaletteCommand(page, 'View: Close All Editors');
        await page.keyboard.press('Control+P');
        await page.locator('.quick-input-widget input:visible').fill('public-services.results.jsonl');
        await page.locator('.quick-input-list .monaco-list-row', { hasText: 'public-services.results.jsonl' }).first().waitFor();
        await page.keyboard.press('Enter');
        const editor = page.locator('.editor-group-container .monaco-editor').first();
        const lens = (text: RegExp): Locator => editor.locator('.codelens-decoration a', { hasText: text }).first();
        await lens(/Judge 6 question\(s\): llama-8b-tuned \(A\) vs llama-70b-base \(B\)/).click();
        // The menu opens under the pointer, where its first row's hover would cover the next rows.
        await page.mouse.move(1, 1);
        // The setup menu: pick the judge endpoint, then run.
        const quick = page.locator('.quick-input-widget:visible');
        await quick.locator('.monaco-list-row', { hasText: 'Judge' }).filter({ hasText: /base|judge-70b|none/ }).first().click();
        await quick.locator('.monaco-list-row', { hasText: 'judge-70b' }).first().click();
        await quick.locator('.monaco-list-row', { hasText: 'Judge 6 question(s)' }).first().click();
        // The judge prefers the longer answer: the tuned model's is longer on five of six questions.
        await lens(/^W 5 · T 0 · L 1 — wins 83% \(\d+–\d+%\) · adjusted 83% \(\d+–\d+%\)$/).waitFor({ timeout: 60_000 });
        const verdicts = async (): Promise<string[]> => editor.locator('.view-lines').evaluate((lines) => {
          // The page's own getComputedStyle: the tests compile without the DOM library.
          const style = (globalThis as unknown as { getComputedStyle: (el: unknown, pseudo: string) => { content: string } }).getComputedStyle;
          const out: string[] = [];
          const spans = (lines as unknown as { querySelectorAll: (selector: string) => ArrayLike<unknown> }).querySelectorAll('span');
          for (const el of Array.from(spans)) {
            const content = style(el, '::after').content;
            if (/wins|tie/.test(content)) out.push(content.replace(/^"|"$/g, ''));
          }
          return out;
        });
        const deadline = Date.now() + 20_000;
        let seen: string[] = [];
        while (Date.now() < deadline) {
          seen = await verdicts();
          if (seen.length === 6) break;
          await new Promise((r) => setTimeout(r, 200));
        }
        assert.deepEqual(seen, ['A wins (2/2)', 'B wins (2/2)', 'A wins (2/2)', 'A wins (2/2)', 'A wins (2/2)', 'A wins (2/2)']);
        // Both orders of every question reached the judge, at temperature 0.
        const asked = judgePeer.chatBodies;
        assert.equal(asked.length, 12);
        assert.ok(asked.every((b) => b['temperature'] === 0));
        // Re-running asks nothing: every verdict comes from the sidecar.
        const sidecar = join(server.workspace, 'evals', '.tunelab', 'public-services.results.jsonl.verdicts.json');
        assert.ok(existsSync(sidecar), 'the verdicts are kept beside the results file');
        await runPaletteCommand(page, 'TuneLab: Judge This File');
        await page.waitForTimeout(1_000);
        assert.equal(judgePeer.chatBodies.length, 12, 'a second run judged only what changed: nothing');
        await screenshot(page, join(out, 'judge.png'));
      });

      await step('the draft is still there after the window reloads', async () => {
        const reloaded = page.waitForEvent('load', { timeout: 60_000 });
        await runPaletteCommand(page, 'Developer: Reload Window');
        await reloaded;
        await page.locator('.monaco-workbench').waitFor();
        await page.locator('.explorer-folders-view .monaco-list-row, .part.sidebar .pane-header').first().waitFor({ timeout: 60_000 });
        await runPaletteCommand(page, 'Focus on Prompt Lab View');
        const panel = promptLab(page);
        await waitForValue(panelField(panel, 'system'), system);
        await waitForValue(panelField(panel, 'question'), question);
      });

      await step('nothing broke the webview\'s content security policy', () => {
        const violations = consoleLines.filter((l) => /Content Security Policy/i.test(l) && /index\.(js|css)|vscode-resource|vscode-cdn/i.test(l));
        assert.deepEqual(violations, []);
      });

      if (process.env.TUNELAB_SCREENSHOTS === 'always') await screenshot(page, join(out, 'final.png'));
    } finally {
      writeFileSync(join(out, 'console.log'), `${consoleLines.join('\n')}\n`);
      await browser.close();
      await server.stop();
      await peerServer.close();
      await baseServer.close();
      await judgeServer.close();
    }
  });
}
