import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ESLint, type Linter } from 'eslint';

/**
 * The layering rule (ARCHITECTURE.md) is enforced by eslint.config.mjs. These tests lint small
 * probe files with the project's real config and check that the rule fires where it must and
 * nowhere else.
 *
 * Typed linting refuses text for a path that is not on disk ("was not found by the project
 * service"), so each probe is written under a unique name inside the real folder, linted, and
 * deleted again (with any folder created for it).
 */

/** The repo root, from the compiled file in out/test/unit. */
const repoRoot = path.resolve(__dirname, '../../..');
const RULE = '@typescript-eslint/no-restricted-imports';

interface Probe {
  /** The folder, relative to the repo root, the probe file goes in. */
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

/** Writes every probe, lints them in one run with the repo's config, and always deletes them again. */
async function lintProbes(): Promise<Map<ProbeName, Linter.LintMessage[]>> {
  const tag = `__layering-probe-${process.pid}-${randomUUID().slice(0, 8)}`;
  const files = new Map<ProbeName, string>();
  const createdDirs: string[] = [];
  try {
    for (const [name, probe] of Object.entries(probes) as [ProbeName, Probe][]) {
      const dir = path.join(repoRoot, probe.dir);
      if (!existsSync(dir)) {
        mkdirSync(dir, { recursive: true });
        createdDirs.push(dir);
      }
      const file = path.join(dir, `${tag}-${name}.ts`);
      writeFileSync(file, probe.code, { flag: 'wx' });
      files.set(name, file);
    }
    const eslint = new ESLint({ cwd: repoRoot });
    const results = await eslint.lintFiles([...files.values()]);
    const byFile = new Map(results.map((r) => [r.filePath, r.messages]));
    const out = new Map<ProbeName, Linter.LintMessage[]>();
    for (const [name, file] of files) {
      const messages = byFile.get(file);
      assert.ok(messages !== undefined, `ESLint returned no result for ${file}`);
      out.set(name, messages);
    }
    return out;
  } finally {
    for (const file of files.values()) rmSync(file, { force: true });
    for (const dir of createdDirs.reverse()) {
      if (existsSync(dir) && readdirSync(dir).length === 0) rmdirSync(dir);
    }
  }
}

describe('the layering rule (eslint.config.mjs)', { timeout: 120_000 }, () => {
  let linted: Map<ProbeName, Linter.LintMessage[]> | undefined;

  before(async () => {
    linted = await lintProbes();
  }, { timeout: 120_000 });

  after(() => {
    linted = undefined;
  });

  function messagesOf(name: ProbeName): Linter.LintMessage[] {
    const messages = linted?.get(name);
    assert.ok(messages !== undefined, `probe ${name} was linted`);
    const fatal = messages.filter((m) => m.fatal === true || m.ruleId === null);
    assert.deepEqual(fatal.map((m) => m.message), [], `probe ${name} parsed and type-checked`);
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

  describe("refuses `import * as vscode from 'vscode'` in the editor-free layers", () => {
    it('src/core', () => {
      assertRefused('coreVscode', 'must not import vscode');
    });
    it('src/endpoints', () => {
      assertRefused('endpointsVscode', 'must not import vscode');
    });
    it('src/cli', () => {
      assertRefused('cliVscode', 'must not import vscode');
    });
    it('webview-ui/src', () => {
      assertRefused('webviewVscode', 'must not import vscode');
    });
  });

  it('allows the same vscode import in src/views (editor code)', () => {
    assertAllowed('viewsVscode');
  });

  describe('keeps src/core pure', () => {
    it("refuses import { readFileSync } from 'node:fs'", () => {
      assertRefused('coreFs', 'src/core is pure');
    });
    it("refuses 'node:fs/promises'", () => {
      assertRefused('coreFsPromises', 'src/core is pure');
    });
    it('refuses importing a higher layer (src/host)', () => {
      assertRefused('coreImportsHost', 'imports nothing above it');
    });
    it("allows other node built-ins such as 'node:crypto'", () => {
      assertAllowed('coreCrypto');
    });
  });

  describe('webview-ui imports only types from src/core/protocol', () => {
    it('refuses a value import from src/core/protocolValidation', () => {
      assertRefused('webviewValueImport', 'webview-ui imports only types');
    });
    it('refuses a value import of src/core/protocol itself', () => {
      assertRefused('webviewProtocolValueImport', 'webview-ui imports only types');
    });
    it("allows import type { Bootstrap } from '../../src/core/protocol'", () => {
      assertAllowed('webviewTypeImport');
    });
  });
});
