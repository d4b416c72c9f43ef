import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import { editorBundles } from '../../scripts/editorBundles.mjs';

/** The repo root, from the compiled file in out/test/unit. */
const repoRoot = path.resolve(__dirname, '../../..');

const TOP_LEVEL_FILES = new Set(['package.json', 'README.md', 'LICENSE', 'CHANGELOG.md']);
const SHIPPED_DIRS = ['dist/', 'syntaxes/', 'media/', 'schemas/'];
const NEVER_SHIPPED = ['src/', 'test/', 'samples/', 'node_modules/', 'out/', 'webview-ui/'];
/** Every bundle the build writes is loaded by something at run time: the editor's (scripts/editorBundles.mjs), the CLI's, the tokenizers. */
const REQUIRED = [
  ...Object.keys(editorBundles).map((name) => `dist/${name}.js`),
  'dist/cli.js', 'dist/cli-generate.js', 'dist/cli-judge.js', 'dist/tokenizers.js',
  'dist/webview/index.js', 'dist/webview/index.css', 'schemas/tunelab.schema.json', 'schemas/topics.schema.json',
];

/**
 * The files `vsce package` would put in the .vsix, as vsce itself lists them (offline).
 * `vsce ls` has no --allow-missing-repository option (only `vsce package` does), so it is not passed.
 */
function vsceLs(): string[] {
  const vsce = path.join(repoRoot, 'node_modules', '@vscode', 'vsce', 'vsce');
  const r = spawnSync(process.execPath, [vsce, 'ls', '--no-dependencies'], { cwd: repoRoot, encoding: 'utf8', timeout: 60_000 });
  if (r.error) throw r.error;
  assert.equal(r.status, 0, `vsce ls failed:\n${r.stderr}`);
  return r.stdout
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .map((line) => line.replace(/\\/g, '/'));
}

void describe('the packaged extension (vsce ls)', { timeout: 60_000 }, () => {
  let files: string[] = [];

  before(() => {
    files = vsceLs();
  });

  void it('lists some files', () => {
    assert.ok(files.length > 0);
  });

  void it('ships only package.json, README.md, LICENSE, CHANGELOG.md and dist/, syntaxes/, media/, schemas/', () => {
    const unexpected = files.filter((f) => !TOP_LEVEL_FILES.has(f) && !SHIPPED_DIRS.some((dir) => f.startsWith(dir)));
    assert.deepEqual(unexpected, []);
  });

  void it('ships the extension, CLI, tokenizer and webview bundles and the tunelab.jsonc schema', () => {
    const missing = REQUIRED.filter((f) => !files.includes(f));
    assert.deepEqual(missing, [], 'run npm run build before packaging');
  });

  void it('ships the manifest, readme, licence and changelog', () => {
    for (const f of TOP_LEVEL_FILES) assert.ok(files.includes(f), `${f} is packaged`);
  });

  void it('ships nothing from src/, test/, samples/, node_modules/, out/ or webview-ui/', () => {
    const leaked = files.filter((f) => NEVER_SHIPPED.some((dir) => f.startsWith(dir) || f.includes(`/${dir}`)));
    assert.deepEqual(leaked, []);
  });

  void it('ships no source maps, TypeScript sources or .vsix files', () => {
    const leaked = files.filter((f) => /\.(map|ts|vsix)$/.test(f));
    assert.deepEqual(leaked, []);
  });
});
