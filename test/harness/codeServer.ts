import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, openSync, closeSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureCodeServer, freePort, waitForHealth, type MatrixEntry } from '../../scripts/code-server.mjs';
import { samplesDir } from './paths';
import { spawnGroup, stopGroup } from './processGroup';

export interface CodeServerOptions {
  readonly matrix: MatrixEntry;
  /** A .vsix to install before starting. */
  readonly vsix?: string;
  /** Extra environment for the server (and so for the extension host). */
  readonly env?: Readonly<Record<string, string>>;
  /** Where the server's own output goes. */
  readonly logFile: string;
  /** The user's settings.json before the first start (e.g. endpoints a test needs). */
  readonly userSettings?: Readonly<Record<string, unknown>>;
}

export interface RunningCodeServer {
  readonly url: string;
  readonly port: number;
  /** A fresh copy of samples/, the workspace the tests open. */
  readonly workspace: string;
  /** The per-run folder for scratch files (profile, extensions, TMPDIR); removed by stop(). */
  readonly home: string;
  stop(): Promise<void>;
}

/**
 * Starts a real VS Code (code-server) on 127.0.0.1 with a fresh profile, extensions folder and
 * TMPDIR, and a fresh copy of the sample workspace, so runs never share state or touch the repo.
 */
export async function startCodeServer(options: CodeServerOptions): Promise<RunningCodeServer> {
  const cs = ensureCodeServer(options.matrix);
  const home = mkdtempSync(join(tmpdir(), `tunelab-cs-${options.matrix.codeServer}-`));
  const userData = join(home, 'user-data');
  const extensions = join(home, 'extensions');
  const privateTmp = join(home, 'tmp');
  const workspace = join(home, 'workspace');
  for (const d of [userData, extensions, privateTmp]) mkdirSync(d, { recursive: true });
  if (options.userSettings !== undefined) {
    mkdirSync(join(userData, 'User'), { recursive: true });
    writeFileSync(join(userData, 'User', 'settings.json'), JSON.stringify(options.userSettings, null, 2));
  }
  cpSync(samplesDir, workspace, { recursive: true });
  const env = { ...process.env, ...options.env, TMPDIR: privateTmp, EXTENSIONS_GALLERY: '{}' };
  const common = ['--extensions-dir', extensions, '--user-data-dir', userData];
  try {
    if (options.vsix) {
      const r = spawnSync(cs.node, [cs.entry, '--install-extension', options.vsix, '--force', ...common], { env, encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`installing ${options.vsix} failed:\n${r.stdout}\n${r.stderr}`);
    }
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const log = openSync(options.logFile, 'w');
    const child = spawnGroup(
      cs.node,
      [
        cs.entry,
        '--bind-addr', `127.0.0.1:${port}`,
        '--auth', 'none',
        '--disable-telemetry',
        '--disable-update-check',
        '--disable-workspace-trust',
        '--disable-getting-started-override',
        '--ignore-last-opened',
        // Newer builds load a development extension only with the smoke-test driver on.
        ...(cs.version.startsWith('4.100.') ? [] : ['--vscode-option', 'enable-smoke-test-driver']),
        ...common,
        workspace,
      ],
      { env, stdio: ['ignore', log, log] },
    );
    closeSync(log);
    let exitReason: string | undefined;
    child.once('exit', (code, signal) => {
      exitReason = `exit code ${String(code)}, signal ${String(signal)}; see ${options.logFile}`;
    });
    const stop = async () => {
      await stopGroup(child);
      rmSync(home, { recursive: true, force: true });
    };
    try {
      await waitForHealth(url, 30_000, () => exitReason);
    } catch (err) {
      await stop();
      throw err;
    }
    return { url, port, workspace, home, stop };
  } catch (err) {
    rmSync(home, { recursive: true, force: true });
    throw err;
  }
}
