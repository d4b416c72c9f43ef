import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { join } from 'node:path';
import type { Browser, BrowserContext } from 'playwright-core';
import type { AnswerStats, Bootstrap, EndpointOption, HistoryEntry } from '../../src/core/protocol';
import { launchBrowser, screenshot } from '../harness/browser';
import { PanelPage, eventually, startAssetServer, webviewDist, type AssetServer, type PanelOptions } from './panelPage';

const ALPHA: EndpointOption = { id: 'alpha', label: 'Alpha', detail: 'OpenAI-compatible · llama3.1:8b', seed: true, live: false };
const BETA: EndpointOption = { id: 'beta', label: 'Beta', detail: 'OpenAI · gpt-4o-mini', seed: true, live: false };
const GAMMA: EndpointOption = { id: 'gamma', label: 'Gamma', detail: 'Bedrock · claude', seed: true, live: false };
const LIVE: EndpointOption = {
  id: 'sagemaker:us-east-1:tuned-llama',
  label: 'tuned-llama',
  detail: 'SageMaker · us-east-1',
  seed: false,
  live: true,
};

function bootstrap(overrides: Partial<Bootstrap> = {}): Bootstrap {
  return { version: '0.1.0', trusted: true, endpoints: [ALPHA, BETA], history: [], draft: null, ...overrides };
}

const STATS: AnswerStats = { latencyMs: 1240, firstTokenMs: 180, inputTokens: 12, outputTokens: 34, finish: 'stop' };

let browser: Browser | undefined;
let context: BrowserContext | undefined;
let server: AssetServer | undefined;

async function open(options: PanelOptions): Promise<PanelPage> {
  assert.ok(context && server, 'the browser and the asset server are up');
  return PanelPage.open(context, server, options);
}

let shots = 0;

/**
 * Opens a panel, runs `body`, and always closes it, failing on console errors or CSP violations.
 * A failing step leaves a screenshot under test-results/webview/.
 */
async function withPanel(options: PanelOptions, body: (panel: PanelPage) => Promise<void>): Promise<void> {
  const panel = await open(options);
  try {
    await body(panel);
    if (process.env.TUNELAB_WEBVIEW_SHOTS !== undefined) {
      await screenshot(panel.page, join(process.env.TUNELAB_WEBVIEW_SHOTS, `panel-${++shots}.png`));
    }
  } catch (err) {
    await screenshot(panel.page, join(process.cwd(), 'test-results', 'webview', `failed-${++shots}.png`));
    // The step's own failure is the one to report; the page's problems are context for it.
    const problems = await panel.close();
    if (problems.length > 0) process.stderr.write(`the page also reported:\n  ${problems.join('\n  ')}\n`);
    throw err;
  }
  assert.deepEqual(await panel.close(), [], 'no console errors, page errors or CSP violations');
}

/** Types a question and runs it with the keyboard; returns the run id the panel chose. */
async function runQuestion(panel: PanelPage, question: string): Promise<string> {
  const before = (await panel.requests('run/start')).length;
  await panel.fill('question', question);
  await panel.field('question').press('Control+Enter');
  const starts = await panel.waitForRequests('run/start', before + 1);
  const start = starts[before];
  assert.ok(start);
  return start.runId;
}

void describe('Prompt Lab panel (Chromium, under the host CSP)', () => {
  before(async () => {
    const dist = webviewDist();
    server = await startAssetServer(dist);
    browser = await launchBrowser();
    context = await browser.newContext();
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  void it('lists the endpoints, runs with Ctrl+Enter and streams the answer with its stats', async () => {
    await withPanel({ bootstrap: bootstrap() }, async (panel) => {
      const options = panel.page.locator('[data-testid="endpoint-select-1"] vscode-option');
      assert.deepEqual((await options.allTextContents()).map((t) => t.trim()), ['Alpha', 'Beta']);
      assert.equal(await panel.isDisabled('run'), true, 'Run is disabled without a question');
      assert.match(await panel.text('run-hint'), /Type a question/);
      assert.equal(await panel.isDisabled('stop'), true);

      await panel.fill('system', 'Answer in one sentence.');
      const runId = await runQuestion(panel, 'What is LoRA?');
      assert.match(runId, /^[A-Za-z0-9-]+$/);
      const starts = await panel.requests('run/start');
      assert.deepEqual(starts, [
        {
          runId,
          question: 'What is LoRA?',
          columns: [{ endpoint: 'alpha', system: 'Answer in one sentence.', parameters: {} }],
          samples: 1,
        },
      ]);
      await eventually(async () => {
        assert.equal(await panel.isDisabled('run'), true, 'Run is disabled while running');
        assert.equal(await panel.isDisabled('stop'), false, 'Stop is enabled while running');
      });
      await panel.byTestId('answer-1-1-streaming').waitFor();
      // Ctrl+Enter again while running starts nothing.
      await panel.field('question').press('Control+Enter');

      for (const text of ['LoRA ', 'adds low-rank ', 'adapters.']) {
        await panel.notify('run/chunk', { runId, column: 0, sample: 0, text });
      }
      await eventually(async () => {
        assert.equal(await panel.text('answer-1-1-text'), 'LoRA adds low-rank adapters.');
      });
      // While it streams, the text sits under the card's header, not squeezed beside it.
      const head = await panel.byTestId('answer-1-1-streaming').boundingBox();
      const body = await panel.byTestId('answer-1-1-text').boundingBox();
      assert.ok(head && body);
      assert.ok(body.y >= head.y + head.height - 1, `answer text at y=${body.y} overlaps the header ending at ${head.y + head.height}`);
      await panel.notify('run/done', { runId, column: 0, sample: 0, stats: STATS });
      await eventually(async () => {
        const stats = await panel.text('answer-1-1-stats');
        assert.match(stats, /latency 1\.24 s/);
        assert.match(stats, /first token 180 ms/);
        assert.match(stats, /12 in \/ 34 out/);
        assert.match(stats, /finish: stop/);
      });
      assert.equal(await panel.byTestId('answer-1-1-streaming').count(), 0, 'no progress indicator once done');
      assert.match(await panel.text('status'), /Answer 1 done/);
      assert.equal(await panel.byTestId('status').getAttribute('aria-live'), 'polite');

      await panel.notify('run/end', { runId });
      await eventually(async () => {
        assert.equal(await panel.isDisabled('run'), false, 'Run is enabled again');
        assert.equal(await panel.isDisabled('stop'), true, 'Stop is disabled again');
      });
      assert.equal((await panel.requests('run/start')).length, 1, 'exactly one run/start');
    });
  });
  void it('Stop sends run/cancel for the run in flight', async () => {
    await withPanel({ bootstrap: bootstrap() }, async (panel) => {
      const runId = await runQuestion(panel, 'Write a long story.');
      await panel.notify('run/chunk', { runId, column: 0, sample: 0, text: 'Once upon a time' });
      await eventually(async () => {
        assert.equal(await panel.isDisabled('stop'), false);
      });
      await panel.byTestId('stop').click();
      assert.deepEqual(await panel.waitForRequests('run/cancel'), [{ runId }]);
      await panel.notify('run/done', { runId, column: 0, sample: 0, stats: { latencyMs: 300, firstTokenMs: 90, finish: 'cancelled' } });
      await panel.notify('run/end', { runId });
      await eventually(async () => {
        assert.equal(await panel.isDisabled('stop'), true);
        assert.equal(await panel.isDisabled('run'), false);
        assert.match(await panel.text('status'), /Run stopped/);
      });
      assert.equal(await panel.text('answer-1-1-text'), 'Once upon a time', 'the partial answer stays');
      assert.match(await panel.text('answer-1-1-stats'), /cancelled/);
    });
  });

  void it('compares two columns: each gets its own endpoint, parameters and answer cards', async () => {
    await withPanel({ bootstrap: bootstrap({ endpoints: [ALPHA, BETA, GAMMA] }) }, async (panel) => {
      await panel.fill('system', 'Be terse.');
      await panel.byTestId('add-column').click();
      await panel.byTestId('column-2').waitFor();
      // Pick Gamma the way a user does: open the picker, click the option.
      await panel.byTestId('endpoint-select-2').click();
      await panel.page.locator('[data-testid="endpoint-select-2"] li.option', { hasText: 'Gamma' }).click();
      // Typed key by key, as a user would: "0." must survive on its way to "0.25".
      await panel.field('temperature-2').pressSequentially('0.25');
      await panel.fill('max-tokens-2', '256');
      await panel.fill('samples', '2');
      assert.equal(await panel.value('temperature-2'), '0.25');

      const box1 = await panel.byTestId('column-1').boundingBox();
      const box2 = await panel.byTestId('column-2').boundingBox();
      assert.ok(box1 && box2);
      assert.equal(Math.round(box1.y), Math.round(box2.y), 'side by side when wide');

      const runId = await runQuestion(panel, 'Name a prime.');
      const [start] = await panel.requests('run/start');
      assert.deepEqual(start, {
        runId,
        question: 'Name a prime.',
        columns: [
          { endpoint: 'alpha', system: 'Be terse.', parameters: {} },
          { endpoint: 'gamma', system: 'Be terse.', parameters: { temperature: 0.25, maxTokens: 256 } },
        ],
        samples: 2,
      });
      const chunks: [number, number, string][] = [
        [1, 0, 'B0'],
        [0, 0, 'A0'],
        [0, 1, 'A1'],
        [1, 1, 'B1'],
        [0, 0, '!'],
      ];
      for (const [column, sample, text] of chunks) await panel.notify('run/chunk', { runId, column, sample, text });
      await eventually(async () => {
        assert.equal(await panel.text('answer-1-1-text'), 'A0!');
        assert.equal(await panel.text('answer-1-2-text'), 'A1');
        assert.equal(await panel.text('answer-2-1-text'), 'B0');
        assert.equal(await panel.text('answer-2-2-text'), 'B1');
      });
      assert.match(await panel.text('answers-column-2'), /Gamma/);
      // Chunks of another run go nowhere.
      await panel.notify('run/chunk', { runId: 'someone-else', column: 0, sample: 0, text: 'stray' });
      await panel.notify('run/done', { runId, column: 1, sample: 1, stats: STATS });
      await eventually(async () => {
        assert.match(await panel.text('status'), /Column 2, answer 2 done/);
      });
      assert.equal(await panel.text('answer-1-1-text'), 'A0!');
    });
  });

  void it('shows hostile model output as text, and Markdown mode runs none of it', async () => {
    await withPanel({ bootstrap: bootstrap() }, async (panel) => {
      const runId = await runQuestion(panel, 'Say something dangerous.');
      const gif = 'data:image/gif;base64,R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7';
      const payload =
        '<img src=x onerror="window.__pwned=1"> and </script><script>window.__pwned=2</script>\n\n' +
        `**bold** [link](javascript:window.__pwned=3) ![pixel](${gif}) [ok](https://example.com) <a href="https://raw.example" onclick="window.__pwned=4">raw</a>`;
      await panel.notify('run/chunk', { runId, column: 0, sample: 0, text: payload.slice(0, 40) });
      await panel.notify('run/chunk', { runId, column: 0, sample: 0, text: payload.slice(40) });
      await panel.notify('run/done', { runId, column: 0, sample: 0, stats: STATS });
      await panel.notify('run/end', { runId });

      const answers = panel.byTestId('answers');
      await eventually(async () => {
        assert.equal(await panel.text('answer-1-1-text'), payload, 'plain mode shows the exact text');
      });
      assert.ok(await panel.byTestId('answer-1-1-text').getByText('<img src=x onerror=', { exact: false }).isVisible());
      assert.equal(await answers.locator('img').count(), 0, 'plain mode makes no img');
      assert.equal(await answers.locator('script').count(), 0, 'plain mode makes no script');
      assert.equal(await answers.locator('strong').count(), 0, 'plain mode renders no Markdown');

      await panel.byTestId('markdown-toggle').click();
      await answers.locator('.answer-text.markdown strong', { hasText: 'bold' }).waitFor();
      assert.equal(await answers.locator('img[onerror]').count(), 0, 'no img with a handler');
      assert.equal(await answers.locator('img:not([src^="data:"])').count(), 0, 'no remote img');
      assert.equal(await answers.locator(`img[src="${gif}"]`).count(), 1, 'an inline data: image is kept');
      assert.equal(await answers.locator('script').count(), 0, 'no script element');
      assert.equal(await answers.locator('[onclick], [onerror], [style]').count(), 0, 'no handler or style attributes');
      assert.equal(await answers.locator('a[href^="javascript"]').count(), 0, 'no javascript: link');
      assert.equal(await answers.locator('a[href="https://example.com"]').count(), 1, 'an https Markdown link stays');
      // Raw HTML in the answer is not markup in Markdown mode either: it reads as the text it is.
      assert.equal(await answers.locator('a[href="https://raw.example"]').count(), 0, 'raw HTML makes no link');
      const shown = await panel.text('answer-1-1-text');
      assert.ok(shown.includes('<img src=x onerror="window.__pwned=1">'), 'the raw img shows as text');
      assert.ok(shown.includes('</script><script>window.__pwned=2</script>'), 'the raw script shows as text');
      await panel.page.waitForTimeout(200);
      assert.equal(await panel.pwned(), undefined, 'nothing ran');

      // Back to plain text: the same literal text again.
      await panel.byTestId('markdown-toggle').click();
      await eventually(async () => {
        assert.equal(await panel.text('answer-1-1-text'), payload);
      });
    });
  });

  void it('keeps the draft and answers in the webview state, saves the draft to the host, and loads drafts', async () => {
    const hostDraft = {
      system: 'From the host.',
      question: 'Host question?',
      columns: [{ endpoint: 'beta', system: null, parameters: { temperature: 1.1 } }],
      samples: 2,
    };
    let saved: unknown;
    await withPanel({ bootstrap: bootstrap({ draft: hostDraft }) }, async (panel) => {
      // No webview state: the host's draft is shown.
      await eventually(async () => {
        assert.equal(await panel.value('question'), 'Host question?');
      });
      assert.equal(await panel.value('system'), 'From the host.');
      assert.equal(await panel.value('temperature-1'), '1.1');
      assert.equal(await panel.value('samples'), '2');
      assert.equal(await panel.byTestId('endpoint-select-1').evaluate((el: unknown) => (el as { value: string }).value), 'beta');

      await panel.fill('system', 'You are a pirate.');
      await panel.fill('question', '');
      await panel.field('question').pressSequentially('Where is the gold?');
      await panel.fill('temperature-1', '0.7');
      // Setting the component's value and firing its events works too (the fallback for tools that cannot type).
      await panel.setValue('samples', '1');
      const expected = {
        system: 'You are a pirate.',
        question: 'Where is the gold?',
        columns: [{ endpoint: 'beta', system: null, parameters: { temperature: 0.7 } }],
        samples: 1,
      };
      await eventually(async () => {
        const state = (await panel.state()) as { draft?: unknown };
        assert.deepEqual(state.draft, expected);
      });
      await eventually(async () => {
        const saves = await panel.requests('draft/save');
        assert.deepEqual(saves.at(-1), expected);
      });
      const saves = await panel.requests('draft/save');
      assert.ok(saves.length <= 3, `draft/save is debounced (${saves.length} for ${'Where is the gold?'.length + 3} edits)`);

      await panel.field('question').press('Control+Enter');
      const [start] = await panel.waitForRequests('run/start');
      assert.ok(start);
      await panel.notify('run/chunk', { runId: start.runId, column: 0, sample: 0, text: 'Arr, buried!' });
      await panel.notify('run/done', { runId: start.runId, column: 0, sample: 0, stats: STATS });
      await panel.notify('run/end', { runId: start.runId });
      await eventually(async () => {
        const state = JSON.stringify(await panel.state());
        assert.ok(state.includes('Arr, buried!'), 'the answer is in the webview state');
      });
      saved = await panel.state();
    });

    await withPanel({ bootstrap: bootstrap({ draft: hostDraft }), state: saved }, async (panel) => {
      // The webview state wins over the host's draft, and the answers come back with it.
      await eventually(async () => {
        assert.equal(await panel.value('question'), 'Where is the gold?');
      });
      assert.equal(await panel.value('system'), 'You are a pirate.');
      assert.equal(await panel.value('temperature-1'), '0.7');
      assert.equal(await panel.text('answer-1-1-text'), 'Arr, buried!');
      assert.match(await panel.text('answer-1-1-stats'), /1\.24 s/);

      await panel.notify('draft/load', {
        draft: { system: 'Loaded system', question: 'Loaded question', columns: [{ endpoint: 'alpha', system: 'Own', parameters: {} }], samples: 3 },
      });
      await eventually(async () => {
        assert.equal(await panel.value('question'), 'Loaded question');
      });
      assert.equal(await panel.value('system'), 'Loaded system');
      assert.equal(await panel.value('samples'), '3');
      assert.equal(await panel.value('column-system-1'), 'Own');
      await panel.page.waitForTimeout(700);
      assert.deepEqual(await panel.requests('draft/save'), [], 'opening and loading send no draft/save');
    });
  });

  void it('in Restricted Mode shows why and does not run; with no endpoints offers Add Endpoint', async () => {
    await withPanel({ bootstrap: bootstrap({ trusted: false }) }, async (panel) => {
      assert.match(await panel.text('trust-notice'), /Restricted Mode.*no network calls/s);
      await panel.fill('question', 'Hello?');
      assert.equal(await panel.isDisabled('run'), true);
      assert.match(await panel.text('run-hint'), /Restricted Mode/);
      assert.equal(await panel.isDisabled('run-eval-set'), true);
      await panel.field('question').press('Control+Enter');
      await panel.page.waitForTimeout(200);
      assert.deepEqual(await panel.requests('run/start'), [], 'no run in Restricted Mode');

      await panel.notify('trust/changed', { trusted: true });
      await eventually(async () => {
        assert.equal(await panel.isDisabled('run'), false);
      });
      assert.equal(await panel.byTestId('trust-notice').count(), 0);
    });

    const replies = { 'endpoints/refresh': { result: [LIVE] } };
    await withPanel({ bootstrap: bootstrap({ endpoints: [] }), replies }, async (panel) => {
      await panel.byTestId('empty-endpoints').waitFor();
      assert.equal(await panel.byTestId('column-1').count(), 0);
      await panel.fill('question', 'Hello?');
      assert.equal(await panel.isDisabled('run'), true);
      assert.match(await panel.text('run-hint'), /Add an endpoint/);
      await panel.byTestId('add-endpoint').click();
      assert.deepEqual(await panel.waitForRequests('command/run'), [{ command: 'tunelab.addEndpoint' }]);

      // Refresh asks for the live SageMaker endpoints too.
      await panel.byTestId('refresh-endpoints').click();
      assert.deepEqual(await panel.waitForRequests('endpoints/refresh'), [{ live: true }]);
      const select = panel.byTestId('endpoint-select-1');
      await select.waitFor();
      assert.equal(await select.evaluate((el: unknown) => (el as { value: string }).value), LIVE.id);
      assert.match((await select.locator('vscode-option').first().textContent()) ?? '', /tuned-llama \(SageMaker, live\)/);

      await panel.notify('endpoints/changed', { endpoints: [BETA, LIVE] });
      await eventually(async () => {
        assert.equal(await select.locator('vscode-option').count(), 2);
      });
      assert.equal(await select.evaluate((el: unknown) => (el as { value: string }).value), LIVE.id, 'the choice stays');
      await eventually(async () => {
        assert.equal(await panel.isDisabled('run'), false);
      });
    });
  });

  void it('lists, searches, shows, re-runs and deletes history', async () => {
    const now = Date.now();
    const history: HistoryEntry[] = [
      {
        id: 'h1',
        time: now - 30 * 3_600_000,
        question: 'Oldest question\nwith a second line',
        system: 'S1 system',
        columns: [{ endpoint: 'alpha', system: 'S1 system', parameters: {} }],
        samples: 1,
        answers: [{ column: 0, sample: 0, text: 'forty-two', stats: STATS }],
      },
      {
        id: 'h2',
        time: now - 60_000,
        question: 'Newest question',
        system: 'Shared',
        columns: [
          { endpoint: 'alpha', system: 'Shared', parameters: { temperature: 0.3 } },
          { endpoint: 'beta', system: 'Own prompt', parameters: { seed: 7, maxTokens: 64 } },
        ],
        samples: 2,
        answers: [
          { column: 0, sample: 0, text: 'the GAMMA answer <b>bold?</b>' },
          { column: 1, sample: 0, text: '', error: 'HTTP 500' },
        ],
      },
      {
        id: 'h3',
        time: now - 3_600_000,
        question: 'Middle question',
        system: '',
        columns: [{ endpoint: 'beta', system: '', parameters: {} }],
        samples: 1,
        answers: [],
      },
    ];
    await withPanel({ bootstrap: bootstrap({ history }) }, async (panel) => {
      await panel.page.locator('[data-testid="history"] .collapsible-header').click();
      const questions = panel.page.locator('[data-testid="history-row"] .row-question');
      await questions.first().waitFor();
      assert.deepEqual(await questions.allTextContents(), ['Newest question', 'Middle question', 'Oldest question']);

      await panel.fill('history-search', 'gamma');
      await eventually(async () => {
        assert.deepEqual(await questions.allTextContents(), ['Newest question']);
      });
      await panel.fill('history-search', 's1 SYSTEM');
      await eventually(async () => {
        assert.deepEqual(await questions.allTextContents(), ['Oldest question']);
      });
      await panel.fill('history-search', 'nothing like this');
      await panel.byTestId('history-none').waitFor();
      await panel.fill('history-search', '');
      await eventually(async () => {
        assert.equal(await questions.count(), 3);
      });

      const newest = panel.byTestId('history-row').filter({ hasText: 'Newest question' });
      await newest.locator('[data-testid="history-open"]').click();
      const detail = newest.locator('[data-testid="history-detail"]');
      await detail.waitFor();
      assert.match((await detail.textContent()) ?? '', /the GAMMA answer <b>bold\?<\/b>/, 'stored answers show as text');
      assert.match((await detail.textContent()) ?? '', /HTTP 500/);
      assert.equal(await detail.locator('b').count(), 0);

      const oldest = panel.byTestId('history-row').filter({ hasText: 'Oldest question' });
      await oldest.locator('[data-testid="history-load"]').click();
      await eventually(async () => {
        assert.equal(await panel.value('question'), 'Oldest question\nwith a second line');
      });
      assert.equal(await panel.value('system'), 'S1 system');
      assert.equal(await panel.byTestId('column-2').count(), 0);
      assert.deepEqual(await panel.requests('run/start'), [], 'Load does not run');

      await newest.locator('[data-testid="history-rerun"]').click();
      const [start] = await panel.waitForRequests('run/start');
      assert.ok(start);
      assert.equal(start.question, 'Newest question');
      assert.deepEqual(start.columns, history[1]?.columns);
      assert.equal(start.samples, 2);
      assert.equal(await panel.value('question'), 'Newest question');
      assert.equal(await panel.value('column-system-2'), 'Own prompt');

      await panel.byTestId('history-row').filter({ hasText: 'Middle question' }).locator('[data-testid="history-delete"]').click();
      assert.deepEqual(await panel.waitForRequests('history/delete'), [{ id: 'h3' }]);
      await panel.notify('history/changed', { history: history.filter((e) => e.id !== 'h3') });
      await eventually(async () => {
        assert.deepEqual(await questions.allTextContents(), ['Newest question', 'Oldest question']);
      });

      await panel.byTestId('history-clear').click();
      assert.deepEqual(await panel.waitForRequests('history/clear'), [null]);
      await panel.notify('history/changed', { history: [] });
      await eventually(async () => {
        assert.equal(await questions.count(), 0);
      });
    });
  });

  void it('adds an answer to the dataset, copies it, and shows errors and cut-off answers', async () => {
    const added = { file: 'train.jsonl', line: 42, format: 'JumpStart instruction' };
    await withPanel({ bootstrap: bootstrap(), replies: { 'answer/addToDataset': { result: added } } }, async (panel) => {
      await panel.fill('system', 'Shared prompt');
      await panel.byTestId('add-column').click();
      await panel.byTestId('own-system-2').click();
      await panel.fill('column-system-2', 'Column two prompt');
      const runId = await runQuestion(panel, 'Q?');
      const [start] = await panel.requests('run/start');
      assert.deepEqual(
        start?.columns.map((c) => [c.endpoint, c.system]),
        [
          ['alpha', 'Shared prompt'],
          ['beta', 'Column two prompt'],
        ],
      );

      await panel.notify('run/chunk', { runId, column: 0, sample: 0, text: 'Partial' });
      await panel.notify('run/error', { runId, column: 0, sample: 0, message: 'HTTP 429: slow down' });
      await panel.notify('run/chunk', { runId, column: 1, sample: 0, text: 'Answer two.' });
      await panel.notify('run/done', { runId, column: 1, sample: 0, stats: { latencyMs: 80, finish: 'length', outputTokens: 5 } });
      await panel.notify('run/end', { runId });

      const error = panel.byTestId('answer-1-1-error');
      await error.waitFor();
      assert.equal(await error.getAttribute('role'), 'alert');
      assert.equal(await error.textContent(), 'HTTP 429: slow down');
      assert.equal(await panel.text('answer-1-1-text'), 'Partial', 'the partial text stays');
      const warning = panel.byTestId('answer-2-1-stats').locator('.warning');
      assert.match((await warning.textContent()) ?? '', /cut off at max tokens/);
      assert.match(await panel.text('answer-2-1-stats'), /latency 80 ms/);
      assert.match(await panel.text('answer-2-1-stats'), /tokens 5 out/);

      await panel.byTestId('answer-2-1-add-to-dataset').click();
      assert.deepEqual(await panel.waitForRequests('answer/addToDataset'), [
        { question: 'Q?', answer: 'Answer two.', system: 'Column two prompt' },
      ]);
      await eventually(async () => {
        assert.match(await panel.text('answer-2-1-note'), /train\.jsonl:42 \(JumpStart instruction\)/);
      });

      await panel.byTestId('answer-2-1-copy').click();
      assert.deepEqual(await panel.waitForRequests('answer/copy'), [{ text: 'Answer two.' }]);
      await eventually(async () => {
        assert.match(await panel.text('answer-2-1-note'), /Copied/);
      });

      // A cancelled "Add to dataset" (null) shows nothing.
      await panel.setReply('answer/addToDataset', { result: null });
      await panel.byTestId('answer-1-1-add-to-dataset').click();
      await panel.waitForRequests('answer/addToDataset', 2);
      await eventually(async () => {
        assert.equal(await panel.byTestId('answer-1-1-note').count(), 0);
      });
    });
  });

  void it('validates numbers, and disables the seed for an endpoint that ignores it', async () => {
    await withPanel({ bootstrap: bootstrap({ endpoints: [ALPHA, LIVE] }) }, async (panel) => {
      const options = panel.page.locator('[data-testid="endpoint-select-1"] vscode-option');
      assert.deepEqual((await options.allTextContents()).map((t) => t.trim()), ['Alpha', 'tuned-llama (SageMaker, live)']);
      await panel.fill('question', 'Hi');
      assert.equal(await panel.isDisabled('seed-1'), false);
      await panel.fill('seed-1', '7');

      await panel.fill('temperature-1', '3');
      await eventually(async () => {
        assert.match(await panel.text('temperature-1-error'), /Temperature must be a number from 0 to 2/);
      });
      assert.equal(await panel.isDisabled('run'), true);
      assert.match(await panel.text('run-hint'), /Fix the marked fields/);
      await panel.fill('temperature-1', '0.5');
      await panel.fill('max-tokens-1', '0');
      await panel.byTestId('max-tokens-1-error').waitFor();
      await panel.fill('max-tokens-1', '100');
      await panel.fill('samples', '9');
      await panel.byTestId('samples-error').waitFor();
      await panel.fill('samples', '1');
      await eventually(async () => {
        assert.equal(await panel.isDisabled('run'), false);
      });

      await panel.byTestId('endpoint-select-1').click();
      await panel.page.locator('[data-testid="endpoint-select-1"] li.option', { hasText: 'tuned-llama' }).click();
      await eventually(async () => {
        assert.equal(await panel.isDisabled('seed-1'), true);
      });
      assert.match((await panel.byTestId('seed-1').getAttribute('title')) ?? '', /ignores a sampling seed/);

      await panel.field('question').press('Control+Enter');
      const [start] = await panel.waitForRequests('run/start');
      assert.deepEqual(start?.columns, [{ endpoint: LIVE.id, system: '', parameters: { temperature: 0.5, maxTokens: 100 } }]);
    });
  });

  void it('disables top_p, saying why, for a model that takes temperature or top_p but not both', async () => {
    const claude: EndpointOption = {
      id: 'claude', label: 'Claude', detail: 'Amazon Bedrock · us.anthropic.claude-sonnet-4-5-20250929-v1:0', seed: false, live: false,
      topPUnused: 'Claude Sonnet 4.5 takes temperature or top_p, not both: TuneLab sends temperature, so top_p is not used.',
    };
    await withPanel({ bootstrap: bootstrap({ endpoints: [ALPHA, claude] }) }, async (panel) => {
      await panel.fill('question', 'How do I renew?');
      assert.equal(await panel.isDisabled('top-p-1'), false);
      await panel.fill('temperature-1', '0.5');
      await panel.fill('top-p-1', '0.9');

      await panel.byTestId('endpoint-select-1').click();
      await panel.page.locator('[data-testid="endpoint-select-1"] li.option', { hasText: 'Claude' }).click();
      await eventually(async () => {
        assert.equal(await panel.isDisabled('top-p-1'), true);
      });
      assert.match((await panel.byTestId('top-p-1').getAttribute('title')) ?? '', /Claude Sonnet 4\.5 takes temperature or top_p, not both/);

      await panel.field('question').press('Control+Enter');
      const [start] = await panel.waitForRequests('run/start');
      assert.deepEqual(start?.columns, [{ endpoint: 'claude', system: '', parameters: { temperature: 0.5 } }]);
    });
  });

  void it('fits a 320 px side bar: columns stack and nothing scrolls sideways', async () => {
    await withPanel({ bootstrap: bootstrap(), viewport: { width: 320, height: 800 } }, async (panel) => {
      await panel.byTestId('add-column').click();
      await panel.byTestId('column-2').waitFor();
      const box1 = await panel.byTestId('column-1').boundingBox();
      const box2 = await panel.byTestId('column-2').boundingBox();
      assert.ok(box1 && box2);
      assert.ok(box2.y >= box1.y + box1.height, 'column 2 is below column 1');
      const overflow = await panel.page.evaluate(() => {
        const root = (globalThis as unknown as { document: { documentElement: { scrollWidth: number; clientWidth: number } } }).document
          .documentElement;
        return root.scrollWidth - root.clientWidth;
      });
      assert.ok(overflow <= 0, `no horizontal scrolling (${overflow} px too wide)`);
    });
  });
  void it('saves the panel as a prompt file and runs its columns over an eval set', async () => {
    const replies = {
      'prompt/save': { result: 'prompts/pirate.tlprompt' },
      'batch/start': { result: 'results/eval-2024.jsonl' },
    };
    await withPanel({ bootstrap: bootstrap(), replies }, async (panel) => {
      await panel.fill('system', 'Shared');
      await panel.fill('question', 'Q');
      await panel.byTestId('add-column').click();
      await panel.byTestId('own-system-2').click();
      await panel.fill('column-system-2', 'Own');
      await panel.fill('top-p-2', '0.9');

      await panel.byTestId('save-prompt').click();
      assert.deepEqual(await panel.waitForRequests('prompt/save'), [
        {
          system: 'Shared',
          question: 'Q',
          columns: [
            { endpoint: 'alpha', system: null, parameters: {} },
            { endpoint: 'beta', system: 'Own', parameters: { topP: 0.9 } },
          ],
          samples: 1,
        },
      ]);
      await eventually(async () => {
        assert.match(await panel.text('toolbar-note'), /prompts\/pirate\.tlprompt/);
      });

      await panel.byTestId('run-eval-set').click();
      assert.deepEqual(await panel.waitForRequests('batch/start'), [
        {
          columns: [
            { endpoint: 'alpha', system: 'Shared', parameters: {} },
            { endpoint: 'beta', system: 'Own', parameters: { topP: 0.9 } },
          ],
        },
      ]);
      await eventually(async () => {
        assert.match(await panel.text('toolbar-note'), /results\/eval-2024\.jsonl/);
      });

      await panel.setReply('batch/start', { error: 'No eval set was chosen.' });
      await panel.byTestId('run-eval-set').click();
      await eventually(async () => {
        assert.match(await panel.text('toolbar-note'), /No eval set was chosen/);
      });
    });
  });
});
