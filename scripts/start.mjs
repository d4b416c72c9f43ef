// @ts-check
/**
 * `npm start`: serves a real VS Code (code-server) on 127.0.0.1 with the freshly packaged TuneLab
 * installed, opened on samples/, and prints the URL. Ctrl+C stops it and everything it started.
 *
 * TUNELAB_CODE_SERVER picks the version (default: the newest in the matrix); TUNELAB_PORT the port.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cacheRoot, ensureCodeServer, freePort, MATRIX, selectedMatrix, waitForHealth } from './code-server.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
/** @type {{ version: string }} */
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const vsix = join(root, `tunelab-${pkg.version}.vsix`);
if (!existsSync(vsix)) {
  process.stderr.write(`${vsix} is missing: run 'npm start' (it builds and packages first)\n`);
  process.exit(1);
}

const matrix = process.env.TUNELAB_CODE_SERVER ? selectedMatrix()[0] : MATRIX[MATRIX.length - 1];
if (!matrix) throw new Error('no code-server version selected');
const cs = ensureCodeServer(matrix);

// A profile of its own that persists between runs, so settings and open editors are kept.
const profile = join(cacheRoot, 'start-profile', matrix.codeServer);
const userData = join(profile, 'user-data');
const extensions = join(profile, 'extensions');
mkdirSync(userData, { recursive: true });
mkdirSync(extensions, { recursive: true });
const env = { ...process.env, EXTENSIONS_GALLERY: '{}' };
const common = ['--extensions-dir', extensions, '--user-data-dir', userData];

const install = spawnSync(cs.node, [cs.entry, '--install-extension', vsix, '--force', ...common], { env, encoding: 'utf8' });
if (install.status !== 0) {
  process.stderr.write(`installing ${vsix} failed:\n${install.stdout}${install.stderr}`);
  process.exit(1);
}

const port = await freePort(Number(process.env.TUNELAB_PORT ?? 0));
const workspace = join(root, 'samples');
const child = spawn(
  cs.node,
  [cs.entry, '--bind-addr', `127.0.0.1:${port}`, '--auth', 'none', '--disable-telemetry', '--disable-update-check',
    '--disable-getting-started-override', '--ignore-last-opened', ...common, workspace],
  { env, stdio: ['ignore', 'ignore', 'pipe'], detached: true },
);
child.stderr.on('data', (/** @type {Buffer} */ chunk) => {
  const text = chunk.toString();
  if (/error/i.test(text)) process.stderr.write(text);
});

const url = `http://127.0.0.1:${port}/?folder=${encodeURIComponent(workspace)}`;
try {
  await waitForHealth(`http://127.0.0.1:${port}`, 30_000, () => (child.exitCode === null ? undefined : `exit code ${child.exitCode}`));
} catch (err) {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  if (child.pid && child.exitCode === null) process.kill(-child.pid, 'SIGKILL');
  process.exit(1);
}
process.stdout.write(`\nTuneLab ${pkg.version} in VS Code ${cs.vscode} (code-server ${cs.version}), on samples/:\n\n  ${url}\n\nPress Ctrl+C to stop.\n`);

let stopping = false;
function stop() {
  if (stopping) return;
  stopping = true;
  process.stdout.write('\nstopping…\n');
  try {
    if (child.pid) process.kill(-child.pid, 'SIGTERM');
  } catch {
    // already gone
  }
  setTimeout(() => {
    try {
      if (child.pid) process.kill(-child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
    process.exit(0);
  }, 3000).unref();
}
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
child.on('exit', () => {
  if (!stopping) {
    process.stderr.write('code-server exited\n');
    process.exit(1);
  }
  process.exit(0);
});
