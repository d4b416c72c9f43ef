/**
 * A tiny benchmark harness for `npm run bench`.
 *
 * Add a case: in a file `bench/<topic>.bench.ts`, export `cases: BenchCase[]` (scripts/bench.mjs
 * bundles every such file and runs them all; `npm run bench -- <word>` runs the cases whose name
 * contains one of the words). A case is
 *
 *     { name: 'tokens: 100k records', floorName: 'JSON.parse',
 *       setup() { lines = generateRows(100_000, 1).map((r) => r.line); },
 *       run() { for (const l of lines) countTokens(l); },
 *       floor() { for (const l of lines) JSON.parse(l); },
 *       target: { ms: 2000, ratio: 10 } }
 *
 * Each case: `setup` once (untimed), one warm-up of `floor` and `run`, then `runs` timed runs of
 * each with `gc()` before every one (node --expose-gc), and the medians. The floor is a baseline
 * measured in the same process on the same input, so the ratio says how far the work is from
 * the cost of merely reading the data, whatever the machine. `metrics` (optional) reports
 * numbers other than time — recall, memory — each with its own bound. Targets are reported with
 * ✓/✗, never enforced: only a case that throws makes the run fail.
 */
import { cpus } from 'node:os';

export interface Target {
  /** Most allowed median time of `run`, in milliseconds. */
  readonly ms?: number;
  /** Most allowed median time of `run` divided by the median time of `floor`. */
  readonly ratio?: number;
}

export interface Metric {
  readonly name: string;
  readonly value: number;
  /** Printed after the value, e.g. 'MB'. */
  readonly unit?: string;
  /** Digits after the decimal point (default 3). */
  readonly digits?: number;
  /** Bounds the value should respect; a metric without bounds is reported without ✓/✗. */
  readonly min?: number;
  readonly max?: number;
}

export interface BenchCase {
  readonly name: string;
  /** What the floor does, in a few words, e.g. 'JSON.parse of the lines'. */
  readonly floorName: string;
  /** Builds the input; not timed; called once before anything else. */
  setup?(): void | Promise<void>;
  /**
   * The work measured. It may return a number derived from its result (a count, a length): the
   * harness sums those into a checksum it prints, so no work can be optimized away and a changed
   * result between runs on the same data shows.
   */
  run(): Work;
  /** The baseline, measured like `run`. */
  floor(): Work;
  readonly target: Target;
  /** Timed runs after the warm-up (default 5). */
  readonly runs?: number;
  /** Called once after the timed runs. */
  metrics?(): Metric[] | Promise<Metric[]>;
}

/** What `run` and `floor` return: nothing, a number, or a promise of either (see `run`). */
type Work = unknown;

interface Outcome {
  readonly name: string;
  readonly median?: number;
  readonly floor?: number;
  readonly floorName: string;
  readonly target: Target;
  readonly metrics: readonly Metric[];
  readonly error?: string;
}

const collect: (() => void) | undefined = (globalThis as { gc?: () => void }).gc;
let checksum = 0;

/** Runs the cases (filtered by the command line's words), prints the tables, sets the exit code if one threw. */
export async function main(cases: readonly BenchCase[]): Promise<void> {
  const words = process.argv.slice(2).map((w) => w.toLowerCase());
  const chosen = words.length === 0 ? cases : cases.filter((c) => words.some((w) => c.name.toLowerCase().includes(w)));
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  process.stdout.write(`node ${process.version} · ${cpu}${collect === undefined ? ' · no gc() between runs (run with --expose-gc)' : ''}\n\n`);
  const outcomes: Outcome[] = [];
  for (const c of chosen) {
    process.stdout.write(`running ${c.name} …\n`);
    outcomes.push(await measure(c));
  }
  process.stdout.write(`\n${timeTable(outcomes)}\n`);
  const metrics = metricTable(outcomes);
  if (metrics !== '') process.stdout.write(`\n${metrics}\n`);
  process.stdout.write(`\nchecksum of the results: ${checksum}\n`);
  for (const o of outcomes) {
    if (o.error !== undefined) process.stderr.write(`\n✗ ${o.name} crashed:\n${o.error}\n`);
  }
  if (outcomes.some((o) => o.error !== undefined)) process.exitCode = 1;
}

async function measure(c: BenchCase): Promise<Outcome> {
  const base = { name: c.name, floorName: c.floorName, target: c.target };
  try {
    await c.setup?.();
    const runs = c.runs ?? 5;
    await time(c.floor.bind(c));
    await time(c.run.bind(c));
    const floors: number[] = [];
    const times: number[] = [];
    for (let i = 0; i < runs; i++) {
      floors.push(await time(c.floor.bind(c)));
      times.push(await time(c.run.bind(c)));
    }
    const metrics = (await c.metrics?.()) ?? [];
    return { ...base, median: median(times), floor: median(floors), metrics };
  } catch (e) {
    return { ...base, metrics: [], error: e instanceof Error ? e.stack ?? e.message : String(e) };
  }
}

async function time(work: () => Work): Promise<number> {
  collect?.();
  const start = performance.now();
  const result = await work();
  const elapsed = performance.now() - start;
  if (typeof result === 'number') checksum = (checksum + result) % Number.MAX_SAFE_INTEGER;
  return elapsed;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] ?? NaN : ((sorted[mid - 1] ?? NaN) + (sorted[mid] ?? NaN)) / 2;
}

// ---------------------------------------------------------------------------------------------
// Printing

export function formatMs(ms: number): string {
  if (ms >= 1000) return `${(ms / 1000).toFixed(2)} s`;
  if (ms >= 10) return `${ms.toFixed(0)} ms`;
  return `${ms.toFixed(2)} ms`;
}

function timeTable(outcomes: readonly Outcome[]): string {
  const rows = outcomes.map((o) => {
    if (o.error !== undefined || o.median === undefined || o.floor === undefined) {
      return [o.name, 'crashed', '', '', targetText(o.target), '✗'];
    }
    const ratio = o.median / o.floor;
    const ok = (o.target.ms === undefined || o.median <= o.target.ms) && (o.target.ratio === undefined || ratio <= o.target.ratio);
    const hasTarget = o.target.ms !== undefined || o.target.ratio !== undefined;
    return [o.name, formatMs(o.median), `${formatMs(o.floor)} (${o.floorName})`, `${ratio < 0.1 ? ratio.toPrecision(2) : ratio.toFixed(1)}×`, targetText(o.target), hasTarget ? (ok ? '✓' : '✗') : ''];
  });
  return table(['case', 'median', 'floor', 'ratio', 'target', ''], rows, [false, true, false, true, false, false]);
}

function targetText(t: Target): string {
  const parts: string[] = [];
  if (t.ms !== undefined) parts.push(`≤ ${formatMs(t.ms)}`);
  if (t.ratio !== undefined) parts.push(`≤ ${t.ratio}×`);
  return parts.length === 0 ? '—' : parts.join(', ');
}

function metricTable(outcomes: readonly Outcome[]): string {
  const rows: string[][] = [];
  for (const o of outcomes) {
    for (const m of o.metrics) {
      const digits = m.digits ?? 3;
      const value = `${m.value.toFixed(digits)}${m.unit === undefined ? '' : ` ${m.unit}`}`;
      const bounds: string[] = [];
      if (m.min !== undefined) bounds.push(`≥ ${m.min}`);
      if (m.max !== undefined) bounds.push(`≤ ${m.max}`);
      const ok = (m.min === undefined || m.value >= m.min) && (m.max === undefined || m.value <= m.max);
      rows.push([o.name, m.name, value, bounds.length === 0 ? '—' : bounds.join(', '), bounds.length === 0 ? '' : ok ? '✓' : '✗']);
    }
  }
  if (rows.length === 0) return '';
  return table(['case', 'metric', 'value', 'target', ''], rows, [false, false, true, false, false]);
}

/** Plain text columns; `right` marks the right-aligned ones. */
function table(header: readonly string[], rows: readonly (readonly string[])[], right: readonly boolean[]): string {
  const all = [header, ...rows];
  // Every character printed is in the Basic Multilingual Plane, so length is the width.
  const widths = header.map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)));
  const line = (r: readonly string[]): string => r
    .map((cell, i) => {
      const pad = ' '.repeat((widths[i] ?? 0) - cell.length);
      return right[i] === true ? pad + cell : cell + pad;
    })
    .join('  ')
    .trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}
