import assert from 'node:assert/strict';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { accessSync, constants, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';

/** The repo root, from the compiled file in out/test/unit. */
const repoRoot = path.resolve(__dirname, '../../..');
const cliPath = path.join(repoRoot, 'dist', 'cli.js');
const { version } = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { version: string };

function tunelab(...args: string[]): SpawnSyncReturns<string> {
  const result = spawnSync(process.execPath, [cliPath, ...args], {
    cwd: repoRoot,
    encoding: 'utf8',
    timeout: 10_000,
    env: { ...process.env, NO_COLOR: '1' },
  });
  if (result.error) throw result.error;
  return result;
}

void describe('the tunelab CLI (dist/cli.js)', () => {
  void it('is built at dist/cli.js under the repo root', () => {
    assert.ok(statSync(path.join(repoRoot, 'package.json')).isFile(), `${repoRoot} is the repo root`);
    assert.ok(statSync(cliPath).isFile(), 'run npm run build first');
  });

  void it('starts with a node shebang, so it runs as `tunelab` once installed', () => {
    assert.ok(readFileSync(cliPath, 'utf8').startsWith('#!/usr/bin/env node\n'));
  });

  void it('is executable', { skip: process.platform === 'win32' ? 'no exec bit on Windows' : false }, () => {
    assert.notEqual(statSync(cliPath).mode & 0o111, 0, 'some execute bit is set');
    accessSync(cliPath, constants.X_OK);
  });

  for (const flag of ['--version', '-v', 'version']) {
    void it(`${flag} prints package.json's version and exits 0`, () => {
      const r = tunelab(flag);
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stdout, `${version}\n`);
      assert.equal(r.stderr, '');
    });
  }

  for (const args of [['--help'], ['-h'], ['help'], []]) {
    void it(`${args.length ? args.join(' ') : 'no arguments'} prints the help, listing --version, and exits 0`, () => {
      const r = tunelab(...args);
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, /^Usage: tunelab /m);
      assert.match(r.stdout, /--version/);
      assert.match(r.stdout, /--help/);
      assert.ok(r.stdout.includes(version), 'the help names the version');
      assert.equal(r.stderr, '');
    });
  }

  void it('refuses an unknown command with exit code 2, naming it and pointing at --help', () => {
    const r = tunelab('frobnicate');
    assert.equal(r.status, 2);
    assert.equal(r.stdout, '', 'nothing on stdout, so scripts piping it get nothing');
    assert.ok(r.stderr.includes('frobnicate'), r.stderr);
    assert.match(r.stderr, /command/);
    assert.ok(r.stderr.includes('tunelab --help'), r.stderr);
  });

  void it('lint loads no model client: generate and judge, with the openai and AWS clients, come from bundles of their own, which those commands load', () => {
    // A preload that prints, as the process exits, which of dist's files it loaded.
    const preload = path.join(repoRoot, 'out', 'cli-loaded-files.cjs');
    writeFileSync(preload, `process.on('exit', () => { process.stderr.write('LOADED ' + JSON.stringify(Object.keys(require.cache).filter((f) => f.startsWith(${JSON.stringify(path.join(repoRoot, 'dist'))})).map((f) => require('path').basename(f)).sort()) + '\\n'); });\n`);
    const loaded = (...args: string[]): string[] => {
      const r = spawnSync(process.execPath, ['--require', preload, cliPath, ...args], { cwd: repoRoot, encoding: 'utf8', timeout: 20_000, env: { ...process.env, NO_COLOR: '1' } });
      const m = /^LOADED (.*)$/m.exec(r.stderr);
      assert.ok(m?.[1] !== undefined, r.stderr);
      return JSON.parse(m[1]) as string[];
    };
    assert.deepEqual(loaded('lint', 'test/fixtures/cli/warnings.jsonl'), ['cli.js']);
    assert.deepEqual(loaded('generate', '--help'), ['cli-generate.js', 'cli.js']);
    assert.deepEqual(loaded('judge', '--help'), ['cli-judge.js', 'cli.js']);
    assert.ok(statSync(cliPath).size < statSync(path.join(repoRoot, 'dist', 'cli-generate.js')).size / 2, 'cli.js is the small one');
  });

  void it('refuses an unknown option with exit code 2, naming it as an option', () => {
    const r = tunelab('--frobnicate');
    assert.equal(r.status, 2);
    assert.equal(r.stdout, '');
    assert.ok(r.stderr.includes('--frobnicate'), r.stderr);
    assert.match(r.stderr, /option/);
    assert.ok(r.stderr.includes('tunelab --help'), r.stderr);
  });
});
