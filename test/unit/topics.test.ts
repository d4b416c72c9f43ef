import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import Ajv from 'ajv';
import fc from 'fast-check';
import { applyEdits, parse, visit, type Edit } from 'jsonc-parser';
import {
  addCategory, addSubtopics, applyTopicsEdits, deleteCategory, deleteSubtopic, detectFormatting, isEditError, moveSubtopic,
  newTopicsFile, renameCategory, renameSubtopic, setQuestions, type EditResult,
} from '../../src/core/topics/edits';
import { detectKind, importTopics, type ImportKind } from '../../src/core/topics/importTopics';
import {
  canonicalJson, coverage, coverageDetail, emptyProvenance, provenancePathFor, prune, readProvenance, recordRows, renameTopics, rowHash,
  updatedProvenanceText, writeProvenance, type Provenance,
} from '../../src/core/topics/provenance';
import { hasConflictMarkers } from '../../src/core/sidecar';
import { insideFolder } from '../../src/core/workspacePath';
import { runGenerate } from '../../src/cli/generate';
import { OpenAIPeer } from '../peers/openaiPeer';
import { generationResponder } from '../peers/generationResponder';
import {
  effectiveQuestions, findTopic, parseTopicId, parseTopicsFile, topicId, topicsOf, type TopicsFile,
} from '../../src/core/topics/topicsFile';
import { repoFile } from '../harness/repoFile';

const read = (relative: string): string => readFileSync(repoFile(relative), 'utf8');
const SAMPLE = read('samples/topics.jsonc');
const TABS = read('test/fixtures/topics/tabs.jsonc');
const TABS_CRLF = TABS.replace(/\n/g, '\r\n');
const TRAILING = read('test/fixtures/topics/trailing-commas.jsonc');

/** The names of the file, category by category. */
function outline(file: TopicsFile): string[][] {
  return file.categories.map((c) => [c.name, ...c.subtopics.map((t) => t.name)]);
}

/** Every comment in a JSONC text, in order. */
function comments(text: string): string[] {
  const out: string[] = [];
  visit(text, { onComment: (offset, length) => { out.push(text.slice(offset, offset + length)); } }, { allowTrailingComma: true });
  return out;
}

/** What the comments say, however they are written (a moved // comment may become a block comment), sorted. */
function commentTexts(text: string): string[] {
  return comments(text).map((c) => c.replace(/^\/\/|^\/\*|\*\/$/g, '').trim()).sort();
}

/** The edits, after checking they are sorted, in range and neither overlap nor touch (one WorkspaceEdit). */
function edits(result: EditResult, text: string): Edit[] {
  if (isEditError(result)) assert.fail(`refused: ${result.error}`);
  result.forEach((e, i) => {
    assert.ok(e.offset >= 0 && e.length >= 0 && e.offset + e.length <= text.length, `edit ${i} in range`);
    const next = result[i + 1];
    if (next !== undefined) assert.ok(e.offset + e.length < next.offset, `edits ${i} and ${i + 1} neither overlap nor touch`);
  });
  return result;
}

/** Applies the edits in one go and reads the file back: it must have no problems. */
function apply(text: string, result: EditResult): { text: string; file: TopicsFile } {
  const out = applyEdits(text, edits(result, text));
  const file = parseTopicsFile(out);
  assert.deepEqual(file.problems, [], out);
  return { text: out, file };
}

/** How many lines of `before` are missing from `after` (a line multiset difference). */
function linesLost(before: string, after: string): string[] {
  const left = new Map<string, number>();
  for (const l of after.split(/\r?\n/)) left.set(l, (left.get(l) ?? 0) + 1);
  const lost: string[] = [];
  for (const l of before.split(/\r?\n/)) {
    const n = left.get(l) ?? 0;
    if (n === 0) lost.push(l);
    else left.set(l, n - 1);
  }
  return lost;
}

function refused(result: EditResult, pattern: RegExp): void {
  assert.ok(isEditError(result), 'refused');
  assert.match(result.error, pattern);
}

void describe('the topics file model', () => {
  void it('reads the sample with no problems, its ids and positions', () => {
    const file = parseTopicsFile(SAMPLE);
    assert.deepEqual(file.problems, []);
    assert.equal(file.categories.length, 6);
    assert.equal(topicsOf(file).length, 15);
    assert.deepEqual(outline(file)[1], ['Benefits', 'Unemployment insurance', 'Food assistance (SNAP, WIC)', 'Utility bill help']);
    for (const category of file.categories) {
      assert.equal(SAMPLE.slice(category.nameOffset, category.nameOffset + category.nameLength), JSON.stringify(category.name));
      assert.equal(SAMPLE[category.offset], '{');
      assert.deepEqual(category.path, ['categories', category.index]);
      for (const topic of category.subtopics) {
        assert.equal(SAMPLE.slice(topic.offset, topic.offset + topic.length), JSON.stringify(topic.name));
        assert.equal(topic.id, topicId(category.name, topic.name));
        assert.deepEqual(topic.path, ['categories', category.index, 'subtopics', topic.index]);
        assert.equal(topic.category, category.name);
        assert.equal(topic.categoryIndex, category.index);
      }
    }
    assert.equal(findTopic(file, topicId('Housing', 'Security deposits'))?.category.name, 'Housing');
    assert.equal(findTopic(file, topicId('Housing', 'Passports')), undefined);
  });

  void it('reads notes and questions, and effectiveQuestions falls back topic → category → default', () => {
    const file = parseTopicsFile(TABS_CRLF);
    assert.deepEqual(file.problems, []);
    const [alpha, beta] = file.categories;
    assert.ok(alpha !== undefined && beta !== undefined);
    assert.equal(alpha.notes, 'Keep answers short.');
    assert.equal(beta.questions, 5);
    const three = alpha.subtopics[2];
    assert.ok(three !== undefined);
    assert.equal(three.questions, 3);
    assert.equal(TABS_CRLF.slice(three.offset, three.offset + three.length), '{ "name": "Three", "questions": 3 }');
    assert.equal(TABS_CRLF.slice(three.nameOffset, three.nameOffset + three.nameLength), '"Three"');
    assert.equal(effectiveQuestions(three, alpha, 10), 3);
    assert.equal(effectiveQuestions(alpha.subtopics[0] ?? three, alpha, 10), 10);
    assert.equal(effectiveQuestions(beta.subtopics[0] ?? three, beta, 10), 5);
    assert.equal(effectiveQuestions({}, undefined, 7), 7);
    const trailing = parseTopicsFile(TRAILING);
    assert.deepEqual(trailing.problems, []);
    assert.deepEqual(outline(trailing), [['Taxes', 'Filing deadlines', 'Property tax'], ['Parks']]);
    assert.equal(trailing.categories[0]?.subtopics[0]?.notes, 'Mention extensions.');
  });

  void it('ids are unambiguous whatever the names hold, and read back', () => {
    assert.equal(topicId('Benefits', 'Utility bill help'), '["Benefits","Utility bill help"]');
    assert.notEqual(topicId('a/b', 'c'), topicId('a', 'b/c'));
    assert.notEqual(topicId('a › b', 'c'), topicId('a', 'b › c'));
    fc.assert(fc.property(fc.string(), fc.string(), fc.string(), fc.string(), (a, b, c, d) => {
      assert.deepEqual(parseTopicId(topicId(a, b)), { category: a, subtopic: b });
      assert.equal(topicId(a, b) === topicId(c, d), a === c && b === d);
    }));
    assert.equal(parseTopicId('not json'), undefined);
    assert.equal(parseTopicId('["one"]'), undefined);
    assert.equal(parseTopicId('[1, 2]'), undefined);
  });

  void it('a syntax error is a problem at its place; everything else is still read', () => {
    const text = '{\n  "categories": [\n    { "name": "Housing", "subtopics": ["Rent" "Repairs"] },\n    { "name": "Benefits", "subtopics": ["SNAP"] }\n  ]\n}\n';
    const file = parseTopicsFile(text);
    assert.equal(file.problems.length, 1);
    const [p] = file.problems;
    assert.ok(p !== undefined);
    assert.equal(p.severity, 'error');
    assert.equal(text.slice(p.offset, p.offset + p.length), '"Repairs"');
    assert.match(p.message, /comma is missing/);
    assert.deepEqual(outline(file), [['Housing', 'Rent', 'Repairs'], ['Benefits', 'SNAP']]);
  });

  void it('wrong types, empty and repeated names and bad counts are problems that say what to do', () => {
    const text = `{
  "categories": [
    "Not a category",
    {
      "name": "Housing",
      "questions": 0,
      "notes": 3,
      "subtopics": ["Rent", 42, "", { "name": "rent" }, { "questions": "5" }, { "name": "Repairs", "questions": 2.5, "color": "red" }]
    },
    { "name": "housing", "subtopics": [] },
    { "subtopics": "Parks" }
  ]
}`;
    const file = parseTopicsFile(text);
    const found = file.problems.map((p) => [text.slice(p.offset, p.offset + p.length), p.severity, p.message]);
    const expect = (snippet: string, severity: string, message: RegExp): void => {
      const hit = found.find(([s, sev, m]) => s === snippet && sev === severity && message.test(m ?? ''));
      assert.ok(hit, `a ${severity} at ${snippet} matching ${String(message)}; got ${JSON.stringify(found, null, 1)}`);
    };
    expect('"Not a category"', 'error', /Each category must be an object/);
    expect('0', 'error', /"questions" must be a whole number from 1 to 100; 0 is not/);
    expect('3', 'error', /"notes" must be a string/);
    expect('42', 'error', /Each subtopic must be a name/);
    expect('""', 'error', /name cannot be empty/);
    expect('"rent"', 'warning', /"rent" is already a subtopic of "Housing"/);
    expect('{', 'error', /This subtopic has no "name"/);
    expect('"5"', 'error', /without quotes/);
    expect('2.5', 'error', /2\.5 is not/);
    expect('"color"', 'warning', /does not know "color"/);
    expect('"housing"', 'warning', /already a category named "housing"/);
    expect('"Parks"', 'error', /"subtopics" must be a list/);
    assert.equal(found.length, 13, JSON.stringify(found, null, 1));
    // Still read: every category and subtopic it could.
    assert.deepEqual(outline(file), [['Housing', 'Rent', '', 'rent', '', 'Repairs'], ['housing'], ['']]);
    const housing = file.categories[0];
    assert.equal(housing?.index, 1);
    assert.deepEqual(housing.subtopics.map((t) => t.index), [0, 2, 3, 4, 5]);
    assert.equal(housing.questions, undefined);
  });

  void it('an empty file, a file that is not an object and a missing list are problems', () => {
    assert.match(parseTopicsFile('').problems[0]?.message ?? '', /empty/);
    assert.match(parseTopicsFile('  \n// just a comment\n').problems[0]?.message ?? '', /empty|value is expected/i);
    assert.match(parseTopicsFile('[]').problems[0]?.message ?? '', /must be one JSON object/);
    assert.match(parseTopicsFile('{}').problems[0]?.message ?? '', /Add "categories"/);
    assert.match(parseTopicsFile('{"categories": {}}').problems[0]?.message ?? '', /"categories" must be a list/);
    assert.deepEqual(parseTopicsFile(`\uFEFF${SAMPLE}`).problems, []);
    assert.deepEqual(parseTopicsFile('{ "$schema": "./schemas/topics.schema.json", "categories": [] }').problems, []);
  });

  void it('never throws, and its problems lie inside the text (broken samples and any text)', () => {
    const check = (text: string): void => {
      const file = parseTopicsFile(text);
      for (const p of file.problems) assert.ok(p.offset >= 0 && p.offset + p.length <= text.length, JSON.stringify(p));
      for (const t of [...topicsOf(file), ...file.categories]) {
        assert.ok(t.offset >= 0 && t.offset + t.length <= text.length);
        assert.ok(t.nameOffset >= 0 && t.nameOffset + t.nameLength <= text.length);
      }
    };
    for (const text of ['/*', '[/*', '{"categories": [/*', '{"categories": [{"name": "a", "subtopics": ["b" /*', '"', '{"categories": ["a']) check(text);
    const jsonish = fc.array(fc.constantFrom('{', '}', '[', ']', '"', 'a', '"name"', '"subtopics"', '"categories"', '"questions"', ':', ',', '/*', '*/', '//', '\n', ' ', '1', '0.5', '-', '\\', '\uFEFF'), { maxLength: 60 }).map((a) => a.join(''));
    fc.assert(fc.property(fc.oneof(fc.string(), jsonish), check), { numRuns: 500 });
    const deep = `{"categories": [{"name": "a", "subtopics": [${'['.repeat(50_000)}`;
    check(deep);
    assert.match(parseTopicsFile(deep).problems[0]?.message ?? '', /too deeply/);
    assert.ok(parseTopicsFile(`{"categories": [${'['.repeat(1000)}`).problems.length <= 101, 'syntax errors are capped');
    fc.assert(fc.property(fc.nat(SAMPLE.length), fc.nat(40), fc.string({ maxLength: 5 }), (at, cut, insert) => {
      check(SAMPLE.slice(0, at) + insert + SAMPLE.slice(at + cut));
    }), { numRuns: 500 });
  });
});

void describe('topics file edits', () => {
  const sampleComments = comments(SAMPLE);

  void it('detects the formatting of a text', () => {
    assert.deepEqual(detectFormatting(SAMPLE), { tabSize: 2, insertSpaces: true, eol: '\n' });
    assert.deepEqual(detectFormatting(TABS_CRLF), { tabSize: 2, insertSpaces: false, eol: '\r\n' });
    assert.deepEqual(detectFormatting(TRAILING), { tabSize: 4, insertSpaces: true, eol: '\n' });
    assert.deepEqual(detectFormatting('{}'), { tabSize: 2, insertSpaces: true, eol: '\n' });
  });

  void it('adds a category at the end, laid out like the others', () => {
    const { text, file } = apply(SAMPLE, addCategory(SAMPLE, '  Transport  '));
    assert.deepEqual(outline(file).at(-1), ['Transport']);
    assert.deepEqual(comments(text), sampleComments);
    assert.deepEqual(linesLost(SAMPLE, text), []);
    assert.match(text, /\n {4}},\n {4}\{\n {6}"name": "Transport",\n {6}"subtopics": \[\]\n {4}}\n {2}]\n}\n$/);
    refused(addCategory(SAMPLE, 'housing'), /already a category named "housing"/);
    refused(addCategory(SAMPLE, ' '), /needs a name/);
    const fresh = apply('', addCategory('', 'First'));
    assert.deepEqual(outline(fresh.file), [['First']]);
    const noList = apply('{\n  "$schema": "x"\n}\n', addCategory('{\n  "$schema": "x"\n}\n', 'First'));
    assert.deepEqual(outline(noList.file), [['First']]);
  });

  void it('adds subtopics to a one-line list on that line, skipping names it has', () => {
    const { text, file } = apply(SAMPLE, addSubtopics(SAMPLE, 0, ['New one', 'renewing a LICENSE', ' ', 'Another', 'new ONE']));
    assert.deepEqual(outline(file)[0], ['Driver licensing', 'Renewing a license', 'REAL ID documents', 'Address changes', 'New one', 'Another']);
    assert.deepEqual(comments(text), sampleComments);
    assert.deepEqual(linesLost(SAMPLE, text), ['      "subtopics": ["Renewing a license", "REAL ID documents", "Address changes"]']);
    assert.match(text, /\n {6}"subtopics": \["Renewing a license", "REAL ID documents", "Address changes", "New one", "Another"\]\n/);
    assert.deepEqual(addSubtopics(SAMPLE, 0, ['Address Changes', '']), []);
    refused(addSubtopics(SAMPLE, 6, ['x']), /no category 6/);
  });

  void it('adds subtopics to a list written one per line on lines of their own, with tabs and CRLF kept', () => {
    const { text, file } = apply(TABS_CRLF, addSubtopics(TABS_CRLF, 0, ['Five', 'Six']));
    assert.deepEqual(outline(file)[0], ['Alpha', 'One', 'Two', 'Three', 'Five', 'Six']);
    assert.ok(!/[^\r]\n/.test(text), 'every line break is CRLF');
    assert.ok(text.includes('\t\t\t\t{ "name": "Three", "questions": 3 },\r\n\t\t\t\t"Five",\r\n\t\t\t\t"Six"\r\n\t\t\t]'));
    assert.deepEqual(comments(text), comments(TABS_CRLF));
    // An empty list becomes a one-line list; trailing commas are kept where the list uses them.
    const parks = apply(TRAILING, addSubtopics(TRAILING, 1, ['Trails', 'Permits']));
    assert.match(parks.text, /"subtopics": \["Trails", "Permits"\],\n/);
    const taxes = apply(TRAILING, addSubtopics(TRAILING, 0, ['Refunds']));
    assert.match(taxes.text, /"Property tax",\n {16}"Refunds",\n {12}],/);
    // A category without a list gets one.
    const bare = '{ "categories": [{ "name": "A" }] }';
    assert.deepEqual(outline(parseTopicsFile(applyTopicsEdits(bare, edits(addSubtopics(bare, 0, ['x']), bare)))), [['A', 'x']]);
  });

  void it('renames a category or subtopic in place; an object keeps its other keys', () => {
    const renamed = apply(SAMPLE, renameCategory(SAMPLE, 1, 'Public benefits'));
    assert.deepEqual(linesLost(SAMPLE, renamed.text), ['      "name": "Benefits",']);
    assert.deepEqual(comments(renamed.text), sampleComments);
    const sub = apply(SAMPLE, renameSubtopic(SAMPLE, 1, 2, 'Help with utility bills'));
    assert.equal(sub.file.categories[1]?.subtopics[2]?.name, 'Help with utility bills');
    assert.equal(sub.text.length, SAMPLE.length + 'Help with utility bills'.length - 'Utility bill help'.length);
    const three = apply(TABS_CRLF, renameSubtopic(TABS_CRLF, 0, 2, 'Third'));
    assert.equal(three.file.categories[0]?.subtopics[2]?.questions, 3);
    assert.ok(three.text.includes('{ "name": "Third", "questions": 3 }'));
    // Changing only the case of its own name is allowed; taking a sibling's name is not.
    assert.equal(apply(SAMPLE, renameSubtopic(SAMPLE, 0, 0, 'renewing a license')).file.categories[0]?.subtopics[0]?.name, 'renewing a license');
    assert.deepEqual(renameSubtopic(SAMPLE, 0, 0, 'Renewing a license'), []);
    refused(renameSubtopic(SAMPLE, 0, 0, 'real id DOCUMENTS'), /already has a subtopic named "real id DOCUMENTS"/);
    refused(renameCategory(SAMPLE, 0, 'HEALTH'), /already a category named "HEALTH"/);
    refused(renameCategory(SAMPLE, 0, ''), /cannot be empty/);
    refused(renameSubtopic(SAMPLE, 0, 0, '   '), /cannot be empty/);
    refused(renameSubtopic(SAMPLE, 0, 3, 'x'), /no subtopic 3/);
    refused(renameSubtopic(SAMPLE, -1, 0, 'x'), /no category -1/);
    refused(renameCategory(SAMPLE, 1.5, 'x'), /no category 1.5/);
  });

  void it('deletes categories and subtopics, leaving the other comments and lines alone', () => {
    const first = apply(SAMPLE, deleteSubtopic(SAMPLE, 0, 0));
    assert.deepEqual(outline(first.file)[0], ['Driver licensing', 'REAL ID documents', 'Address changes']);
    const last = apply(SAMPLE, deleteSubtopic(SAMPLE, 0, 2));
    assert.deepEqual(outline(last.file)[0], ['Driver licensing', 'Renewing a license', 'REAL ID documents']);
    assert.match(last.text, /"subtopics": \["Renewing a license", "REAL ID documents"\]\n/);
    const only = apply(first.text, deleteSubtopic(first.text, 0, 0));
    const empty = apply(only.text, deleteSubtopic(only.text, 0, 0));
    assert.match(empty.text, /"subtopics": \[\]\n/);
    const category = apply(SAMPLE, deleteCategory(SAMPLE, 5));
    assert.deepEqual(outline(category.file).map((c) => c[0]), ['Driver licensing', 'Benefits', 'Records and documents', 'Housing', 'Civic life']);
    assert.deepEqual(comments(category.text), sampleComments);
    assert.match(category.text, /"Reporting street problems \(311\)"\]\n {4}}\n {2}]\n}\n$/);
    // The Benefits comment belongs to its category and goes with it; the header stays.
    const benefits = apply(SAMPLE, deleteCategory(SAMPLE, 1));
    assert.deepEqual(comments(benefits.text), sampleComments.slice(0, 2));
    refused(deleteCategory(SAMPLE, 6), /no category 6/);
    refused(deleteSubtopic(SAMPLE, 1, 3), /no subtopic 3/);
  });

  void it('deleting an item alone on its line takes its own comments, and only them', () => {
    const one = apply(TABS_CRLF, deleteSubtopic(TABS_CRLF, 0, 0));
    assert.deepEqual(comments(one.text), comments(TABS_CRLF).filter((c) => c !== '// about One'));
    const two = apply(TABS_CRLF, deleteSubtopic(TABS_CRLF, 0, 1));
    assert.deepEqual(comments(two.text), comments(TABS_CRLF).filter((c) => c !== '// about Two'));
    const three = apply(TABS_CRLF, deleteSubtopic(TABS_CRLF, 0, 2));
    assert.deepEqual(comments(three.text), comments(TABS_CRLF));
    assert.ok(three.text.includes('\t\t\t\t"Two"\r\n\t\t\t]'), 'the comma before the deleted last item is gone');
    const four = apply(TABS_CRLF, deleteSubtopic(TABS_CRLF, 1, 0));
    assert.ok(four.text.includes('"subtopics": []'));
    const trailing = apply(TRAILING, deleteSubtopic(TRAILING, 0, 1));
    assert.match(trailing.text, /"questions": 4,\n {16}},\n {12}],/);
  });

  void it('moves a subtopic within its category and across, in one edit list', () => {
    // Drop on a topic: before it. Drop on a category: at its end.
    const across = apply(SAMPLE, moveSubtopic(SAMPLE, { category: 0, index: 0 }, { category: 1, index: 1 }));
    assert.deepEqual(outline(across.file).slice(0, 2), [
      ['Driver licensing', 'REAL ID documents', 'Address changes'],
      ['Benefits', 'Unemployment insurance', 'Renewing a license', 'Food assistance (SNAP, WIC)', 'Utility bill help'],
    ]);
    assert.deepEqual(comments(across.text), sampleComments);
    const down = apply(SAMPLE, moveSubtopic(SAMPLE, { category: 0, index: 0 }, { category: 0, index: 3 }));
    assert.deepEqual(outline(down.file)[0], ['Driver licensing', 'REAL ID documents', 'Address changes', 'Renewing a license']);
    const up = apply(SAMPLE, moveSubtopic(SAMPLE, { category: 0, index: 2 }, { category: 0, index: 0 }));
    assert.deepEqual(outline(up.file)[0], ['Driver licensing', 'Address changes', 'Renewing a license', 'REAL ID documents']);
    const toEnd = apply(SAMPLE, moveSubtopic(SAMPLE, { category: 5, index: 1 }, { category: 3, index: 2 }));
    assert.deepEqual(outline(toEnd.file)[3], ['Housing', 'Security deposits', 'Repairs and habitability', 'Finding a community health center']);
    assert.deepEqual(moveSubtopic(SAMPLE, { category: 0, index: 1 }, { category: 0, index: 1 }), []);
    assert.deepEqual(moveSubtopic(SAMPLE, { category: 0, index: 1 }, { category: 0, index: 2 }), []);
    refused(moveSubtopic(SAMPLE, { category: 0, index: 0 }, { category: 1, index: 4 }), /out of range/);
    refused(moveSubtopic(SAMPLE, { category: 0, index: 3 }, { category: 1, index: 0 }), /no subtopic 3/);
    refused(moveSubtopic(SAMPLE, { category: 0, index: 0 }, { category: 9, index: 0 }), /no category 9/);
    const clash = apply(SAMPLE, addSubtopics(SAMPLE, 1, ['renewing a license'])).text;
    refused(moveSubtopic(clash, { category: 0, index: 0 }, { category: 1, index: 0 }), /already has a subtopic named "Renewing a license"/);
  });

  void it('a moved subtopic keeps its notes, questions and comments', () => {
    const filing = apply(TRAILING, moveSubtopic(TRAILING, { category: 0, index: 0 }, { category: 1, index: 0 }));
    const moved = filing.file.categories[1]?.subtopics[0];
    assert.equal(moved?.name, 'Filing deadlines');
    assert.equal(moved.notes, 'Mention extensions.');
    assert.equal(moved.questions, 4);
    assert.deepEqual(comments(filing.text), comments(TRAILING));
    assert.match(filing.text, /\n {16}\{\n {20}"name": "Filing deadlines",\n {20}"notes": "Mention extensions.", \/\/ keep this note\n {20}"questions": 4,\n {16}}\n/);
    const two = apply(TABS_CRLF, moveSubtopic(TABS_CRLF, { category: 0, index: 1 }, { category: 1, index: 0 }));
    assert.deepEqual(outline(two.file)[1], ['Beta', 'Two', 'Four']);
    assert.ok(two.text.includes('\t\t\t\t// about Two\r\n\t\t\t\t"Two",\r\n\t\t\t\t/* about Four */\r\n\t\t\t\t"Four"\r\n'), two.text);
    assert.deepEqual([...comments(two.text)].sort(), [...comments(TABS_CRLF)].sort());
    const three = apply(TABS_CRLF, moveSubtopic(TABS_CRLF, { category: 0, index: 2 }, { category: 1, index: 1 }));
    assert.equal(three.file.categories[1]?.subtopics[1]?.questions, 3);
    // Into a one-line list, a // comment becomes a block comment.
    const one = apply(TABS_CRLF, moveSubtopic(TABS_CRLF, { category: 0, index: 0 }, { category: 0, index: 3 }));
    assert.deepEqual(outline(one.file)[0], ['Alpha', 'Two', 'Three', 'One']);
    const inline = '{ "categories": [{ "name": "A", "subtopics": ["x"] }, { "name": "B", "subtopics": [\n  "y", // about y\n  "z"\n] }] }';
    const y = apply(inline, moveSubtopic(inline, { category: 1, index: 0 }, { category: 0, index: 1 }));
    assert.match(y.text, /"subtopics": \["x", "y" \/\* about y \*\/]/);
  });

  void it('random moves keep every subtopic, every comment and a clean file', () => {
    const texts = [SAMPLE, TABS_CRLF, TRAILING];
    fc.assert(fc.property(fc.nat(2), fc.nat(99), fc.nat(99), fc.nat(99), fc.nat(99), (which, a, b, c, d) => {
      const text = texts[which] ?? SAMPLE;
      const before = parseTopicsFile(text);
      const from = before.categories[a % before.categories.length];
      const to = before.categories[c % before.categories.length];
      if (from === undefined || to === undefined || from.subtopics.length === 0) return;
      const fromIndex = b % from.subtopics.length;
      const toIndex = d % (to.subtopics.length + 1);
      const result = moveSubtopic(text, { category: from.index, index: fromIndex }, { category: to.index, index: toIndex });
      const { text: after, file } = apply(text, result);
      const name = from.subtopics[fromIndex]?.name ?? '';
      const expected = outline(before).map((c) => c.slice(1));
      const source = expected[from.index] ?? [];
      source.splice(fromIndex, 1);
      const target = expected[to.index] ?? [];
      target.splice(from.index === to.index && toIndex > fromIndex ? toIndex - 1 : toIndex, 0, name);
      assert.deepEqual(outline(file).map((c) => c.slice(1)), expected);
      assert.deepEqual([...comments(after)].sort(), [...comments(text)].sort());
      if (text.includes('\r\n')) assert.ok(!/[^\r]\n/.test(after));
    }), { numRuns: 300 });
  });

  void it('random edit sequences keep the file clean and the comments of items left', () => {
    fc.assert(fc.property(fc.array(fc.tuple(fc.nat(5), fc.nat(99), fc.nat(99), fc.string({ minLength: 1, maxLength: 8 })), { maxLength: 12 }), (ops) => {
      let text = TABS_CRLF;
      for (const [op, a, b, name] of ops) {
        const file = parseTopicsFile(text);
        const n = file.categories.length;
        const category = file.categories[n === 0 ? 0 : a % n];
        const sub = category === undefined || category.subtopics.length === 0 ? undefined : b % category.subtopics.length;
        let result: EditResult;
        if (op === 0) result = addCategory(text, `C ${name}`);
        else if (op === 1 && category !== undefined) result = addSubtopics(text, category.index, [`S ${name}`]);
        else if (op === 2 && category !== undefined && sub !== undefined) result = deleteSubtopic(text, category.index, sub);
        else if (op === 3 && category !== undefined) result = deleteCategory(text, category.index);
        else if (op === 4 && category !== undefined) result = setQuestions(text, category.index, sub, b % 2 === 0 ? undefined : 1 + (b % 100));
        else if (category !== undefined && sub !== undefined) result = renameSubtopic(text, category.index, sub, `R ${name}`);
        else continue;
        if (isEditError(result)) {
          assert.match(result.error, /already|name/);
          continue;
        }
        text = apply(text, result).text;
        assert.ok(!/[^\r]\n/.test(text), 'CRLF kept');
        assert.ok(!/^ +\S/m.test(text), 'tabs kept');
      }
    }), { numRuns: 200 });
  });

  void it('edits files of every layout: one-line, one per line, two per line, objects, comments, trailing commas', () => {
    interface GenItem { name: string; object: 'no' | 'inline' | 'multi'; lead: 'none' | 'line' | 'block'; blank: boolean; trail: 'none' | 'line' | 'block' }
    interface GenList { name: string; layout: 'inline' | 'block' | 'pairs'; trailing: boolean; end: boolean; items: GenItem[] }
    /** The text of a file, and the comment texts that belong to each item (removed with it when it is alone on its lines). */
    const build = (lists: readonly GenList[]): { text: string; owned: Map<string, string[]> } => {
      const owned = new Map<string, string[]>();
      const value = (it: GenItem, indent: string): string => {
        if (it.object === 'no') return JSON.stringify(it.name);
        if (it.object === 'inline') return `{ "name": ${JSON.stringify(it.name)}, "questions": 2 }`;
        return `{\n${indent}  "name": ${JSON.stringify(it.name)},\n${indent}  "notes": "n" // inside ${it.name}\n${indent}}`;
      };
      const cats = lists.map((list) => {
        const items = list.items;
        let body: string;
        if (list.layout === 'inline' || items.length === 0) {
          body = `[${items.map((it) => value({ ...it, object: it.object === 'multi' ? 'inline' : it.object }, '')).join(', ')}${list.trailing && items.length > 0 ? ',' : ''}]`;
        } else if (list.layout === 'block') {
          const lines = items.map((it, i) => {
            const own: string[] = [];
            let line = '';
            if (it.blank) line += '\n';
            if (it.lead !== 'none') {
              line += it.lead === 'line' ? `        // lead ${it.name}\n` : `        /* lead ${it.name} */\n`;
              own.push(`lead ${it.name}`);
            }
            line += `        ${value(it, '        ')}${i < items.length - 1 || list.trailing ? ',' : ''}`;
            if (it.trail !== 'none') {
              line += it.trail === 'line' ? ` // trail ${it.name}` : ` /* trail ${it.name} */`;
              own.push(`trail ${it.name}`);
            }
            if (it.object === 'multi') own.push(`inside ${it.name}`);
            owned.set(`${list.name}/${it.name}`, own);
            return line;
          });
          body = `[\n${lines.join('\n')}\n${list.end ? `        // end ${list.name}\n` : ''}      ]`;
        } else {
          const lines: string[] = [];
          for (let i = 0; i < items.length; i += 2) {
            const pair = items.slice(i, i + 2).map((it) => value({ ...it, object: it.object === 'multi' ? 'inline' : it.object }, ''));
            const last = i + 2 >= items.length;
            const alone = items[i + 1] === undefined ? items[i] : undefined;
            if (alone !== undefined && i % 4 === 0) owned.set(`${list.name}/${alone.name}`, [`pair ${list.name} ${i}`]);
            lines.push(`        ${pair.join(', ')}${!last || list.trailing ? ',' : ''}${i % 4 === 0 ? ` // pair ${list.name} ${i}` : ''}`);
          }
          body = `[\n${lines.join('\n')}\n${list.end ? `        // end ${list.name}\n` : ''}      ]`;
        }
        return `    {\n      "name": ${JSON.stringify(list.name)},\n      "subtopics": ${body}\n    }`;
      });
      return { text: `// header\n{\n  "categories": [\n${cats.join(',\n')}\n  ]\n}\n`, owned };
    };
    const item = fc.record({
      object: fc.constantFrom<GenItem['object']>('no', 'no', 'inline', 'multi'),
      lead: fc.constantFrom<GenItem['lead']>('none', 'line', 'block'),
      blank: fc.boolean(),
      trail: fc.constantFrom<GenItem['trail']>('none', 'line', 'block'),
    });
    const list = fc.record({
      layout: fc.constantFrom<GenList['layout']>('inline', 'block', 'pairs'),
      trailing: fc.boolean(),
      end: fc.boolean(),
      items: fc.array(item, { maxLength: 5 }),
    });
    const lists = fc.array(list, { minLength: 1, maxLength: 3 }).map((ls) => ls.map((l, c): GenList => ({
      ...l, name: `C${c}`, items: l.items.map((it, i): GenItem => ({ ...it, name: `c${c}s${i}` })),
    })));
    fc.assert(fc.property(lists, fc.nat(99), fc.nat(99), fc.nat(99), fc.nat(99), fc.nat(3), fc.boolean(), (ls, a, b, c, d, op, crlf) => {
      const built = build(ls);
      const owned = built.owned;
      const text = crlf ? built.text.replace(/\n/g, '\r\n') : built.text;
      const applyKeepingEol = (t: string, r: EditResult): { text: string; file: TopicsFile } => {
        const out = apply(t, r);
        if (crlf) assert.ok(!/(^|[^\r])\n/.test(out.text), 'CRLF kept');
        return out;
      };
      const before = parseTopicsFile(text);
      assert.deepEqual(before.problems, [], text);
      const expected = outline(before);
      const from = ls[a % ls.length];
      const to = ls[c % ls.length];
      if (from === undefined || to === undefined) return;
      const fromIndex = from.items.length === 0 ? undefined : b % from.items.length;
      const fromCategory = a % ls.length;
      const toCategory = c % ls.length;
      if (op === 0 && fromIndex !== undefined) {
        const toIndex = d % (to.items.length + 1);
        const moved = applyKeepingEol(text, moveSubtopic(text, { category: fromCategory, index: fromIndex }, { category: toCategory, index: toIndex }));
        const [name] = expected[fromCategory]?.splice(fromIndex + 1, 1) ?? [];
        expected[toCategory]?.splice(1 + (fromCategory === toCategory && toIndex > fromIndex ? toIndex - 1 : toIndex), 0, name ?? '');
        assert.deepEqual(outline(moved.file), expected, `${text}\n---\n${moved.text}`);
        assert.deepEqual(commentTexts(moved.text), commentTexts(text), `${text}\n---\n${moved.text}`);
      } else if (op === 1 && fromIndex !== undefined) {
        const deleted = applyKeepingEol(text, deleteSubtopic(text, fromCategory, fromIndex));
        const [name] = expected[fromCategory]?.splice(fromIndex + 1, 1) ?? [];
        assert.deepEqual(outline(deleted.file), expected, `${text}\n---\n${deleted.text}`);
        const gone = new Set(from.layout === 'inline' ? [] : owned.get(`${from.name}/${name ?? ''}`) ?? []);
        assert.deepEqual(commentTexts(deleted.text), commentTexts(text).filter((t) => !gone.has(t)), `${text}\n---\n${deleted.text}`);
      } else if (op === 2) {
        const added = applyKeepingEol(text, addSubtopics(text, fromCategory, ['New A', 'New B']));
        expected[fromCategory]?.push('New A', 'New B');
        assert.deepEqual(outline(added.file), expected, `${text}\n---\n${added.text}`);
        assert.deepEqual(commentTexts(added.text), commentTexts(text));
      } else if (fromIndex !== undefined) {
        const set = applyKeepingEol(text, setQuestions(text, fromCategory, fromIndex, 9));
        assert.equal(set.file.categories[fromCategory]?.subtopics[fromIndex]?.questions, 9);
        const unset = applyKeepingEol(set.text, setQuestions(set.text, fromCategory, fromIndex, undefined));
        assert.equal(unset.file.categories[fromCategory]?.subtopics[fromIndex]?.questions, undefined);
        assert.deepEqual(outline(unset.file), expected);
        assert.deepEqual(commentTexts(unset.text), commentTexts(text));
      }
    }), { numRuns: 1500 });
  });

  void it('sets and removes question counts', () => {
    const category = apply(SAMPLE, setQuestions(SAMPLE, 1, undefined, 7));
    assert.equal(category.file.categories[1]?.questions, 7);
    assert.deepEqual(comments(category.text), sampleComments);
    assert.match(category.text, /"name": "Benefits",\n {6}"questions": 7,\n {6}\/\/ Questions here/);
    const changed = apply(category.text, setQuestions(category.text, 1, undefined, 8));
    assert.equal(changed.file.categories[1]?.questions, 8);
    const removed = apply(changed.text, setQuestions(changed.text, 1, undefined, undefined));
    assert.equal(removed.text, SAMPLE);
    const sub = apply(SAMPLE, setQuestions(SAMPLE, 1, 0, 4));
    assert.equal(sub.file.categories[1]?.subtopics[0]?.questions, 4);
    assert.match(sub.text, /"subtopics": \[\{ "name": "Unemployment insurance", "questions": 4 }, "Food/);
    const back = apply(sub.text, setQuestions(sub.text, 1, 0, undefined));
    assert.equal(back.text, SAMPLE, 'an object left with only its name is a string again');
    assert.deepEqual(setQuestions(SAMPLE, 1, 0, undefined), []);
    const filing = apply(TRAILING, setQuestions(TRAILING, 0, 0, undefined));
    assert.equal(filing.file.categories[0]?.subtopics[0]?.questions, undefined);
    assert.equal(filing.file.categories[0]?.subtopics[0]?.notes, 'Mention extensions.');
    assert.deepEqual(comments(filing.text), comments(TRAILING));
    refused(setQuestions(SAMPLE, 0, undefined, 0), /1 to 100/);
    refused(setQuestions(SAMPLE, 0, 0, 101), /1 to 100/);
    refused(setQuestions(SAMPLE, 0, 0, 2.5), /1 to 100/);
    refused(setQuestions(SAMPLE, 0, 5, 3), /no subtopic 5/);
  });

  void it('refuses to edit a file with a syntax error, or one nested too deeply to read', () => {
    const broken = SAMPLE.replace('"REAL ID documents",', '"REAL ID documents"');
    for (const result of [addCategory(broken, 'X'), addSubtopics(broken, 0, ['x']), deleteCategory(broken, 0), moveSubtopic(broken, { category: 0, index: 0 }, { category: 1, index: 0 })]) {
      refused(result, /syntax error at line 7, column \d+/);
    }
    const deep = `{"categories": [{"name": "a", "subtopics": [${'['.repeat(50_000)}${']'.repeat(50_000)}]}]}`;
    refused(addCategory(deep, 'X'), /too deeply/);
  });

  void it('writes a new file: header comment, 2-space indent, \\n, no problems', () => {
    const text = newTopicsFile([{ name: ' Housing ', subtopics: ['Rent', ' rent ', '', 'Repairs'] }, { name: 'housing', subtopics: ['Deposits'] }, { name: ' ', subtopics: ['x'] }, { name: 'Parks', subtopics: [] }]);
    assert.match(text, /^\/\/ /);
    assert.ok(!text.includes('\r') && !text.includes('\t') && text.endsWith('}\n'));
    assert.match(text, /\n {2}"categories": \[\n {4}\{\n {6}"name": "Housing",\n {6}"subtopics": \[\n {8}"Rent",/);
    const file = parseTopicsFile(text);
    assert.deepEqual(file.problems, []);
    assert.deepEqual(outline(file), [['Housing', 'Rent', 'Repairs', 'Deposits'], ['Parks']]);
    assert.deepEqual(parseTopicsFile(newTopicsFile([])).problems, []);
  });
});

void describe('importing topics', () => {
  void it('python: a missing comma joins two strings, as Python does, with a warning that names both parts', () => {
    const result = importTopics(read('test/fixtures/topics/import/missing-comma.py'), 'auto');
    assert.equal(result.kind, 'python');
    assert.deepEqual(result.categories, [{ name: 'Imported', subtopics: ['Security deposits', 'HousingBenefits', 'Repairs and habitability', 'Eviction notices'] }]);
    const join = result.warnings.find((w) => w.message.includes('no comma'));
    assert.equal(join?.line, 4);
    assert.match(join.message, /"Housing" and "Benefits" have no comma between them.*"HousingBenefits"/);
    const duplicate = result.warnings.find((w) => w.message.includes('twice'));
    assert.equal(duplicate?.line, 9);
    assert.match(duplicate.message, /"Security deposits" appears twice in "Imported" \(lines 3 and 9\)/);
    assert.equal(result.warnings.length, 2);
  });

  void it('python: quotes, escapes, comments, nesting and dicts', () => {
    const strings = importTopics(`# a comment with "quotes"\nTOPICS = ['single', "double", '''triple
  single''', r"raw\\n", "tab\\there", "caf\\u00e9", b"bytes", u"uni", "a\\
b", "hash # inside", ]  # trailing`, 'python');
    assert.deepEqual(strings.categories, [{ name: 'Imported', subtopics: ['single', 'double', 'triple single', 'raw\\n', 'tab here', 'café', 'bytes', 'uni', 'ab', 'hash # inside'] }]);
    assert.deepEqual(strings.warnings, []);
    const nested = importTopics('[["Housing", ["Rent", "Repairs"]], ("Benefits", ("SNAP", "WIC")), ["Parks", "Trails", "Permits"]]', 'auto');
    assert.deepEqual(nested.categories, [{ name: 'Housing', subtopics: ['Rent', 'Repairs'] }, { name: 'Benefits', subtopics: ['SNAP', 'WIC'] }, { name: 'Parks', subtopics: ['Trails', 'Permits'] }]);
    assert.match(nested.warnings[0]?.message ?? '', /Read "Parks" as a category/);
    const dict = importTopics('CATEGORIES: dict[str, list[str]] = {\n  "Housing": ["Rent"],\n  \'Benefits\': [\n    "SNAP",\n  ],\n}\n', 'auto');
    assert.deepEqual(dict.categories, [{ name: 'Housing', subtopics: ['Rent'] }, { name: 'Benefits', subtopics: ['SNAP'] }]);
    assert.deepEqual(dict.warnings, []);
    const records = importTopics('TOPICS = [{"name": "Housing", "subtopics": ["Rent"]}, {"category": "Benefits", "topics": ["SNAP"]}]', 'auto');
    assert.deepEqual(records.categories, [{ name: 'Housing', subtopics: ['Rent'] }, { name: 'Benefits', subtopics: ['SNAP'] }]);
    const several = importTopics('HOUSING = ["Rent"]\nBENEFITS = ["SNAP", None, 3]\n', 'auto');
    assert.deepEqual(several.categories, [{ name: 'HOUSING', subtopics: ['Rent'] }, { name: 'BENEFITS', subtopics: ['SNAP'] }]);
    assert.equal(several.warnings.filter((w) => /not a string/.test(w.message)).length, 2);
    const implicit = importTopics('x = ("Part one "\n     "part two")', 'python');
    assert.deepEqual(implicit.categories, [{ name: 'Imported', subtopics: ['Part one part two'] }]);
    assert.equal(implicit.warnings[0]?.line, 1);
    const none = importTopics('print("hello")', 'python');
    assert.deepEqual(none.categories, []);
    assert.match(none.warnings[0]?.message ?? '', /No list or dict literal/);
  });

  void it('markdown: headings are categories, list items and deeper headings subtopics', () => {
    const result = importTopics(read('test/fixtures/topics/import/outline.md'), 'auto');
    assert.equal(result.kind, 'markdown');
    assert.deepEqual(result.categories, [
      { name: 'Driver licensing', subtopics: ['Renewing a license', 'REAL ID documents', 'Address changes'] },
      { name: 'Benefits', subtopics: ['Unemployment insurance', 'Food assistance (SNAP, WIC)', 'Utility bill help'] },
    ]);
    assert.deepEqual(result.warnings, [{ line: 1, message: '"Public services" was read as the document\'s title, not as a category.' }]);
    const loose = importTopics('- a\n- b\n# Cat\n- c\n- C\n', 'markdown');
    assert.deepEqual(loose.categories, [{ name: 'Imported', subtopics: ['a', 'b'] }, { name: 'Cat', subtopics: ['c'] }]);
    assert.match(loose.warnings[0]?.message ?? '', /"C" appears twice in "Cat" \(lines 4 and 5\)/);
  });

  void it('lines: bullets stripped, one category, or categories from indentation', () => {
    const flat = importTopics('- Renewing a license\n* REAL ID documents\n\n1. Address changes\n2) Passports\n• Birth certificates\n', 'auto');
    assert.equal(flat.kind, 'lines');
    assert.deepEqual(flat.categories, [{ name: 'Imported', subtopics: ['Renewing a license', 'REAL ID documents', 'Address changes', 'Passports', 'Birth certificates'] }]);
    const nested = importTopics(read('test/fixtures/topics/import/indented.txt'), 'auto');
    assert.deepEqual(nested.categories, [{ name: 'Housing', subtopics: ['Security deposits', 'Repairs and habitability'] }, { name: 'Benefits', subtopics: ['Unemployment insurance', 'Food assistance'] }]);
    assert.deepEqual(nested.warnings, []);
    const empty = importTopics('Housing\n\tRent\nParks\n', 'lines');
    assert.deepEqual(empty.categories, [{ name: 'Housing', subtopics: ['Rent'] }, { name: 'Parks', subtopics: [] }]);
    assert.deepEqual(empty.warnings, [{ line: 3, message: 'Category "Parks" has no subtopics; it was imported empty.' }]);
    assert.deepEqual(importTopics('', 'auto'), { categories: [], warnings: [], kind: 'lines' });
  });

  void it('auto: tells the kinds apart', () => {
    assert.equal(detectKind('TOPICS = [\n"a"]'), 'python');
    assert.equal(detectKind('# comment\nTOPICS: list[str] = ["a"]'), 'python');
    assert.equal(detectKind('\n["a", "b"]'), 'python');
    assert.equal(detectKind('{"Cat": ["a"]}'), 'python');
    assert.equal(detectKind('# Title\n\n- a'), 'markdown');
    assert.equal(detectKind('[Link](https://example.org) and text\n## Cat\n- a'), 'markdown');
    assert.equal(detectKind('a\nb\n  c'), 'lines');
    assert.equal(detectKind('#hashtag\n- a'), 'lines');
  });

  void it('the result always makes a clean topics file', () => {
    const result = importTopics(read('test/fixtures/topics/import/outline.md'), 'auto');
    assert.deepEqual(parseTopicsFile(newTopicsFile(result.categories)).problems, []);
  });

  void it('never throws, on any text and any kind', () => {
    const kinds: ImportKind[] = ['auto', 'lines', 'markdown', 'python'];
    const pythonish = fc.array(fc.constantFrom('[', ']', '(', ')', '{', '}', ',', ':', '=', '"a"', "'b'", '"""c', "'''", '\\', '\n', ' ', '#', 'X', 'r"\\"', '"\\x4', '"\\U0011ffff"', '"\\777"', 'f"{x}"', '\r\n', '-'), { maxLength: 40 }).map((a) => a.join(''));
    fc.assert(fc.property(fc.oneof(fc.string(), fc.string({ unit: 'binary' }), pythonish), fc.constantFrom(...kinds), (text, kind) => {
      const result = importTopics(text, kind);
      for (const c of result.categories) {
        assert.notEqual(c.name, '');
        assert.ok(!c.subtopics.includes(''));
      }
      for (const w of result.warnings) assert.ok(Number.isInteger(w.line) && w.line >= 1);
    }), { numRuns: 1000 });
    assert.doesNotThrow(() => importTopics('['.repeat(100_000), 'python'));
    const many = Array.from({ length: 200_000 }, (_, i) => `Topic ${i}`).join('\n');
    assert.equal(importTopics(many, 'lines').categories[0]?.subtopics.length, 200_000);
    assert.doesNotThrow(() => importTopics(`x = ${'('.repeat(50_000)}"a"${')'.repeat(50_000)}`, 'python'));
  });
});

void describe('provenance', () => {
  const row = '{"messages": [{"role": "user", "content": "How do I renew?"}, {"role": "assistant", "content": "Online."}]}';
  const other = '{"instruction": "Where is the DMV?", "response": "Downtown."}';
  const housing = topicId('Housing', 'Rent');
  const licensing = topicId('Driver licensing', 'Renewing a license');

  void it('rowHash: 16 hex digits of the content, the same whatever the spacing and key order', () => {
    const hash = rowHash(row);
    assert.match(hash ?? '', /^[0-9a-f]{16}$/);
    assert.equal(rowHash('  {"messages":[{"content":"How do I renew?","role":"user"},{"content":"Online.","role":"assistant"}]}  '), hash);
    assert.notEqual(rowHash(row.replace('Online.', 'Online!')), hash);
    assert.notEqual(rowHash(other), hash);
    for (const line of ['', '[]', '"text"', '42', 'null', '{"a": ', 'not json']) assert.equal(rowHash(line), undefined, line);
    assert.equal(canonicalJson({ b: [1, { d: 1, c: 2 }], a: 'x' }), '{"a":"x","b":[1,{"c":2,"d":1}]}');
    fc.assert(fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (record) => {
      const reversed = Object.fromEntries(Object.entries(record).reverse());
      assert.equal(rowHash(JSON.stringify(record)), rowHash(JSON.stringify(reversed, null, 2).replace(/\n/g, ' ')));
    }));
  });

  void it('records rows, writes a stable sorted file and reads it back', () => {
    const p = recordRows(emptyProvenance(), [{ line: other, topic: housing }, { line: row, topic: licensing, refusal: true }, { line: 'broken', topic: housing }], '2025-01-02T03:04:05.000Z');
    assert.equal(p.rows.size, 2);
    const text = writeProvenance(p);
    const hashes = [rowHash(row) ?? '', rowHash(other) ?? ''].sort();
    assert.equal(text, `{
  "rows": {
    "${hashes[0] ?? ''}": ${hashes[0] === rowHash(row) ? `{ "refusal": true, "time": "2025-01-02T03:04:05.000Z", "topic": ${JSON.stringify(licensing)} }` : `{ "time": "2025-01-02T03:04:05.000Z", "topic": ${JSON.stringify(housing)} }`},
    "${hashes[1] ?? ''}": ${hashes[1] === rowHash(row) ? `{ "refusal": true, "time": "2025-01-02T03:04:05.000Z", "topic": ${JSON.stringify(licensing)} }` : `{ "time": "2025-01-02T03:04:05.000Z", "topic": ${JSON.stringify(housing)} }`}
  },
  "version": 1
}
`);
    const back = readProvenance(text);
    assert.deepEqual(back.problems, []);
    assert.deepEqual(back.provenance, p);
    assert.equal(writeProvenance(back.provenance), text);
    assert.equal(writeProvenance(recordRows(p, [], new Date(0))), text, 'the same rows write the same text');
    assert.deepEqual(readProvenance(writeProvenance(emptyProvenance())), { provenance: emptyProvenance(), problems: [] });
    const at = recordRows(emptyProvenance(), [{ line: row, topic: housing }], new Date(Date.UTC(2025, 0, 2)));
    assert.equal([...at.rows.values()][0]?.time, '2025-01-02T00:00:00.000Z');
  });

  void it('reads a bad sidecar as empty, with a problem', () => {
    assert.deepEqual(readProvenance(undefined), { provenance: emptyProvenance(), problems: [] });
    assert.deepEqual(readProvenance('  '), { provenance: emptyProvenance(), problems: [] });
    for (const [text, message] of [['{ not json', /not valid JSON/], ['[]', /must be a JSON object/], ['{"version": 2, "rows": {}}', /version 2/], ['{"rows": {}}', /version none/], ['{"version": 1, "rows": []}', /"rows"/]] as const) {
      const r = readProvenance(text);
      assert.equal(r.provenance.rows.size, 0, text);
      assert.match(r.problems[0] ?? '', message, text);
    }
    const good = rowHash(row) ?? '';
    const partial = readProvenance(JSON.stringify({ version: 1, rows: { [good]: { topic: housing, time: 't' }, nothex: { topic: housing, time: 't' }, '0123456789abcdef': { topic: 3 } } }));
    assert.deepEqual([...partial.provenance.rows.keys()], [good]);
    assert.match(partial.problems[0] ?? '', /2 rows .* skipped/);
  });

  void it('coverage counts rows still in the dataset; an edited or deleted row no longer counts; prune drops them', () => {
    const third = '{"instruction": "Fees?", "response": "$30."}';
    const p = recordRows(emptyProvenance(), [{ line: row, topic: licensing }, { line: other, topic: housing }, { line: third, topic: housing, refusal: true }], '2025-01-01T00:00:00Z');
    assert.deepEqual(coverage(p, [row, other, third, '', 'junk']), new Map([[licensing, 1], [housing, 2]]));
    assert.deepEqual(coverageDetail(p, [row, other, third]).get(housing), { rows: 2, refusals: 1 });
    // Reformatted: still counts. Edited or deleted: no longer counts. A duplicate counts once.
    const reformatted = JSON.stringify(JSON.parse(row), null, 0);
    assert.deepEqual(coverage(p, [reformatted, other.replace('Downtown.', 'Uptown.'), third, third]), new Map([[licensing, 1], [housing, 1]]));
    const pruned = prune(p, [row, third]);
    assert.deepEqual([...pruned.rows.values()].map((e) => e.topic).sort(), [licensing, housing].sort());
    assert.equal(p.rows.size, 3, 'the original is unchanged');
    const renamed = renameTopics(p, new Map([[housing, topicId('Homes', 'Rent')]]));
    assert.deepEqual(coverage(renamed, [row, other, third]), new Map([[licensing, 1], [topicId('Homes', 'Rent'), 2]]));
  });

  void it('the sidecar lives in .tunelab beside the dataset', () => {
    assert.equal(provenancePathFor('/work/data/train.jsonl'), '/work/data/.tunelab/train.jsonl.provenance.json');
    assert.equal(provenancePathFor('C:\\data\\train.jsonl'), 'C:\\data\\.tunelab\\train.jsonl.provenance.json');
    assert.equal(provenancePathFor('C:\\data/sub\\train.jsonl'), 'C:\\data/sub\\.tunelab\\train.jsonl.provenance.json');
    assert.equal(provenancePathFor('train.jsonl'), '.tunelab/train.jsonl.provenance.json');
    assert.equal(provenancePathFor('/train.jsonl'), '/.tunelab/train.jsonl.provenance.json');
  });

  // A sidecar that cannot be read whole is never written over: renaming a topic used to read a
  // merge-conflicted sidecar as empty and write `{"rows": {}}` over it, losing all coverage.
  const good = recordRows(emptyProvenance(), [{ line: row, topic: housing }, { line: other, topic: licensing }], '2025-01-01T00:00:00.000Z');
  const goodText = writeProvenance(good);
  const conflicted = `{\n  "rows": {\n<<<<<<< HEAD\n    "${rowHash(row) ?? ''}": { "time": "t", "topic": ${JSON.stringify(housing)} }\n=======\n    "${rowHash(other) ?? ''}": { "time": "t", "topic": ${JSON.stringify(licensing)} }\n>>>>>>> other-branch\n  },\n  "version": 1\n}\n`;
  const rename = (p: Provenance): Provenance => renameTopics(p, new Map([[housing, topicId('Homes', 'Rent')]]));

  void it('a merge-conflicted, newer, damaged or partly unreadable sidecar is not rewritten; the reason names what to do', () => {
    const cases: [string, RegExp, RegExp][] = [
      [conflicted, /^has merge conflict markers/, /^Resolve the conflict in it, keeping the rows of both sides$/],
      [conflicted.replace(/\n/g, '\r\n'), /^has merge conflict markers/, /^Resolve the conflict/],
      ['{"version": 2, "rows": {}}', /^has version 2, written by a newer TuneLab \(this one reads version 1\)$/, /^Update TuneLab$/],
      ['{"rows": {}}', /^has version none/, /"version" to 1/],
      ['{ "rows": {', /^is not valid JSON \(/, /^Fix the JSON, or delete the file \(the rows in it are then lost\)$/],
      ['[]', /^is not a provenance file/, /^Fix it, or delete it/],
      ['{"version": 1, "rows": []}', /^has "rows" that is not an object/, /delete the file/],
      [JSON.stringify({ version: 1, rows: { [rowHash(row) ?? '']: { topic: housing, time: 't' }, '\u001b[2Jzz': { topic: housing, time: 't' } } }), /^has 1 row that could not be read \(the first is "\?\[2Jzz"\)$/, /^Fix or remove that row$/],
    ];
    for (const [text, reason, fix] of cases) {
      const read = readProvenance(text);
      assert.match(read.unreadable?.reason ?? '', reason, text);
      assert.match(read.unreadable?.fix ?? '', fix, text);
      assert.deepEqual(updatedProvenanceText(text, rename), { ok: false, ...read.unreadable }, text);
    }
    // The old write path: what the rename wrote over the conflicted file kept no row of either side.
    assert.equal(readProvenance(conflicted).provenance.rows.size, 0);
    assert.equal(hasConflictMarkers('{"a": "x <<<<<<< y"}'), false, 'markers only count at the start of a line');
    assert.equal(hasConflictMarkers('=======\n'), true);
  });

  void it('a readable sidecar is changed on its current text; no sidecar yet starts an empty one', () => {
    const update = updatedProvenanceText(goodText, rename);
    assert.ok(update.ok);
    assert.deepEqual(coverage(readProvenance(update.text).provenance, [row, other]), new Map([[topicId('Homes', 'Rent'), 1], [licensing, 1]]));
    for (const none of [undefined, '', '\n']) {
      const fresh = updatedProvenanceText(none, (p) => recordRows(p, [{ line: row, topic: housing }], '2025-01-01T00:00:00.000Z'));
      assert.ok(fresh.ok);
      assert.equal(readProvenance(fresh.text).provenance.rows.size, 1);
    }
    assert.equal(readProvenance(goodText).unreadable, undefined);
  });

  void it('tunelab generate leaves a sidecar that became unreadable during the run as it is, and says which file and what to do', async () => {
    const peer = new OpenAIPeer({ responder: generationResponder() });
    const running = await peer.start();
    const dir = mkdtempSync(path.join(tmpdir(), 'tunelab-provenance-'));
    try {
      writeFileSync(path.join(dir, 'topics.jsonc'), '{ "categories": [{ "name": "Housing", "subtopics": ["Rent help"] }] }\n');
      writeFileSync(path.join(dir, 'endpoints.json'), JSON.stringify([{ id: 'local', kind: 'openai-compatible', url: `${running.url}/v1`, model: 'peer-model' }]));
      const sidecar = provenancePathFor(path.join(dir, 'data.jsonl'));
      let err = '';
      const code = await runGenerate(['--topics', 'topics.jsonc', '--endpoints', 'endpoints.json', '--endpoint', 'local', '--per-topic', '2', '--out', 'data.jsonl'], {
        out: () => undefined, err: (t) => { err += t; }, env: { HOME: dir }, cwd: dir,
      }, {
        signal: new AbortController().signal,
        // A merge lands in the sidecar while the run is going.
        onPairWritten: (n) => { if (n === 1) { mkdirSync(path.dirname(sidecar), { recursive: true }); writeFileSync(sidecar, conflicted); } },
      });
      assert.equal(code, 0, err);
      assert.equal(readFileSync(sidecar, 'utf8'), conflicted, 'the conflicted sidecar is left as it is');
      assert.match(err, /^tunelab: warning: \.tunelab\/data\.jsonl\.provenance\.json has merge conflict markers \(<<<<<<<, =======, >>>>>>>\), so it is left as it is and this run's new rows are not recorded in it \(--resume would ask for them again\)\. Resolve the conflict in it, keeping the rows of both sides\.$/m);
      assert.deepEqual(readdirSync(path.dirname(sidecar)), [path.basename(sidecar)], 'no temporary file is left behind');
    } finally {
      await running.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

void describe('the topics file schema', () => {
  const schema = JSON.parse(read('schemas/topics.schema.json')) as Record<string, unknown>;
  const validate = new Ajv({ strict: false, allErrors: true }).compile(schema);
  const jsonc = (text: string): unknown => parse(text, [], { allowTrailingComma: true });

  void it('is draft-07, and every property has a description and a markdownDescription', () => {
    assert.equal(schema.$schema, 'http://json-schema.org/draft-07/schema#');
    const walk = (node: unknown, path: string): void => {
      if (typeof node !== 'object' || node === null) return;
      const props = (node as { properties?: Record<string, unknown> }).properties ?? {};
      for (const [key, value] of Object.entries(props)) {
        if (key === '$schema') continue;
        const v = value as { description?: unknown; markdownDescription?: unknown; $ref?: unknown };
        if (v.$ref === undefined) {
          assert.equal(typeof v.description, 'string', `${path}.${key} description`);
          assert.equal(typeof v.markdownDescription, 'string', `${path}.${key} markdownDescription`);
        }
      }
      for (const value of Object.values(node)) walk(value, path);
    };
    walk(schema, '#');
  });

  void it('accepts the sample and the fixtures, which read with no problems', () => {
    for (const [name, text] of [['sample', SAMPLE], ['tabs', TABS], ['trailing', TRAILING], ['new', newTopicsFile([{ name: 'A', subtopics: ['x'] }])]] as const) {
      assert.ok(validate(jsonc(text)), `${name}: ${JSON.stringify(validate.errors)}`);
      assert.deepEqual(parseTopicsFile(text).problems, [], name);
    }
  });

  void it('agrees with parseTopicsFile on invalid files', () => {
    const dir = repoFile('test/fixtures/topics/invalid');
    const names = readdirSync(dir).filter((n) => n.endsWith('.jsonc'));
    assert.ok(names.length >= 8);
    for (const name of names) {
      const text = readFileSync(`${dir}/${name}`, 'utf8');
      assert.equal(validate(jsonc(text)), false, `${name}: the schema rejects it`);
      assert.ok(parseTopicsFile(text).problems.length > 0, `${name}: parseTopicsFile reports it`);
    }
  });

  void it('agrees with parseTopicsFile on generated files', () => {
    const name = fc.oneof(fc.constantFrom('Rent', 'Repairs', 'SNAP', 'WIC', 'Parks', '', ' '), fc.constant(7));
    const questions = fc.option(fc.oneof(fc.integer({ min: -2, max: 102 }), fc.constant(2.5), fc.constant('5')), { nil: undefined });
    const notes = fc.option(fc.oneof(fc.constant('Be brief.'), fc.constant(3)), { nil: undefined });
    const subtopic = fc.oneof(name, fc.record({ name, questions, notes }, { requiredKeys: [] }), fc.constant(null));
    const category = fc.record({ name, questions, notes, subtopics: fc.array(subtopic, { maxLength: 4 }), extra: fc.constant(1) }, { requiredKeys: ['name'] });
    /** Keeps the first of each name: the schema cannot compare names inside objects, nor ignoring case (fixtures cover that). */
    const firstOfEach = <T>(items: readonly T[], key: (item: T) => unknown): T[] => {
      const seen = new Set<unknown>();
      return items.filter((item) => {
        const k = key(item);
        if (seen.has(k)) return false;
        seen.add(k);
        return true;
      });
    };
    const subName = (s: unknown): unknown => (typeof s === 'object' && s !== null ? (s as { name?: unknown }).name : s);
    fc.assert(fc.property(fc.array(category, { maxLength: 3 }), fc.boolean(), (categories, wrapped) => {
      const unique = firstOfEach(categories, (c) => c.name).map((c) => (c.subtopics === undefined ? c : { ...c, subtopics: firstOfEach(c.subtopics, subName) }));
      const doc = wrapped ? { categories: unique } : unique;
      const text = JSON.stringify(doc, null, 2);
      const valid = validate(JSON.parse(text));
      const problems = parseTopicsFile(text).problems;
      assert.equal(valid, problems.length === 0, `${text}\nschema: ${JSON.stringify(validate.errors)}\nparser: ${JSON.stringify(problems)}`);
    }), { numRuns: 500 });
  });
});

void describe('a topics file path the workspace supplies', () => {
  void it('is used only where it resolves inside the workspace folder', () => {
    const folder = '/home/me/project';
    for (const [setting, resolved] of [
      ['topics.jsonc', '/home/me/project/topics.jsonc'],
      ['taxonomy/civic.jsonc', '/home/me/project/taxonomy/civic.jsonc'],
      ['./taxonomy/../topics.jsonc', '/home/me/project/topics.jsonc'],
      ['taxonomy\\civic.jsonc', '/home/me/project/taxonomy/civic.jsonc'],
      ['/home/me/project/sub/t.jsonc', '/home/me/project/sub/t.jsonc'],
    ] as const) assert.equal(insideFolder(folder, setting), resolved, setting);
    for (const setting of ['../topics.jsonc', '../../../etc/passwd', 'taxonomy/../../x.jsonc', '..\\..\\x.jsonc', '/etc/passwd', '/home/me/project-other/t.jsonc', '/home/me/project', '.', '']) {
      assert.equal(insideFolder(folder, setting), undefined, setting);
    }
    // Windows folders as URI paths: the drive letter compares without case; another drive is outside.
    assert.equal(insideFolder('/c:/Users/me/project', 'C:\\Users\\me\\project\\t.jsonc'), '/C:/Users/me/project/t.jsonc');
    assert.equal(insideFolder('/c:/Users/me/project', 'D:\\t.jsonc'), undefined);
    assert.equal(insideFolder('/c:/Users/me/project', '..\\t.jsonc'), undefined);
  });
});
