// @ts-check
/**
 * Runs the benchmarks: bundles the harness (bench/harness.ts) with every bench/*.bench.ts into
 * one script in a private temp folder and runs it under `node --expose-gc`, so the harness can
 * collect garbage between runs. Targets are reported (✓/✗), not enforced: the exit code is
 * non-zero only when a case crashed.
 * Usage: npm run bench [-- <words>…]   (only the cases whose name contains one of the words)
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { cliBundles, nodeBundle } from './esbuild-node.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const benchDir = join(root, 'bench');

const files = readdirSync(benchDir).filter((f) => f.endsWith('.bench.ts')).sort();
// The entry point: import every file's `cases` and hand them all to the harness.
const entry = [
  "import { main } from './harness';",
  ...files.map((f, i) => `import { cases as cases${i} } from './${f.replace(/\.ts$/, '')}';`),
  `void main([${files.map((_, i) => `...cases${i}`).join(', ')}]);`,
].join('\n');

const dir = mkdtempSync(join(tmpdir(), 'tunelab-bench-'));
try {
  const outfile = join(dir, 'bench.js');
  await esbuild.build({
    stdin: { contents: entry, resolveDir: benchDir, sourcefile: 'bench-entry.ts', loader: 'ts' },
    outfile,
    ...nodeBundle,
    packages: 'external',
    sourcemap: 'inline',
  });
  // The CLI and its tokenizers, as dist/ ships them but here, for the cases that run the whole
  // `tunelab lint` process (bench/cli.bench.ts reads TUNELAB_BENCH_CLI).
  await esbuild.build({
    ...nodeBundle,
    entryPoints: { ...cliBundles.entryPoints, tokenizers: join(root, 'src/core/tokens/tokenizers.ts') },
    plugins: cliBundles.plugins,
    outdir: dir,
    minify: true,
  });
  const r = spawnSync(process.execPath, ['--expose-gc', '--enable-source-maps', outfile, ...process.argv.slice(2)], {
    stdio: 'inherit',
    cwd: root,
    env: { ...process.env, NODE_PATH: join(root, 'node_modules'), TUNELAB_BENCH_CLI: join(dir, 'cli.js') },
  });
  process.exitCode = r.status ?? 1;
} finally {
  rmSync(dir, { recursive: true, force: true });
}
