// @ts-check
/**
 * Builds everything: the extension and CLI bundles (esbuild), the Prompt Lab webview (Vite),
 * and the tests (esbuild, one bundle per test file, dependencies left external).
 * Usage: node scripts/build.mjs [--watch]
 */
import { chmodSync, readdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { editorBundles } from './editorBundles.mjs';
import { cliBundles, nodeBundle } from './esbuild-node.mjs';
import { build as viteBuild } from 'vite';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const watch = process.argv.includes('--watch');

/** @param {string} dir @param {(f: string) => boolean} keep @returns {string[]} */
function walk(dir, keep) {
  /** @type {string[]} */
  const out = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...walk(p, keep));
    else if (keep(p)) out.push(p);
  }
  return out;
}

/** @type {esbuild.BuildOptions} */
const common = nodeBundle;

/** @type {esbuild.BuildOptions[]} */
const targets = [
  {
    ...common,
    // The model clients (src/endpoints/backends.ts) and the judge, curation, Prompt Lab and
    // generation (src/features/) are bundles of their own, loaded on first use (editorBundles.mjs).
    entryPoints: Object.fromEntries(Object.entries(editorBundles).map(([name, path]) => [name, join(root, path)])),
    outdir: join(root, 'dist'),
    minify: !watch,
    sourcemap: watch ? 'inline' : false,
  },
  {
    ...common,
    // `lint` is in cli.js; `generate` and `judge`, with the model clients, load from bundles of their own.
    entryPoints: cliBundles.entryPoints,
    plugins: [...cliBundles.plugins, { name: 'executable', setup: (b) => b.onEnd((r) => { if (r.errors.length === 0) chmodSync(join(root, 'dist/cli.js'), 0o755); }) }],
    outdir: join(root, 'dist'),
    banner: { js: '#!/usr/bin/env node' },
    minify: !watch,
  },
  {
    ...common,
    // The tokenizers carry megabytes of vocabulary: a bundle of their own, which the extension
    // and the CLI load only when a rule first needs token counts.
    entryPoints: { tokenizers: join(root, 'src/core/tokens/tokenizers.ts') },
    outdir: join(root, 'dist'),
    minify: !watch,
  },
  {
    ...common,
    // Each test file is its own bundle so node's test runner and mocha can load them one by one.
    entryPoints: walk(join(root, 'test'), (f) => /\.(test|itest)\.ts$|[\\/]suite[\\/]index\.ts$/.test(f)).map((f) => ({
      in: f,
      out: relative(root, f).replace(/\.ts$/, ''),
    })),
    outdir: join(root, 'out'),
    packages: 'external',
    sourcemap: 'inline',
  },
];

async function buildWebview() {
  await viteBuild({ configFile: join(root, 'webview-ui/vite.config.mts'), logLevel: 'warn', build: { watch: watch ? {} : null } });
}

/**
 * The markers the `$esbuild-watch` problem matcher waits for (see .vscode/tasks.json): one
 * started/finished pair per burst of rebuilds across all targets.
 */
let active = 0;
/** @type {esbuild.Plugin} */
const watchMarkers = {
  name: 'watch-markers',
  setup(build) {
    build.onStart(() => {
      if (active++ === 0) process.stdout.write('[watch] build started\n');
    });
    build.onEnd((result) => {
      for (const e of result.errors) {
        process.stderr.write(`✘ [ERROR] ${e.text}\n    ${e.location?.file ?? ''}:${e.location?.line ?? 0}:${e.location?.column ?? 0}:\n`);
      }
      if (--active === 0) process.stdout.write('[watch] build finished\n');
    });
  },
};

if (!watch) rmSync(join(root, 'out/test'), { recursive: true, force: true });
if (watch) {
  for (const t of targets) await (await esbuild.context({ ...t, plugins: [...(t.plugins ?? []), watchMarkers] })).watch();
  await buildWebview();
  process.stderr.write('watching for changes…\n');
} else {
  await Promise.all([...targets.map((t) => esbuild.build(t)), buildWebview()]);
}
