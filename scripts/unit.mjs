// @ts-check
/**
 * Runs a few unit test files quickly while you work: bundles just them into a private temp
 * folder (so it never disturbs `out/` or another build) and runs them under `node --test`.
 * Usage: node scripts/unit.mjs test/unit/foo.test.ts [more files…]
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { nodeBundle } from './esbuild-node.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const files = process.argv.slice(2).map((f) => resolve(f));
if (files.length === 0) {
  process.stderr.write('usage: node scripts/unit.mjs <test files…>\n');
  process.exit(2);
}
// Dependencies stay external; NODE_PATH below lets the temp bundles find node_modules.
const dir = mkdtempSync(join(tmpdir(), 'tunelab-unit-'));
try {
  await esbuild.build({
    entryPoints: files.map((f, i) => ({ in: f, out: `${i}-${basename(f).replace(/\.ts$/, '')}` })),
    outdir: dir,
    ...nodeBundle,
    packages: 'external',
    sourcemap: 'inline',
  });
  const outs = files.map((f, i) => join(dir, `${i}-${basename(f).replace(/\.ts$/, '.js')}`));
  const r = spawnSync(process.execPath, ['--enable-source-maps', '--test', '--test-reporter=spec', ...outs], {
    stdio: 'inherit',
    cwd: root,
    env: { ...process.env, NODE_PATH: join(root, 'node_modules') },
  });
  process.exitCode = r.status ?? 1;
} finally {
  rmSync(dir, { recursive: true, force: true });
}
