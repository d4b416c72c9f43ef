// @ts-check
/**
 * The editor's bundles, built into dist/ by scripts/build.mjs from these entry points (relative
 * to the repository root). Activation evaluates only `extension`; the others are loaded with
 * require on first use (src/host/endpointBackends.ts, src/features/lazyFeatures.ts). They are
 * separate CommonJS entry points rather than esbuild's code splitting, which needs the esm output
 * format (https://esbuild.github.io/api/#splitting), while the extension is CommonJS: each
 * feature bundle carries its own copy of the small core modules it shares with the others.
 * test/unit/activation.test.ts and bench/activation.bench.ts build the same list.
 */
export const editorBundles = {
  extension: 'src/extension.ts',
  endpoints: 'src/endpoints/backends.ts',
  judge: 'src/features/judge.ts',
  curation: 'src/features/curation.ts',
  promptLab: 'src/features/promptLab.ts',
  generation: 'src/features/generation.ts',
  promptFiles: 'src/features/promptFiles.ts',
};
