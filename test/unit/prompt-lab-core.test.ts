import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { FORMAT_IDS } from '../../src/core/formats/index';
import { renderPair } from '../../src/core/formats/render';
import type { FormatId, JsonObject } from '../../src/core/lint/types';
import { evalItemOf, questionItemOf, readEvalSet } from '../../src/core/promptLab/evalSet';
import { ANSWER_KEEP, ELLIPSIS, isHistoryEntry, pushHistory, readDraft, readHistory } from '../../src/core/promptLab/history';
import { isResultsPath } from '../../src/core/resultsPath';
import { columnsKey, compactResults, finishedQuestions, parseResultsLine, questionKey, resultsLine, resultsPathFor, resumeRepair, type ResultsAnswer, type ResultsRow } from '../../src/core/promptLab/results';
import { parsePromptFile } from '../../src/core/prompts/promptFile';
import { draftFromPromptFile, panelDraftFromPromptFile, promptFileNotes, writePromptFile, type PromptDraft } from '../../src/core/prompts/promptWriter';
import type { ColumnSpec, Draft, HistoryEntry } from '../../src/core/protocol';
import { repoFile } from '../harness/repoFile';

const fixture = (id: FormatId): string => readFileSync(repoFile(`test/fixtures/formats/${id}.jsonl`), 'utf8');
const parse = (line: string): JsonObject => JSON.parse(line) as JsonObject;
const nonBlank = (s: string): boolean => s.trim() !== '';

// ---------------------------------------------------------------------------------------------
// Eval sets

void describe('eval sets: one record', () => {
  void it('reads the question, context, system prompt and reference of flat records', () => {
    assert.deepEqual(
      evalItemOf(parse('{"instruction": "Summarize.", "context": "The park closes at 6.", "response": "It closes at 6."}'), 'jumpstart-instruction', {}),
      { question: 'Summarize.\n\nThe park closes at 6.', reference: 'It closes at 6.' },
    );
    assert.deepEqual(
      evalItemOf(parse('{"system": "Be brief.", "instruction": "Hi?", "input": "", "output": "Hello.", "history": [["Earlier?", "Yes."]]}'), 'alpaca', {}),
      { question: 'Hi?', system: 'Be brief.', reference: 'Hello.' },
    );
    assert.deepEqual(evalItemOf(parse('{"prompt": "Q?", "completion": ""}'), 'bedrock-prompt', {}), { question: 'Q?' });
    assert.equal(evalItemOf(parse('{"instruction": "  ", "context": "", "response": "x"}'), 'jumpstart-instruction', {}), undefined);
    assert.equal(evalItemOf(parse('{"text": "A document."}'), 'text', {}), undefined);
  });

  void it('reads the first user turn and the reply right after it in chat records', () => {
    const chat = '{"messages": [{"role": "developer", "content": "Use the tool."}, {"role": "user", "content": [{"type": "text", "text": "Part one."}, {"type": "image_url", "image_url": {"url": "https://example.gov/a.png"}}, {"type": "text", "text": "Part two."}]}, {"role": "assistant", "content": "Reply."}, {"role": "user", "content": "Later?"}, {"role": "assistant", "content": "Later reply."}]}';
    assert.deepEqual(evalItemOf(parse(chat), 'openai-chat', {}), { question: 'Part one.\nPart two.', system: 'Use the tool.', reference: 'Reply.' });
    // A reply at weight 0 is not one to learn from, so it is no reference.
    assert.deepEqual(evalItemOf(parse('{"messages": [{"role": "user", "content": "Q"}, {"role": "assistant", "content": "bad", "weight": 0}, {"role": "user", "content": "Q2"}, {"role": "assistant", "content": "good"}]}'), 'openai-chat', {}), { question: 'Q' });
    assert.deepEqual(evalItemOf(parse('{"system": "Top.", "conversations": [{"from": "human", "value": "Hi"}, {"from": "gpt", "value": "Hello"}]}'), 'sharegpt', {}), { question: 'Hi', system: 'Top.', reference: 'Hello' });
    assert.deepEqual(
      evalItemOf(parse('{"schemaVersion": "bedrock-conversation-2024", "system": [{"text": "A."}, {"text": "B."}], "messages": [{"role": "user", "content": [{"text": "Q"}]}, {"role": "assistant", "content": [{"text": "R"}]}]}'), 'bedrock-conversation', {}),
      { question: 'Q', system: 'A.\n\nB.', reference: 'R' },
    );
    assert.deepEqual(evalItemOf(parse('{"dialog": [{"role": "user", "content": "Only a question"}]}'), 'jumpstart-chat', {}), { question: 'Only a question' });
    assert.equal(evalItemOf(parse('{"dialog": [{"role": "assistant", "content": "No question"}]}'), 'jumpstart-chat', {}), undefined);
  });

  void it('reads the input\'s last user turn and the preferred output of DPO records', () => {
    const dpo = '{"input": {"messages": [{"role": "system", "content": "S"}, {"role": "user", "content": "Where?"}, {"role": "assistant", "content": "Which city?"}, {"role": "user", "content": "Springfield."}]}, "preferred_output": [{"role": "assistant", "content": "Use 311."}], "non_preferred_output": [{"role": "assistant", "content": "No idea."}]}';
    assert.deepEqual(evalItemOf(parse(dpo), 'openai-dpo', {}), { question: 'Springfield.', system: 'S', reference: 'Use 311.' });
  });

  void it('follows a template\'s fields', () => {
    const ctx = { templateKeys: ['question', 'topic', 'answer'], completionKeys: ['answer'] };
    assert.deepEqual(evalItemOf(parse('{"question": "Q", "topic": "tax", "answer": "A"}'), 'jumpstart-instruction', ctx), { question: 'Q\n\ntax', reference: 'A' });
  });

  void it('reads plain question records', () => {
    assert.deepEqual(questionItemOf(parse('{"question": "Q", "context": "C", "system": "S", "answer": "A"}')), { question: 'Q\n\nC', system: 'S', reference: 'A' });
    assert.deepEqual(questionItemOf(parse('{"prompt": "P"}')), { question: 'P' });
    assert.equal(questionItemOf(parse('{"question": ""}')), undefined);
    assert.equal(questionItemOf(parse('{"constructor": "x"}')), undefined);
  });

  void it('gives back what renderPair wrote, in every format that has a question', () => {
    const text = fc.string({ unit: 'grapheme', maxLength: 40 });
    const filled = text.filter(nonBlank);
    fc.assert(fc.property(
      fc.constantFrom(...FORMAT_IDS.filter((id) => id !== 'openai-dpo' && id !== 'trl-preference' && id !== 'text')),
      filled, text, fc.option(text, { nil: undefined }), fc.option(filled, { nil: undefined }),
      (id, question, answer, system, context) => {
        const r = renderPair(id, { question, answer, ...(system === undefined ? {} : { system }), ...(context === undefined ? {} : { context }) }, {});
        assert.ok(r.ok);
        const expected = {
          question: context === undefined ? question : `${question}\n\n${context}`,
          ...(system !== undefined && nonBlank(system) && r.dropped.length === 0 ? { system } : {}),
          ...(nonBlank(answer) ? { reference: answer } : {}),
        };
        assert.deepEqual(evalItemOf(r.record, id, {}), expected);
      },
    ), { numRuns: 300 });
  });
});

void describe('eval sets: whole files', () => {
  void it('reads the sample eval set: six JumpStart questions, each with its reference, the context after the question', () => {
    const set = readEvalSet(readFileSync(repoFile('samples/evals/public-services.jsonl'), 'utf8'), {});
    assert.equal(set.format, 'jumpstart-instruction');
    assert.deepEqual(set.skipped, []);
    assert.equal(set.items.length, 6);
    const birth = set.items[1];
    assert.ok(birth);
    assert.match(birth.question, /^How do I get a copy of my birth certificate\?\n\nI was born in a different state/);
    assert.match(birth.reference ?? '', /vital records office/);
  });

  void it('reads every fixture in its own format', () => {
    const expected: Record<FormatId, number> = {
      'jumpstart-instruction': 4, 'jumpstart-chat': 3, 'openai-chat': 4, 'openai-dpo': 3, alpaca: 4, sharegpt: 3, 'bedrock-prompt': 3, 'bedrock-conversation': 3, text: 0,
      'openai-rft': 3, 'bedrock-haiku': 3, nova: 3, 'trl-sft': 3, 'trl-preference': 3, 'vertex-gemini': 3,
    };
    for (const id of FORMAT_IDS) {
      const set = readEvalSet(fixture(id), {});
      assert.equal(set.format, id);
      assert.equal(set.items.length, expected[id], id);
      for (const item of set.items) assert.ok(nonBlank(item.question));
      if (id === 'text') assert.ok(set.skipped.length > 0 && set.skipped.every((s) => /text \(domain adaptation\) record has no question/.test(s.reason)));
      else assert.deepEqual(set.skipped, []);
    }
    const first = readEvalSet(fixture('openai-chat'), {}).items[0];
    assert.equal(first?.line, 0);
    assert.equal(first.question, 'How do I get a copy of my birth certificate?');
    assert.equal(first.system, 'You are a helpful assistant for a county clerk\'s office.');
    assert.match(first.reference ?? '', /^Request a certified copy/);
  });

  void it('reads a plain questions file, and skips what it cannot use with a reason', () => {
    const text = [
      '{"question": "Where do I vote?"}',
      '',
      '{"prompt": "How do I renew a license?", "reference": "Online."}',
      '{"question": "broken',
      '[1, 2]',
      '{"id": 7}',
      '{"text": "A document, not a question."}',
      '{"question": "Last?"}',
    ].join('\r\n');
    const set = readEvalSet(text, {});
    assert.equal(set.format, 'questions');
    assert.deepEqual(set.items, [
      { line: 0, question: 'Where do I vote?' },
      { line: 2, question: 'How do I renew a license?', reference: 'Online.' },
      { line: 7, question: 'Last?' },
    ]);
    assert.deepEqual(set.skipped.map((s) => s.line), [3, 4, 5, 6]);
    assert.match(set.skipped[1]?.reason ?? '', /one JSON object/);
    assert.match(set.skipped[2]?.reason ?? '', /no "question" or "prompt"/);
    assert.match(set.skipped[3]?.reason ?? '', /text \(domain adaptation\)/);
  });

  void it('reads a record of another format in its own format, and a set format for every line', () => {
    const text = `${fixture('alpaca').trim()}\n{"messages": [{"role": "user", "content": "Odd one out"}, {"role": "assistant", "content": "Still read"}]}\n`;
    const set = readEvalSet(text, {});
    assert.equal(set.format, 'alpaca');
    assert.deepEqual(set.items[set.items.length - 1], { line: set.items.length - 1, question: 'Odd one out', reference: 'Still read' });
    const forced = readEvalSet(fixture('alpaca'), {}, 'alpaca');
    assert.equal(forced.format, 'alpaca');
    assert.equal(forced.items.length, readEvalSet(fixture('alpaca'), {}).items.length);
  });

  void it('has no format for a file with nothing usable, and never throws', () => {
    assert.deepEqual(readEvalSet('', {}), { format: undefined, items: [], skipped: [] });
    assert.equal(readEvalSet('{"a": 1}\nnot json', {}).format, undefined);
    fc.assert(fc.property(fc.string(), (text) => { readEvalSet(text, {}); }), { numRuns: 300 });
    fc.assert(fc.property(fc.array(fc.jsonValue()), (values) => { readEvalSet(values.map((v) => JSON.stringify(v)).join('\n'), {}); }), { numRuns: 300 });
  });
});

// ---------------------------------------------------------------------------------------------
// Results files

const COLUMNS: ColumnSpec[] = [
  { endpoint: 'ft', system: 'Be brief.', parameters: { temperature: 0.7, maxTokens: 512 } },
  { endpoint: 'base', system: '', parameters: {} },
];

function answer(column: number, extra: Partial<ResultsAnswer> = {}): ResultsAnswer {
  const c = COLUMNS[column] ?? COLUMNS[0];
  return { column, endpoint: c?.endpoint ?? '', system: c?.system ?? '', parameters: c?.parameters ?? {}, text: `answer ${column}`, finish: 'stop', latencyMs: 812, firstTokenMs: 120, usage: { input: 10, output: 80 }, ...extra };
}

function row(line: number, question: string, answers: ResultsAnswer[], key = columnsKey(COLUMNS)): ResultsRow {
  return { question, source: { file: 'eval.jsonl', line }, columnsKey: key, answers };
}

void describe('results files', () => {
  void it('writes one line per row and reads it back', () => {
    const r: ResultsRow = { ...row(3, 'Q "quoted"\n</script>\u2028', [answer(0), answer(1, { error: 'timed out', text: 'partial', finish: 'other' })]), system: 'S', reference: 'R' };
    const line = resultsLine(r);
    assert.ok(!/[\r\n\u2028]/.test(line));
    assert.ok(line.startsWith('{"question":'));
    const back = parseResultsLine(line);
    assert.ok(back.ok);
    assert.deepEqual(back.row, r);
    // Absent optional keys stay absent.
    assert.deepEqual(Object.keys(JSON.parse(resultsLine(row(1, 'Q', []))) as object), ['question', 'source', 'columnsKey', 'answers']);
  });

  void it('says what is wrong with a line that is not a row', () => {
    const bad = (text: string): string => {
      const r = parseResultsLine(text);
      assert.ok(!r.ok);
      return r.message;
    };
    assert.match(bad('{"question": "Q", "source": {"file": "e", "line": 1}, "columnsKey": "k", "answers": ['), /not valid JSON/);
    assert.match(bad('{"question": "Q", "source": {"file": "e", "line": 1}, "answers": []}'), /columnsKey/);
    assert.match(bad('{"question": "Q", "source": {"file": "e", "line": 0}, "columnsKey": "k", "answers": []}'), /line/);
    assert.match(bad('{"question": "Q", "source": {"file": "e", "line": 1}, "columnsKey": "k", "answers": [{"column": 0}]}'), /answers/);
    assert.match(bad('[]'), /not a results row/);
    // Keys a later version may add are allowed.
    assert.ok(parseResultsLine('{"question": "Q", "source": {"file": "e", "line": 1}, "columnsKey": "k", "answers": [], "verdict": "A"}').ok);
  });

  void it('puts the results beside the eval file', () => {
    assert.equal(resultsPathFor('dir/eval.jsonl'), 'dir/eval.results.jsonl');
    assert.equal(resultsPathFor('C:\\data\\eval.jsonl'), 'C:\\data\\eval.results.jsonl');
    assert.equal(resultsPathFor('/a.b/x.json'), '/a.b/x.results.jsonl');
    assert.equal(resultsPathFor('/a.b/questions'), '/a.b/questions.results.jsonl');
    assert.equal(resultsPathFor('eval.v2.jsonl'), 'eval.v2.results.jsonl');
    assert.equal(resultsPathFor('dir\\.hidden'), 'dir\\.hidden.results.jsonl');
    assert.equal(resultsPathFor('mixed/dir\\sub/e.jsonl'), 'mixed/dir\\sub/e.results.jsonl');
  });

  void it('tells a results file by its name, as every part of TuneLab does: whatever resultsPathFor names, in any case', () => {
    for (const evalPath of ['dir/eval.jsonl', 'C:\\data\\eval.jsonl', '/a.b/questions', 'dir\\.hidden']) assert.ok(isResultsPath(resultsPathFor(evalPath)), evalPath);
    assert.ok(isResultsPath('/w/Eval.RESULTS.JSONL'));
    for (const other of ['/w/train.jsonl', '/w/results.jsonl', '/w/.tunelab/eval.results.jsonl.verdicts.json', '/w/eval.results.jsonl.bak', '/w/eval.rejected.jsonl']) assert.ok(!isResultsPath(other), other);
  });

  void it('keys columns by what they send, not how their parameters were written', () => {
    const key = columnsKey(COLUMNS);
    assert.match(key, /^[0-9a-f]{16}$/);
    assert.equal(columnsKey([{ parameters: { maxTokens: 512, temperature: 0.7 }, system: 'Be brief.', endpoint: 'ft' }, { endpoint: 'base', system: '', parameters: {} }]), key);
    const others: ColumnSpec[][] = [
      [...COLUMNS].reverse(),
      [COLUMNS[0] ?? COLUMNS[1] ?? { endpoint: '', system: '', parameters: {} }],
      [{ ...COLUMNS[0], endpoint: 'ft2', system: 'Be brief.', parameters: {} }, ...COLUMNS.slice(1)],
      COLUMNS.map((c) => ({ ...c, system: `${c.system} ` })),
      COLUMNS.map((c) => ({ ...c, parameters: { ...c.parameters, seed: 1 } })),
    ];
    for (const o of others) assert.notEqual(columnsKey(o), key);
  });

  void it('finds the questions finished by the same columns, and asks failed ones again', () => {
    const lines = [
      row(1, 'done', [answer(0), answer(1)]),
      row(2, 'failed', [answer(0), answer(1, { error: 'HTTP 500', text: '' })]),
      row(3, 'other columns', [answer(0), answer(1)], 'ffffffffffffffff'),
      row(4, 'missing a column', [answer(0)]),
      row(5, 'cancelled', [answer(0), answer(1, { finish: 'cancelled' })]),
      row(6, 'failed then done', [answer(0, { error: 'x' }), answer(1)]),
      row(6, 'failed then done', [answer(0), answer(1)]),
    ].map(resultsLine);
    const text = `${lines.join('\n')}\nnot json\n${resultsLine(row(7, 'cut short', [answer(0), answer(1)])).slice(0, 40)}`;
    const done = finishedQuestions(text, COLUMNS);
    assert.deepEqual([...done].sort(), [questionKey(0, 'done'), questionKey(5, 'failed then done')].sort());
    assert.equal(finishedQuestions(text.replace(/\n/g, '\r\n'), COLUMNS).size, 2);
    assert.equal(finishedQuestions('', COLUMNS).size, 0);
    fc.assert(fc.property(fc.string(), (t) => { finishedQuestions(t, COLUMNS); }), { numRuns: 200 });
  });

  /** The file as a resumed run leaves it: repaired as `resumeRepair` says, then a new line appended. */
  const resumed = (text: string, appended: string): string => {
    const repair = resumeRepair(text);
    const base = repair.action === 'cut' ? text.slice(0, text.lastIndexOf('\n') + 1) : repair.action === 'add-newline' ? `${text}\n` : text;
    return `${base}${appended}\n`;
  };

  void it('on Resume keeps a whole last row that has no final newline, and appends after it on a line of its own', () => {
    // A file edited by hand, or written by another tool, may lose its final newline: the paid answer must survive.
    const first = resultsLine(row(1, 'first', [answer(0), answer(1)]));
    const last = resultsLine(row(2, 'last, no newline', [answer(0), answer(1)]));
    const text = `${first}\n${last}`;
    assert.deepEqual(resumeRepair(text), { action: 'add-newline' });
    const next = resultsLine(row(3, 'asked now', [answer(0), answer(1)]));
    const after = resumed(text, next);
    assert.equal(after, `${first}\n${last}\n${next}\n`);
    assert.deepEqual([...finishedQuestions(after, COLUMNS)].sort(), [questionKey(0, 'first'), questionKey(1, 'last, no newline'), questionKey(2, 'asked now')].sort());
    // A failed row and a row of other columns are whole lines too: kept (the failed one is asked again).
    const failed = resultsLine(row(2, 'failed', [answer(0), answer(1, { error: 'HTTP 500', text: '' })]));
    assert.deepEqual(resumeRepair(`${first}\n${failed}`), { action: 'add-newline' });
    assert.deepEqual(resumeRepair(`${first}\r\n${last}\r`), { action: 'add-newline' }, 'a CR before the end is whitespace JSON allows');
    // Any whole JSON value is kept: a run's own line cut short is never one, since rows are objects.
    assert.deepEqual(resumeRepair(`${first}\n{"note": "by hand"}`), { action: 'add-newline' });
  });

  void it('on Resume cuts only a last line that does not parse (a run stopped mid-write), and says what it cut', () => {
    const first = resultsLine(row(1, 'first', [answer(0), answer(1)]));
    const cut = resultsLine(row(2, 'cut short', [answer(0), answer(1)])).slice(0, 60);
    assert.deepEqual(resumeRepair(`${first}\n${cut}`), { action: 'cut', dropped: cut });
    assert.equal(resumed(`${first}\n${cut}`, 'NEW'), `${first}\nNEW\n`);
    assert.deepEqual(resumeRepair(cut), { action: 'cut', dropped: cut }, 'a file of one cut-short line');
    assert.deepEqual(resumeRepair(`${first}\n  `), { action: 'cut', dropped: '  ' }, 'trailing blanks hold nothing');
    // Nothing to do for an empty file or one that ends its last line.
    assert.deepEqual(resumeRepair(''), { action: 'none' });
    assert.deepEqual(resumeRepair(`${first}\n`), { action: 'none' });
    assert.deepEqual(resumeRepair(`${first}\r\n`), { action: 'none' });
    // Whatever the text, the repair never removes a line that parses, and leaves the file ending with a newline.
    fc.assert(fc.property(fc.array(fc.oneof(fc.constant(first), fc.string())), fc.boolean(), (lines, newline) => {
      const text = lines.join('\n') + (newline ? '\n' : '');
      const after = resumed(text, 'X');
      assert.ok(after.endsWith('X\n'));
      for (const line of lines) if (line === first) assert.ok(after.includes(first));
      assert.equal(finishedQuestions(after, COLUMNS).size, finishedQuestions(text, COLUMNS).size);
    }), { numRuns: 300 });
  });

  void it('after a resumed run keeps the last row of each question, in the place of its first, and every other line', () => {
    const failed = resultsLine(row(2, 'retried', [answer(0), answer(1, { error: 'HTTP 500', text: '' })]));
    const first = resultsLine(row(1, 'kept', [answer(0), answer(1)]));
    const otherColumns = resultsLine(row(2, 'retried', [answer(0), answer(1)], 'ffffffffffffffff'));
    const retried = resultsLine(row(2, 'retried', [answer(0), answer(1, { text: 'now fine' })]));
    const third = resultsLine(row(3, 'new', [answer(0), answer(1)]));
    const text = [first, failed, otherColumns, 'not json', third, retried, ''].join('\n');
    assert.equal(compactResults(text), [first, retried, otherColumns, 'not json', third, ''].join('\n'));
    assert.equal(compactResults(compactResults(text)), compactResults(text));
    assert.equal(compactResults(''), '');
    assert.equal(compactResults(first), first, 'no newline is added or removed');
  });
});

// ---------------------------------------------------------------------------------------------
// History and draft

function entry(id: string, text = 'an answer'): HistoryEntry {
  return {
    id, time: 1_700_000_000_000, question: `Q ${id}`, system: '', columns: COLUMNS, samples: 1,
    answers: [{ column: 0, sample: 0, text, stats: { latencyMs: 5, finish: 'stop' } }, { column: 1, sample: 0, text: '', error: 'HTTP 401' }],
  };
}

void describe('history', () => {
  void it('keeps the newest first, capped, with one entry per id', () => {
    let list: HistoryEntry[] = [];
    for (let i = 0; i < 5; i++) list = pushHistory(list, entry(`r${i}`), 3);
    assert.deepEqual(list.map((e) => e.id), ['r4', 'r3', 'r2']);
    list = pushHistory(list, entry('r3', 'again'), 3);
    assert.deepEqual(list.map((e) => e.id), ['r3', 'r4', 'r2']);
    assert.equal(list[0]?.answers[0]?.text, 'again');
    assert.equal(pushHistory([], entry('x')).length, 1);
    let many: HistoryEntry[] = [];
    for (let i = 0; i < 120; i++) many = pushHistory(many, entry(`m${i}`));
    assert.equal(many.length, 100);
  });

  void it('cuts long answers, marked, without splitting a character, and leaves the input alone', () => {
    const long = 'a'.repeat(ANSWER_KEEP - 1) + '🎉' + 'b'.repeat(100);
    const original = entry('long', long);
    const [kept] = pushHistory([], original);
    const text = kept?.answers[0]?.text ?? '';
    assert.equal(text, 'a'.repeat(ANSWER_KEEP - 1) + ELLIPSIS);
    assert.equal(original.answers[0]?.text, long);
    const exact = 'c'.repeat(ANSWER_KEEP);
    assert.equal(pushHistory([], entry('exact', exact))[0]?.answers[0]?.text, exact);
    const again = pushHistory(pushHistory([], entry('x', 'd'.repeat(20_000))), entry('y'));
    assert.equal(again[1]?.answers[0]?.text, 'd'.repeat(ANSWER_KEEP) + ELLIPSIS);
  });

  void it('reads back what workspace state holds, dropping what is malformed', () => {
    const good = entry('ok');
    assert.ok(isHistoryEntry(good));
    const bad: unknown[] = [
      null, 'x', [], { ...good, id: '' }, { ...good, time: 'now' }, { ...good, columns: [] }, { ...good, samples: 9 },
      { ...good, answers: [{ column: 0, sample: 0 }] }, { ...good, columns: [{ endpoint: 'a', system: 's', parameters: { temperature: '1' } }] },
      { ...good, answers: [{ column: -1, sample: 0, text: '' }] }, { ...good, answers: [{ column: 0, sample: 0, text: '', stats: { finish: 'stop' } }] },
    ];
    for (const b of bad) assert.equal(isHistoryEntry(b), false, JSON.stringify(b));
    assert.deepEqual(readHistory([good, ...bad, good, entry('two')]).map((e) => e.id), ['ok', 'two']);
    assert.deepEqual(readHistory(undefined), []);
    assert.deepEqual(readHistory({ 0: good }), []);
    assert.deepEqual(readHistory(JSON.parse(JSON.stringify([good])) as unknown), [good]);
    fc.assert(fc.property(fc.anything(), (v) => { readHistory(v); readHistory([v]); }), { numRuns: 300 });
  });
});

void describe('draft', () => {
  const draft: Draft = {
    system: 'Be kind.', question: 'Where?', samples: 2,
    columns: [{ endpoint: 'ft', system: null, parameters: { temperature: 0.5, seed: 7 } }, { endpoint: '', system: 'Own.', parameters: {} }],
  };

  void it('reads a valid draft, and only its own keys', () => {
    assert.deepEqual(readDraft(draft), draft);
    assert.deepEqual(readDraft({ ...draft, extra: 1, columns: draft.columns.map((c) => ({ ...c, junk: true })) }), draft);
  });

  void it('refuses a malformed draft', () => {
    const column = draft.columns[0];
    const bad: unknown[] = [
      undefined, null, 'draft', { ...draft, system: 1 }, { ...draft, question: null }, { ...draft, samples: 0 }, { ...draft, samples: 9 }, { ...draft, samples: 1.5 },
      { ...draft, columns: [] }, { ...draft, columns: [column, column, column, column, column] }, { ...draft, columns: [{ ...column, system: 3 }] },
      { ...draft, columns: [{ ...column, parameters: null }] }, { ...draft, columns: [{ ...column, parameters: { maxTokens: 1.5 } }] }, { ...draft, columns: 'ft' },
    ];
    for (const b of bad) assert.equal(readDraft(b), null, JSON.stringify(b));
    fc.assert(fc.property(fc.anything(), (v) => { readDraft(v); }), { numRuns: 300 });
  });
});

// ---------------------------------------------------------------------------------------------
// Prompt files

const roundTrip = (d: PromptDraft): PromptDraft => {
  const file = parsePromptFile(writePromptFile(d));
  assert.deepEqual(file.problems, [], writePromptFile(d));
  return draftFromPromptFile(file);
};

void describe('prompt files: writing', () => {
  void it('writes the front matter keys that are set, then the sections', () => {
    const d: PromptDraft = { system: 'You help residents.', question: '{{question}}', endpoint: 'ollama', parameters: { temperature: 0.6, topP: 0.9, maxTokens: 512, seed: 42 }, description: 'Public services' };
    assert.equal(writePromptFile(d), '---\nendpoint: ollama\ntemperature: 0.6\ntop_p: 0.9\nmax_tokens: 512\nseed: 42\ndescription: Public services\n---\nsystem:\nYou help residents.\n\nuser:\n{{question}}\n');
    assert.equal(writePromptFile({ system: '', question: 'Q', parameters: {} }), 'user:\nQ\n');
    assert.equal(writePromptFile({ system: 'S', question: '', parameters: {} }), 'system:\nS\n');
    assert.deepEqual(roundTrip(d), d);
  });

  void it('round-trips ---, section words inside lines, placeholders, quotes, unicode and trailing spaces', () => {
    const d: PromptDraft = {
      system: '---\nsystem: you are kind\nuser: text after the colon\n  user:x\n---',
      question: 'Fill {{name}} and {{ state }}.   \nCafé « 日本語 » 🎉 "quoted" \'single\' # not a comment\n\tindented',
      endpoint: '123',
      parameters: { temperature: 0, topP: 1, maxTokens: 1, seed: -9007199254740991 },
      description: 'yes: "no" # --- {x}',
    };
    assert.deepEqual(roundTrip(d), d);
    assert.deepEqual(promptFileNotes(d), []);
    for (const endpoint of ['true', 'null', '~', '- a', 'a: b', '@x', '"q"', "'s'"]) assert.equal(roundTrip({ ...d, endpoint }).endpoint, endpoint);
  });

  void it('indents a line that would start a section, and says so', () => {
    const d: PromptDraft = { system: 'Rules:\nuser:\nassistant:  \nend', question: 'user:\nfirst line marker', parameters: {} };
    const back = roundTrip(d);
    assert.equal(back.system, 'Rules:\n user:\n assistant:  \nend');
    // On the first line the reader's trim takes the space away again.
    assert.equal(back.question, d.question);
    const notes = promptFileNotes(d);
    assert.equal(notes.length, 1);
    assert.match(notes[0] ?? '', /system prompt has a line "user:".*indented by one space/);
  });

  void it('trims the sections, writes \\n line breaks, keeps one-line settings and leaves out what a file cannot hold', () => {
    const d: PromptDraft = { system: '  \n S \r\n', question: 'a\r\nb\rc', endpoint: ' ft\n2 ', parameters: { topP: 0, temperature: 3, maxTokens: 0, seed: 2 ** 60 }, description: 'two\nlines' };
    assert.deepEqual(roundTrip(d), { system: 'S', question: 'a\nb\nc', endpoint: 'ft 2', parameters: {}, description: 'two lines' });
    assert.equal(promptFileNotes(d).length, 5);
  });

  void it('writes empty sections for an empty draft, which the parser flags', () => {
    const text = writePromptFile({ system: ' ', question: '', parameters: {} });
    assert.equal(text, 'system:\nuser:\n');
    assert.deepEqual(parsePromptFile(text).problems.map((p) => p.severity), ['warning', 'warning']);
  });

  void it('round-trips any draft to its normalized form', () => {
    const MARKER = /^(system|user|assistant):\s*$/;
    const normal = (t: string): string => t.trim().split(/\r\n|\r|\n/).map((l, i) => (i > 0 && MARKER.test(l) ? ` ${l}` : l)).join('\n');
    const pieces = fc.constantFrom('system:', 'user:', 'assistant:', '---', '{{q}}', ' ', '\n', '\r\n', 'é', '🎉', '"', '#', ': ', 'text');
    const text = fc.array(fc.oneof(pieces, fc.string({ unit: 'grapheme', maxLength: 8 })), { maxLength: 12 }).map((a) => a.join(''));
    fc.assert(fc.property(text, text.filter(nonBlank), fc.option(fc.integer(), { nil: undefined }), (system, question, seed) => {
      const d: PromptDraft = { system, question, parameters: seed === undefined ? {} : { seed } };
      assert.deepEqual(roundTrip(d), { system: normal(system), question: normal(question), parameters: d.parameters });
    }), { numRuns: 500 });
  });
});

void describe('prompt files: reading as a draft', () => {
  void it('takes the first system section, the last user section and the settings', () => {
    const file = parsePromptFile('---\nendpoint: ft\nseed: 3\n---\nsystem:\nS\n\nuser:\nexample\n\nassistant:\nexample answer\n\nuser:\nthe question\n');
    assert.deepEqual(draftFromPromptFile(file), { system: 'S', question: 'the question', endpoint: 'ft', parameters: { seed: 3 } });
    assert.deepEqual(draftFromPromptFile(parsePromptFile('')), { system: '', question: '', parameters: {} });
  });

  void it('reads the sample prompt file', () => {
    const d = draftFromPromptFile(parsePromptFile(readFileSync(repoFile('samples/prompts/public-services.tlprompt'), 'utf8')));
    assert.equal(d.question, '{{question}}');
    assert.deepEqual(d.parameters, { temperature: 0.6, topP: 0.9, maxTokens: 512 });
    assert.deepEqual(roundTrip(d), d);
  });
});

void describe('prompt files: opening in Prompt Lab', () => {
  const current: Draft = {
    system: 'old system', question: 'How do I appeal a parking ticket?', samples: 3,
    columns: [{ endpoint: 'ft', system: null, parameters: { temperature: 1 } }, { endpoint: 'base', system: 'Be brief.', parameters: {} }],
  };

  void it('puts the file\'s prompts and settings in the first column and keeps the other columns', () => {
    const { draft, problems } = panelDraftFromPromptFile('---\nendpoint: tuned\ntemperature: 0.2\nseed: 7\n---\nsystem:\nBe kind.\n\nuser:\nWhere do I vote?\n', current, 'first');
    assert.equal(problems, 0);
    assert.deepEqual(draft, {
      system: 'Be kind.', question: 'Where do I vote?', samples: 3,
      columns: [{ endpoint: 'tuned', system: null, parameters: { temperature: 0.2, seed: 7 } }, { endpoint: 'base', system: 'Be brief.', parameters: {} }],
    });
  });

  void it('keeps the question being tried when the file\'s user section is only a placeholder', () => {
    const { draft } = panelDraftFromPromptFile(readFileSync(repoFile('samples/prompts/public-services.tlprompt'), 'utf8'), current, 'first');
    assert.equal(draft.question, 'How do I appeal a parking ticket?');
    assert.match(draft.system, /^You are a public-services assistant/);
    assert.equal(draft.columns.at(0)?.endpoint, 'ft', 'no endpoint in the file: the column keeps its own');
    assert.equal(draft.columns.at(0)?.parameters.temperature, 0.6);
  });

  void it('with no panel yet: the first endpoint, one sample, an empty question for a placeholder', () => {
    const { draft } = panelDraftFromPromptFile('system:\nS\n\nuser:\n{{ question }}\n', null, 'first');
    assert.deepEqual(draft, { system: 'S', question: '', samples: 1, columns: [{ endpoint: 'first', system: null, parameters: {} }] });
  });

  void it('counts the file\'s errors, so the command can say the file was read as far as it could be', () => {
    assert.equal(panelDraftFromPromptFile('---\ntemperature: 9\nsystem:\nS\n', null, undefined).problems, 1);
  });
});
