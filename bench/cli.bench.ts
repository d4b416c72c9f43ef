/**
 * The whole `tunelab lint` process against the check most users run instead: a Python peer
 * (bench/peers/openai_format_check.py: `json.loads` per line and the format checks of OpenAI's
 * data-preparation cookbook), both run as processes in the same bench on the same file.
 *
 * (d) a generated 100k-row OpenAI chat SFT file (answers of about 1,500 characters, about
 *     155 MB), default rules: target ≤ 1.0× the peer's wall time, and the CLI's peak RSS under
 *     300 MB;
 * (e) a generated 100k-row JumpStart instruction file, the peer checking its three fields.
 *
 * The CLI is the bundle scripts/bench.mjs builds into its temp folder (TUNELAB_BENCH_CLI), with
 * its tokenizers beside it, never dist/. Both processes run from an empty temp folder (so no
 * tunelab.jsonc applies) under `/usr/bin/time -v` when it exists, or else a Python wrapper
 * that reads the child's peak RSS from getrusage(RUSAGE_CHILDREN); the wrapper's own start-up
 * is in both times alike. The CLI's findings go through a pipe and are counted (the checksum).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { generateChatRows, generateRows } from './dataset';
import type { BenchCase, Metric } from './harness';

const PEER = path.join(process.cwd(), 'bench', 'peers', 'openai_format_check.py');
const TIME = '/usr/bin/time';
const SHARES = { nearDuplicateShare: 0.05, exactDuplicateShare: 0.02 } as const;

let dir: string | undefined;

function workDir(): string {
  if (dir === undefined) {
    const made = mkdtempSync(path.join(tmpdir(), 'tunelab-cli-bench-'));
    dir = made;
    process.on('exit', () => { rmSync(made, { recursive: true, force: true }); });
  }
  return dir;
}

function cliPath(): string {
  const cli = process.env.TUNELAB_BENCH_CLI;
  if (cli === undefined || !existsSync(cli)) {
    throw new Error('TUNELAB_BENCH_CLI does not name the CLI bundle: run this case through `npm run bench -- peer`, which builds it.');
  }
  return cli;
}

interface Run {
  /** Peak resident set size of the measured process, in MB. */
  readonly rssMb: number;
  /** Lines the process printed to stdout. */
  readonly lines: number;
  readonly status: number;
}

/** Wraps a command so its peak RSS is printed to stderr. */
function measured(command: readonly string[]): string[] {
  if (existsSync(TIME)) return [TIME, '-v', ...command];
  const wrapper = [
    'import resource, subprocess, sys',
    'r = subprocess.run(sys.argv[1:])',
    // ru_maxrss is in kilobytes on Linux, in bytes on macOS.
    "k = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // (1024 if sys.platform == 'darwin' else 1)",
    "sys.stderr.write(f'Maximum resident set size (kbytes): {k}\\n')",
    'sys.exit(r.returncode)',
  ].join('\n');
  return ['python3', '-c', wrapper, ...command];
}

/** Runs the command to completion; exit codes 0 and 1 (findings) are runs, anything else throws. */
function runMeasured(command: readonly string[], cwd: string): Promise<Run> {
  const [exe, ...args] = measured(command);
  if (exe === undefined) throw new Error('empty command');
  return new Promise((resolve, reject) => {
    const child = spawn(exe, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let lines = 0;
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) lines++;
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (text: string) => {
      stderr = (stderr + text).slice(-20_000);
    });
    child.on('error', reject);
    child.on('close', (code) => {
      const status = code ?? -1;
      const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(stderr);
      if ((status !== 0 && status !== 1) || rss?.[1] === undefined) {
        reject(new Error(`${command.join(' ')} exited with ${status}:\n${stderr}`));
        return;
      }
      resolve({ rssMb: Number(rss[1]) / 1024, lines, status });
    });
  });
}

function peerCase(name: string, format: 'openai' | 'jumpstart', write: (file: string) => void, rssTarget: number | undefined): BenchCase {
  let file = '';
  let cli: Run | undefined;
  let peer: Run | undefined;
  return {
    name,
    floorName: `python3 peer (${format === 'openai' ? "the cookbook's format checks" : 'json.loads and its fields'})`,
    // One warm-up and three timed runs of each (a run takes seconds): the machine may be shared,
    // and the floor and the run alternate, so both see the same load.
    runs: 3,
    target: { ratio: 1.0 },
    setup() {
      cliPath();
      file = path.join(workDir(), `${format}-100k.jsonl`);
      if (!existsSync(file)) write(file);
    },
    async run() {
      cli = await runMeasured([process.execPath, cliPath(), 'lint', file], workDir());
      return cli.lines;
    },
    async floor() {
      peer = await runMeasured(['python3', PEER, file, '--format', format], workDir());
      return peer.lines;
    },
    metrics(): Metric[] {
      return [
        { name: 'tunelab lint peak RSS', value: cli?.rssMb ?? NaN, unit: 'MB', digits: 0, ...(rssTarget === undefined ? {} : { max: rssTarget }) },
        { name: 'peer peak RSS', value: peer?.rssMb ?? NaN, unit: 'MB', digits: 0 },
        { name: 'tunelab lint findings printed', value: cli?.lines ?? NaN, digits: 0 },
      ];
    },
  };
}

function writeLines(file: string, lines: readonly string[]): void {
  writeFileSync(file, `${lines.join('\n')}\n`);
}

export const cases: BenchCase[] = [
  peerCase(
    '(d) CLI vs the peer: tunelab lint, 100k OpenAI chat rows (155 MB), default rules',
    'openai',
    (file) => { writeLines(file, generateChatRows(100_000, 21, SHARES).map((r) => r.line)); },
    300,
  ),
  peerCase(
    '(e) CLI vs the peer: tunelab lint, 100k JumpStart instruction rows, default rules',
    'jumpstart',
    (file) => { writeLines(file, generateRows(100_000, 22, SHARES).map((r) => r.line)); },
    undefined,
  ),
];
