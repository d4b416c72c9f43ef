import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { before, describe, it } from 'node:test';
import * as esbuild from 'esbuild';
import { legacyRejectedPathFor } from '../../src/core/judge/rejectedFile';
import { scoresPathFor } from '../../src/core/judge/score';
import { JUDGE_RUNS_VIEW, LAZY_COMMANDS, PROMPT_LAB_VIEW } from '../../src/features/lazyIds';
import { curationFilesFor } from '../../src/features/curationFiles';

/** The repo root: above the compiled file in out/test/unit, else above the working directory (scripts/unit.mjs bundles elsewhere). */
function findRepoRoot(): string {
  for (const start of [path.resolve(__dirname, '../../..'), process.cwd()]) {
    for (let dir = start; ; dir = path.dirname(dir)) {
      if (existsSync(path.join(dir, 'package.json')) && existsSync(path.join(dir, 'src/extension.ts'))) return dir;
      if (path.dirname(dir) === dir) break;
    }
  }
  throw new Error('run the tests from the repository');
}
const repoRoot = findRepoRoot();

/**
 * What activation must not evaluate (issue 15, "Editor": no endpoint SDK, tokenizer, judge or
 * curation code), and Prompt Lab's and generation's code: every source file of theirs, by path.
 * core/judge/rejectedFile.ts is the exception: the linter (host/datasetLinting.ts) reads it
 * to leave rejected files unlinted, and it is 0.5 KB of path arithmetic.
 */
const NOT_AT_ACTIVATION: readonly RegExp[] = [
  /^src\/core\/judge\/(?!rejectedFile\.ts$)/,
  /^src\/core\/generate\//,
  /^src\/core\/promptLab\//,
  /^src\/core\/tokens\/(tokenizers|asciiPretokens|pretokenCache)\.ts$/,
  /^src\/host\/(judgeModel|curation|promptLabEvalBatch|generation|promptLabStore|promptLabAppend|endpointOptions|promptLabFiles)\.ts$/,
  /^src\/commands\/(judge|curation|promptLab|generate)\.ts$/,
  /^src\/providers\/(judgeCodeLens|judgeDecorations|curationDecorations)\.ts$/,
  /^src\/views\/(judgeRunsView|judgeStatus|promptLabView|webviewMessenger)\.ts$/,
  /^src\/endpoints\/(backends|openai|sagemaker|bedrock|scheduler|promptRun|generateRun|batchAsk)\.ts$/,
  /^src\/features\/(judge|curation|promptLab|generation|promptFiles)\.ts$/,
  // The prompt-file parser and its YAML library: loaded when a prompt file is first checked.
  /^src\/core\/prompts\/promptFile\.ts$/,
  /^node_modules\/yaml\//,
  /^node_modules\/(openai|@aws-sdk|@smithy|js-tiktoken|@huggingface)\//,
];

type Inputs = Readonly<Record<string, readonly string[]>>;

/** Each editor bundle's source files, as `npm run build` bundles them (scripts/editorBundles.mjs), built in memory. */
async function bundleInputs(): Promise<Inputs> {
  // The build's own lists, read at run time (they are ESM scripts beside build.mjs).
  const script = async (name: string): Promise<unknown> => import(pathToFileURL(path.join(repoRoot, 'scripts', name)).href);
  const { editorBundles: entries } = await script('editorBundles.mjs') as { editorBundles: Record<string, string> };
  const { nodeBundle } = await script('esbuild-node.mjs') as { nodeBundle: esbuild.BuildOptions };
  const result = await esbuild.build({
    ...nodeBundle,
    absWorkingDir: repoRoot,
    entryPoints: entries,
    outdir: path.join(repoRoot, 'dist-unit-test-not-written'),
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  const out: Record<string, readonly string[]> = {};
  for (const [file, output] of Object.entries(result.metafile.outputs)) {
    out[path.basename(file, '.js')] = Object.keys(output.inputs).map((p) => p.replace(/\\/g, '/'));
  }
  return out;
}

void describe('activation: what dist/extension.js evaluates', () => {
  let inputs: Inputs = {};
  before(async () => {
    inputs = await bundleInputs();
  });

  void it('holds no endpoint SDK, tokenizer, judge, curation, Prompt Lab or generation code', () => {
    const extension = inputs.extension ?? [];
    assert.ok(extension.includes('src/extension.ts'));
    const loaded = extension.filter((p) => NOT_AT_ACTIVATION.some((re) => re.test(p)));
    assert.deepEqual(loaded, [], `evaluated at activation: ${loaded.join(', ')}`);
  });

  void it('puts each lazy feature in its own bundle', () => {
    const has = (bundle: string, file: string): void => {
      assert.ok((inputs[bundle] ?? []).includes(file), `dist/${bundle}.js holds ${file}`);
    };
    has('judge', 'src/host/judgeModel.ts');
    has('judge', 'src/providers/judgeDecorations.ts');
    has('curation', 'src/host/curation.ts');
    has('curation', 'src/providers/curationDecorations.ts');
    has('promptLab', 'src/views/promptLabView.ts');
    has('generation', 'src/host/generation.ts');
    has('endpoints', 'src/endpoints/scheduler.ts');
    has('promptFiles', 'src/core/prompts/promptFile.ts');
  });
});

/** The CommandId keys a source file registers: `registerCommand(CommandId.<key>`. */
function registered(file: string): string[] {
  const text = readFileSync(path.join(repoRoot, file), 'utf8');
  return [...text.matchAll(/registerCommand\(CommandId\.(\w+)/g)].map((m) => `tunelab.${m[1] ?? ''}`).sort();
}

interface Manifest { readonly contributes: { readonly commands: readonly { readonly command: string }[]; readonly views: Readonly<Record<string, readonly { readonly id: string }[]>> } }

void describe('activation: the stand-ins of the lazy features', () => {
  const manifest = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as Manifest;

  void it('stand in for exactly the commands each feature registers when it loads', () => {
    assert.deepEqual([...LAZY_COMMANDS.judge].sort(), registered('src/commands/judge.ts'));
    assert.deepEqual([...LAZY_COMMANDS.curation].sort(), registered('src/commands/curation.ts'));
    assert.deepEqual([...LAZY_COMMANDS.promptLab].sort(), registered('src/commands/promptLab.ts'));
    assert.deepEqual([...LAZY_COMMANDS.generation].sort(), registered('src/commands/generate.ts'));
  });

  void it('are contributed commands, and no eager module registers one of them too', () => {
    const contributed = new Set(manifest.contributes.commands.map((c) => c.command));
    const lazy = Object.values(LAZY_COMMANDS).flat();
    assert.deepEqual(lazy.filter((id) => !contributed.has(id)), []);
    for (const file of ['src/commands/topics.ts', 'src/commands/dataset.ts', 'src/commands/endpoints.ts', 'src/commands/general.ts']) {
      assert.deepEqual(registered(file).filter((id) => (lazy as readonly string[]).includes(id)), [], file);
    }
  });

  void it('fill views package.json contributes', () => {
    const views = Object.values(manifest.contributes.views).flat().map((v) => v.id);
    assert.ok(views.includes(JUDGE_RUNS_VIEW));
    assert.ok(views.includes(PROMPT_LAB_VIEW));
  });

  void it('look for the same scores and old rejected files curation uses', () => {
    for (const p of ['/w/data/train.jsonl', 'C:\\w\\data\\train.jsonl', 'train.jsonl', '/w/train.JSONL']) {
      assert.deepEqual(curationFilesFor(p), { scores: scoresPathFor(p), legacyRejected: legacyRejectedPathFor(p) });
    }
  });
});
