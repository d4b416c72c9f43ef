import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ESLint, type Linter } from 'eslint';
import tseslint from 'typescript-eslint';

/**
 * The layering rule (ARCHITECTURE.md) is enforced by eslint.config.mjs. These tests lint small
 * probe texts, under paths in each layer, with the project's real config and check that the rule
 * fires where it must and nowhere else.
 *
 * Typed linting refuses text for a path that is not on disk ("was not found by the project
 * service"). Rather than writing probe files into src/ (where a concurrent commit, build, lint or
 * typecheck would pick them up), the probes are linted with typescript-eslint's
 * `disableTypeChecked` config on top of the repo's: it turns off only the rules that need type
 * information, which no-restricted-imports does not. Every `files` glob and the layering rule
 * itself stay the repo's own; a test below checks that.
 */

/** The repo root, from the compiled file in out/test/unit. */
const repoRoot = path.resolve(__dirname, '../../..');
const RULE = '@typescript-eslint/no-restricted-imports';
/** The editor's node:fs fence is the core rule, so that a per-file exception can turn it off alone. */
const FS_RULE = 'no-restricted-imports';
const RULES = [RULE, FS_RULE] as const;

interface Probe {
  /** The folder, relative to the repo root, the probe is linted as if it were in. */
  readonly dir: string;
  readonly code: string;
}

const VSCODE_IMPORT = "import * as vscode from 'vscode';\nexport const version: string = vscode.version;\n";

const probes = {
  coreVscode: { dir: 'src/core', code: VSCODE_IMPORT },
  endpointsVscode: { dir: 'src/endpoints', code: VSCODE_IMPORT },
  cliVscode: { dir: 'src/cli', code: VSCODE_IMPORT },
  webviewVscode: { dir: 'webview-ui/src', code: VSCODE_IMPORT },
  viewsVscode: { dir: 'src/views', code: VSCODE_IMPORT },
  coreFs: { dir: 'src/core', code: "import { readFileSync } from 'node:fs';\nexport const read = readFileSync;\n" },
  coreFsPromises: { dir: 'src/core', code: "import { readFile } from 'node:fs/promises';\nexport const read = readFile;\n" },
  coreCrypto: { dir: 'src/core', code: "import { randomBytes } from 'node:crypto';\nexport const bytes = randomBytes;\n" },
  coreImportsHost: { dir: 'src/core', code: "import { normalizeSettings } from '../host/settings';\nexport const n = normalizeSettings;\n" },
  webviewValueImport: {
    dir: 'webview-ui/src',
    code: "import { checkRequest } from '../../src/core/protocolValidation';\nexport const check = checkRequest;\n",
  },
  webviewProtocolValueImport: {
    dir: 'webview-ui/src',
    code: "import * as protocol from '../../src/core/protocol';\nexport const p: unknown = protocol;\n",
  },
  webviewTypeImport: {
    dir: 'webview-ui/src',
    code: "import type { Bootstrap } from '../../src/core/protocol';\nexport type Boot = Bootstrap;\n",
  },
  coreImportsFeatures: { dir: 'src/core', code: "import { LAZY_COMMANDS } from '../features/lazyIds';\nexport const ids = LAZY_COMMANDS;\n" },
  endpointsImportsExtension: { dir: 'src/endpoints', code: "import { activate } from '../extension';\nexport const a = activate;\n" },
  cliImportsFeatures: { dir: 'src/cli', code: "import { LAZY_COMMANDS } from '../features/lazyIds';\nexport const ids = LAZY_COMMANDS;\n" },

  // The editor layers: host < providers, views < commands < features < extension.ts.
  hostImportsViews: { dir: 'src/host', code: "import { JudgeStatus } from '../views/judgeStatus';\nexport const s = JudgeStatus;\n" },
  hostImportsProviders: { dir: 'src/host', code: "import { DatasetHover } from '../providers/datasetHover';\nexport const h = DatasetHover;\n" },
  hostImportsCommands: { dir: 'src/host', code: "import { registerGeneralCommands } from '../commands/general';\nexport const r = registerGeneralCommands;\n" },
  hostImportsFeatures: { dir: 'src/host', code: "import { LAZY_COMMANDS } from '../features/lazyIds';\nexport const ids = LAZY_COMMANDS;\n" },
  hostImportsExtension: { dir: 'src/host', code: "import { activate } from '../extension';\nexport const a = activate;\n" },
  hostImportsCli: { dir: 'src/host', code: "import { parseArgs } from '../cli/args';\nexport const p = parseArgs;\n" },
  hostImportsCoreAndHost: {
    dir: 'src/host',
    code: "import * as vscode from 'vscode';\nimport { isResultsPath } from '../core/resultsPath';\nimport { trust } from './trust';\nimport { parseEndpoints } from '../endpoints/config';\nexport const all: unknown[] = [vscode.version, isResultsPath, trust, parseEndpoints];\n",
  },
  providersImportsViews: { dir: 'src/providers', code: "import { JudgeStatus } from '../views/judgeStatus';\nexport const s = JudgeStatus;\n" },
  providersImportsCommands: { dir: 'src/providers', code: "import { registerGeneralCommands } from '../commands/general';\nexport const r = registerGeneralCommands;\n" },
  providersImportsHost: { dir: 'src/providers', code: "import { CommandId } from '../host/commandIds';\nexport const ids = CommandId;\n" },
  viewsImportsProviders: { dir: 'src/views', code: "import { DatasetHover } from '../providers/datasetHover';\nexport const h = DatasetHover;\n" },
  viewsImportsFeatures: { dir: 'src/views', code: "import { LAZY_COMMANDS } from '../features/lazyIds';\nexport const ids = LAZY_COMMANDS;\n" },
  viewsImportsHost: { dir: 'src/views', code: "import { CommandId } from '../host/commandIds';\nimport { PromptRun } from '../endpoints/promptRun';\nexport const all: unknown[] = [CommandId, PromptRun];\n" },
  commandsImportsFeatures: { dir: 'src/commands', code: "import { LAZY_COMMANDS } from '../features/lazyIds';\nexport const ids = LAZY_COMMANDS;\n" },
  commandsImportsExtension: { dir: 'src/commands', code: "import { activate } from '../extension';\nexport const a = activate;\n" },
  commandsImportsLower: {
    dir: 'src/commands',
    code: "import { ScoreDecorations } from '../providers/curationDecorations';\nimport { JudgeStatus } from '../views/judgeStatus';\nimport { trust } from '../host/trust';\nexport const all: unknown[] = [ScoreDecorations, JudgeStatus, trust];\n",
  },
  featuresImportsExtension: { dir: 'src/features', code: "import { activate } from '../extension';\nexport const a = activate;\n" },
  featuresImportsCli: { dir: 'src/features', code: "import { parseArgs } from '../cli/args';\nexport const p = parseArgs;\n" },
  featuresImportsLower: {
    dir: 'src/features',
    code: "import { registerJudgeCommands } from '../commands/judge';\nimport { JudgeStatus } from '../views/judgeStatus';\nimport { LAZY_COMMANDS } from './lazyIds';\nexport const all: unknown[] = [registerJudgeCommands, JudgeStatus, LAZY_COMMANDS];\n",
  },
  extensionImportsCli: { dir: 'src', code: "import { parseArgs } from './cli/args';\nexport const p = parseArgs;\n" },
  extensionImportsLower: {
    dir: 'src',
    code: "import { lazyJudge } from './features/lazyFeatures';\nimport { registerGeneralCommands } from './commands/general';\nexport const all: unknown[] = [lazyJudge, registerGeneralCommands];\n",
  },

  // The lazy features' entry modules: types only, from anywhere.
  featuresValueImportsEntry: { dir: 'src/features', code: "import { start } from './judge';\nexport const s = start;\n" },
  featuresTypeImportsEntry: { dir: 'src/features', code: "import type { JudgeFeatureServices } from './judge';\nexport type S = JudgeFeatureServices;\n" },
  extensionValueImportsEntry: { dir: 'src', code: "import { start } from './features/promptLab';\nexport const s = start;\n" },
  extensionTypeImportsEntry: { dir: 'src', code: "import type { PromptLabFeatureServices } from './features/promptLab';\nexport type S = PromptLabFeatureServices;\n" },

  // The endpoints bundle: loaded at run time by src/host/endpointBackends.ts, types only in the editor.
  hostValueImportsBackends: { dir: 'src/host', code: "import { backends } from '../endpoints/backends';\nexport const b = backends;\n" },
  hostTypeImportsBackends: { dir: 'src/host', code: "import type { EndpointBackends } from '../endpoints/backends';\nexport type B = EndpointBackends;\n" },
  viewsValueImportsScheduler: { dir: 'src/views', code: "import { Scheduler } from '../endpoints/scheduler';\nexport const s = Scheduler;\n" },
  commandsValueImportsOpenai: { dir: 'src/commands', code: "import { listModels } from '../endpoints/openai';\nexport const l = listModels;\n" },
  providersValueImportsFactory: { dir: 'src/providers', code: "import { createEndpoint } from '../endpoints/factory';\nexport const c = createEndpoint;\n" },
  featuresValueImportsSageMaker: { dir: 'src/features', code: "import { createSageMakerEndpoint } from '../endpoints/sagemaker';\nexport const c = createSageMakerEndpoint;\n" },
  extensionValueImportsGenerateRun: { dir: 'src', code: "import { askThrough } from './endpoints/generateRun';\nexport const a = askThrough;\n" },
  commandsImportsSharedEndpoints: {
    dir: 'src/commands',
    code: "import { payloadFor } from '../endpoints/sagemaker/auto';\nimport { endpointErrorKind } from '../endpoints/types';\nexport const all: unknown[] = [payloadFor, endpointErrorKind];\n",
  },

  // No node:fs anywhere in the editor.
  hostFs: { dir: 'src/host', code: "import { readFile } from 'node:fs/promises';\nexport const read = readFile;\n" },
  providersFs: { dir: 'src/providers', code: "import { readFileSync } from 'node:fs';\nexport const read = readFileSync;\n" },
  viewsFs: { dir: 'src/views', code: "import * as fs from 'fs';\nexport const read = fs.readFileSync;\n" },
  commandsFs: { dir: 'src/commands', code: "import { realpath } from 'node:fs/promises';\nexport const r = realpath;\n" },
  featuresFs: { dir: 'src/features', code: "import { readFile } from 'fs/promises';\nexport const read = readFile;\n" },
  extensionFs: { dir: 'src', code: "import { existsSync, readdirSync, readFileSync } from 'node:fs';\nexport const e = existsSync;\n" },
  hostPath: { dir: 'src/host', code: "import * as path from 'node:path';\nexport const join = path.join;\n" },
} satisfies Record<string, Probe>;

type ProbeName = keyof typeof probes;

const tag = `__layering-probe-${process.pid}-${randomUUID().slice(0, 8)}`;

/** The repo-relative path a probe is linted as; nothing is written there. */
function probePath(name: ProbeName): string {
  return `${probes[name].dir}/${tag}-${name}.ts`;
}

const probeNames = Object.keys(probes) as ProbeName[];

function eslintForProbes(): ESLint {
  return new ESLint({ cwd: repoRoot, overrideConfig: tseslint.configs.disableTypeChecked as Linter.Config });
}

/** Lints every probe text with the repo's config; writes nothing to disk. */
async function lintProbes(eslint: ESLint): Promise<Map<ProbeName, Linter.LintMessage[]>> {
  const out = new Map<ProbeName, Linter.LintMessage[]>();
  for (const name of probeNames) {
    const filePath = path.join(repoRoot, probePath(name));
    assert.ok(!existsSync(filePath), `${filePath} must not exist`);
    const [result] = await eslint.lintText(probes[name].code, { filePath });
    assert.ok(result !== undefined, `ESLint returned no result for ${filePath}`);
    out.set(name, result.messages);
  }
  return out;
}

void describe('the layering rule (eslint.config.mjs)', { timeout: 120_000 }, () => {
  const probing = eslintForProbes();
  let linted: Map<ProbeName, Linter.LintMessage[]> | undefined;

  before(async () => {
    linted = await lintProbes(probing);
  }, { timeout: 120_000 });

  void it('gives the probes the layering rule exactly as the repo config gives those paths', async () => {
    const plain = new ESLint({ cwd: repoRoot });
    let restricted = 0;
    for (const name of probeNames) {
      const filePath = path.join(repoRoot, probePath(name));
      const [expected, actual] = (await Promise.all([plain.calculateConfigForFile(filePath), probing.calculateConfigForFile(filePath)])) as [
        Linter.Config,
        Linter.Config,
      ];
      for (const rule of RULES) assert.deepEqual(actual.rules?.[rule], expected.rules?.[rule], `${probePath(name)}: same ${rule} config`);
      if (expected.rules?.[RULE] !== undefined) restricted++;
    }
    assert.equal(restricted, probeNames.length, 'the repo config restricts imports at every probe path');
  });

  after(() => {
    linted = undefined;
  });

  function messagesOf(name: ProbeName): Linter.LintMessage[] {
    const messages = linted?.get(name);
    assert.ok(messages !== undefined, `probe ${name} was linted`);
    const fatal = messages.filter((m) => m.fatal === true || m.ruleId === null);
    assert.deepEqual(fatal.map((m) => m.message), [], `probe ${name} parsed`);
    return messages;
  }

  function restrictedImportErrors(name: ProbeName): Linter.LintMessage[] {
    return messagesOf(name).filter((m) => (RULES as readonly (string | null)[]).includes(m.ruleId) && m.severity === 2);
  }

  function assertRefused(name: ProbeName, messagePart?: string): void {
    const errors = restrictedImportErrors(name);
    assert.equal(errors.length, 1, `${probes[name].dir}: expected one ${RULES.join(' or ')} error, got ${JSON.stringify(messagesOf(name))}`);
    if (messagePart !== undefined) assert.ok(errors[0]?.message.includes(messagePart), errors[0]?.message);
  }

  function assertAllowed(name: ProbeName): void {
    assert.deepEqual(restrictedImportErrors(name).map((m) => m.message), [], `${probes[name].dir}: import is allowed`);
  }

  void describe("refuses `import * as vscode from 'vscode'` in the editor-free layers", () => {
    void it('src/core', () => {
      assertRefused('coreVscode', 'must not import vscode');
    });
    void it('src/endpoints', () => {
      assertRefused('endpointsVscode', 'must not import vscode');
    });
    void it('src/cli', () => {
      assertRefused('cliVscode', 'must not import vscode');
    });
    void it('webview-ui/src', () => {
      assertRefused('webviewVscode', 'must not import vscode');
    });
  });

  void it('allows the same vscode import in src/views (editor code)', () => {
    assertAllowed('viewsVscode');
  });

  void describe('keeps src/core pure', () => {
    void it("refuses import { readFileSync } from 'node:fs'", () => {
      assertRefused('coreFs', 'src/core is pure');
    });
    void it("refuses 'node:fs/promises'", () => {
      assertRefused('coreFsPromises', 'src/core is pure');
    });
    void it('refuses importing a higher layer (src/host)', () => {
      assertRefused('coreImportsHost', 'imports nothing above it');
    });
    void it("allows other node built-ins such as 'node:crypto'", () => {
      assertAllowed('coreCrypto');
    });
  });

  void describe('webview-ui imports only types from src/core/protocol', () => {
    void it('refuses a value import from src/core/protocolValidation', () => {
      assertRefused('webviewValueImport', 'webview-ui imports only types');
    });
    void it('refuses a value import of src/core/protocol itself', () => {
      assertRefused('webviewProtocolValueImport', 'webview-ui imports only types');
    });
    void it("allows import type { Bootstrap } from '../../src/core/protocol'", () => {
      assertAllowed('webviewTypeImport');
    });
  });

  void describe('keeps the lower layers out of the editor', () => {
    void it('src/core imports no src/features', () => {
      assertRefused('coreImportsFeatures', 'imports nothing above it');
    });
    void it('src/endpoints imports no src/extension.ts', () => {
      assertRefused('endpointsImportsExtension', 'imports only src/core');
    });
    void it('src/cli imports no src/features', () => {
      assertRefused('cliImportsFeatures', 'src/core and src/endpoints only');
    });
  });

  void describe('src/host, the lowest editor layer, imports no editor layer above it', () => {
    for (const name of ['hostImportsViews', 'hostImportsProviders', 'hostImportsCommands', 'hostImportsFeatures'] as const) {
      void it(`refuses ${probes[name].code.split('\n')[0] ?? ''}`, () => {
        assertRefused(name, 'src/host holds the models and services');
      });
    }
    void it('refuses src/extension.ts and src/cli', () => {
      assertRefused('hostImportsExtension', 'imports neither src/extension.ts nor src/cli');
      assertRefused('hostImportsCli', 'imports neither src/extension.ts nor src/cli');
    });
    void it('allows vscode, src/core, src/endpoints/config and other src/host modules', () => {
      assertAllowed('hostImportsCoreAndHost');
    });
  });

  void describe('src/providers and src/views are siblings: neither imports the other', () => {
    void it('src/providers refuses src/views and src/commands', () => {
      assertRefused('providersImportsViews', 'src/providers imports src/host');
      assertRefused('providersImportsCommands', 'src/providers imports src/host');
    });
    void it('src/views refuses src/providers and src/features', () => {
      assertRefused('viewsImportsProviders', 'src/views imports src/host');
      assertRefused('viewsImportsFeatures', 'src/views imports src/host');
    });
    void it('both import src/host (and views Prompt Lab\'s run, which is not in the endpoints bundle)', () => {
      assertAllowed('providersImportsHost');
      assertAllowed('viewsImportsHost');
    });
  });

  void describe('src/commands imports no features and nothing above', () => {
    void it('refuses src/features and src/extension.ts', () => {
      assertRefused('commandsImportsFeatures', 'src/commands imports no features');
      assertRefused('commandsImportsExtension', 'imports neither src/extension.ts nor src/cli');
    });
    void it('allows providers, views and host', () => {
      assertAllowed('commandsImportsLower');
    });
  });

  void describe('src/features imports neither src/extension.ts nor src/cli', () => {
    void it('refuses them', () => {
      assertRefused('featuresImportsExtension', 'src/features imports neither');
      assertRefused('featuresImportsCli', 'src/features imports neither');
    });
    void it('allows commands, views and its own modules', () => {
      assertAllowed('featuresImportsLower');
    });
  });

  void describe('src/extension.ts', () => {
    void it('refuses src/cli', () => {
      assertRefused('extensionImportsCli', 'imports no src/cli');
    });
    void it('allows features (not their entry modules) and commands', () => {
      assertAllowed('extensionImportsLower');
    });
  });

  void describe("imports the lazy features' entry modules only as types", () => {
    void it('refuses a value import of an entry module inside src/features', () => {
      assertRefused('featuresValueImportsEntry', 'lazy features\' entry modules');
    });
    void it('refuses a value import of an entry module from src/extension.ts', () => {
      assertRefused('extensionValueImportsEntry', 'lazy features\' entry modules');
    });
    void it('allows import type from both', () => {
      assertAllowed('featuresTypeImportsEntry');
      assertAllowed('extensionTypeImportsEntry');
    });
  });

  void describe('imports the endpoints bundle only as types in every editor layer', () => {
    for (const name of [
      'hostValueImportsBackends',
      'providersValueImportsFactory',
      'viewsValueImportsScheduler',
      'commandsValueImportsOpenai',
      'featuresValueImportsSageMaker',
      'extensionValueImportsGenerateRun',
    ] as const) {
      void it(`${probes[name].dir} refuses ${probes[name].code.split('\n')[0] ?? ''}`, () => {
        assertRefused(name, 'endpoints bundle (dist/endpoints.js');
      });
    }
    void it("allows import type { EndpointBackends } from '../endpoints/backends'", () => {
      assertAllowed('hostTypeImportsBackends');
    });
    void it('allows the small endpoints modules every bundle shares (sagemaker/auto, types)', () => {
      assertAllowed('commandsImportsSharedEndpoints');
    });
  });

  void describe('keeps node:fs out of the editor (its I/O goes through vscode.workspace.fs)', () => {
    for (const name of ['hostFs', 'providersFs', 'viewsFs', 'commandsFs', 'featuresFs', 'extensionFs'] as const) {
      void it(`${probes[name].dir} refuses ${probes[name].code.split('\n')[0] ?? ''}`, () => {
        assertRefused(name, 'vscode.workspace.fs');
      });
    }
    void it("allows other node built-ins such as 'node:path'", () => {
      assertAllowed('hostPath');
    });

    void it('holds for every editor file: none is excepted', async () => {
      const plain = new ESLint({ cwd: repoRoot });
      const editorDirs = ['src/host', 'src/providers', 'src/views', 'src/commands', 'src/features'];
      const files = [...editorDirs.flatMap((dir) => readdirSync(path.join(repoRoot, dir)).map((f) => `${dir}/${f}`)), ...readdirSync(path.join(repoRoot, 'src')).map((f) => `src/${f}`)].filter((f) =>
        f.endsWith('.ts'),
      );
      assert.ok(files.includes('src/extension.ts'));
      const fsImport = /from '(node:)?fs(\/promises)?'/;
      const excepted: string[] = [];
      for (const file of files) {
        const config = (await plain.calculateConfigForFile(path.join(repoRoot, file))) as Linter.Config;
        const setting = config.rules?.[FS_RULE];
        const severity = Array.isArray(setting) ? setting[0] : setting;
        if (severity === 'off' || severity === 0) excepted.push(file);
      }
      assert.deepEqual(excepted, [], 'the editor does its file I/O through vscode.workspace.fs: no file may turn the node:fs fence off');
      const importing = files.filter((file) => fsImport.test(readFileSync(path.join(repoRoot, file), 'utf8')));
      assert.deepEqual(importing, [], 'no editor file imports node:fs');
    });
  });
});
