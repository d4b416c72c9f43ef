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

/**
 * The CLI's bundles: `lint` is in cli.js itself, while `generate` and `judge`, with the model
 * clients (the openai and AWS SDKs: most of the code), are bundles of their own that cli.js loads
 * only for those commands, so `tunelab lint` in CI does not compile them at every start.
 * src/cli/cli.ts imports them as './generate' and './judge'; the plugin turns those imports into
 * requires of the sibling bundles.
 * @type {{ entryPoints: Record<string, string>; plugins: import('esbuild').Plugin[] }}
 */
export const cliBundles = {
  entryPoints: {
    cli: join(root, 'src/cli/main.ts'),
    'cli-generate': join(root, 'src/cli/generate.ts'),
    'cli-judge': join(root, 'src/cli/judge.ts'),
  },
  plugins: [{
    name: 'cli-commands',
    setup(build) {
      const commands = join(root, 'src', 'cli', 'cli.ts');
      build.onResolve({ filter: /^\.\/(generate|judge)$/ }, (args) => (args.importer === commands ? { path: `./cli-${args.path.slice(2)}.js`, external: true } : undefined));
    },
  }],
};
