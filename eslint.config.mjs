// @ts-check
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/** Layers that must stay editor-free, so they can be tested and reused without VS Code. */
const noVscode = {
  name: 'vscode',
  message: 'This layer must not import vscode (see ARCHITECTURE.md, "The layering rule"). Move editor code to src/providers, src/views, src/commands or src/host.',
};

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
        patterns: [{ group: ['**/endpoints/**', '**/host/**', '**/providers/**', '**/views/**', '**/commands/**', '**/cli/**'], message: 'src/core imports nothing above it.' }],
      }],
    },
  },
  {
    files: ['src/endpoints/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', {
        paths: [noVscode],
        patterns: [{ group: ['**/host/**', '**/providers/**', '**/views/**', '**/commands/**', '**/cli/**'], message: 'src/endpoints imports only src/core.' }],
      }],
    },
  },
  {
    files: ['src/cli/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', {
        paths: [noVscode],
        patterns: [{ group: ['**/host/**', '**/providers/**', '**/views/**', '**/commands/**'], message: 'The CLI uses src/core and src/endpoints only.' }],
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
