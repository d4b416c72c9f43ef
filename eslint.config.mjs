// @ts-check
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/** Layers that must stay editor-free, so they can be tested and reused without VS Code. */
const noVscode = {
  name: 'vscode',
  message: 'This layer must not import vscode (see ARCHITECTURE.md, "The layering rule"). Move editor code to src/providers, src/views, src/commands or src/host.',
};

/** Every folder of the editor, the layers the fences below keep apart. */
const EDITOR = ['src/host/**/*.ts', 'src/providers/**/*.ts', 'src/views/**/*.ts', 'src/commands/**/*.ts', 'src/features/**/*.ts', 'src/*.ts'];

/**
 * The lazy features' entry modules (scripts/editorBundles.mjs): importing one for its values would
 * pull that bundle into its importer's. Below src/features the layer fences refuse all of
 * src/features anyway; this is for src/features itself and src/extension.ts.
 */
const LAZY_FEATURES = 'judge|curation|promptLab|generation|promptFiles';
const lazyFeatureMessage =
  'The lazy features\' entry modules (scripts/editorBundles.mjs) are bundles of their own, loaded on first use by src/features/lazyFeatures.ts: import only their types here (`import type`), see ARCHITECTURE.md, "Build".';
const lazyFeatureEntries = { regex: `(^|/)features/(${LAZY_FEATURES})$`, allowTypeImports: true, message: lazyFeatureMessage };

/**
 * The modules only dist/endpoints.js holds: the model clients with their SDKs, and the scheduler
 * (it tells retryable errors by `instanceof EndpointError`, so it must share the backends' copy of
 * the class). src/host/endpointBackends.ts loads that bundle at run time by path; a value import
 * anywhere in the editor, even there, would put the SDKs back into the importer's bundle.
 * promptRun.ts is not among them: it is Prompt Lab's and the judge's, imported only by their lazy
 * modules (host/evalBatch.ts, views/promptLabView.ts), and the activation test keeps it out of
 * dist/extension.js. config.ts, types.ts, bedrockModels.ts and sagemaker/{auto,payloads} are
 * small and shared by every bundle.
 */
const endpointsBundle = {
  regex: '(^|/)endpoints/(backends|factory|openai|bedrock|sagemaker|sagemaker/discover|scheduler|generateRun)$',
  allowTypeImports: true,
  message:
    'This module is in the endpoints bundle (dist/endpoints.js: the model clients and their SDKs), which src/host/endpointBackends.ts loads on the first endpoint call: import only its types here (`import type`) and call the loaded backends, see ARCHITECTURE.md, "Build".',
};

/**
 * The module above every editor layer, and the program beside them.
 * @param {string} layer
 */
const noExtensionOrCli = (layer) => ({ group: ['**/extension', '**/cli/**'], message: `${layer} imports neither src/extension.ts nor src/cli (see ARCHITECTURE.md, "The layering rule").` });

const editorFsMessage =
  'The editor does its file I/O through vscode.workspace.fs, so that it works in virtual workspaces as the manifest claims (see ARCHITECTURE.md, "The layering rule").';

export default tseslint.config(
  { ignores: ['dist/', 'out/', 'node_modules/', 'test-results/', 'samples/', '**/*.d.ts'] },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: true,
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true, allowBoolean: true }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['**/*.mjs'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: { globals: globals.node },
  },
  {
    files: ['src/core/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', {
        paths: [noVscode,
          { name: 'node:fs', message: 'src/core is pure: take text in, give data out; the caller does I/O.' },
          { name: 'fs', message: 'src/core is pure: take text in, give data out; the caller does I/O.' },
          { name: 'node:fs/promises', message: 'src/core is pure: take text in, give data out; the caller does I/O.' }],
        patterns: [{ group: ['**/endpoints/**', '**/host/**', '**/providers/**', '**/views/**', '**/commands/**', '**/features/**', '**/extension', '**/cli/**'], message: 'src/core imports nothing above it.' }],
      }],
    },
  },
  {
    files: ['src/endpoints/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', {
        paths: [noVscode],
        patterns: [{ group: ['**/host/**', '**/providers/**', '**/views/**', '**/commands/**', '**/features/**', '**/extension', '**/cli/**'], message: 'src/endpoints imports only src/core.' }],
      }],
    },
  },
  {
    files: ['src/cli/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', {
        paths: [noVscode],
        patterns: [{ group: ['**/host/**', '**/providers/**', '**/views/**', '**/commands/**', '**/features/**', '**/extension'], message: 'The CLI uses src/core and src/endpoints only.' }],
      }],
    },
  },
  {
    files: ['src/host/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', {
        patterns: [
          { group: ['**/providers/**', '**/views/**', '**/commands/**', '**/features/**'], message: 'src/host holds the models and services every editor layer uses: it imports no providers, views, commands or features (see ARCHITECTURE.md, "The layering rule"). Move the shared part down into src/host.' },
          noExtensionOrCli('src/host'), endpointsBundle,
        ],
      }],
    },
  },
  {
    // Providers and views are siblings: neither imports the other; what both need lives in src/host.
    files: ['src/providers/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', {
        patterns: [
          { group: ['**/views/**', '**/commands/**', '**/features/**'], message: 'src/providers imports src/host, src/core and src/endpoints, no views, commands or features (see ARCHITECTURE.md, "The layering rule"). Move what a view shares with a provider into src/host.' },
          noExtensionOrCli('src/providers'), endpointsBundle,
        ],
      }],
    },
  },
  {
    files: ['src/views/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', {
        patterns: [
          { group: ['**/providers/**', '**/commands/**', '**/features/**'], message: 'src/views imports src/host, src/core and src/endpoints, no providers, commands or features (see ARCHITECTURE.md, "The layering rule"). Move what a provider shares with a view into src/host.' },
          noExtensionOrCli('src/views'), endpointsBundle,
        ],
      }],
    },
  },
  {
    files: ['src/commands/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', {
        patterns: [
          { group: ['**/features/**'], message: 'src/commands imports no features: src/features wires commands into lazy bundles, not the other way round (see ARCHITECTURE.md, "The layering rule").' },
          noExtensionOrCli('src/commands'), endpointsBundle,
        ],
      }],
    },
  },
  {
    files: ['src/features/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', {
        patterns: [
          noExtensionOrCli('src/features'), lazyFeatureEntries, endpointsBundle,
          // The same entry modules seen from their own folder.
          { regex: `^\\./(${LAZY_FEATURES})$`, allowTypeImports: true, message: lazyFeatureMessage },
        ],
      }],
    },
  },
  {
    // src/extension.ts, the only module at the top of src/ (the glob lets the layering test probe it).
    files: ['src/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', {
        patterns: [
          { group: ['**/cli/**'], message: 'The extension and the CLI are separate programs: src/extension.ts imports no src/cli (see ARCHITECTURE.md, "The layering rule").' },
          lazyFeatureEntries, endpointsBundle,
        ],
      }],
    },
  },
  {
    // No node:fs in the editor. This is the core rule rather than the typescript-eslint one the
    // layer fences use, so that an exception for some files turns this fence off without
    // restating theirs.
    files: EDITOR,
    rules: {
      'no-restricted-imports': ['error', {
        paths: ['node:fs', 'fs', 'node:fs/promises', 'fs/promises'].map((name) => ({ name, message: editorFsMessage })),
      }],
    },
  },
  {
    files: ['webview-ui/**/*.ts'],
    languageOptions: { globals: globals.browser },
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', {
        paths: [noVscode],
        patterns: [
          { regex: '(^|/)src/(?!core/protocol$)', message: 'webview-ui imports only types from src/core/protocol.ts.' },
          { regex: '(^|/)src/core/protocol$', allowTypeImports: true, message: 'webview-ui imports only types from src/core/protocol.ts.' },
        ],
      }],
    },
  },
  {
    // The settings are read, watched and written in one place (host/config.ts, see host/settings.ts):
    // everything else gets the `Config`, so a setting is normalized once and a workspace's value is
    // never honoured where only the user's may be.
    files: ['src/**/*.ts'],
    ignores: ['src/host/config.ts'],
    rules: {
      'no-restricted-syntax': ['error', ...['getConfiguration', 'onDidChangeConfiguration'].map((name) => ({
        selector: `MemberExpression[property.name='${name}']`,
        message: `Read and watch settings through the Config (src/host/config.ts), not ${name}.`,
      }))],
    },
  },
  {
    files: ['src/host/settings.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', { paths: [{ ...noVscode, message: 'host/settings.ts is pure, so every setting\'s normalization is tested without an editor: the Config (host/config.ts) reads the editor.' }] }],
    },
  },
);
