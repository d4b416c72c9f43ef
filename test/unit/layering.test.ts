import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
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
      assert.deepEqual(actual.rules?.[RULE], expected.rules?.[RULE], `${probePath(name)}: same ${RULE} config`);
      if (expected.rules?.[RULE] !== undefined) restricted++;
    }
    const outsideViews = probeNames.filter((n) => probes[n].dir !== 'src/views').length;
    assert.equal(restricted, outsideViews, 'the repo config restricts imports at every probe path outside src/views');
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
    return messagesOf(name).filter((m) => m.ruleId === RULE && m.severity === 2);
  }

  function assertRefused(name: ProbeName, messagePart?: string): void {
    const errors = restrictedImportErrors(name);
    assert.equal(errors.length, 1, `${probes[name].dir}: expected one ${RULE} error, got ${JSON.stringify(messagesOf(name))}`);
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
});
