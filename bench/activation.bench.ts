/**
 * Activation: the time to evaluate dist/extension.js's modules, the layout this build ships (the
 * judge, curation, Prompt Lab and generation in bundles of their own, loaded on first use;
 * scripts/editorBundles.mjs) against the old layout measured in the same run: one bundle of the
 * extension with all four features imported into it, which is what activation used to evaluate.
 *
 * LABEL: this is a Node process, not the extension host. Both bundles are built here as
 * `npm run build` builds dist/ (minified CommonJS), then required with the cache cleared before
 * each run; their `require('vscode')` gets a do-nothing stub (a Proxy) written beside them, ONLY
 * so their modules can evaluate outside VS Code. What is timed is module evaluation alone, not
 * activate(). The figure from the real extension host (module evaluation start → end of
 * activate(), performance.now(), recorded by the extension itself) is written by the integration
 * suite (test/integration/suite/activation.itest.ts) to test-results/integration/<version>/
 * activation.json; it is printed here from the last integration run when there is one.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as esbuild from 'esbuild';
import type { BenchCase, Metric } from './harness';

const root = process.cwd();
let dir = '';
const sizes = { new: 0, old: 0 };

// Plain Node require, resolved at run time: the bundles are built in setup, not bundled here.
const nodeRequire: NodeJS.Require = require;

/**
 * A `vscode` module whose every property, call and construction returns itself. esbuild's
 * __toESM copies a CommonJS module onto an object whose prototype is the module's prototype, so
 * that prototype answers every property too.
 */
const VSCODE_STUB = `const get = (target, key) => (typeof key === 'symbol' || key === 'then' ? undefined : stub);
const proto = new Proxy({}, { get });
const stub = new Proxy(function vscode() {}, { get, apply: () => stub, construct: () => stub, getPrototypeOf: () => proto });
module.exports = stub;
`;

async function build(): Promise<void> {
  const script = async (name: string): Promise<unknown> => import(pathToFileURL(join(root, 'scripts', name)).href);
  const { editorBundles } = await script('editorBundles.mjs') as { editorBundles: Record<string, string> };
  const { nodeBundle } = await script('esbuild-node.mjs') as { nodeBundle: esbuild.BuildOptions };
  dir = mkdtempSync(join(tmpdir(), 'tunelab-activation-'));
  mkdirSync(join(dir, 'node_modules', 'vscode'), { recursive: true });
  writeFileSync(join(dir, 'node_modules', 'vscode', 'index.js'), VSCODE_STUB);
  const options: esbuild.BuildOptions = { ...nodeBundle, absWorkingDir: root, minify: true, logLevel: 'silent' };
  await esbuild.build({ ...options, entryPoints: { extension: join(root, editorBundles.extension ?? 'src/extension.ts') }, outdir: join(dir, 'new') });
  // Each feature's module is exported, so none of its code is shaken out: all of it evaluates, as before.
  const features = ['judge', 'curation', 'promptLab', 'generation', 'promptFiles'];
  const entry = [
    `export * from ${JSON.stringify(join(root, 'src/extension.ts'))};`,
    ...features.map((f) => `import * as ${f} from ${JSON.stringify(join(root, editorBundles[f] ?? ''))};`),
    `export const features = { ${features.join(', ')} };`,
  ];
  await esbuild.build({
    ...options,
    stdin: { contents: entry.join('\n'), resolveDir: root, loader: 'ts', sourcefile: 'old-layout.ts' },
    outfile: join(dir, 'old', 'extension.js'),
  });
  sizes.new = statSync(join(dir, 'new', 'extension.js')).size;
  sizes.old = statSync(join(dir, 'old', 'extension.js')).size;
}

/** Evaluates a bundle afresh: out of Node's cache, then required again. */
function evaluate(layout: 'new' | 'old'): number {
  const file = join(dir, layout, 'extension.js');
  Reflect.deleteProperty(nodeRequire.cache, file);
  const mod = nodeRequire(file) as { activate?: unknown };
  if (typeof mod.activate !== 'function') throw new Error(`${file} does not export activate()`);
  return 1;
}

/** The figures the last integration run recorded in the real extension host, if there was one. */
function hostFigures(): Metric[] {
  const base = join(root, 'test-results', 'integration');
  if (!existsSync(base)) return [];
  const out: Metric[] = [];
  for (const version of readdirSync(base)) {
    const file = join(base, version, 'activation.json');
    if (!existsSync(file)) continue;
    const record = JSON.parse(readFileSync(file, 'utf8')) as { ms?: unknown; at?: unknown; vscode?: unknown };
    if (typeof record.ms !== 'number') continue;
    out.push({ name: `activation in the real extension host (code-server ${version}, VS Code ${String(record.vscode)}, last integration run ${String(record.at)})`, value: record.ms, unit: 'ms', digits: 1 });
  }
  return out;
}

export const cases: BenchCase[] = [{
  name: 'activation: evaluating dist/extension.js (Node, vscode stubbed)',
  floorName: 'the old layout, features bundled in',
  async setup() { await build(); },
  run: () => evaluate('new'),
  floor: () => evaluate('old'),
  target: { ratio: 0.8 },
  runs: 15,
  metrics: () => {
    const figures: Metric[] = [
      { name: 'activation: dist/extension.js size', value: sizes.new / 1024, unit: 'KB', digits: 0 },
      { name: 'activation: the old layout\'s extension.js size', value: sizes.old / 1024, unit: 'KB', digits: 0 },
      ...hostFigures(),
    ];
    rmSync(dir, { recursive: true, force: true });
    return figures;
  },
}];
