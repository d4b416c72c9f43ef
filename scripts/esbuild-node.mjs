// @ts-check
/**
 * The esbuild options every Node bundle of this project shares (the extension, the CLI, the
 * tests, the benchmarks, the schema generator), so they cannot drift apart.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** @type {{ version: string }} */
export const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

/** @type {import('esbuild').BuildOptions} */
export const nodeBundle = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  external: ['vscode'],
  // jsonc-parser's `main` is a UMD build whose internal requires break when bundled; its ESM build does not.
  mainFields: ['module', 'main'],
  logLevel: 'warning',
  define: { __TUNELAB_VERSION__: JSON.stringify(pkg.version) },
};
