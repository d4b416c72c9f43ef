// @ts-check
/**
 * Installs moto (a local emulator of AWS: S3, SageMaker, CloudWatch, CloudWatch Logs, IAM), the
 * peer the AWS tests talk to through the real SDK clients, into the per-user cache, once per pin.
 *
 * moto is not in Debian 12 and PyPI may be unreachable, so it comes from Debian sid: the package
 * is pure Python (`Architecture: all`). It is fetched with `apt-get download` under a private apt
 * state (its own sources list naming sid on this machine's Debian mirror, its own lists and cache
 * folders), so the system's apt configuration is never touched, and unpacked with `dpkg -x`.
 * Its dependencies are ordinary Debian 12 packages (DEPENDENCIES below; .ci/run installs them).
 * The command line is scripts/install-moto.mjs; test/harness/moto.ts calls ensureMoto().
 */
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cacheRoot } from './code-server.mjs';

/**
 * The pinned build. sid replaces it when Debian uploads a newer moto; test/peers/moto/launcher.py
 * patches this exact version and refuses any other.
 * Source: https://packages.debian.org/sid/python3-moto and sid's Packages index
 * (Filename pool/main/p/python-moto/python3-moto_5.2.4-2_all.deb, SHA256 below), read 2026-12-03.
 */
export const MOTO = {
  version: '5.2.4',
  debianVersion: '5.2.4-2',
  sha256: '6acc0aba260822c405b74ee3c8e8d27194e8e8535d3b4445bfc376855030c39c',
};

/**
 * python3-moto's Depends in sid, as Debian 12 packages, with the Python module each provides
 * (checked before anything is downloaded). Debian 12's boto3/botocore (1.26/1.29) are older than
 * sid's declared minimum; moto's server does not need the newer ones for the services tested.
 * @type {ReadonlyArray<readonly [debianPackage: string, pythonModule: string]>}
 */
export const DEPENDENCIES = [
  ['python3-boto3', 'boto3'],
  ['python3-botocore', 'botocore'],
  ['python3-flask', 'flask'],
  ['python3-flask-cors', 'flask_cors'],
  ['python3-werkzeug', 'werkzeug'],
  ['python3-xmltodict', 'xmltodict'],
  ['python3-responses', 'responses'],
  ['python3-yaml', 'yaml'],
  ['python3-requests', 'requests'],
  ['python3-dateutil', 'dateutil'],
  ['python3-jinja2', 'jinja2'],
  ['python3-antlr4', 'antlr4'],
  ['python3-cryptography', 'cryptography'],
];

/** The system's Python: the Debian packages above are installed for it, not for a pyenv one. */
export const PYTHON = '/usr/bin/python3';

/**
 * @typedef {{ python: string, pythonPath: string, version: string }} Moto
 */

/** @param {string} msg */
function log(msg) {
  process.stderr.write(`[moto] ${msg}\n`);
}

/**
 * @param {string} cmd
 * @param {string[]} args
 * @param {{ cwd?: string, env?: NodeJS.ProcessEnv }} [opts]
 */
function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { cwd: opts.cwd, env: opts.env ?? process.env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.error) throw r.error;
  return { status: r.status ?? 1, out: `${r.stdout}\n${r.stderr}`.trim() };
}

/**
 * This machine's Debian mirror, from its apt sources (deb822 or one-line style), so a machine
 * that may reach only its own mirror fetches sid from there. TUNELAB_DEBIAN_MIRROR overrides it.
 * @returns {string}
 */
export function debianMirror() {
  if (process.env.TUNELAB_DEBIAN_MIRROR) return process.env.TUNELAB_DEBIAN_MIRROR;
  /** @type {string[]} */
  const files = [];
  if (existsSync('/etc/apt/sources.list')) files.push('/etc/apt/sources.list');
  if (existsSync('/etc/apt/sources.list.d')) {
    for (const f of readdirSync('/etc/apt/sources.list.d').sort()) {
      if (f.endsWith('.sources') || f.endsWith('.list')) files.push(join('/etc/apt/sources.list.d', f));
    }
  }
  return mirrorFromSources(files.map((f) => readFileSync(f, 'utf8'))) ?? 'http://deb.debian.org/debian';
}

/**
 * The first enabled source serving bookworm's main archive (not -security, whose layout
 * differs), in apt's deb822 (.sources) or one-line (.list) format.
 * @param {readonly string[]} texts the sources files' contents, in apt's order
 * @returns {string | undefined}
 */
export function mirrorFromSources(texts) {
  for (const text of texts) {
    for (const stanza of text.split(/\n\s*\n/)) {
      const types = /^Types:(.*)$/m.exec(stanza)?.[1]?.trim().split(/\s+/) ?? [];
      if (/^Enabled:\s*no/im.test(stanza) || !types.includes('deb')) continue;
      const suites = /^Suites:(.*)$/m.exec(stanza)?.[1]?.trim().split(/\s+/) ?? [];
      const uri = /^URIs:\s*(\S+)/m.exec(stanza)?.[1];
      if (uri && suites.includes('bookworm')) return uri.replace(/\/+$/, '');
    }
    for (const line of text.split('\n')) {
      const m = /^deb\s+(?:\[[^\]]*\]\s+)?(\S+)\s+bookworm\s/.exec(line.trim() + ' ');
      if (m?.[1]) return m[1].replace(/\/+$/, '');
    }
  }
  return undefined;
}

/**
 * The Debian packages whose Python module the system's Python cannot import.
 * @returns {string[]}
 */
export function missingDependencies() {
  if (!existsSync(PYTHON)) return ['python3', ...DEPENDENCIES.map(([pkg]) => pkg)];
  const check = `import importlib.util, sys\nfor m in sys.argv[1:]:\n    if importlib.util.find_spec(m) is None: print(m)`;
  const r = run(PYTHON, ['-c', check, ...DEPENDENCIES.map(([, mod]) => mod)], { env: { ...process.env, PYTHONPATH: '', PYTHONNOUSERSITE: '1' } });
  if (r.status !== 0) throw new Error(`${PYTHON} could not check moto's dependencies:\n${r.out}`);
  const missing = new Set(r.out.split('\n').map((s) => s.trim()).filter(Boolean));
  return DEPENDENCIES.filter(([, mod]) => missing.has(mod)).map(([pkg]) => pkg);
}

/**
 * moto from the cache, installing it first when the pin is not there yet.
 * @returns {Moto}
 */
export function ensureMoto() {
  const dir = join(cacheRoot, 'moto', MOTO.debianVersion);
  const pythonPath = join(dir, 'root', 'usr', 'lib', 'python3', 'dist-packages');
  const result = { python: PYTHON, pythonPath, version: MOTO.version };
  const missing = missingDependencies();
  if (missing.length) {
    throw new Error(
      `moto needs Debian packages that are not installed: ${missing.join(' ')}\n` +
        `install them with: apt-get install --no-install-recommends ${missing.join(' ')}`,
    );
  }
  if (existsSync(join(dir, '.installed')) && existsSync(join(pythonPath, 'moto'))) return result;

  const started = Date.now();
  const work = `${dir}.partial`;
  rmSync(work, { recursive: true, force: true });
  const state = join(work, 'apt');
  for (const d of ['lists/partial', 'cache/archives/partial', 'parts', 'preferences.d']) mkdirSync(join(state, d), { recursive: true });
  const mirror = debianMirror();
  writeFileSync(join(state, 'sources.list'), `deb ${mirror} sid main\n`);
  // Every path apt reads or writes points into the private state: the system's sources,
  // preferences, lists, cache and dpkg status are neither read nor changed.
  const apt = [
    '-o', `Dir::Etc::SourceList=${join(state, 'sources.list')}`,
    '-o', `Dir::Etc::SourceParts=${join(state, 'parts')}`,
    '-o', `Dir::Etc::PreferencesParts=${join(state, 'preferences.d')}`,
    '-o', `Dir::Etc::Preferences=${join(state, 'preferences')}`,
    '-o', `Dir::State::Lists=${join(state, 'lists')}`,
    '-o', `Dir::Cache=${join(state, 'cache')}`,
    '-o', 'Dir::State::Status=/dev/null',
    '-o', 'APT::Sandbox::User=root',
    '-o', 'Debug::NoLocking=true',
  ];
  log(`installing moto ${MOTO.debianVersion} from Debian sid (${mirror}) into ${dir}`);
  const update = run('apt-get', [...apt, '-qq', 'update']);
  if (update.status !== 0) throw new Error(`apt-get update of sid at ${mirror} failed (set TUNELAB_DEBIAN_MIRROR to a reachable Debian mirror):\n${update.out}`);
  const download = run('apt-get', [...apt, '-qq', 'download', `python3-moto=${MOTO.debianVersion}`], { cwd: work });
  if (download.status !== 0) {
    const now = run('apt-cache', [...apt, 'show', '--no-all-versions', 'python3-moto']).out;
    const current = /^Version:\s*(\S+)/m.exec(now)?.[1] ?? 'none';
    const sha = /^SHA256:\s*(\S+)/m.exec(now)?.[1] ?? '?';
    throw new Error(
      `Debian sid no longer has python3-moto ${MOTO.debianVersion}; it has ${current}.\n` +
        `To move the pin: set MOTO in scripts/moto.mjs to version '${current.replace(/-[^-]+$/, '')}', debianVersion '${current}', sha256 '${sha}'; ` +
        'then check every patch in test/peers/moto/launcher.py against that version\'s sources and update its MOTO_VERSION.\n' +
        `apt-get said: ${download.out}`,
    );
  }
  const deb = join(work, `python3-moto_${MOTO.debianVersion.replace(/^\d+:/, '')}_all.deb`);
  const sha256 = createHash('sha256').update(readFileSync(deb)).digest('hex');
  if (sha256 !== MOTO.sha256) throw new Error(`${deb} has SHA256 ${sha256}, not the pinned ${MOTO.sha256}`);
  const unpack = run('dpkg', ['-x', deb, join(work, 'root')]);
  if (unpack.status !== 0) throw new Error(`dpkg -x ${deb} failed:\n${unpack.out}`);

  const probe = run(PYTHON, ['-c', 'import moto, moto.server; print(moto.__version__)'], {
    env: { ...process.env, PYTHONPATH: join(work, 'root', 'usr', 'lib', 'python3', 'dist-packages'), PYTHONNOUSERSITE: '1' },
  });
  if (probe.status !== 0 || probe.out.split('\n').pop() !== MOTO.version) {
    throw new Error(`moto ${MOTO.debianVersion} unpacked but does not import as ${MOTO.version} with ${PYTHON}:\n${probe.out}`);
  }
  rmSync(state, { recursive: true, force: true });
  rmSync(deb, { force: true });
  rmSync(dir, { recursive: true, force: true });
  renameSync(work, dir);
  const seconds = (Date.now() - started) / 1000;
  writeFileSync(join(dir, '.installed'), JSON.stringify({ ...MOTO, mirror, seconds }) + '\n');
  log(`moto ${MOTO.version} ready in ${seconds.toFixed(1)} s`);
  return result;
}
