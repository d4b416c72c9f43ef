/**
 * Fuzzing the lint with real rows: every fixture and sample row gets personal data planted in its
 * strings (an email address, which `pii` must flag wherever it is trained on), then 10,000
 * seeded mutations of those rows (byte flips, truncation, giant tokens, deep nesting, escapes,
 * spliced and retyped fields) go through the engine and through the `tunelab lint` process.
 *
 * What a user relies on, asserted for every mutated row:
 * - nothing throws, the CLI exits 0 or 1 (never a crash or an uncaught error);
 * - a row whose text still holds the planted address is never reported clean: it has the `pii`
 *   finding, or says why it could not be checked (`unchecked`), or another error;
 * - the CLI reports, line for line, at least what the engine reports of the row itself.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { resolveSettings } from '../../src/core/lint/config';
import { DATASET_RULES, DatasetLinter } from '../../src/core/lint/engine';
import type { Finding } from '../../src/core/lint/types';
import { seededRandom } from '../../src/core/random';
import { repoFile } from '../harness/repoFile';

const MUTATIONS = 10_000;
const ADDRESS = 'maria.lopez84@gmail.com';
const PLANTED = ` If anything is unclear, write to ${ADDRESS} and I will answer.`;

/** Every row of the format fixtures and the samples: real records in all fifteen formats. */
function realRows(): string[] {
  const files = [
    ...readdirSync(repoFile('test/fixtures/formats')).filter((f) => f.endsWith('.jsonl')).map((f) => repoFile(`test/fixtures/formats/${f}`)),
    repoFile('samples/train.jsonl'),
    repoFile('samples/draft.jsonl'),
  ];
  return files.flatMap((f) => readFileSync(f, 'utf8').split('\n').filter((l) => l.trim() !== ''));
}

/** The row with the address appended to every string of more than 30 characters (the prompt and the answer, in every format). */
function plant(line: string): string | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    return undefined;
  }
  let planted = 0;
  const stack: unknown[] = [parsed];
  while (stack.length > 0) {
    const node = stack.pop();
    if (node === null || typeof node !== 'object') continue;
    const holder = node as Record<string, unknown>;
    for (const key of Object.keys(holder)) {
      const value = holder[key];
      if (typeof value === 'string' && value.length > 30) {
        holder[key] = `${value}${PLANTED}`;
        planted++;
      } else if (typeof value === 'object') stack.push(value);
    }
  }
  return planted > 0 ? JSON.stringify(parsed) : undefined;
}

type Mutation = (line: Buffer, rand: () => number) => Buffer;
const pick = <T>(rand: () => number, xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T;
const at = (rand: () => number, n: number): number => Math.floor(rand() * (n + 1));
const utf8 = (s: string): Buffer => Buffer.from(s, 'utf8');
/** Inserts `piece` just after the planted address (inside the answer string), else at a random byte. */
function insertNearAddress(line: Buffer, piece: Buffer, rand: () => number): Buffer {
  const i = line.indexOf(ADDRESS);
  const cut = i >= 0 ? i + ADDRESS.length : at(rand, line.length);
  return Buffer.concat([line.subarray(0, cut), piece, line.subarray(cut)]);
}

const ESCAPES = ['\\u0000', '\\u001b[31m', '\\ud800', '\\udfff', '\\\\', '\\"', '\\u2028', '\\ufeff', '\\r', '\\u0007', '\u001b]0;title\u0007', '\t', '\\uZZZZ', '\\'];
const MUTATORS: readonly { name: string; weight: number; run: Mutation }[] = [
  {
    name: 'byte flip',
    weight: 30,
    run: (line, rand) => {
      const out = Buffer.from(line);
      for (let n = 1 + at(rand, 3); n > 0; n--) out[at(rand, out.length - 1)] = at(rand, 255);
      return out;
    },
  },
  { name: 'truncation', weight: 15, run: (line, rand) => line.subarray(0, at(rand, line.length)) },
  {
    name: 'escape',
    weight: 20,
    run: (line, rand) => insertNearAddress(line, utf8(pick(rand, ESCAPES)), rand),
  },
  {
    name: 'giant token',
    weight: 1,
    // Log-uniform from 10 thousand to 500 thousand characters without a space; one in twenty a million or more.
    run: (line, rand) => {
      const length = rand() < 0.05 ? Math.floor(1_000_000 * (1 + rand())) : Math.floor(10_000 * 50 ** rand());
      return insertNearAddress(line, utf8(` ${pick(rand, ['x', 'é', '9', '字']).repeat(length)}`), rand);
    },
  },
  {
    name: 'deep nesting',
    weight: 3,
    run: (line, rand) => {
      const depth = Math.floor(100 * 1_000 ** rand()); // 100 to 100,000 deep
      const open = line.indexOf('{');
      if (open < 0) return line;
      return Buffer.concat([line.subarray(0, open + 1), utf8(`"nested":${'['.repeat(depth)}${']'.repeat(depth)},`), line.subarray(open + 1)]);
    },
  },
  {
    name: 'deep content',
    weight: 2,
    // The planted answer itself buried under arrays: still in the row, still to be checked.
    run: (line, rand) => {
      const depth = Math.floor(100 * 1_000 ** rand());
      const open = line.indexOf('{');
      if (open < 0) return line;
      return Buffer.concat([line.subarray(0, open + 1), utf8(`"deep":${'['.repeat(depth)}"${ADDRESS}"${']'.repeat(depth)},`), line.subarray(open + 1)]);
    },
  },
  {
    name: 'retype',
    weight: 10,
    run: (line, rand) => {
      const s = line.toString('utf8');
      const quotes = [...s.matchAll(/"[^"\\]{1,40}":\s*"/g)];
      const m = quotes.length > 0 ? pick(rand, quotes) : undefined;
      if (m === undefined) return line;
      const value = pick(rand, ['null', '0', '[]', '{}', 'true', '"', '[{"role":"user"}]']);
      const start = m.index + m[0].length - 1;
      return utf8(`${s.slice(0, start)}${value}, "x": ${s.slice(start)}`);
    },
  },
  {
    name: 'splice',
    weight: 8,
    run: (line, rand) => {
      const a = at(rand, line.length);
      const b = at(rand, line.length);
      return Buffer.concat([line.subarray(0, Math.min(a, b)), line.subarray(Math.max(a, b)), line.subarray(Math.min(a, b), Math.max(a, b))]);
    },
  },
  {
    name: 'duplicate key',
    weight: 10,
    run: (line, rand) => {
      const s = line.toString('utf8');
      const close = s.lastIndexOf('}');
      if (close < 0) return line;
      return utf8(`${s.slice(0, close)}, ${pick(rand, ['"response": 7', '"messages": "hi"', '"messages": []', '"prompt": null', '"completion": {"x": 1}', '"contents": [null]'])}${s.slice(close)}`);
    },
  },
];

function mutated(rows: readonly Buffer[], seed: number, count: number): { lines: Buffer[]; kinds: string[]; bases: number[] } {
  const rand = seededRandom(seed);
  const total = MUTATORS.reduce((s, m) => s + m.weight, 0);
  const lines: Buffer[] = [];
  const kinds: string[] = [];
  const bases: number[] = [];
  for (let i = 0; i < count; i++) {
    let r = rand() * total;
    const m = MUTATORS.find((x) => (r -= x.weight) < 0) ?? MUTATORS[0];
    if (m === undefined) throw new Error('no mutators');
    // A line break inside a mutation would make two rows of one; JSONL cannot hold it, so it is cut.
    const base = Math.floor(rand() * rows.length);
    const line = m.run(rows[base] ?? Buffer.alloc(0), rand).filter((b) => b !== 0x0a && b !== 0x0d);
    lines.push(Buffer.from(line));
    kinds.push(m.name);
    bases.push(base);
  }
  return { lines, kinds, bases };
}

const isUtf8 = (b: Buffer): boolean => {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(b);
    return true;
  } catch {
    return false;
  }
};

/** The row's text as an editor shows it (invalid UTF-8 as U+FFFD). */
const decode = (b: Buffer): string => new TextDecoder('utf-8').decode(b);

/** How many strings of the row's parsed value hold the planted address (0 when it does not parse). */
function addressesIn(text: string): number {
  if (!text.includes(ADDRESS)) return 0;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return 0;
  }
  let n = 0;
  const stack: unknown[] = [parsed];
  while (stack.length > 0) {
    const node = stack.pop();
    if (typeof node === 'string') n += node.includes(ADDRESS) ? 1 : 0;
    else if (node !== null && typeof node === 'object') stack.push(...Object.values(node as Record<string, unknown>));
  }
  return n;
}

/**
 * Findings that depend on the other rows (which format is the majority, which rows repeat): the
 * CLI, which leaves out lines that are not UTF-8, may rightly decide them differently.
 */
const RELATIVE: ReadonlySet<string> = new Set(['duplicate', 'duplicate-prompt', 'near-duplicate', 'mixed-format', ...DATASET_RULES]);

const byLine = (findings: readonly Finding[]): Map<number, Finding[]> => {
  const map = new Map<number, Finding[]>();
  for (const f of findings) map.set(f.line, [...(map.get(f.line) ?? []), f]);
  return map;
};

const base = realRows().map(plant).filter((l): l is string => l !== undefined).map(utf8);
const { lines, kinds, bases } = mutated(base, 0x5eed, MUTATIONS);
const texts = lines.map(decode);
const plantedIn = base.map((b) => addressesIn(b.toString('utf8')));
/** Whether mutated row i still holds every planted address of its original in a string, so `pii` must still find one. */
const holdsAddress = (i: number): boolean => addressesIn(texts[i] ?? '') >= (plantedIn[bases[i] ?? -1] ?? Infinity);

void describe('lint fuzz: 10,000 mutations of real rows', () => {
  let engineFindings: Map<number, Finding[]> = new Map();

  void it(`planted rows are all flagged before mutation (${base.length} rows of every fixture format)`, () => {
    const l = new DatasetLinter({ settings: resolveSettings([]).settings, context: {}, nearDuplicates: false });
    l.setText(base.map((b) => b.toString('utf8')).join('\n'));
    l.step(Infinity);
    const flagged = byLine(l.findings());
    const missed = base.map((_, i) => i).filter((i) => !(flagged.get(i) ?? []).some((f) => f.rule === 'pii'));
    assert.deepEqual(missed.map((i) => base[i]?.toString('utf8').slice(0, 80)), [], 'every planted row has its pii finding');
  });

  void it('the engine never throws and never reports clean a row that still holds the address', () => {
    const l = new DatasetLinter({ settings: resolveSettings([]).settings, context: {}, nearDuplicates: true });
    l.setText(texts.join('\n'));
    l.step(Infinity);
    engineFindings = byLine(l.findings());
    const clean: string[] = [];
    for (let i = 0; i < texts.length; i++) {
      const text = texts[i] ?? '';
      const found = engineFindings.get(i) ?? [];
      if (holdsAddress(i) && !found.some((f) => f.rule === 'pii' || f.rule === 'unchecked' || f.severity === 'error')) {
        clean.push(`line ${i + 1} (${kinds[i] ?? ''}): ${text.slice(0, 120)}`);
      }
    }
    assert.deepEqual(clean.slice(0, 10), [], `${clean.length} rows still holding the address were reported clean`);
  });

  const dir = mkdtempSync(path.join(tmpdir(), 'tunelab-fuzz-'));
  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  void it('the CLI exits 1 with findings on every such row, at least the engine\'s, and prints no control characters', () => {
    const file = path.join(dir, 'fuzzed.jsonl');
    writeFileSync(file, Buffer.concat(lines.flatMap((l) => [l, Buffer.from('\n')])));
    if (process.env.TUNELAB_FUZZ_KEEP !== undefined) writeFileSync(process.env.TUNELAB_FUZZ_KEEP, readFileSync(file));
    const cli = process.env.TUNELAB_CLI ?? repoFile('dist/cli.js');
    const r = spawnSync(process.execPath, [cli, 'lint', '--format', 'json', '--max-warnings', '0', 'fuzzed.jsonl'], {
      cwd: dir,
      encoding: 'utf8',
      maxBuffer: 512 * 1024 * 1024,
      env: { ...process.env, NO_COLOR: '1' },
    });
    if (r.error) throw r.error;
    assert.equal(r.signal, null, `the CLI was killed: ${r.stderr.slice(0, 500)}`);
    assert.equal(r.status, 1, `exit ${String(r.status)}: ${r.stderr.slice(0, 500)}`);
    assert.doesNotMatch(r.stderr, /at .*\(.*:\d+:\d+\)|RangeError|TypeError/, 'no stack trace');
    const cliRules = new Map<number, Set<string>>();
    for (const row of r.stdout.split('\n').filter((x) => x !== '')) {
      const f = JSON.parse(row) as { line: number; rule: string };
      cliRules.set(f.line - 1, (cliRules.get(f.line - 1) ?? new Set()).add(f.rule));
    }
    const missing: string[] = [];
    for (const [line, found] of engineFindings) {
      const rules = cliRules.get(line) ?? new Set<string>();
      // A line that is not UTF-8 is an error of its own in the CLI, which reads bytes; the editor shows it decoded.
      if (!isUtf8(lines[line] ?? Buffer.alloc(0))) {
        if (!rules.has('json-syntax')) missing.push(`line ${line + 1} (${kinds[line] ?? ''}): not UTF-8, and the CLI did not say so`);
        continue;
      }
      for (const f of found) if (!RELATIVE.has(f.rule) && !rules.has(f.rule)) missing.push(`line ${line + 1} (${kinds[line] ?? ''}): ${f.rule} not reported by the CLI`);
    }
    assert.deepEqual(missing.slice(0, 10), [], `${missing.length} engine findings missing from the CLI`);
    const cleanInCli = texts.map((_, i) => (holdsAddress(i) && (cliRules.get(i)?.size ?? 0) === 0 ? i + 1 : 0)).filter((n) => n > 0);
    assert.deepEqual(cleanInCli.slice(0, 10), [], 'rows holding the address reported clean by the CLI');
    // JSON output escapes every control character; nothing raw reaches a terminal or a log.
    const raw = r.stdout.split('').findIndex((c) => c !== '\n' && (c < ' ' || c === '\u007f'));
    assert.equal(raw, -1, `a raw control character in the output: ${JSON.stringify(r.stdout.slice(Math.max(0, raw - 60), raw + 20))}`);
  });
});
