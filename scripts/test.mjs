// @ts-check
/**
 * `npm test`: every check, in order, stopping at the first that fails —
 * build, type-check, lint (which enforces the layering rule), package the .vsix, make sure moto
 * (the AWS emulator test/unit/aws-peer.test.ts runs against) and the code-server builds are
 * installed, then one run of node's test runner over every test file: unit, webview (the Prompt Lab app in Chromium), integration (a real extension host) and end-to-end (the .vsix in a real VS Code, driven
 * in Chromium), one file at a time so two VS Codes never compete for the machine.
 *
 * TUNELAB_CODE_SERVER=4.100.3 narrows the VS Code matrix; TUNELAB_TEST_LAYERS=unit (or
 * unit,integration) runs fewer layers while you work.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const layers = (process.env.TUNELAB_TEST_LAYERS ?? 'unit,webview,integration,e2e').split(',').map((s) => s.trim());
const needsVsCode = layers.includes('integration') || layers.includes('e2e');
const needsChromium = needsVsCode || layers.includes('webview');

/** @param {string} title @param {string} cmd @param {string[]} args */
function step(title, cmd, args) {
  const started = Date.now();
  process.stdout.write(`\n▶ ${title}\n`);
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: process.env });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  if (r.status !== 0) {
    process.stdout.write(`✖ ${title} failed after ${seconds} s\n`);
    process.exit(r.status ?? 1);
  }
  process.stdout.write(`✔ ${title} (${seconds} s)\n`);
}

/** @param {string} dir @returns {string[]} */
function testFiles(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .flatMap((name) => {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) return name === 'suite' ? [] : testFiles(p);
      return name.endsWith('.test.js') ? [p] : [];
    })
    .sort();
}

const chromium = process.env.TUNELAB_CHROMIUM ?? '/usr/bin/chromium';
if (needsChromium && !existsSync(chromium)) {
  process.stderr.write(
    `The webview, integration and end-to-end tests drive Chromium, which is not at ${chromium}.\n` +
      'Install it (Debian/Ubuntu: sudo apt-get install chromium) or set TUNELAB_CHROMIUM to its path.\n',
  );
  process.exit(1);
}

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
step('build', process.execPath, [join(root, 'scripts/build.mjs')]);
step('type-check', npm, ['run', '--silent', 'typecheck']);
step('lint', npm, ['run', '--silent', 'lint']);
if (layers.includes('e2e') || layers.includes('unit')) step('package', process.execPath, [join(root, 'scripts/package.mjs')]);
if (layers.includes('unit')) step('moto', process.execPath, [join(root, 'scripts/install-moto.mjs')]);
if (needsVsCode) step('code-server', process.execPath, [join(root, 'scripts/install-code-server.mjs')]);

const files = layers.flatMap((layer) => testFiles(join(root, 'out/test', layer)));
if (files.length === 0) {
  process.stderr.write(`no test files for layers ${layers.join(', ')}\n`);
  process.exit(1);
}
process.stdout.write(`\n▶ tests: ${files.map((f) => relative(root, f)).join(' ')}\n`);
// A TAP copy of the run gives the counts for the closing line, printed last so it is the
// run's verdict in any log.
const results = join(root, 'test-results');
mkdirSync(results, { recursive: true });
const tap = join(results, 'tests.tap');
const run = spawnSync(
  process.execPath,
  ['--test', '--test-concurrency=1', '--test-reporter=spec', '--test-reporter-destination=stdout',
    '--test-reporter=tap', `--test-reporter-destination=${tap}`, ...files],
  { cwd: root, stdio: 'inherit', env: process.env },
);
const text = existsSync(tap) ? readFileSync(tap, 'utf8') : '';
/** @param {string} name */
const count = (name) => Number(new RegExp(`^# ${name} (\\d+)$`, 'm').exec(text)?.[1] ?? 0);
const summary = `${count('pass')} passed, ${count('fail') + count('cancelled')} failed, ${count('skipped')} skipped`;
writeFileSync(join(results, 'summary.txt'), `${summary}\n`);
process.stdout.write(`\n${summary}\n`);
process.exit(run.status ?? 1);
