import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { selectedMatrix } from '../../scripts/code-server.mjs';
import { launchBrowser, newPage, screenshot } from '../harness/browser';
import { startCodeServer } from '../harness/codeServer';
import { repoRoot, resultsRoot } from '../harness/paths';
import type { SuiteResult } from './suite/index';

/**
 * Runs the mocha suite in test/integration/suite inside a real extension host: code-server's,
 * with TuneLab loaded as a development extension from this checkout, the workbench driven by
 * headless Chromium. Each mocha test is reported here as a subtest.
 */
for (const matrix of selectedMatrix()) {
  void test(`integration: extension host of VS Code ${matrix.vscode} (code-server ${matrix.codeServer})`, { timeout: 300_000 }, async (t) => {
    const out = join(resultsRoot, 'integration', matrix.codeServer);
    rmSync(out, { recursive: true, force: true });
    mkdirSync(out, { recursive: true });
    const resultsFile = join(out, 'results.json');
    const server = await startCodeServer({
      matrix,
      env: { TUNELAB_TEST_RESULTS: resultsFile },
      logFile: join(out, 'code-server.log'),
    });
    const browser = await launchBrowser();
    let exitCode: number | undefined;
    try {
      const page = await newPage(browser);
      const logs: string[] = [];
      await page.exposeFunction('codeAutomationLog', (type: string, args: unknown[]) => {
        logs.push(`[${type}] ${args.map(String).join(' ')}`);
      });
      const exited = new Promise<number>((resolve) => {
        void page.exposeFunction('codeAutomationExit', (code: number) => {
          resolve(code);
        });
      });
      const remote = (p: string) => `vscode-remote://127.0.0.1:${server.port}${p}`;
      const payload = JSON.stringify([
        ['extensionDevelopmentPath', remote(repoRoot)],
        ['extensionTestsPath', remote(join(repoRoot, 'out/test/integration/suite/index.js'))],
      ]);
      await page.goto(`${server.url}/?folder=${encodeURIComponent(server.workspace)}&payload=${encodeURIComponent(payload)}`);
      const timeout = new Promise<never>((_, reject) =>
        setTimeout(() => { reject(new Error('the extension host suite did not finish within 240 s')); }, 240_000).unref(),
      );
      try {
        exitCode = await Promise.race([exited, timeout]);
      } catch (err) {
        await screenshot(page, join(out, 'timeout.png'));
        throw err;
      } finally {
        writeFileSync(join(out, 'workbench.log'), `${logs.join('\n')}\n`);
      }
    } finally {
      await browser.close();
      await server.stop();
    }

    assert.ok(existsSync(resultsFile), `the suite wrote no results (exit code ${String(exitCode)}); see ${out}/code-server.log`);
    const results = JSON.parse(readFileSync(resultsFile, 'utf8')) as SuiteResult[];
    assert.ok(results.length > 0, 'the suite ran no test');
    for (const r of results) {
      await t.test(r.title, { skip: r.state === 'pending' }, () => {
        if (r.state === 'failed') throw new Error(r.error ?? 'failed');
      });
    }
    assert.equal(exitCode, 0, 'the extension host reported failures');
  });
}
