import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { PromptRenderError } from '../../src/core/generate/defaultPrompts';
import { LEAGUE_RUBRIC } from '../../src/core/judge/prompts';
import {
  SCORE_AGAIN,
  SCORE_PLACEHOLDERS,
  SCORE_RUBRIC,
  applyDeletions,
  belowThreshold,
  parseScore,
  readScoreCache,
  rejectionEdit,
  rowKey,
  runScoring,
  scoreKey,
  scoreLabel,
  scoreMessages,
  scoreRowsOf,
  scoreRubricError,
  scoredRowsOf,
  scoresPathFor,
  scoreSummary,
  scoringLine,
  writeScoreCache,
  type CachedScore,
  type ScoreKeyInput,
  type ScoreRow,
  type ScoreRunResult,
  type ScoreSetup,
} from '../../src/core/judge/score';
import { isRejectedPath, legacyRejectedPathFor, moveRows, rejectedInsideDatasetFolder, rejectedMigration, rejectedPathFor, rowMoveProblem, type RowMoveOutcome, type RowMoveSteps } from '../../src/core/judge/rejectedFile';
import { readEvalSet } from '../../src/core/promptLab/evalSet';
import { parsePromptFile } from '../../src/core/prompts/promptFile';
import { askThrough } from '../../src/endpoints/generateRun';
import { createOpenAIEndpoint } from '../../src/endpoints/openai';
import { Scheduler } from '../../src/endpoints/scheduler';
import { userText } from '../peers/generationResponder';
import { OpenAIPeer, type OpenAIPeerOptions, type PeerReply } from '../peers/openaiPeer';

function scoreOf(reply: string): number | 'error' {
  const r = parseScore(reply);
  return r.ok ? r.score : 'error';
}

void describe('parseScore', () => {
  const shapes: readonly (readonly [string, string, number | 'error'])[] = [
    ['token at the end', 'Accurate and gives the office and fee.\n\n[[7]]', 7],
    ['spaces inside', 'Clear but misses the fee.\n[[ 6 ]]', 6],
    ['bold token', 'Correct, warm and concrete.\n\n**[[9]]**', 9],
    ['bold inside the brackets', 'Good.\n[[**8**]]', 8],
    ['out of ten inside', 'Mostly right.\n[[7/10]]', 7],
    ['out of ten in words inside', 'Mostly right.\n[[7 out of 10]]', 7],
    ['after a label', 'The deadline is wrong.\n\nScore: [[3]]', 3],
    ['markdown heading label', '## Reasoning\nVague.\n\n### Final Score\n**[[4]]**', 4],
    ['ten', 'A model answer.\n[[10]]', 10],
    ['escaped brackets', 'Fine.\n\\[\\[6\\]\\]', 6],
    ['trailing period', 'It is correct and concise, so I give it [[8]].', 8],
    ['scale quoted earlier, last token wins', 'Scores run from [[1]] to [[10]]. This one gets the fee wrong.\n\n[[4]]', 4],
    ['two different scores in the final line', 'Hard to say.\n[[6]] or [[7]]', 'error'],
    ['thinking then score', '<think>Maybe [[9]]? No, the fee is wrong.</think>\nThe fee is wrong.\n[[5]]', 5],
    ['cut off while thinking', '<think>This looks like a [[8]], but', 'error'],
    ['score only inside the thinking', '<think>[[8]]</think>\nGood answer overall.', 'error'],
    ['fallback: label and number', 'Correct and clear.\nScore: 7', 7],
    ['fallback: bold label', 'Correct and clear.\n**Score:** 8', 8],
    ['fallback: out of ten', 'Correct and clear.\n7/10', 7],
    ['fallback: rating out of 10 in words', 'Correct and clear.\nRating: 7 out of 10', 7],
    ['fallback: in a sentence', 'Correct and clear.\nI would rate this answer 6/10.', 6],
    ['fallback: single brackets', 'Correct and clear.\nScore: [7]', 7],
    ['fallback: bare number', 'Correct and clear.\n8', 8],
    ['fallback not in the last line', 'Score: 7\nBut let me reconsider the fee first.', 'error'],
    ['zero', 'Harmful.\n[[0]]', 'error'],
    ['eleven', 'Perfect.\n[[11]]', 'error'],
    ['a half', 'Good.\n[[7.5]]', 'error'],
    ['negative', 'Bad.\n[[-2]]', 'error'],
    ['another scale', 'Good.\n[[4/5]]', 'error'],
    ['fallback out of range', 'Good.\nScore: 12', 'error'],
    ['no score', 'The answer has merits and weaknesses.', 'error'],
    ['placeholder echoed', 'Write the score as [[N]].', 'error'],
    ['empty', '   \n', 'error'],
    ['windows line ends', 'Accurate.\r\n\r\n[[7]]\r\n', 7],
  ];
  for (const [name, reply, expected] of shapes) {
    void it(`reads ${name}`, () => {
      assert.equal(scoreOf(reply), expected, reply);
    });
  }

  void it('gives the reasoning before the final token, without its label', () => {
    assert.deepEqual(parseScore('  The fee is wrong.\nThe office is right.\n\n**Final score:** [[4]]  '), {
      ok: true,
      score: 4,
      reasoning: 'The fee is wrong.\nThe office is right.',
    });
    assert.deepEqual(parseScore('<think>hmm</think>\nClear.\n[[8]]'), { ok: true, score: 8, reasoning: '<think>hmm</think>\nClear.' });
    assert.deepEqual(parseScore('Clear and correct.\nRating: 7 out of 10'), { ok: true, score: 7, reasoning: 'Clear and correct.' });
  });

  void it('explains a failure in a message, naming an out-of-range score', () => {
    const none = parseScore('No decision.');
    assert.ok(!none.ok);
    assert.match(none.message, /\[\[7\]\]/);
    const high = parseScore('[[11]]');
    assert.ok(!high.ok);
    assert.match(high.message, /11/);
  });

  void it('never throws, and a score is always a whole number from 1 to 10', () => {
    const piece = fc.constantFrom('[[7]]', '[[ 10 ]]', '[[0]]', '[[7.5]]', '[[3/10]]', 'Score: ', '7/10', ' out of 10', '<think>', '</think>', '\n', '**', '\\[', '-');
    const reply = fc.array(fc.oneof(fc.string({ maxLength: 20 }), piece), { maxLength: 12 }).map((parts) => parts.join(''));
    fc.assert(fc.property(reply, (text) => {
      const r = parseScore(text);
      if (r.ok) assert.ok(Number.isInteger(r.score) && r.score >= 1 && r.score <= 10, String(r.score));
      else assert.ok(r.message.length > 0);
    }));
  });
});

void describe('scoring rubric', () => {
  void it('is a valid prompt file at temperature 0 with the scoring placeholders', () => {
    const file = parsePromptFile(SCORE_RUBRIC);
    assert.deepEqual(file.problems, []);
    assert.equal(file.settings.temperature, 0);
    assert.equal(file.settings.maxTokens, 1000);
    assert.ok((file.settings.description ?? '').length > 0);
    assert.deepEqual(file.sections.map((s) => s.role), ['system', 'user']);
    assert.deepEqual([...file.variables].sort(), [...SCORE_PLACEHOLDERS].sort());
    for (const word of ['Accuracy', 'Relevance', 'Clarity', 'Usefulness', 'public-services', '[[6]]']) assert.ok(SCORE_RUBRIC.includes(word), word);
  });

  void it('does not reward stated fees or times, counts invented ones as errors, and never rewards shortness', () => {
    const system = parsePromptFile(SCORE_RUBRIC).sections.find((s) => s.role === 'system')?.text ?? '';
    // A rubric that asks for "what it costs, how long it takes" teaches the dataset to guess them.
    assert.doesNotMatch(system, /what it costs|how long it takes/i);
    assert.match(system, /invented\s+fee[^.]*error/i);
    assert.match(system, /where to check/i);
    assert.match(system, /Empathy:/);
    assert.doesNotMatch(system, /\bconcise\b|as short as|succinct/i);
  });

  void it('renders a pair, with a system prompt section only when there is one', () => {
    const pair = { question: 'How do I renew my ID?', answer: 'Go to the DMV. {{question}}' };
    const without = scoreMessages(SCORE_RUBRIC, pair);
    assert.deepEqual(without.messages.map((m) => m.role), ['system', 'user']);
    const user = without.messages[1]?.content ?? '';
    assert.ok(user.includes('[Question]\nHow do I renew my ID?'));
    assert.ok(user.includes('Go to the DMV. {{question}}'), 'values are not expanded again');
    assert.ok(!user.includes('System Prompt'));
    assert.ok(!user.includes('{{'.concat('system}}')));
    assert.equal(without.settings.temperature, 0);
    assert.ok(!(scoreMessages(SCORE_RUBRIC, { ...pair, system: '  ' }).messages[1]?.content ?? '').includes('System Prompt'));
    const withSystem = scoreMessages(SCORE_RUBRIC, { ...pair, system: 'You help residents of Ohio.' }).messages[1]?.content ?? '';
    assert.match(withSystem, /System Prompt\]\nYou help residents of Ohio\.\n/);
    assert.ok(withSystem.indexOf('You help residents') < withSystem.indexOf('How do I renew'));
  });

  void it('refuses a rubric with an unknown placeholder, like judgeMessages', () => {
    assert.throws(() => scoreMessages(LEAGUE_RUBRIC, { question: 'q', answer: 'a' }), PromptRenderError);
  });
});

void describe('score cache', () => {
  const base: ScoreKeyInput = { question: 'q', answer: 'a', system: 's', judge: 'judge/model', rubric: SCORE_RUBRIC };

  void it('gives a 16-hex-digit key that is stable and changes with every input', () => {
    const key = scoreKey(base);
    assert.match(key, /^[0-9a-f]{16}$/);
    assert.equal(scoreKey({ ...base }), key);
    const changed = [
      { ...base, question: 'q2' },
      { ...base, answer: 'a2' },
      { ...base, system: 's2' },
      { ...base, system: undefined },
      { ...base, judge: 'judge/other-model' },
      { ...base, rubric: `${SCORE_RUBRIC} ` },
      { ...base, question: 'a', answer: 'q' },
      { ...base, question: 'q","a', answer: '' },
    ].map(scoreKey);
    assert.equal(new Set([key, ...changed]).size, changed.length + 1);
    const noSystem: ScoreKeyInput = { question: base.question, answer: base.answer, judge: base.judge, rubric: base.rubric };
    assert.equal(scoreKey(noSystem), scoreKey({ ...base, system: '' }), 'no system prompt and an empty one render the same');
  });

  void it('changes with any one changed input, for random inputs', () => {
    const input = fc.record({ question: fc.string(), answer: fc.string(), system: fc.string(), judge: fc.string(), rubric: fc.string() });
    const field = fc.constantFrom('question', 'answer', 'system', 'judge', 'rubric');
    fc.assert(fc.property(input, field, fc.string({ minLength: 1 }), (value, name, extra) => {
      assert.equal(scoreKey({ ...value }), scoreKey(value));
      assert.notEqual(scoreKey({ ...value, [name]: value[name] + extra }), scoreKey(value));
    }));
  });

  void it('round-trips through its text, in a stable order', () => {
    const scores = new Map<string, CachedScore>([
      [scoreKey({ ...base, question: 'q2' }), { score: 3, reasoning: 'Wrong fee.\n"quoted"' }],
      [scoreKey(base), { score: 10, reasoning: '' }],
      [scoreKey({ ...base, question: 'q3' }), { score: 1, reasoning: 'Harmful.' }],
    ]);
    const text = writeScoreCache(scores);
    assert.ok(text.endsWith('}\n'));
    assert.deepEqual(Object.keys((JSON.parse(text) as { scores: object }).scores), [...scores.keys()].sort());
    const read = readScoreCache(text);
    assert.equal(read.problem, undefined);
    assert.deepEqual(read.scores, scores);
    assert.equal(writeScoreCache(new Map([...scores].reverse())), text);
  });

  void it('reads a missing file as empty without a problem', () => {
    assert.deepEqual(readScoreCache(undefined), { scores: new Map() });
    assert.deepEqual(readScoreCache(' \n'), { scores: new Map() });
  });

  void it('reads damaged text as empty with a problem, and skips damaged entries', () => {
    for (const text of ['{not json', '[]', 'null', '{"version": 1}', '{"version": 2, "scores": {}}', '{"scores": {}}']) {
      const r = readScoreCache(text);
      assert.equal(r.scores.size, 0, text);
      assert.ok(r.problem !== undefined && r.problem.length > 0, text);
    }
    const good = scoreKey(base);
    const one = readScoreCache(JSON.stringify({ version: 1, scores: { [good]: { score: 7, reasoning: 'ok' }, '0123456789abcdef': { score: 11, reasoning: '' } } }));
    assert.deepEqual([...one.scores.keys()], [good]);
    assert.match(one.problem ?? '', /^1 entry /);
    const partly = readScoreCache(JSON.stringify({
      version: 1,
      scores: { [good]: { score: 7, reasoning: 'ok' }, bad: { score: 7, reasoning: '' }, '0123456789abcdef': { score: 7.5, reasoning: '' }, fedcba9876543210: { score: 7 } },
    }));
    assert.deepEqual([...partly.scores.keys()], [good]);
    assert.match(partly.problem ?? '', /^3 entries/);
  });

  void it('refuses a file it cannot read as a whole, says why and what to do, and never as "scored again"', () => {
    const good = writeScoreCache(new Map([[scoreKey(base), { score: 7, reasoning: 'ok' }]]));
    const refused = (text: string): string => {
      const r = readScoreCache(text);
      assert.equal(r.unreadable, true, text);
      assert.equal(r.scores.size, 0);
      assert.doesNotMatch(r.problem ?? '', /scored again/, 'nothing is scored (and paid for) again over a file that is left alone');
      return r.problem ?? '';
    };
    // A merge of two branches' sidecars.
    const conflict = `<<<<<<< HEAD\n${good}=======\n${writeScoreCache(new Map([[scoreKey({ ...base, question: 'q2' }), { score: 3, reasoning: 'no' }]]))}>>>>>>> other-branch\n`;
    assert.match(refused(conflict), /merge conflict markers.*resolve the conflict/i);
    assert.match(refused('<<<<<<< ours\n{}\n||||||| base\n{}\n=======\n{}\n>>>>>>> theirs\n'), /merge conflict markers/, 'diff3 style');
    assert.match(refused('{"version": 2, "scores": {}}'), /newer version of TuneLab \(score cache version 2; this one reads 1\).*update TuneLab/i);
    assert.match(refused('{not json'), /not valid JSON.*fix it or delete it/i);
    assert.match(refused('[]'), /not a TuneLab score cache/);
    assert.match(refused('{"version": 1}'), /no "scores" object/);
    assert.match(refused('{"version": 0, "scores": {}}'), /version 0, not 1/);
    // Damaged entries of a readable file are skipped; the file is still readable.
    const partly = readScoreCache(JSON.stringify({ version: 1, scores: { [scoreKey(base)]: { score: 7, reasoning: 'ok' }, bad: { score: 7, reasoning: '' } } }));
    assert.equal(partly.unreadable, undefined);
    assert.equal(readScoreCache(good).unreadable, undefined);
  });

  void it('never throws on any text', () => {
    fc.assert(fc.property(fc.oneof(fc.string(), fc.json()), (text) => {
      readScoreCache(text);
    }));
  });
});

void describe('belowThreshold', () => {
  void it('gives the scored lines strictly below the threshold, ascending, and never an unscored one', () => {
    const rows = [
      { line: 5, score: 3 },
      { line: 0, score: 7 },
      { line: 2, score: undefined },
      { line: 1, score: 6 },
      { line: 9, score: 1 },
      { line: 4, score: 10 },
    ];
    assert.deepEqual(belowThreshold(rows, 7), [1, 5, 9]);
    assert.deepEqual(belowThreshold(rows, 1), []);
    assert.deepEqual(belowThreshold(rows, 11), [0, 1, 4, 5, 9]);
    assert.deepEqual(belowThreshold([], 5), []);
  });
});

/** A document as its lines, line break and final newline, in the form `splitLines` gives back. */
const documents = fc
  .record({
    lines: fc.array(fc.stringMatching(/^[a-z{}":é ]{0,6}$/), { maxLength: 8 }),
    eol: fc.constantFrom('\n', '\r\n'),
    finalNewline: fc.boolean(),
  })
  // Without a final newline a last empty line is no line at all ("a\n" is one line), and one empty line is an empty file.
  .filter(({ lines, finalNewline }) => finalNewline || lines.length === 0 || lines.at(-1) !== '');

function textOf(lines: readonly string[], eol: string, finalNewline: boolean): string {
  return lines.length === 0 ? '' : lines.join(eol) + (finalNewline ? eol : '');
}

void describe('rejectionEdit', () => {
  void it('removes exactly the chosen lines, keeps the rest byte for byte, and appends the removed ones', () => {
    const cases = documents.chain((doc) => fc.tuple(fc.constant(doc), fc.subarray(doc.lines.map((_, i) => i))));
    fc.assert(fc.property(cases, ([{ lines, eol, finalNewline }, chosen]) => {
      const text = textOf(lines, eol, finalNewline);
      const edit = rejectionEdit(text, [...chosen].reverse(), undefined);
      const removed = new Set(chosen);
      const kept = lines.filter((_, i) => !removed.has(i));
      assert.equal(applyDeletions(text, edit.deletions), textOf(kept, eol, finalNewline));
      // A document without any line break (one line, no final newline) takes LF.
      const own = /[\r\n]/.test(text) ? eol : '\n';
      assert.equal(edit.appended, chosen.map((i) => `${lines[i] ?? ''}${own}`).join(''));
      // At most one deletion per run of adjacent lines, in order, never touching each other.
      const runs = chosen.filter((l, k) => k === 0 || chosen[k - 1] !== l - 1).length;
      assert.ok(edit.deletions.length <= runs);
      assert.ok(edit.deletions.length >= Math.min(runs, 1));
      edit.deletions.forEach((d, k) => {
        assert.ok(d.start < d.end);
        const previous = edit.deletions[k - 1];
        if (previous !== undefined) assert.ok(previous.end < d.start);
      });
    }), { numRuns: 500 });
  });

  void it('keeps each line its own line break in a file with mixed ones', () => {
    const text = 'a\r\nb\nc\r\nd';
    const edit = rejectionEdit(text, [1], '');
    assert.equal(applyDeletions(text, edit.deletions), 'a\r\nc\r\nd');
    assert.equal(edit.appended, 'b\r\n');
    const last = rejectionEdit(text, [3], '');
    assert.equal(applyDeletions(text, last.deletions), 'a\r\nb\nc');
    assert.deepEqual(last.deletions, [{ start: 6, end: 9 }]);
  });

  void it('merges adjacent lines and takes the break before a removed last line without one', () => {
    const text = '{"a":1}\n{"b":2}\n{"c":3}\n{"d":4}';
    const edit = rejectionEdit(text, [3, 0, 2, 2, 7, -1], undefined);
    assert.deepEqual(edit.deletions, [{ start: 0, end: 8 }, { start: 15, end: 31 }]);
    assert.equal(applyDeletions(text, edit.deletions), '{"b":2}');
    assert.equal(edit.appended, '{"a":1}\n{"c":3}\n{"d":4}\n');
    assert.deepEqual(rejectionEdit(text, [], 'x'), { deletions: [], appended: '' });
    // The kept empty line between the runs gives up only its break, so the two ranges meet.
    const gap = rejectionEdit('\n\n\nx', [1, 3], undefined);
    assert.deepEqual(gap.deletions, [{ start: 1, end: 4 }]);
    assert.equal(applyDeletions('\n\n\nx', gap.deletions), '\n');
  });

  void it('starts the appended text on a new line of the rejected file', () => {
    const text = 'a\nb\n';
    assert.equal(rejectionEdit(text, [1], undefined).appended, 'b\n');
    assert.equal(rejectionEdit(text, [1], '').appended, 'b\n');
    assert.equal(rejectionEdit(text, [1], 'old\n').appended, 'b\n');
    assert.equal(rejectionEdit(text, [1], 'old\r\n').appended, 'b\n');
    assert.equal(rejectionEdit(text, [1], 'old').appended, '\nb\n');
    assert.equal(rejectionEdit('a\r\nb', [1], 'old').appended, '\r\nb\r\n');
    assert.equal(rejectionEdit('a', [0], 'old\r\n').appended, 'a\r\n', "a document without a break follows the rejected file's");
  });

  void it('keeps a byte order mark when the first line goes', () => {
    const text = '\uFEFFa\nb\n';
    const edit = rejectionEdit(text, [0], undefined);
    assert.equal(applyDeletions(text, edit.deletions), '\uFEFFb\n');
    assert.equal(edit.appended, 'a\n');
  });
});

/** The folder a path is in, with either separator. */
function folderOf(path: string): string {
  return path.slice(0, Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')));
}

void describe('rejectedPathFor: rejected rows outside the folder that is trained on', () => {
  // JumpStart trains on every .jsonl in the training folder ("All training data must be in a
  // single folder, however it can be saved in multiple jsonl files": aws/amazon-sagemaker-examples,
  // introduction_to_amazon_algorithms/jumpstart-foundation-models/llama-3-finetuning.ipynb), and
  // `aws s3 sync` copies a folder recursively (https://docs.aws.amazon.com/cli/latest/reference/s3/sync.html),
  // so the rejected rows go under the workspace's own .tunelab/rejected/, never in the dataset's folder.
  const cases: readonly (readonly [string, string | undefined, string])[] = [
    ['/ws/data/train.jsonl', '/ws', '/ws/.tunelab/rejected/data/train.rejected.jsonl'],
    ['/ws/data/train.jsonl', '/ws/', '/ws/.tunelab/rejected/data/train.rejected.jsonl'],
    ['/ws/a/b/v1.2.train.jsonl', '/ws', '/ws/.tunelab/rejected/a/b/v1.2.train.rejected.jsonl'],
    ['/ws/train.jsonl', '/ws', '/ws/.tunelab/rejected/train.rejected.jsonl'],
    ['C:\\ws\\data\\train.JSONL', 'C:\\ws', 'C:\\ws\\.tunelab\\rejected\\data\\train.rejected.JSONL'],
    ['/ws/data/train.json', '/ws', '/ws/.tunelab/rejected/data/train.json.rejected.jsonl'],
    // Not inside the root ("/wsx" is not under "/ws"), or no root: the dataset's own folder's .tunelab.
    ['/wsx/data/train.jsonl', '/ws', '/wsx/data/.tunelab/rejected/train.rejected.jsonl'],
    ['/elsewhere/train.jsonl', undefined, '/elsewhere/.tunelab/rejected/train.rejected.jsonl'],
    ['train.jsonl', undefined, '.tunelab/rejected/train.rejected.jsonl'],
  ];
  for (const [path, root, expected] of cases) {
    void it(`${path} in ${root ?? 'no workspace folder'} → ${expected}`, () => {
      assert.equal(rejectedPathFor(path, root), expected);
    });
  }

  void it('never puts the rejected file in or under the folder of a dataset below the root', () => {
    const segment = fc.stringMatching(/^[a-z0-9_-]{1,6}$/);
    fc.assert(fc.property(fc.array(segment, { minLength: 1, maxLength: 4 }), segment, (dirs, name) => {
      const dataset = `/ws/${dirs.join('/')}/${name}.jsonl`;
      const rejected = rejectedPathFor(dataset, '/ws');
      assert.ok(!rejected.startsWith(`${folderOf(dataset)}/`), rejected);
      assert.ok(rejected.startsWith('/ws/.tunelab/rejected/'), rejected);
      assert.equal(rejectedInsideDatasetFolder(dataset, '/ws'), false);
    }));
  });

  void it('says when the rejected file must share the dataset\'s folder: a dataset at the root, or outside any', () => {
    assert.equal(rejectedInsideDatasetFolder('/ws/train.jsonl', '/ws'), true);
    assert.equal(rejectedInsideDatasetFolder('/elsewhere/train.jsonl', undefined), true);
    assert.equal(rejectedInsideDatasetFolder('/ws/data/train.jsonl', '/ws'), false);
  });
});

void describe('legacyRejectedPathFor: where earlier versions put rejected rows, to move them', () => {
  const cases: readonly (readonly [string, string])[] = [
    ['data/train.jsonl', 'data/train.rejected.jsonl'],
    ['train.jsonl', 'train.rejected.jsonl'],
    ['C:\\data\\train.JSONL', 'C:\\data\\train.rejected.JSONL'],
    ['data/train.json', 'data/train.json.rejected.jsonl'],
    ['data/train', 'data/train.rejected.jsonl'],
    ['data.jsonl/train', 'data.jsonl/train.rejected.jsonl'],
    ['data.jsonl\\train', 'data.jsonl\\train.rejected.jsonl'],
    ['data/v1.2.train.jsonl', 'data/v1.2.train.rejected.jsonl'],
    ['data/.jsonl', 'data/.jsonl.rejected.jsonl'],
  ];
  for (const [path, expected] of cases) {
    void it(`${path} → ${expected}`, () => {
      assert.equal(legacyRejectedPathFor(path), expected);
    });
  }
});

void describe('isRejectedPath: files that are no training data', () => {
  void it('knows rejected files, old and new, and anything in a .tunelab folder', () => {
    for (const path of ['/ws/data/train.rejected.jsonl', '/ws/.tunelab/rejected/data/train.rejected.jsonl', 'C:\\ws\\data\\train.REJECTED.JSONL', '/ws/data/.tunelab/notes.jsonl', '.tunelab/a.jsonl']) {
      assert.equal(isRejectedPath(path), true, path);
    }
    for (const path of ['/ws/data/train.jsonl', '/ws/data/rejected.jsonl', '/ws/data/train.rejected.json', '/ws/tunelab/a.jsonl', '/ws/my.tunelab/a.jsonl']) {
      assert.equal(isRejectedPath(path), false, path);
    }
  });
});

void describe('rejectedMigration: the rows of an old rejected file appended to the new one', () => {
  const rows = fc.array(fc.stringMatching(/^[a-z{}":é ]{1,6}$/).filter((l) => l.trim() !== ''), { maxLength: 6 });
  const texts = fc.record({ lines: rows, eol: fc.constantFrom('\n', '\r\n'), finalNewline: fc.boolean(), bom: fc.boolean() });

  void it('moves every row exactly once, in order, and leaves the new file\'s rows as they were', () => {
    fc.assert(fc.property(texts, fc.option(texts, { nil: undefined }), (legacy, target) => {
      const legacyText = (legacy.bom ? '\uFEFF' : '') + textOf(legacy.lines, legacy.eol, legacy.finalNewline);
      const targetText = target === undefined ? undefined : textOf(target.lines, target.eol, target.finalNewline);
      const moved = rejectedMigration(legacyText, targetText);
      const merged = (targetText ?? '') + moved.appended;
      assert.ok(merged.startsWith(targetText ?? ''));
      const nonBlank = (t: string): string[] => t.split(/\r\n|\n|\r/).filter((l) => l.trim() !== '');
      assert.deepEqual(nonBlank(merged), [...(target?.lines ?? []), ...legacy.lines]);
      assert.equal(moved.rows, legacy.lines.length);
      // Whole lines only: the result ends with a line break whenever a row was appended.
      if (legacy.lines.length > 0) assert.match(merged, /(\r\n|\n)$/);
      else assert.equal(moved.appended, '');
    }), { numRuns: 300 });
  });

  void it('follows the new file\'s line breaks, and starts on a line of its own', () => {
    assert.deepEqual(rejectedMigration('a\nb\n', 'x\r\n'), { appended: 'a\r\nb\r\n', rows: 2 });
    assert.deepEqual(rejectedMigration('a\r\nb', 'x'), { appended: '\r\na\r\nb\r\n', rows: 2 });
    assert.deepEqual(rejectedMigration('\uFEFFa\n\n  \nb', undefined), { appended: 'a\nb\n', rows: 2 });
    assert.deepEqual(rejectedMigration('', 'x\n'), { appended: '', rows: 0 });
  });
});

void describe('moveRows: rejected rows are never in neither file', () => {
  type Step = 'write' | 'remove' | 'save';
  const names = { rows: '3 rows', source: 'data/train.jsonl', destination: '.tunelab/rejected/data/train.rejected.jsonl' };

  /**
   * A dataset and its rejected file, on disk and in the editor, moved by steps that fail where told.
   * Returns the outcome, the steps run in order, and where the rows are on disk.
   */
  async function simulate(failAt: Step | undefined, datasetDirty = false): Promise<{ outcome: RowMoveOutcome; calls: Step[]; onDisk: { dataset: boolean; rejected: boolean } }> {
    const calls: Step[] = [];
    const disk = { dataset: true, rejected: false };
    let inEditor = true;
    const fail = (step: Step): void => {
      calls.push(step);
      if (failAt === step) throw new Error(`${step} failed.`);
    };
    const steps: RowMoveSteps = {
      writeDestination: () => { fail('write'); disk.rejected = true; return Promise.resolve(); },
      removeFromSource: () => { fail('remove'); inEditor = false; return Promise.resolve(); },
      saveSource: () => {
        fail('save');
        if (datasetDirty) return Promise.resolve('kept-unsaved' as const);
        disk.dataset = inEditor;
        return Promise.resolve('saved' as const);
      },
    };
    const outcome = await moveRows(steps);
    return { outcome, calls, onDisk: disk };
  }

  void it('writes and confirms the rejected file before it touches the dataset', async () => {
    const run = await simulate(undefined);
    assert.deepEqual(run.calls, ['write', 'remove', 'save']);
    assert.deepEqual(run.outcome, { state: 'moved' });
    assert.deepEqual(run.onDisk, { dataset: false, rejected: true });
    assert.equal(rowMoveProblem(run.outcome, names), undefined);
  });

  void it('leaves the dataset untouched when the rejected file cannot be written, and says what to do', async () => {
    const run = await simulate('write');
    assert.deepEqual(run.calls, ['write'], 'the dataset is never touched');
    assert.deepEqual(run.outcome, { state: 'not-moved', reason: 'write failed' });
    assert.deepEqual(run.onDisk, { dataset: true, rejected: false });
    assert.equal(
      rowMoveProblem(run.outcome, names),
      'Nothing was moved: the 3 rows could not be written to .tunelab/rejected/data/train.rejected.jsonl (write failed). They are still in data/train.jsonl, unchanged. Make .tunelab/rejected/data/train.rejected.jsonl writable (or save or revert it), then run Move Rows Below Score again.',
    );
  });

  void it('reports rows in both files, with the next step, when the dataset cannot be edited or saved', async () => {
    const refused = await simulate('remove');
    assert.deepEqual(refused.calls, ['write', 'remove']);
    assert.deepEqual(refused.outcome, { state: 'in-both', step: 'remove', reason: 'remove failed' });
    assert.deepEqual(refused.onDisk, { dataset: true, rejected: true });
    assert.match(rowMoveProblem(refused.outcome, names) ?? '', /in both files now\. Delete them from data\/train\.jsonl by hand to finish the move/);

    const unsaved = await simulate('save');
    assert.deepEqual(unsaved.outcome, { state: 'in-both', step: 'save', reason: 'save failed' });
    assert.deepEqual(unsaved.onDisk, { dataset: true, rejected: true });
    assert.match(rowMoveProblem(unsaved.outcome, names) ?? '', /could not be saved \(save failed\): on disk they are in both files\. Save data\/train\.jsonl to finish the move/);

    const dirty = await simulate(undefined, true);
    assert.deepEqual(dirty.outcome, { state: 'moved-unsaved' });
    assert.match(rowMoveProblem(dirty.outcome, names) ?? '', /had unsaved changes, so it was not saved: save it to finish the move/);
  });

  void it('never leaves a row in neither file, whichever step fails', async () => {
    for (const failAt of [undefined, 'write', 'remove', 'save'] as const) {
      for (const dirty of [false, true]) {
        const { onDisk } = await simulate(failAt, dirty);
        assert.ok(onDisk.dataset || onDisk.rejected, `${failAt ?? 'no failure'}${dirty ? ', dataset dirty' : ''}`);
      }
    }
  });
});

void describe('scoreSummary', () => {
  void it('counts, averages and makes a histogram from 1 to 10', () => {
    const s = scoreSummary([1, 10, 7, 7, 4]);
    assert.equal(s.n, 5);
    assert.equal(s.mean, 29 / 5);
    assert.deepEqual(s.histogram, [1, 0, 0, 1, 0, 0, 2, 0, 0, 1]);
  });

  void it('has no mean without scores', () => {
    assert.deepEqual(scoreSummary([]), { n: 0, mean: undefined, histogram: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0] });
  });
});

void describe('scoresPathFor', () => {
  const cases: readonly (readonly [string, string])[] = [
    ['data/train.jsonl', 'data/.tunelab/train.jsonl.scores.json'],
    ['/w/data/train.jsonl', '/w/data/.tunelab/train.jsonl.scores.json'],
    ['train.jsonl', '.tunelab/train.jsonl.scores.json'],
    ['C:\\w\\train.jsonl', 'C:\\w\\.tunelab\\train.jsonl.scores.json'],
  ];
  for (const [path, expected] of cases) {
    void it(`${path} → ${expected}`, () => {
      assert.equal(scoresPathFor(path), expected);
    });
  }
});

void describe('score cache setup', () => {
  const setup: ScoreSetup = { judge: 'judge/model', endpoint: 'judge', rubricName: 'default', rubric: SCORE_RUBRIC };
  const scores = new Map<string, CachedScore>([[scoreKey({ question: 'q', answer: 'a', judge: setup.judge, rubric: setup.rubric }), { score: 4, reasoning: 'Vague.' }]]);

  void it('keeps the setup of the last run beside the scores', () => {
    const text = writeScoreCache(scores, setup);
    assert.deepEqual(Object.keys(JSON.parse(text) as object), ['version', 'setup', 'scores']);
    assert.deepEqual(readScoreCache(text), { scores, setup });
    assert.ok(!writeScoreCache(scores).includes('"setup"'), 'no setup is written when none is given');
  });

  void it('drops a damaged setup but keeps the scores', () => {
    const text = JSON.stringify({ version: 1, setup: { judge: 3, endpoint: 'j', rubricName: 'default', rubric: 'r' }, scores: Object.fromEntries(scores) });
    const read = readScoreCache(text);
    assert.equal(read.setup, undefined);
    assert.equal(read.problem, undefined);
    assert.deepEqual(read.scores, scores);
  });
});

void describe('rows to score', () => {
  void it('takes question, answer and system from any dataset format, and lists records without an answer', () => {
    const text = [
      '{"instruction": "How do I renew my ID?", "context": "", "response": "At the DMV."}',
      '{"instruction": "Where do I vote?", "context": "I live in Ohio.", "response": "At your polling place."}',
      '{"instruction": "Unanswered?", "context": "", "response": ""}',
      'not json',
      '{"instruction": "Fees?", "context": "", "response": "Twenty dollars."}',
    ].join('\n');
    const { rows, noAnswer } = scoreRowsOf(readEvalSet(text, {}, 'jumpstart-instruction').items);
    assert.deepEqual(rows, [
      { line: 0, question: 'How do I renew my ID?', answer: 'At the DMV.' },
      { line: 1, question: 'Where do I vote?\n\nI live in Ohio.', answer: 'At your polling place.' },
      { line: 4, question: 'Fees?', answer: 'Twenty dollars.' },
    ]);
    assert.deepEqual(noAnswer, [2]);
    const chat = '{"messages": [{"role": "system", "content": "Be kind."}, {"role": "user", "content": "Hi?"}, {"role": "assistant", "content": "Hello."}]}';
    assert.deepEqual(scoreRowsOf(readEvalSet(chat, {}).items).rows, [{ line: 0, question: 'Hi?', answer: 'Hello.', system: 'Be kind.' }]);
  });

  void it('keys a row as scoreKey does, and looks scores up by line', () => {
    const setup = { judge: 'j/m', rubric: SCORE_RUBRIC };
    const rows: ScoreRow[] = [{ line: 0, question: 'q', answer: 'a' }, { line: 3, question: 'q', answer: 'b', system: 's' }];
    assert.equal(rowKey(rows[1] ?? { line: 0, question: '', answer: '' }, setup), scoreKey({ question: 'q', answer: 'b', system: 's', ...setup }));
    const scores = new Map([[rowKey({ question: 'q', answer: 'a' }, setup), { score: 3, reasoning: '' }]]);
    assert.deepEqual(scoredRowsOf(rows, setup, scores), [{ line: 0, score: 3 }, { line: 3, score: undefined }]);
  });

  void it('reads a score and a run\'s outcome in words', () => {
    assert.equal(scoreLabel(7), 'score 7/10');
    assert.equal(scoringLine([8, 8, 2, 7, 7], 5), 'Scored 5 rows: mean 6.4; 1 below 5.');
    assert.equal(scoringLine([3], 5), 'Scored 1 row: mean 3.0; 1 below 5.');
    assert.equal(scoringLine([], 5), 'No rows are scored.');
  });

  void it('refuses a rubric that cannot score a row', () => {
    assert.equal(scoreRubricError(SCORE_RUBRIC), undefined);
    assert.match(scoreRubricError(LEAGUE_RUBRIC) ?? '', /no value here/);
    assert.match(scoreRubricError('---\ntemperature: 0\n---\nsystem:\nGrade.\n') ?? '', /no user section/);
  });
});

// ---------------------------------------------------------------------------------------------
// Scoring against an OpenAI-compatible server

interface ScoreRequest {
  readonly question: string;
  readonly answer: string;
  /** The system prompt section's text, '' when there is none. */
  readonly system: string;
  /** True when the request is the follow-up asking for the score alone. */
  readonly followUp: boolean;
}

function between(text: string, start: string, end: string): string {
  const from = text.indexOf(start);
  const to = text.indexOf(end, from + start.length);
  return from < 0 || to < 0 ? '' : text.slice(from + start.length, to).trim();
}

function scoreRequestOf(body: Record<string, unknown>): ScoreRequest {
  const user = userText(body);
  const messages = Array.isArray(body['messages']) ? body['messages'] as { role?: unknown; content?: unknown }[] : [];
  return {
    question: between(user, '[Question]\n', '\n\n[The Start of the Answer]'),
    answer: between(user, '[The Start of the Answer]', '[The End of the Answer]'),
    system: between(user, '[The Start of the System Prompt]', '[The End of the System Prompt]'),
    followUp: messages.at(-1)?.role === 'user' && messages.some((m) => m.role === 'assistant'),
  };
}

/** A judge that sees quality: an answer marked "[bad]" gets 2, any other 8. */
function marked(r: ScoreRequest): string {
  return r.answer.includes('[bad]') ? `The answer to "${r.question}" is wrong.\n\n[[2]]` : `The answer to "${r.question}" is correct and clear.\n\n[[8]]`;
}

interface ScoreRig {
  readonly peer: OpenAIPeer;
  score(rows: readonly ScoreRow[], options?: { cache?: Map<string, CachedScore>; rubric?: string; signal?: AbortSignal; judge?: string; concurrency?: number; onScored?: () => void }): Promise<ScoreRunResult>;
}

async function withScorer(policy: (r: ScoreRequest) => string, fn: (rig: ScoreRig) => Promise<void>, peerOptions: OpenAIPeerOptions = {}): Promise<void> {
  const responder = (body: Record<string, unknown>): PeerReply => ({ content: policy(scoreRequestOf(body)) });
  const peer = new OpenAIPeer({ responder, ...peerOptions });
  const running = await peer.start();
  try {
    const endpoint = createOpenAIEndpoint({ id: 'judge', apiKey: 'sk-test', model: 'judge-model', baseURL: `${running.url}/v1` });
    const ask = askThrough(new Scheduler({ maxConcurrent: 8, maxAttempts: 3, backoffBaseMs: 1, backoffCapMs: 5 }), endpoint);
    await fn({
      peer,
      score: (rows, o = {}) => runScoring({
        rows,
        ask,
        judge: o.judge ?? 'judge/judge-model',
        rubric: o.rubric ?? SCORE_RUBRIC,
        cache: o.cache ?? new Map<string, CachedScore>(),
        signal: o.signal ?? new AbortController().signal,
        ...(o.concurrency === undefined ? {} : { concurrency: o.concurrency }),
        ...(o.onScored === undefined ? {} : { onScored: o.onScored }),
      }),
    });
  } finally {
    await running.close();
  }
}

/** `n` rows whose answer is `answer(i)`. */
function scoreRows(n: number, answer: (i: number) => string): ScoreRow[] {
  return Array.from({ length: n }, (_, i) => ({ line: i, question: `How do I renew permit ${i}?`, answer: answer(i) }));
}

void describe('scoring against an OpenAI-compatible server', () => {
  void it('scores each row once at the rubric\'s settings, in row order, and the low rows are found', async () => {
    await withScorer(marked, async (rig) => {
      const rows = scoreRows(10, (i) => (i % 3 === 0 ? `[bad] Nobody knows ${i}.` : `Go to the county office ${i}.`));
      const seen: number[] = [];
      const cache = new Map<string, CachedScore>();
      const aborted = await rig.score(rows, { signal: AbortSignal.abort() });
      assert.deepEqual([aborted.cancelled, aborted.scored.length, aborted.asked], [true, 0, 0], 'an aborted signal asks nothing');

      const run = await rig.score(rows, { cache });
      for (const r of run.scored) seen.push(r.row.line);
      assert.equal(run.cancelled, false);
      assert.equal(run.asked, 10);
      assert.deepEqual(seen, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
      assert.deepEqual(run.scored.map((r) => (r.ok ? r.score : r.error)), [2, 8, 8, 2, 8, 8, 2, 8, 8, 2]);
      const first = run.scored[0];
      assert.ok(first?.ok === true && !first.cached);
      assert.equal(first.reasoning, 'The answer to "How do I renew permit 0?" is wrong.');
      assert.equal(first.key, rowKey(rows[0] ?? { line: 0, question: '', answer: '' }, { judge: 'judge/judge-model', rubric: SCORE_RUBRIC }));
      assert.equal(cache.size, 10);
      const bodies = rig.peer.chatBodies;
      assert.ok(bodies.every((b) => b['temperature'] === 0 && b['max_tokens'] === 1000 && b['response_format'] === undefined), 'the rubric\'s settings are sent, as text');
      assert.deepEqual(bodies.map((b) => scoreRequestOf(b).question).sort(), rows.map((r) => r.question).sort());
      assert.deepEqual(belowThreshold(scoredRowsOf(rows, { judge: 'judge/judge-model', rubric: SCORE_RUBRIC }, cache), 5), [0, 3, 6, 9]);
    });
  });

  void it('sends the row\'s system prompt in its own section', async () => {
    await withScorer(marked, async (rig) => {
      await rig.score([{ line: 0, question: 'Q?', answer: 'A.', system: 'You help residents of Ohio.' }, { line: 1, question: 'R?', answer: 'B.' }]);
      const requests = rig.peer.chatBodies.map(scoreRequestOf).sort((a, b) => a.question.localeCompare(b.question));
      assert.deepEqual(requests.map((r) => [r.question, r.answer, r.system]), [['Q?', 'A.', 'You help residents of Ohio.'], ['R?', 'B.', '']]);
    });
  });

  void it('a second run asks only about what changed, and a different rubric or judge asks again', async () => {
    await withScorer(marked, async (rig) => {
      const cache = new Map<string, CachedScore>();
      const rows = scoreRows(6, (i) => `Answer ${i}.`);
      const first = await rig.score(rows, { cache });
      assert.deepEqual([first.asked, first.fromCache, cache.size], [6, 0, 6]);

      // Through the sidecar file's text, as the editor keeps it.
      const reread = readScoreCache(writeScoreCache(cache)).scores;
      const again = await rig.score(rows, { cache: reread });
      assert.deepEqual([again.asked, again.fromCache], [0, 6]);
      assert.ok(again.scored.every((r) => r.ok && r.cached && r.score === 8));

      // One answer edited: only its row is asked about.
      const edited = rows.map((row, i) => (i === 2 ? { ...row, answer: '[bad] Edited.' } : row));
      const third = await rig.score(edited, { cache: reread });
      assert.deepEqual([third.asked, third.fromCache], [1, 5]);
      assert.deepEqual(third.scored.map((r) => (r.ok ? r.score : 0)), [8, 8, 2, 8, 8, 8]);

      const other = `${SCORE_RUBRIC}\nBe strict.\n`;
      assert.equal((await rig.score(rows, { cache: reread, rubric: other })).asked, 6, 'another rubric asks again');
      assert.equal((await rig.score(rows, { cache: reread, judge: 'judge/other-model' })).asked, 6, 'another judge asks again');
    });
  });

  void it('asks about a pair repeated in the dataset once', async () => {
    await withScorer(marked, async (rig) => {
      const rows = [...scoreRows(3, (i) => `Answer ${i}.`), ...scoreRows(3, (i) => `Answer ${i}.`).map((r) => ({ ...r, line: r.line + 3 }))];
      const result = await rig.score(rows, { concurrency: 6 });
      assert.equal(result.asked, 3);
      assert.deepEqual(result.scored.map((r) => [r.row.line, r.ok ? r.score : 0]), [[0, 8], [1, 8], [2, 8], [3, 8], [4, 8], [5, 8]]);
      assert.equal(rig.peer.chatBodies.length, 3);
    });
  });

  void it('an unreadable reply is asked about once more with the reply; a second one is an error, never cached', async () => {
    let followUps = 0;
    const policy = (r: ScoreRequest): string => {
      if (r.followUp) {
        followUps++;
        // Row 1's judge recovers when asked for the score alone; row 2's never does.
        return r.question.endsWith('1?') ? '[[4]]' : 'I would rather not say.';
      }
      if (r.question.endsWith('1?') || r.question.endsWith('2?')) return 'It has merits and weaknesses.';
      return 'Fine.\n[[9]]';
    };
    await withScorer(policy, async (rig) => {
      const cache = new Map<string, CachedScore>();
      const result = await rig.score(scoreRows(3, (i) => `Answer ${i}.`), { cache });
      assert.equal(followUps, 2);
      assert.equal(result.asked, 5);
      const [zero, one, two] = result.scored;
      assert.ok(zero?.ok === true && zero.score === 9);
      assert.ok(one?.ok === true);
      assert.equal(one.score, 4);
      assert.equal(one.reasoning, 'It has merits and weaknesses.', 'the first reply\'s reasoning is kept');
      assert.ok(two?.ok === false);
      assert.match(two.error, /gave no score.*Asked again: The judge gave no score/);
      assert.equal(cache.size, 2, 'the error is not cached');
      const followBody = rig.peer.chatBodies.find((b) => scoreRequestOf(b).followUp);
      assert.ok(followBody !== undefined);
      const messages = followBody['messages'] as { role: string; content: string }[];
      assert.equal(messages.at(-1)?.content, SCORE_AGAIN);
      assert.match(SCORE_AGAIN, /\[\[N\]\]/);
      assert.equal(messages.at(-2)?.role, 'assistant');
      assert.equal(messages.at(-2)?.content, 'It has merits and weaknesses.');
    });
  });

  void it('a judge scoring off the scale is an error naming the score', async () => {
    await withScorer(() => 'Perfect.\n[[11]]', async (rig) => {
      const [only] = (await rig.score(scoreRows(1, () => 'A.'))).scored;
      assert.ok(only?.ok === false);
      assert.match(only.error, /11 is not a whole number from 1 to 10/);
    });
  });

  void it('a failing judge endpoint reports the rows as errors with the reason, and nothing is cached', async () => {
    await withScorer(marked, async (rig) => {
      const cache = new Map<string, CachedScore>();
      const result = await rig.score(scoreRows(2, () => 'a'), { cache });
      assert.equal(result.scored.length, 2);
      for (const r of result.scored) {
        assert.ok(!r.ok);
        assert.match(r.error, /400|invalid/i);
      }
      assert.equal(cache.size, 0);
    }, { responder: () => ({ status: 400, error: { message: 'invalid model', type: 'invalid_request_error' } }) });
  });

  void it('a rubric that cannot be rendered throws before anything is asked', async () => {
    await withScorer(marked, async (rig) => {
      await assert.rejects(rig.score(scoreRows(2, () => 'a'), { rubric: LEAGUE_RUBRIC }), /no value here/);
      assert.equal(rig.peer.chatBodies.length, 0);
    });
  });

  void it('cancelling stops at once: finished rows are kept, the rest neither reported nor asked', async () => {
    await withScorer(marked, async (rig) => {
      const controller = new AbortController();
      const cache = new Map<string, CachedScore>();
      const rows = scoreRows(60, (i) => `Answer ${i}.`);
      let reported = 0;
      let cancelledAt = 0;
      const result = await rig.score(rows, {
        cache,
        signal: controller.signal,
        concurrency: 4,
        onScored: () => {
          if (++reported === 5) { cancelledAt = Date.now(); controller.abort(); }
        },
      });
      assert.ok(Date.now() - cancelledAt < 40, 'the run ends at once, not after the requests in flight');
      assert.equal(result.cancelled, true);
      // Rows whose reply had already arrived may still be reported; the rest are not.
      assert.ok(result.scored.length >= 5 && result.scored.length < 9, `scored ${result.scored.length}`);
      assert.ok(result.scored.every((r) => r.ok && r.score === 8));
      assert.equal(cache.size, result.scored.length);
      await new Promise((resolve) => setTimeout(resolve, 100));
      // At most the four in flight at the cancel were asked beyond those reported.
      assert.ok(result.asked < result.scored.length + 4 && rig.peer.chatBodies.length <= result.asked, `asked ${result.asked}`);
    }, { latencyMs: 40 });
  });
});
