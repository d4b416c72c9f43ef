import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { repoFile } from '../harness/repoFile';
import { resolveSettings } from '../../src/core/lint/config';
import { DatasetLinter } from '../../src/core/lint/engine';
import type { FormatContext, FormatId } from '../../src/core/lint/types';
import { evalSetOfLines, EvalSetMemo, readEvalSet } from '../../src/core/promptLab/evalSet';
import { rowKey, RowKeys, SCORE_RUBRIC, scoreRowsOf, type ScorePair } from '../../src/core/judge/score';

/**
 * Curation reads a dataset's rows from the lines its linter parsed (and keeps parsed across
 * edits) rather than parsing the whole text again: the rows must be what the re-parse gives.
 */

const fixtures: { name: string; text: string }[] = [
  ...readdirSync(repoFile('test/fixtures/formats')).filter((f) => f.endsWith('.jsonl')).map((f) => ({ name: `formats/${f}`, text: readFileSync(repoFile(`test/fixtures/formats/${f}`), 'utf8') })),
  ...['problems.jsonl', 'leaky.jsonl', 'cli/crlf-bom.jsonl', 'cli/no-final-newline.jsonl', 'cli/problems.jsonl', 'cli/warnings.jsonl'].map((f) => ({ name: f, text: readFileSync(repoFile(`test/fixtures/${f}`), 'utf8') })),
];

/** Broken JSON, a record with no answer, a text record, a blank line, a plain question, an array. */
const MIXED = [
  '{"instruction": "How do I renew a passport?", "context": "", "response": "Use form DS-82."}',
  '{"instruction": "Where do I vote?", "context": ""',
  '{"instruction": "What is a REAL ID?", "context": "", "response": ""}',
  '',
  '{"text": "Domain text with no question."}',
  '{"question": "Is the office open on Sunday?", "answer": "No."}',
  '[1, 2]',
  '{"instruction": "How do I pay a parking ticket?", "context": "It was in Boston.", "response": "Pay it online."}',
].join('\n');

function sameAsReparse(linter: DatasetLinter, text: string, ctx: FormatContext, format: FormatId | undefined, memo: EvalSetMemo, label: string): void {
  const fresh = readEvalSet(text, ctx, format);
  const linted = evalSetOfLines(linter.parsedLines(), ctx, format, memo);
  assert.deepEqual(linted, fresh, label);
  assert.deepEqual(scoreRowsOf(linted.items), scoreRowsOf(fresh.items), label);
}

function linterOf(text: string, ctx: FormatContext): DatasetLinter {
  const linter = new DatasetLinter({ settings: resolveSettings([]).settings, context: ctx, nearDuplicates: true });
  linter.setText(text);
  return linter;
}

/** The text's lines as VS Code numbers them, and the text they make. */
function linesOf(text: string): string[] {
  return (text.startsWith('\uFEFF') ? text.slice(1) : text).split(/\r\n|\r|\n/);
}

void describe('the rows curation reads from the linter', () => {
  void it('equal a re-parse of every fixture, before the lint ran, midway and after', () => {
    for (const { name, text } of [...fixtures, { name: 'mixed', text: MIXED }]) {
      const memo = new EvalSetMemo();
      const linter = linterOf(text, {});
      sameAsReparse(linter, text, {}, undefined, memo, `${name}: not linted yet`);
      linter.step(3);
      sameAsReparse(linter, text, {}, undefined, memo, `${name}: midway`);
      while (!linter.step(1000));
      sameAsReparse(linter, text, {}, undefined, memo, `${name}: linted`);
      sameAsReparse(linter, text, {}, 'jumpstart-instruction', memo, `${name}: with a format set`);
      sameAsReparse(linter, text, { templateKeys: ['instruction', 'response'] }, undefined, memo, `${name}: with a template`);
    }
  });

  void it('leave the lint\'s findings as they would be: reading the parses does not change what is found', () => {
    for (const { name, text } of [...fixtures, { name: 'mixed', text: MIXED }]) {
      const plain = linterOf(text, {});
      while (!plain.step(1000));
      const read = linterOf(text, {});
      read.step(2);
      read.parsedLines();
      while (!read.step(1000));
      read.parsedLines();
      assert.deepEqual(read.findings(), plain.findings(), name);
    }
  });

  void it('include the broken lines and the rows with no answer', () => {
    const set = evalSetOfLines(linterOf(MIXED, {}).parsedLines(), {}, undefined, new EvalSetMemo());
    assert.deepEqual(set.skipped.map((s) => s.line), [1, 4, 6]);
    const { rows, noAnswer } = scoreRowsOf(set.items);
    assert.deepEqual(rows.map((r) => r.line), [0, 5, 7]);
    assert.deepEqual(noAnswer, [2]);
  });

  void it('stay equal to a re-parse through edits, reading again only the lines an edit changed', () => {
    for (const { name, text } of [...fixtures, { name: 'mixed', text: MIXED }]) {
      const memo = new EvalSetMemo();
      const linter = linterOf(text, {});
      const lines = linesOf(text);
      const edit = (start: number, deleteCount: number, added: string[], label: string): void => {
        linter.replaceLines(start, deleteCount, added);
        lines.splice(start, deleteCount, ...added);
        linter.step(50);
        sameAsReparse(linter, lines.join('\n'), {}, undefined, memo, `${name}: ${label}`);
      };
      sameAsReparse(linter, lines.join('\n'), {}, undefined, memo, `${name}: opened`);
      edit(0, 0, ['{"instruction": "Inserted?", "context": "", "response": "Yes."}'], 'a row inserted at the top');
      edit(1, 1, ['{"broken": '], 'a row broken');
      edit(Math.min(2, lines.length), 0, ['', '{"question": "A plain question?"}'], 'a blank line and a question with no answer');
      edit(0, 1, [], 'the first row deleted');
      edit(0, 1, ['{"instruction": "Fixed?", "context": "", "response": "Fixed."}'], 'the broken row fixed');
    }
  });

  void it('reuse what unchanged records gave, in a context equal to the last one', () => {
    const memo = new EvalSetMemo();
    const linter = linterOf(MIXED, {});
    const before = evalSetOfLines(linter.parsedLines(), {}, undefined, memo);
    const records = memo.matched;
    assert.equal(records, 5);
    linter.replaceLines(0, 0, ['{"instruction": "New?", "context": "", "response": "New."}']);
    // A new context object with the same value, as each read of the settings gives.
    const after = evalSetOfLines(linter.parsedLines(), {}, undefined, memo);
    assert.equal(memo.matched, records + 1, 'only the inserted record is read');
    assert.deepEqual(after.items.slice(1).map((i) => ({ ...i, line: i.line - 1 })), before.items);
    evalSetOfLines(linter.parsedLines(), { templateKeys: ['instruction', 'response'] }, undefined, memo);
    assert.equal(memo.matched, records + 1 + 6, 'another context reads every record again');
  });
});

void describe('the keys of the rows curation shows', () => {
  void it('equal rowKey, hashing again only the pairs an edit changed, and all of them for another judge', () => {
    const setup = { judge: 'judge/model', rubric: SCORE_RUBRIC };
    const linter = linterOf(MIXED, {});
    const memo = new EvalSetMemo();
    const rowsNow = (): ReturnType<typeof scoreRowsOf>['rows'] => scoreRowsOf(evalSetOfLines(linter.parsedLines(), {}, undefined, memo).items).rows;
    const keys = new RowKeys();
    const first = rowsNow();
    assert.deepEqual(keys.keysOf(first, setup), first.map((row) => rowKey(row, setup)));
    assert.equal(keys.hashed, 3);
    linter.replaceLines(0, 1, ['{"instruction": "How do I renew a passport?", "context": "", "response": "Use form DS-82 by mail."}']);
    const edited = rowsNow();
    assert.deepEqual(keys.keysOf(edited, setup), edited.map((row) => rowKey(row, setup)));
    assert.equal(keys.hashed, 4, 'only the edited row is hashed');
    const other = { judge: 'other/model', rubric: SCORE_RUBRIC };
    assert.deepEqual(keys.keysOf(edited, other), edited.map((row) => rowKey(row, other)));
    assert.equal(keys.hashed, 7);
  });

  void it('give a pair that repeats the same key, and stay right while rows are edited away and back', () => {
    const setup = { judge: 'judge/model', rubric: SCORE_RUBRIC };
    const row = (question: string, answer: string, system?: string): ScorePair => ({ question, answer, ...(system === undefined ? {} : { system }) });
    const keys = new RowKeys();
    const rows = [row('q', 'a'), row('q', 'a'), row('q', 'b'), row('q', 'a', 'be brief'), row('r', 'a')];
    assert.deepEqual(keys.keysOf(rows, setup), rows.map((r) => rowKey(r, setup)));
    assert.equal(keys.hashed, 4, 'the repeated pair is hashed once');
    // Many rounds of edits, each replacing the last row: old pairs go, the others stay known.
    for (let i = 0; i < 300; i++) {
      const now = [...rows.slice(0, 4), row('r', `edit ${i}`)];
      assert.deepEqual(keys.keysOf(now, setup), now.map((r) => rowKey(r, setup)));
    }
    assert.equal(keys.hashed, 304, 'one new pair per round');
    assert.deepEqual(keys.keysOf(rows, setup), rows.map((r) => rowKey(r, setup)), 'a row edited back gets its key again');
  });
});
