/**
 * The editor's publish (FindingsPublisher over DatasetLinter.findingLists): it reads again only
 * the lines whose findings may have changed and keeps what it made of the others, and what it
 * publishes is always exactly what a from-scratch `findings()` of the same linter says.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { resolveSettings, type ConfigLayer } from '../../src/core/lint/config';
import { DatasetLinter } from '../../src/core/lint/engine';
import { FindingsPublisher } from '../../src/core/lint/schedule';
import type { Finding } from '../../src/core/lint/types';

const row = (instruction: string, response: string): string => JSON.stringify({ instruction, context: '', response });
const A = 'Start on the official agency website, gather the listed documents, and book an appointment if one is needed.';
/** A templated prompt: rows of it are near-duplicates of each other (a cluster, "one of N rows"). */
const templated = (i: number): string => row(`Summarize the customer's message about order ${100000 + i} and tell them when the replacement part will ship, using the warranty policy.`, `${A} (${i})`);

/** Lines with every kind of finding a row can share with others: exact copies, the same prompt, near-duplicate pairs and clusters. */
const LINES = [
  row('How do I renew my passport by mail from another state?', A),
  row('How do I renew my passport by mail from another state?', `${A} Allow six weeks.`),
  row('HOW do I renew my passport by mail, from another state', A),
  row('What documents do I need to apply for a REAL ID card?', A),
  '',
  '{"broken": ',
  row('Where can I apply for unemployment benefits after a layoff?', `### Response: ${A}`),
  row('How do I renew my passport by mail if I am living in another state for work this year?', A),
  row('How do I renew my passport by post if I am living in another state for work this year?', `${A} Allow six weeks.`),
  row('How do I renew my passport by courier if I am living in another state for work this year?', `${A} Allow a month.`),
  templated(1), templated(2), templated(3), templated(4), templated(5),
  JSON.stringify({ messages: [{ role: 'user', content: 'How do I appeal a parking ticket?' }, { role: 'assistant', content: A }] }),
  row('Can I get a replacement Social Security card online today?', ''),
];

const newLinter = (): DatasetLinter => new DatasetLinter({ settings: resolveSettings([]).settings, context: {}, nearDuplicates: true });
const show = (findings: readonly Finding[]): string[] => findings.map((f) => JSON.stringify(f));

/** Asserts two lists of findings are the same, showing the first that differs rather than both lists. */
function assertSame(actual: readonly Finding[], expected: readonly Finding[], when: string): void {
  const a = show(actual), e = show(expected);
  const at = a.findIndex((x, i) => x !== e[i]);
  if (at >= 0 || a.length !== e.length) assert.deepEqual({ at, finding: a[at] ?? null, count: a.length }, { at, finding: e[at] ?? null, count: e.length }, when);
}

type Op =
  | { readonly kind: 'splice'; readonly start: number; readonly deleteCount: number; readonly insert: readonly string[] }
  | { readonly kind: 'step'; readonly rows: number }
  | { readonly kind: 'visible'; readonly start: number }
  | { readonly kind: 'publish'; readonly clockReads?: number }
  | { readonly kind: 'configure'; readonly nearOff: boolean };

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('splice' as const), start: fc.nat(20), deleteCount: fc.nat(4), insert: fc.array(fc.constantFrom(...LINES), { maxLength: 4 }) }),
  fc.record({ kind: fc.constant('step' as const), rows: fc.integer({ min: 1, max: 40 }) }),
  fc.record({ kind: fc.constant('visible' as const), start: fc.nat(20) }),
  fc.constant({ kind: 'publish' as const }),
  // A publish whose time runs out after a few reads of the clock (every 32 rows read).
  fc.record({ kind: fc.constant('publish' as const), clockReads: fc.nat(3) }),
  fc.record({ kind: fc.constant('configure' as const), nearOff: fc.boolean() }),
);

/**
 * Replays the operations on a linter read by a publisher, publishing after each one that asks
 * to and at the end, and checks every publish against `findings()` read from scratch.
 */
function replay(initial: readonly string[], ops: readonly Op[], layers: ConfigLayer[] = []): void {
  const doc = [...initial];
  const linter = new DatasetLinter({ settings: resolveSettings(layers).settings, context: {}, nearDuplicates: true });
  const publisher = new FindingsPublisher(linter, (f) => f);
  linter.setText(doc.join('\n'));
  const check = (when: string, clockReads?: number): void => {
    let reads = 0;
    const published = publisher.publish(clockReads === undefined ? undefined : () => reads++ >= clockReads);
    // A publish cut short shows some lines as an earlier one did; a whole one is findings().
    if (published.complete) assertSame(published.findings, linter.findings(), `${when}: the published findings are findings()`);
    assert.equal(published.items.length, published.findings.length);
    published.items.forEach((item, i) => { assert.equal(item, published.findings[i], `${when}: item ${i} was made from its finding`); });
  };
  for (const [n, o] of ops.entries()) {
    if (o.kind === 'splice') {
      const start = Math.min(o.start, doc.length - 1);
      const deleteCount = Math.min(o.deleteCount, doc.length - start);
      doc.splice(start, deleteCount, ...o.insert);
      linter.replaceLines(start, deleteCount, o.insert);
      if (doc.length === 0) { doc.push(''); linter.setText(''); }
    } else if (o.kind === 'step') {
      linter.step(o.rows);
    } else if (o.kind === 'visible') {
      linter.checkFirst(o.start, o.start + 5);
    } else if (o.kind === 'configure') {
      const layers: ConfigLayer[] = o.nearOff ? [{ source: 'test', rules: { 'near-duplicate': 'off', duplicate: 'error' } }] : [];
      linter.configure({ settings: resolveSettings(layers).settings });
    } else {
      check(`after operation ${n}`, o.clockReads);
    }
  }
  linter.step(Infinity);
  // Reading what is left a slice at a time, as the editor does before its last publish.
  let reads = 0;
  while (!publisher.readChanged(() => reads++ >= 1)) reads = 0;
  check('at the end');
}

void describe('FindingsPublisher: the published findings are always findings()', () => {
  void it('after any sequence of edits, partial slices, visible-first checks, settings changes and publishes', () => {
    fc.assert(fc.property(fc.array(fc.constantFrom(...LINES), { minLength: 1, maxLength: 16 }), fc.array(op, { maxLength: 24 }), (initial, ops) => {
      replay(initial, ops);
    }), { numRuns: 600 });
  });

  void it('the same with near-duplicates off, where only the exact indexes tie rows together', () => {
    const layers: ConfigLayer[] = [{ source: 'test', rules: { 'near-duplicate': 'off' } }];
    const replace = fc.record({ kind: fc.constant('splice' as const), start: fc.nat(16), deleteCount: fc.constant(1), insert: fc.tuple(fc.constantFrom(...LINES)) });
    fc.assert(fc.property(fc.array(fc.constantFrom(...LINES), { minLength: 1, maxLength: 16 }), fc.array(fc.oneof(op, replace, replace), { maxLength: 24 }), (initial, ops) => {
      replay(initial, ops, layers);
    }), { numRuns: 400 });
  });

  void it('when a cluster of near-duplicates grows and shrinks line by line, and lines are inserted above it', () => {
    const cluster = Array.from({ length: 30 }, (_, i) => templated(10 + i));
    const ops: Op[] = [];
    for (let i = 0; i < 30; i += 3) ops.push({ kind: 'step', rows: 7 }, { kind: 'publish' });
    for (let i = 0; i < 10; i++) {
      ops.push({ kind: 'splice', start: 0, deleteCount: 0, insert: [LINES[i % LINES.length] ?? ''] }, { kind: 'step', rows: 1000 }, { kind: 'publish' });
      ops.push({ kind: 'splice', start: 15 + i, deleteCount: 1, insert: [] }, { kind: 'step', rows: 1000 }, { kind: 'publish' });
      ops.push({ kind: 'splice', start: 20, deleteCount: 0, insert: [templated(200 + i)] }, { kind: 'step', rows: 1000 }, { kind: 'publish' });
    }
    replay([...LINES.slice(0, 8), ...cluster], ops);
  });

  void it('when rows of a cluster larger than the bucket cap are replaced in place (no line moves), at random', () => {
    // Replacing a line keeps every other line where it is, so nothing is read again for having
    // moved: only the rows the engine marks. Removing a row re-links the rows on either side of
    // it in the near index's buckets, and its group may split or shrink.
    const other = fc.constantFrom(...LINES.slice(0, 4), ...Array.from({ length: 40 }, (_, i) => templated(300 + i)));
    const replace = fc.record({ kind: fc.constant('splice' as const), start: fc.nat(45), deleteCount: fc.constant(1), insert: fc.tuple(other) });
    const ops = fc.array(fc.oneof(replace, replace, fc.record({ kind: fc.constant('step' as const), rows: fc.integer({ min: 1, max: 60 }) }), fc.constant({ kind: 'publish' as const })), { maxLength: 30 });
    const initial = Array.from({ length: 45 }, (_, i) => (i % 9 === 4 ? LINES[i % 4] ?? '' : templated(i)));
    fc.assert(fc.property(ops, (o) => { replay(initial, o); }), { numRuns: 150 });
  });
});

void describe('FindingsPublisher: a publish makes items only for the lines whose findings changed', () => {
  /** 600 rows, 1 in 6 repeating an earlier prompt and 1 in 10 of a near-duplicate cluster. */
  const rows = (): string[] => Array.from({ length: 600 }, (_, i) => (i % 10 === 3 ? templated(i)
    : i % 6 === 5 ? row(`How do I renew permit number ${i - 5} by mail from another state?`, `${A} Second answer.`)
      : row(`How do I renew permit number ${i} by mail from another state?`, A)));

  void it('the whole file once, then nothing for a publish without changes, then only the edited line', () => {
    const linter = newLinter();
    const made: Finding[] = [];
    const publisher = new FindingsPublisher(linter, (f) => { made.push(f); return f; });
    linter.setText(rows().join('\n'));
    linter.step(Infinity);
    const first = publisher.publish();
    assert.ok(first.findings.length > 100, `${first.findings.length} findings`);
    assert.equal(made.length, first.findings.length);
    made.length = 0;
    const again = publisher.publish();
    assert.equal(again.changed, false);
    assert.equal(made.length, 0, 'nothing is made again when nothing changed');
    assert.deepEqual(show(again.findings), show(first.findings));
    // A leaked header on line 301 (a row with no finding before): one new finding, nothing else made.
    linter.replaceLines(300, 1, [row('How do I renew permit number 300 by mail from another state?', `### Response: ${A}`)]);
    linter.step(Infinity);
    const edited = publisher.publish();
    assert.equal(edited.changed, true);
    assert.deepEqual(made.map((f) => `${f.line + 1}:${f.rule}`), ['301:leaked-header']);
    assert.deepEqual(show(edited.findings), show(linter.findings()));
  });

  void it('a line inserted at the top makes again only the findings that name a line (all of them here), and the same ones', () => {
    const linter = newLinter();
    let made = 0;
    const publisher = new FindingsPublisher(linter, (f) => { made++; return f; });
    const text = rows();
    linter.setText(text.join('\n'));
    linter.step(Infinity);
    publisher.publish();
    // Deleting the last line shifts nothing above it: only the findings that named it change.
    made = 0;
    linter.replaceLines(599, 1, []);
    linter.step(Infinity);
    const cut = publisher.publish();
    assert.deepEqual(show(cut.findings), show(linter.findings()));
    assert.ok(made <= 2, `${made} made again after deleting the last line`);
    linter.replaceLines(0, 0, [row('A new first question about something else entirely?', A)]);
    linter.step(Infinity);
    assert.deepEqual(show(publisher.publish().findings), show(linter.findings()));
  });
});
