import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { readdirSync, readFileSync } from 'node:fs';
import { repoFile } from '../harness/repoFile';
import fc from 'fast-check';
import { resolveSettings, type ConfigLayer } from '../../src/core/lint/config';
import { DatasetLinter, type LinterOptions } from '../../src/core/lint/engine';
import { SLICE_MS, SliceRunner } from '../../src/core/lint/schedule';
import type { Finding, FormatContext, TokenCounter } from '../../src/core/lint/types';
import { isRefusal } from '../../src/core/rules/index';
import { createLocator } from '../../src/core/jsonl/locate';
import { generateRows, type GeneratedRow } from '../../bench/dataset';

function linter(text: string, layers: ConfigLayer[] = [], context: FormatContext = {}, extra: Partial<LinterOptions> = {}): DatasetLinter {
  const l = new DatasetLinter({ settings: resolveSettings(layers).settings, context, nearDuplicates: true, ...extra });
  l.setText(text);
  l.step(Infinity);
  return l;
}

/** `line:rule` with 1-based lines, as a user reads them. */
function summary(findings: readonly Finding[]): string[] {
  return findings.map((f) => `${f.line + 1}:${f.rule}`);
}

const row = (instruction: string, response: string, context = ''): string => JSON.stringify({ instruction, context, response });
const Q = [
  'How do I renew my passport by mail from another state?',
  'What documents do I need to apply for a REAL ID card?',
  'How do I register to vote after moving to a new county?',
  'Where can I apply for unemployment benefits after a layoff?',
  'How do I appeal a parking ticket issued by the city?',
  'Can I get a replacement Social Security card online today?',
];
const A = 'Start on the official agency website, gather the listed documents, and book an appointment if one is needed.';

void describe('DatasetLinter: whole documents', () => {
  void it('a clean JumpStart dataset has no findings, and a final newline is not a blank line', () => {
    const l = linter(`${Q.map((q) => row(q, `${A} ${q.length}`)).join('\n')}\n`);
    assert.deepEqual(summary(l.findings()), []);
    assert.equal(l.format?.id, 'jumpstart-instruction');
  });

  void it('reports blank lines, broken JSON, leaked headers and duplicates on their lines', () => {
    const text = [row(Q[0] ?? '', `### Answer: ${A}`), '', '{"instruction": "x"', row(Q[1] ?? '', A), row(Q[1] ?? '', A), ''].join('\n');
    assert.deepEqual(summary(linter(text).findings()), ['1:leaked-header', '2:blank-line', '3:json-syntax', '5:duplicate']);
  });

  void it('a prompt repeated with another answer is duplicate-prompt, naming the first line', () => {
    const text = [row(Q[0] ?? '', A), row(Q[1] ?? '', A), row(Q[0] ?? '', `${A} Then wait for the letter.`)].join('\n');
    const f = linter(text).findings();
    assert.deepEqual(summary(f), ['3:duplicate-prompt']);
    assert.match(f[0]?.message ?? '', /line 1/);
    assert.equal(f[0]?.related?.[0]?.line, 0);
  });

  void it('a near-duplicate prompt names the earlier line and its similarity', () => {
    const text = [
      row('How do I renew my passport by mail if I am living in another state for work this year?', A),
      row(Q[2] ?? '', A),
      row('How do I renew my passport by post if I am living in another state for work this year?', `${A} Allow six weeks.`),
    ].join('\n');
    const f = linter(text).findings();
    assert.deepEqual(summary(f), ['3:near-duplicate']);
    assert.match(f[0]?.message ?? '', /line 1 \(\d+% similar\)/);
  });

  void it('a line in another format is mixed-format; the majority decides the file\'s format', () => {
    const chat = (q: string): string => JSON.stringify({ messages: [{ role: 'user', content: q }, { role: 'assistant', content: A }] });
    const text = [chat(Q[0] ?? ''), chat(Q[1] ?? ''), row(Q[2] ?? '', A)].join('\n');
    const l = linter(text);
    assert.notEqual(l.format?.id, 'jumpstart-instruction');
    // Three lines are also fewer than the 10 examples OpenAI fine-tuning needs (a finding on line 1).
    assert.deepEqual(summary(l.findings()), ['1:too-few-examples', '3:mixed-format']);
  });

  void it('severities and "off" come from the configuration layers, later layers winning', () => {
    const text = [row(Q[0] ?? '', `### Answer: ${A}`), ''].join('\n');
    const layers: ConfigLayer[] = [{ source: 'tunelab.jsonc', rules: { 'leaked-header': 'error' } }];
    assert.equal(linter(text, layers).findings()[0]?.severity, 'error');
    layers.push({ source: 'Settings', rules: { 'leaked-header': 'off' } });
    assert.deepEqual(summary(linter(text, layers).findings()), []);
  });

  void it('configuration mistakes are reported, not thrown, and the defaults stay', () => {
    const { settings, problems } = resolveSettings([{ source: 'Settings', rules: { 'no-such-rule': 'error', pii: 'loud', 'too-long': { options: { maxTokens: 'many' } } }, format: 'csv' }]);
    assert.equal(problems.length, 4, problems.join('\n'));
    assert.match(problems.join('\n'), /unknown rule "no-such-rule"/);
    assert.equal(settings.format, 'auto');
    assert.equal(settings.rules.get('pii')?.severity, 'warning');
  });

  void it('unchecked cannot be set: a layer that tries is told so, and a row a check could not finish stays an error', () => {
    for (const value of ['off', 'warning', { severity: 'off' }] as const) {
      const { settings, problems } = resolveSettings([{ source: 'tunelab.jsonc', rules: { unchecked: value } }]);
      assert.deepEqual(problems, ['tunelab.jsonc: the rule "unchecked" cannot be changed: a row a check could not finish is always an error, so nothing passes unchecked. Remove "unchecked" from the rules.']);
      assert.equal(settings.rules.get('unchecked')?.severity, 'error');
    }
  });

  void it('a tokenizer is asked for only when a record\'s bytes could exceed the limit', () => {
    // JumpStart's built-in template alone is about 240 bytes: the limit leaves room for a short record.
    const layers: ConfigLayer[] = [{ source: 't', rules: { 'too-long': { options: { maxTokens: 400 } } } }];
    const short = linter(row('Where do I vote?', 'At your polling place.'), layers);
    assert.equal(short.needsTokens, false);
    const long = linter(row(Q[0] ?? '', A.repeat(5)), layers);
    assert.equal(long.needsTokens, true);
    let calls = 0;
    const counter: TokenCounter = { count: (text) => { calls++; return Math.ceil(text.length / 2); } };
    long.setTokenCounter(counter);
    long.step(Infinity);
    assert.ok(calls > 0);
    assert.deepEqual(summary(long.findings()), ['1:too-long']);
  });

  void it('stats count rows, findings, duplicates, formats and refusal-style answers', () => {
    const text = [row(Q[0] ?? '', A), row(Q[0] ?? '', A), row(Q[1] ?? '', 'I\'m sorry, but I can\'t share another person\'s records. You can ask the county clerk how to request your own.'), ''].join('\n');
    const s = linter(text).stats(isRefusal);
    assert.equal(s.rows, 3);
    assert.equal(s.duplicateRows, 1);
    assert.equal(s.duplicateGroups, 1);
    assert.equal(s.answers, 3);
    assert.equal(s.refusals, 1);
    assert.equal(s.formats.get('jumpstart-instruction'), 3);
  });
});

void describe('DatasetLinter: incremental edits give the same findings as a fresh lint', () => {
  const lines = [
    row(Q[0] ?? '', A), row(Q[1] ?? '', A), row(Q[0] ?? '', A), '', '{"broken": ', row(Q[3] ?? '', `### Response: ${A}`),
    row('How can I renew my passport by mail from another state?', A), row(Q[4] ?? '', 'Call 555-0142 for [Your City] office hours.'),
    JSON.stringify({ messages: [{ role: 'user', content: Q[5] }, { role: 'assistant', content: A }] }), row(Q[5] ?? '', ''),
    // A near-duplicate pair (bigram Jaccard 0.81), so the near index and its cached decisions are exercised.
    row('How do I renew my passport by mail if I am living in another state for work this year?', A),
    row('How do I renew my passport by post if I am living in another state for work this year?', `${A} Allow six weeks.`),
  ];
  const edit = fc.record({
    start: fc.nat(12),
    deleteCount: fc.nat(3),
    insert: fc.array(fc.constantFrom(...lines), { maxLength: 3 }),
  });

  void it('for random sequences of line splices', () => {
    fc.assert(fc.property(fc.array(fc.constantFrom(...lines), { maxLength: 12 }), fc.array(edit, { maxLength: 8 }), (initial, edits) => {
      const doc = [...initial];
      const inc = linter(doc.join('\n'));
      for (const e of edits) {
        const start = Math.min(e.start, doc.length - 1 < 0 ? 0 : doc.length - 1);
        const deleteCount = Math.min(e.deleteCount, Math.max(doc.length - start, 0));
        if (doc.length === 0) { doc.push(...e.insert); inc.setText(doc.join('\n')); continue; }
        doc.splice(start, deleteCount, ...e.insert);
        inc.replaceLines(start, deleteCount, e.insert);
        if (doc.length === 0) { doc.push(''); inc.setText(''); }
        inc.step(Infinity);
        assert.equal(inc.lineCount, doc.length);
      }
      inc.step(Infinity);
      const fresh = linter(doc.join('\n'));
      const strip = (f: Finding[]) => f.map((x) => `${x.line}:${x.rule}:${x.start}-${x.end}:${x.message}`);
      assert.deepEqual(strip(inc.findings()), strip(fresh.findings()));
    }), { numRuns: 1000 });
  });

  void it('works when stepped in small slices', () => {
    const text = Array.from({ length: 500 }, (_, i) => lines[i % lines.length] ?? '').join('\n');
    const sliced = new DatasetLinter({ settings: resolveSettings([]).settings, context: {}, nearDuplicates: true });
    sliced.setText(text);
    let steps = 0;
    while (!sliced.step(7)) steps++;
    assert.ok(steps > 10);
    assert.deepEqual(sliced.findings(), linter(text).findings());
  });
});

// ---------------------------------------------------------------------------------------------
// Dataset-level checks (core/limits): on line 1, once the whole file is read

const chatRow = (q: string): string => JSON.stringify({ messages: [{ role: 'user', content: q }, { role: 'assistant', content: A }] });
const chatRows = (n: number): string[] => Array.from({ length: n }, (_, i) => chatRow(`Question number ${i + 1}: ${Q[i % Q.length] ?? ''}`));

void describe('DatasetLinter: dataset-level checks', () => {
  void it('an OpenAI training file under 10 examples gets too-few-examples on line 1, first', () => {
    const l = linter(`${chatRows(4).join('\n')}\n\n`);
    const f = l.findings();
    assert.deepEqual(summary(f), ['1:too-few-examples', '5:blank-line']);
    assert.match(f[0]?.message ?? '', /^This file has 4 examples; OpenAI fine-tuning \(gpt-4o-mini\) needs at least 10 training examples, or the job is refused\. Add examples\.$/);
    assert.equal(f[0]?.severity, 'error');
    assert.deepEqual(summary(linter(chatRows(10).join('\n')).findings()), []);
  });

  void it('JumpStart documents no minimum: a short JumpStart file has no dataset finding', () => {
    assert.deepEqual(summary(linter(row(Q[0] ?? '', A)).findings()), []);
  });

  void it('a validation file with few examples gets small-validation, not too-few-examples; its minimum is an option', () => {
    const validation = (layers: ConfigLayer[]): DatasetLinter => {
      const l = new DatasetLinter({ settings: { ...resolveSettings(layers).settings, split: 'validation' }, context: {}, nearDuplicates: true });
      l.setText(chatRows(5).join('\n'));
      l.step(Infinity);
      return l;
    };
    const f = validation([]).findings();
    assert.deepEqual(summary(f), ['1:small-validation']);
    assert.match(f[0]?.message ?? '', /only 5 examples: its loss swings .*JumpStart keeps the epoch with the lowest validation loss.*at least 30/);
    assert.equal(f[0]?.severity, 'warning');
    assert.deepEqual(summary(validation([{ source: 't', rules: { 'small-validation': { options: { minExamples: 5 } } } }]).findings()), []);
    assert.deepEqual(summary(validation([{ source: 't', rules: { 'small-validation': 'off' } }]).findings()), []);
  });

  void it('more records than Bedrock accepts for the target model is too-many-examples', () => {
    const prompt = (i: number): string => JSON.stringify({ prompt: `Question ${i}?`, completion: `Answer ${i}.` });
    const lines = Array.from({ length: 10_001 }, (_, i) => prompt(i));
    const layers: ConfigLayer[] = [{ source: 't', targetModel: 'meta-llama-3.1', rules: { duplicate: 'off', 'duplicate-prompt': 'off', 'near-duplicate': 'off', 'too-short': 'off' } }];
    const f = linter(lines.join('\n'), layers, {}, { nearDuplicates: false }).findings();
    assert.deepEqual(summary(f), ['1:too-many-examples']);
    assert.match(f[0]?.message ?? '', /10,001 records; Meta Llama 3\.1 on Bedrock accepts at most 10,000 training records per job/);
  });

  void it('an edit that brings the file to 10 examples clears the finding', () => {
    const l = linter(chatRows(9).join('\n'));
    assert.deepEqual(summary(l.findings()), ['1:too-few-examples']);
    l.replaceLines(9, 0, [chatRow('One more question about passports?')]);
    l.step(Infinity);
    assert.deepEqual(summary(l.findings()), []);
  });

  void it('stats count examples and the file\'s UTF-8 size', () => {
    const text = [row('¿Dónde voto?', 'En su lugar de votación.'), '{"broken"', ''].join('\n');
    const s = linter(text).stats(isRefusal);
    assert.equal(s.examples, 1);
    assert.equal(s.bytes, Buffer.byteLength(text, 'utf8'));
  });
});

void describe('DatasetLinter: blank lines', () => {
  void it('says what is documented: no provider rejects them in writing; what the loaders do', () => {
    const f = linter([row(Q[0] ?? '', A), '', row(Q[1] ?? '', A)].join('\n')).findings();
    assert.deepEqual(summary(f), ['2:blank-line']);
    assert.doesNotMatch(f[0]?.message ?? '', /reject/);
    assert.match(f[0]?.message ?? '', /No provider documents what it does with one: JumpStart's trainer loads \.jsonl files with Hugging Face datasets, whose JSON reader skips blank lines, but recent datasets versions fail on one near the top of a file/);
    assert.equal(f[0]?.severity, 'warning');
  });

  void it('a blank line that becomes the last one, while near-duplicates are still being indexed, loses its warning', () => {
    const a = row(Q[0] ?? '', A);
    for (const budget of [1, 2, 3, 4, 5, 8, 16, 24, 100]) {
      const l = new DatasetLinter({ settings: resolveSettings([]).settings, context: {}, nearDuplicates: true });
      l.setText([a, '', a].join('\n'));
      l.step(budget);
      l.replaceLines(2, 1, []);
      l.step(Infinity);
      assert.deepEqual(summary(l.findings()), summary(linter([a, ''].join('\n')).findings()), `after step(${budget})`);
    }
  });
});

void describe('DatasetLinter: no row is reported clean that was not checked', () => {
  // An answer with personal data and a chat token, then a long word: the token count is needed.
  const answer = `Mail dana.whitfield@gmail.com or call her cell at (612) 845-0187 (SSN 123-45-6789).<|eot_id|> ${'x'.repeat(6000)}`;

  void it('a check that throws keeps the row\'s other findings and adds an unchecked error naming the check and why', () => {
    const throwing: TokenCounter = { count: () => { throw new RangeError('Maximum call stack size exceeded'); } };
    const l = linter(row(Q[0] ?? '', answer), [], {}, { tokens: throwing });
    const f = l.findings();
    assert.deepEqual([...new Set(summary(f))], ['1:leaked-header', '1:pii', '1:unchecked'], 'before, the row had no findings at all');
    assert.ok(summary(f).includes('1:pii'), 'the pii finding is kept');
    assert.ok(summary(f).includes('1:leaked-header'), 'the leaked-header finding is kept');
    const unchecked = f.find((x) => x.rule === 'unchecked');
    assert.ok(unchecked);
    assert.equal(unchecked.severity, 'error');
    assert.match(unchecked.message, /^too-long could not check this row: .*Maximum call stack size exceeded.*; /);
    assert.deepEqual([unchecked.start, unchecked.end], [0, row(Q[0] ?? '', answer).length]);
    assert.ok(l.stats(isRefusal).errors >= 1);
  });

  void it('unchecked cannot be turned off: a row that was not checked is always an error', () => {
    const throwing: TokenCounter = { count: () => { throw new Error('boom'); } };
    const l = linter(row(Q[0] ?? '', answer), [{ source: 't', rules: { unchecked: 'off' } }], {}, { tokens: throwing });
    assert.equal(l.findings().find((x) => x.rule === 'unchecked')?.severity, 'error');
  });

  void it('content nested 100,000 deep is checked: its findings are reported, with positions where they can be had', () => {
    const depth = 100_000;
    const deep = `${'['.repeat(depth)}"x"${']'.repeat(depth)}`;
    const line = `{"instruction": ${JSON.stringify(Q[0])}, "context": "", "response": ${JSON.stringify(answer.slice(0, answer.indexOf('<|eot_id|>') + 10))}, "notes": ${deep}}`;
    const f = linter(line).findings();
    // Before, the schema check's locator overflowed the stack and the row was reported clean.
    assert.deepEqual(summary(f), ['1:unused-field', '1:leaked-header', '1:pii', '1:pii']);
  });
});

// ---------------------------------------------------------------------------------------------
// The editor's order: the lines in view first, the rest in slices bounded by time

void describe('DatasetLinter.checkFirst and SliceRunner: visible lines first, same findings in the end', () => {
  /** A 3,000-row JumpStart file with findings spread through it, some in the "visible" lines 1500–1530. */
  const mixedFile = (): string => {
    const train = readFileSync(repoFile('samples/train.jsonl'), 'utf8').split('\n').filter((l) => l !== '');
    const lines: string[] = [];
    for (let i = 0; i < 3000; i++) {
      if (i % 997 === 5) lines.push('');
      else if (i === 1510) lines.push(row(Q[0] ?? '', `### Answer: ${A}`));
      else if (i === 1520) lines.push('{"instruction": "x"');
      else if (i % 500 === 7) lines.push(train[0] ?? ''); // exact duplicates of the sample's first row, across the file
      else lines.push(i < train.length ? train[i] ?? '' : row(`${Q[i % Q.length] ?? ''} (case ${i})`, `${A} Reference ${i}.`));
    }
    return `${lines.join('\n')}\n`;
  };

  void it('the visible lines have their findings before the rest of the file is parsed', () => {
    const l = new DatasetLinter({ settings: resolveSettings([]).settings, context: {}, nearDuplicates: true });
    l.setText(mixedFile());
    l.checkFirst(1500, 1530);
    assert.equal(l.done, false);
    assert.deepEqual(summary(l.findingsOnLine(1510)), ['1511:leaked-header']);
    assert.deepEqual(summary(l.findingsOnLine(1520)), ['1521:json-syntax']);
    assert.deepEqual(summary(l.findingsOnLine(100)), [], 'a line out of view is not checked yet');
  });

  void it('ends with exactly the findings of a plain run, on the sample data and when the visible lines are of another format', () => {
    const reference = (text: string): string[] => linter(text).findings().map((f) => JSON.stringify(f));
    const chatMinority = (): string => {
      const lines = mixedFile().split('\n');
      // The visible lines are OpenAI chat, the file is JumpStart: the provisional format is wrong.
      for (let i = 1500; i < 1530; i++) lines[i] = chatRow(`Question number ${i}: ${Q[i % Q.length] ?? ''}`);
      return lines.join('\n');
    };
    for (const text of [mixedFile(), chatMinority(), readFileSync(repoFile('samples/train.jsonl'), 'utf8')]) {
      const l = new DatasetLinter({ settings: resolveSettings([]).settings, context: {}, nearDuplicates: true });
      l.setText(text);
      l.checkFirst(1500, 1530);
      l.checkFirst(0, 5);
      l.step(Infinity);
      assert.deepEqual(l.findings().map((f) => JSON.stringify(f)), reference(text));
    }
    const l = new DatasetLinter({ settings: resolveSettings([]).settings, context: {}, nearDuplicates: true });
    l.setText(chatMinority());
    l.checkFirst(1500, 1530);
    assert.equal(l.findingsOnLine(1500).some((f) => f.rule === 'mixed-format'), false, 'checked against the visible lines\' format at first');
    l.step(Infinity);
    assert.deepEqual(summary(l.findingsOnLine(1500)), ['1501:mixed-format']);
  });

  void it('SliceRunner keeps each slice within its time and ends with the same findings', () => {
    // A simulated clock that moves 1 ms each time it is read (the engine reads it every 16 rows),
    // so the test does not depend on the machine: a step that ignored the clock would do
    // everything in one slice.
    let clock = 0;
    const now = (): number => clock++;
    const real = new DatasetLinter({ settings: resolveSettings([]).settings, context: {}, nearDuplicates: true });
    const text = mixedFile();
    real.setText(text);
    const runner = new SliceRunner(real, now, SLICE_MS);
    runner.visibleFirst([{ start: 1500, end: 1530 }]);
    assert.deepEqual(summary(real.findingsOnLine(1510)), ['1511:leaked-header']);
    assert.equal(real.done, false);
    let longest = 0;
    let slices = 0;
    for (let done = false; !done; slices++) {
      const t0 = clock;
      done = runner.slice();
      longest = Math.max(longest, clock - t0);
    }
    assert.ok(longest <= SLICE_MS + 2, `a slice read the clock ${longest} times`);
    // 37 with the clock read in every loop (checking and near-duplicate indexing); 19 when the
    // near-duplicate loop missed its clock reads and ran a whole phase in one slice.
    assert.ok(slices >= 30, `the work was cut into ${slices} slices`);
    assert.deepEqual(real.findings().map((f) => JSON.stringify(f)), linter(text).findings().map((f) => JSON.stringify(f)));
  });
});

/**
 * The findings of a large generated dataset, pinned: every speed-up of the engine must leave them
 * exactly as they were. The digest was taken before the engine's hot paths were rewritten
 * (duplicate-key counting, line splitting, locating prompts, reading findings); a change to any
 * finding's rule, line, columns, message, related lines or fix changes it.
 */
void describe('the findings of 12,000 generated rows, with planted problems, stay exactly the same', () => {
  /** Realistic rows with, every 37th, one of the problems a user's file has. */
  function plantedDataset(): string {
    const rows = generateRows(12_000, 29, { nearDuplicateShare: 0.05, exactDuplicateShare: 0.02 });
    const plants: ((r: GeneratedRow) => string)[] = [
      (r) => r.line.replace('"response":', '"response" : "first",  "response"  :'), // a repeated key, spaced
      (r) => r.line.slice(0, -2), // cut short
      () => '', // blank
      (r) => r.line.replace('"response":"', '"response":"Call me at (612) 845-0187 or mail dana.whitfield@gmail.com. '),
      (r) => r.line.replace('"response":"', '"response":"### Response:\\n<|eot_id|> [TODO] {{name}} '),
      (r) => r.line.replace('"context":""', '"context":"", "notes": {"a": 1, "a" :2}'), // nested repeated key, unused field
      (r) => JSON.stringify({ messages: [{ role: 'user', content: r.instruction }, { role: 'assistant', content: r.response }] }), // another format
      (r) => r.line.replace('"response":"', '"response":"I\'m sorry, but I can\'t help with that. '),
      (r) => r.line.replace(/"response":"[^"]*"/, '"response":"Yes."'),
      (r) => `${r.line}\r`, // a lone CR: one more (blank) line
    ];
    const lines = rows.map((r, i) => (i % 37 === 5 ? (plants[Math.floor(i / 37) % plants.length] as (r: GeneratedRow) => string)(r) : r.line));
    // Part of the file with CRLF line ends, as an editor on Windows saves it.
    return `${lines.slice(0, 6000).join('\n')}\n${lines.slice(6000).join('\r\n')}\r\n`;
  }

  function digest(findings: readonly Finding[]): string {
    return createHash('sha256').update(JSON.stringify(findings)).digest('hex');
  }

  void it('full lint with near-duplicates, as the editor runs it', () => {
    const l = linter(plantedDataset());
    const f = l.findings();
    const byRule = new Map<string, number>();
    for (const x of f) byRule.set(x.rule, (byRule.get(x.rule) ?? 0) + 1);
    assert.deepEqual(Object.fromEntries([...byRule].sort()), {
      'blank-line': 49, duplicate: 231, 'duplicate-key': 65, 'duplicate-prompt': 48, 'json-syntax': 33, 'leaked-header': 66,
      'mixed-format': 32, 'near-duplicate': 710, pii: 66, 'too-short': 32, 'unfilled-placeholder': 66, 'unused-field': 32,
    });
    assert.equal(digest(f), '0123e448296b7d965a47e8d0eecd7f22f18e78ca78bc32c7a0ad8b58ad9f20fd');
  });
});

void describe('locating a value in a line JSON.parse accepted, by scanning instead of building the tree', () => {
  type Path = (string | number)[];
  /** Every path in the value, plus paths that are not there (one step past each, a wrong index). */
  function paths(value: unknown, at: Path = [], out: Path[] = []): Path[] {
    out.push(at);
    if (Array.isArray(value)) {
      value.forEach((v, i) => paths(v, [...at, i], out));
      out.push([...at, value.length], [...at, 'x']);
    } else if (typeof value === 'object' && value !== null) {
      for (const [k, v] of Object.entries(value)) paths(v, [...at, k], out);
      out.push([...at, 'no such key'], [...at, 0]);
    } else {
      out.push([...at, 'deeper']);
    }
    return out;
  }

  function lines(): string[] {
    const out: string[] = [];
    const dir = repoFile('test/fixtures/formats');
    for (const f of readdirSync(dir)) out.push(...readFileSync(`${dir}/${f}`, 'utf8').split('\n').filter((l) => l.trim() !== '' && isJson(l)));
    out.push(...generateRows(300, 5).map((r) => r.line));
    // Spacing, escapes in keys and values, a repeated key (the first is the one located), nesting, numbers and literals.
    out.push(
      ' \t{ "instruction" :\t"Q \\"quoted\\" \\\\" , "context":"" ,"response": "A\\u00e9\\n" , "n" : -1.5e3 , "t":true,"z":null } ',
      '{"a\\u0062c": 1, "abc": 2, "a": {"b": [1, [2, {"c": "d\\\\"}], {}], "e": []}, "a": 3}',
      JSON.stringify({ messages: [{ role: 'user', content: 'Hi {"x": 1} ]' }, { role: 'assistant', content: '}]"\\' }] }, null, '\t').replace(/\n/g, ' '),
      `{"deep": ${'['.repeat(300)}1${']'.repeat(300)}, "after": "x"}`,
    );
    return out;
  }

  function isJson(line: string): boolean {
    try { JSON.parse(line); return true; } catch { return false; }
  }

  void it('gives the same columns as the tree for every path, present or not', () => {
    let checked = 0;
    for (const line of lines()) {
      for (const path of paths(JSON.parse(line))) {
        assert.deepEqual(createLocator(line, true).valueRange(path), createLocator(line).valueRange(path), `${line.slice(0, 80)} at ${JSON.stringify(path)}`);
        checked++;
      }
    }
    assert.ok(checked > 5000);
  });
});
