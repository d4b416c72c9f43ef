import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Mocha from 'mocha';

/** One test's outcome, as the outer runner reads it back from TUNELAB_TEST_RESULTS. */
export interface SuiteResult {
  readonly title: string;
  readonly state: 'passed' | 'failed' | 'pending';
  readonly durationMs: number;
  readonly error?: string;
}

/**
 * Entry point that VS Code calls inside the extension host (extensionTestsPath). Runs every
 * `*.itest.js` beside it with mocha, writes each test's outcome to the file named by
 * TUNELAB_TEST_RESULTS, and rejects when any failed (VS Code then exits with code 1).
 */
export function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'tdd', color: false, timeout: 30_000, reporter: 'spec' });
  for (const file of readdirSync(__dirname).filter((f) => f.endsWith('.itest.js')).sort()) {
    mocha.addFile(join(__dirname, file));
  }
  const results: SuiteResult[] = [];
  const save = () => {
    const target = process.env.TUNELAB_TEST_RESULTS;
    if (target) writeFileSync(target, JSON.stringify(results, null, 2));
  };
  return new Promise((resolve, reject) => {
    const runner = mocha.run((failures) => {
      save();
      if (failures > 0) reject(new Error(`${failures} integration test(s) failed`));
      else resolve();
    });
    runner.on('pass', (t) => results.push({ title: t.fullTitle(), state: 'passed', durationMs: t.duration ?? 0 }));
    runner.on('pending', (t) => results.push({ title: t.fullTitle(), state: 'pending', durationMs: 0 }));
    runner.on('fail', (t, err: unknown) => {
      const error = err instanceof Error ? (err.stack ?? err.message) : String(err);
      results.push({ title: t.fullTitle(), state: 'failed', durationMs: t.duration ?? 0, error });
    });
  });
}
