import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { combine, summarize, type PairOutcome, type PairResult } from '../../src/core/judge/aggregate';
import { firstLinkOn } from '../../src/core/workspacePath';
import { readVerdictCache, rubricNameProblem, setupWithJudge, verdictKey, writeVerdictCache, type CachedVerdict, type JudgeSetup, type VerdictKeyInput } from '../../src/core/judge/cache';
import { judgeNameOf, parseEndpoints } from '../../src/endpoints/config';
import { HUMAN_PREFERENCE_RUBRIC, JUDGE_PLACEHOLDERS, LEAGUE_RUBRIC, judgeMessages } from '../../src/core/judge/prompts';
import { parseVerdict, type Verdict } from '../../src/core/judge/verdict';
import { parsePromptFile } from '../../src/core/prompts/promptFile';

function verdictOf(reply: string): Verdict | 'error' {
  const r = parseVerdict(reply);
  return r.ok ? r.verdict : 'error';
}

void describe('parseVerdict', () => {
  const shapes: readonly (readonly [string, string, Verdict | 'error'])[] = [
    ['token at the end', 'Assistant A cites the right office and fee.\n\n[[A]]', 'A'],
    ['tie token', 'Both answers are equally correct and clear.\n[[C]]', 'C'],
    ['bold token', 'B gives concrete steps.\n\n**[[B]]**', 'B'],
    ['bold inside the brackets', 'B is warmer.\n[[**B**]]', 'B'],
    ['spaces inside', 'A is more accurate.\n[[ A ]]', 'A'],
    ['lower case', 'a is better here.\n[[a]]', 'A'],
    ['after a label', 'A misstates the deadline.\n\nFinal verdict: [[B]]', 'B'],
    ['markdown heading label', '## Reasoning\nA is vague.\n\n### Final Verdict\n**[[B]]**', 'B'],
    ['trailing period', 'Both are fine, A is clearer. My verdict is [[A]].', 'A'],
    ['tie word in brackets', 'Neither answer is better.\n[[Tie]]', 'C'],
    ['tie word alone', 'Neither answer is better.\nFinal verdict: Tie', 'C'],
    ["it's a tie", 'They are the same in substance.\n\nIt\'s a tie.', 'C'],
    ['choices quoted earlier, last token wins', 'I must output [[A]], [[B]] or [[C]]. A is wrong about fees.\n\n[[B]]', 'B'],
    ['two different tokens in the final line', 'Hard to say.\n[[A]] or [[B]]', 'error'],
    ['the same token twice in the final line', 'A is better.\nVerdict: [[A]] ([[A]])', 'A'],
    ['single brackets in the last line', 'A is more complete.\nVerdict: [A]', 'A'],
    ['single brackets not in the last line', 'Verdict: [A]\nBut let me reconsider the fees before deciding.', 'error'],
    ['comparison token', 'A is much better.\n\nMy final verdict is: [[A>>B]]', 'A'],
    ['comparison token for B', 'B is slightly better.\n[[B>A]]', 'B'],
    ['equal comparison token', 'Equal.\n[[A=B]]', 'C'],
    ['escaped brackets', 'B is better.\n\\[\\[B\\]\\]', 'B'],
    ['thinking then verdict', '<think>Maybe [[A]]? No, A is wrong.</think>\nB is correct about the fee.\n[[B]]', 'B'],
    ['cut off while thinking', '<think>A seems better, so [[A]] maybe, but', 'error'],
    ['no verdict', 'Both answers have merits and weaknesses.', 'error'],
    ['empty', '   \n', 'error'],
    ['windows line ends', 'A is better.\r\n\r\n[[A]]\r\n', 'A'],
  ];
  for (const [name, reply, expected] of shapes) {
    void it(`reads ${name}`, () => {
      assert.equal(verdictOf(reply), expected, reply);
    });
  }

  void it('gives the reasoning before the final token, without its label', () => {
    const r = parseVerdict('  A misstates the deadline.\nB is right.\n\n**Final verdict:** [[B]]  ');
    assert.deepEqual(r, { ok: true, verdict: 'B', reasoning: 'A misstates the deadline.\nB is right.' });
    const plain = parseVerdict('A is clearer. [[A]]');
    assert.ok(plain.ok);
    assert.equal(plain.reasoning, 'A is clearer.');
    const answerWord = parseVerdict('Assistant A gives the better answer\n[[A]]');
    assert.ok(answerWord.ok);
    assert.equal(answerWord.reasoning, 'Assistant A gives the better answer');
  });

  void it('explains a failure in a message', () => {
    const r = parseVerdict('No decision.');
    assert.ok(!r.ok);
    assert.match(r.message, /\[\[A\]\]/);
  });

  void it('never throws, and a verdict is always A, B or C', () => {
    const piece = fc.constantFrom('[[A]]', '[[b]]', '[ C ]', '[[Tie]]', 'Tie', '<think>', '</think>', '\n', '**', 'Final verdict:', '[[A>B]]', '\\[');
    const reply = fc.array(fc.oneof(fc.string({ maxLength: 20 }), piece), { maxLength: 12 }).map((parts) => parts.join(''));
    fc.assert(fc.property(reply, (text) => {
      const r = parseVerdict(text);
      if (r.ok) assert.ok(['A', 'B', 'C'].includes(r.verdict));
      else assert.ok(r.message.length > 0);
    }));
  });
});

void describe('combine', () => {
  const table: readonly (readonly [Verdict, Verdict, PairResult, boolean])[] = [
    ['A', 'B', 'win', false],
    ['B', 'A', 'loss', false],
    ['C', 'C', 'tie', false],
    ['A', 'A', 'tie', true],
    ['B', 'B', 'tie', true],
    ['A', 'C', 'tie', true],
    ['C', 'B', 'tie', true],
    ['B', 'C', 'tie', true],
    ['C', 'A', 'tie', true],
  ];
  for (const [first, swapped, result, disagreed] of table) {
    void it(`${first} then ${swapped} is a ${result}${disagreed ? ' with disagreement' : ''}`, () => {
      assert.deepEqual(combine(first, swapped), { result, disagreed });
    });
  }
});

/** Judges both orders of `pairs` ([candidate, baseline] texts) with `judge` and combines them. */
function judgeAll(pairs: readonly (readonly [string, string])[], judge: (a: string, b: string) => Verdict): PairOutcome[] {
  return pairs.map(([candidate, baseline]) => ({
    ...combine(judge(candidate, baseline), judge(baseline, candidate)),
    candidateLength: candidate.length,
    baselineLength: baseline.length,
  }));
}

function samplePairs(count: number): [string, string][] {
  return Array.from({ length: count }, (_, i) => ['x'.repeat(20 + ((i * 37) % 200)), 'y'.repeat(20 + ((i * 53) % 190) + 1)]);
}

function outcomes(wins: number, ties: number, losses: number): PairOutcome[] {
  const make = (result: PairResult): PairOutcome => ({ result, disagreed: false, candidateLength: 100, baselineLength: 100 });
  return [...Array<PairResult>(wins).fill('win'), ...Array<PairResult>(ties).fill('tie'), ...Array<PairResult>(losses).fill('loss')].map(make);
}

void describe('summarize', () => {
  void it('counts and gives the adjusted win rate', () => {
    const s = summarize(outcomes(6, 2, 2), { seed: 1 });
    assert.deepEqual([s.wins, s.ties, s.losses, s.n], [6, 2, 2, 10]);
    assert.equal(s.adjustedWinRate, 0.7);
    assert.equal(s.positionDisagreement, 0);
    assert.deepEqual(s.meanLength, { candidate: 100, baseline: 100 });
  });

  void it("gives the league's own number too: wins ÷ n, ties counting nothing, with its own interval", () => {
    // A competition that counts wins only ranks by wins ÷ n; the adjusted rate counts a tie as half.
    const s = summarize(outcomes(6, 2, 2), { seed: 1 });
    assert.equal(s.winRate, 0.6);
    assert.equal(s.adjustedWinRate, 0.7);
    assert.ok(s.winInterval !== undefined && s.interval !== undefined);
    assert.ok(s.winInterval[0] <= 0.6 && 0.6 <= s.winInterval[1], s.winInterval.join('–'));
    assert.notDeepEqual(s.winInterval, s.interval);
    const ties = summarize(outcomes(0, 5, 0), { seed: 1 });
    assert.deepEqual([ties.winRate, ties.winInterval, ties.adjustedWinRate], [0, [0, 0], 0.5]);
    const none = summarize([], { seed: 1 });
    assert.deepEqual([none.winRate, none.winInterval], [undefined, undefined]);
  });

  void it('keeps the win rate inside its interval and never above the adjusted rate, for any data', () => {
    const counts = fc.tuple(fc.nat(30), fc.nat(30), fc.nat(30)).filter(([w, t, l]) => w + t + l > 0);
    fc.assert(fc.property(counts, fc.integer(), ([w, t, l], seed) => {
      const s = summarize(outcomes(w, t, l), { seed, resamples: 300 });
      assert.ok(s.winRate !== undefined && s.winInterval !== undefined && s.adjustedWinRate !== undefined);
      assert.equal(s.winRate, w / (w + t + l));
      assert.ok(s.winInterval[0] <= s.winRate && s.winRate <= s.winInterval[1]);
      assert.ok(s.winRate <= s.adjustedWinRate);
    }), { numRuns: 60 });
  });

  void it('turns a judge that always picks the first position into ties, not wins', () => {
    const s = summarize(judgeAll(samplePairs(40), () => 'A'), { seed: 7 });
    assert.deepEqual([s.wins, s.ties, s.losses], [0, 40, 0]);
    assert.equal(s.positionDisagreement, 1);
    assert.equal(s.adjustedWinRate, 0.5);
    assert.equal(s.lengthBias, false);
  });

  void it('flags a judge that always picks the longer answer', () => {
    const longer = (a: string, b: string): Verdict => (a.length > b.length ? 'A' : a.length < b.length ? 'B' : 'C');
    const s = summarize(judgeAll(samplePairs(40), longer), { seed: 7 });
    assert.equal(s.lengthBias, true);
    assert.equal(s.positionDisagreement, 0);
    assert.equal(s.lengthEvidence.longerWon, s.lengthEvidence.decided);
  });

  void it('does not flag length when wins do not follow length, or with too few decided pairs', () => {
    const pairs = samplePairs(40);
    const fair = (a: string, b: string): Verdict => (a.startsWith('x') ? 'A' : b.startsWith('x') ? 'B' : 'C');
    assert.equal(summarize(judgeAll(pairs, fair), { seed: 7 }).lengthBias, false);
    const longer = (a: string, b: string): Verdict => (a.length > b.length ? 'A' : 'B');
    assert.equal(summarize(judgeAll(pairs.slice(0, 9), longer), { seed: 7 }).lengthBias, false);
  });

  void it('gives the same interval for the same seed, a close one for another, around the estimate', () => {
    const data = outcomes(55, 15, 30);
    const a = summarize(data, { seed: 42 });
    const b = summarize(data, { seed: 42 });
    const c = summarize(data, { seed: 43 });
    assert.deepEqual(a.interval, b.interval);
    assert.ok(a.interval !== undefined && c.interval !== undefined && a.adjustedWinRate !== undefined);
    const [lo, hi] = a.interval;
    assert.ok(lo <= a.adjustedWinRate && a.adjustedWinRate <= hi, `${lo} ≤ ${a.adjustedWinRate} ≤ ${hi}`);
    assert.ok(hi - lo > 0.05 && hi - lo < 0.4, `width ${hi - lo}`);
    assert.ok(Math.abs(lo - c.interval[0]) < 0.03 && Math.abs(hi - c.interval[1]) < 0.03, `${a.interval.join()} vs ${c.interval.join()}`);
  });

  void it('keeps the estimate inside the interval for any data', () => {
    const counts = fc.tuple(fc.nat(30), fc.nat(30), fc.nat(30)).filter(([w, t, l]) => w + t + l > 0);
    fc.assert(fc.property(counts, fc.integer(), ([w, t, l], seed) => {
      const s = summarize(outcomes(w, t, l), { seed, resamples: 300 });
      assert.ok(s.interval !== undefined && s.adjustedWinRate !== undefined);
      assert.ok(s.interval[0] <= s.adjustedWinRate && s.adjustedWinRate <= s.interval[1]);
    }), { numRuns: 60 });
  });

  void it('handles no outcomes explicitly', () => {
    const s = summarize([], { seed: 1 });
    assert.equal(s.n, 0);
    assert.equal(s.adjustedWinRate, undefined);
    assert.equal(s.interval, undefined);
    assert.equal(s.positionDisagreement, undefined);
    assert.equal(s.meanLength, undefined);
    assert.equal(s.lengthBias, false);
  });

  void it('refuses a resample count that is not a whole number of at least 1', () => {
    assert.throws(() => summarize(outcomes(1, 0, 0), { seed: 1, resamples: 0 }), RangeError);
    assert.throws(() => summarize(outcomes(1, 0, 0), { seed: 1, resamples: 2.5 }), RangeError);
  });
});

void describe('rubric prompts', () => {
  for (const [name, text] of [['LEAGUE_RUBRIC', LEAGUE_RUBRIC], ['HUMAN_PREFERENCE_RUBRIC', HUMAN_PREFERENCE_RUBRIC]] as const) {
    void it(`${name} is a valid prompt file at temperature 0 with the judge's placeholders`, () => {
      const file = parsePromptFile(text);
      assert.deepEqual(file.problems, []);
      assert.equal(file.settings.temperature, 0);
      assert.deepEqual([...file.variables].sort(), [...JUDGE_PLACEHOLDERS].sort());
      assert.match(text, /\[\[A\]\]/);
      assert.match(text, /\[\[B\]\]/);
      assert.match(text, /\[\[C\]\]/);
      assert.match(text, /longer answer/);
      assert.match(text, /order of the answers/);
    });
  }

  /** The criteria of a rubric's system section, in order: the names of its `- Name:` bullets. */
  function criteria(text: string): string[] {
    const system = parsePromptFile(text).sections.find((s) => s.role === 'system')?.text ?? '';
    return [...system.matchAll(/^- ([A-Z][\w ,-]*?):/gm)].map((m) => m[1] ?? '');
  }

  void it('the human-preference rubric puts empathy first and complete next steps second', () => {
    // Human raters of public-services answers marked down terse, cold answers even when correct:
    // the two things they reward most come first.
    const names = criteria(HUMAN_PREFERENCE_RUBRIC);
    assert.deepEqual(names.slice(0, 2), ['Empathy', 'Complete next steps'], names.join(' | '));
    for (const name of ['Accuracy', 'Plain language', 'No padding']) assert.ok(names.includes(name), name);
    assert.match(HUMAN_PREFERENCE_RUBRIC, /correct but curt, cold or missing next steps loses/i);
    assert.ok(!LEAGUE_RUBRIC.includes('Empathy'));
  });

  void it('the human-preference rubric never rewards shortness: concision means no padding', () => {
    const system = parsePromptFile(HUMAN_PREFERENCE_RUBRIC).sections.find((s) => s.role === 'system')?.text ?? '';
    for (const pushesBrevity of [/as short as/i, /\bbrief(ly)?\b/i, /succinct/i, /keep it short/i, /shorter is better/i, /\bterse answers? (?:is|are) (?:better|fine)/i, /\bconcision\b/i]) {
      assert.doesNotMatch(system, pushesBrevity);
    }
    assert.match(system, /No padding: [^\n]*filler/);
    assert.match(system, /never (?:prefer|favour) an answer for being shorter/i);
  });

  void it('the human-preference rubric counts an invented fee or time as an error, and pointing to where to check as right', () => {
    assert.match(HUMAN_PREFERENCE_RUBRIC, /invented\s+(?:fee|figure)[^.]*error/i);
    assert.match(HUMAN_PREFERENCE_RUBRIC, /where to check/i);
  });

  void it('renders a pair, with a reference section only when there is a reference', () => {
    const pair = { question: 'How do I renew my ID?', answerA: 'Go to the DMV. {{question}}', answerB: 'Renew online.' };
    const without = judgeMessages(LEAGUE_RUBRIC, pair);
    assert.deepEqual(without.messages.map((m) => m.role), ['system', 'user']);
    const user = without.messages[1]?.content ?? '';
    assert.ok(user.includes('How do I renew my ID?'));
    assert.ok(user.includes('Go to the DMV. {{question}}'), 'values are not expanded again');
    assert.ok(user.indexOf('Go to the DMV.') < user.indexOf('Renew online.'));
    assert.ok(!user.includes('Reference'));
    assert.equal(without.settings.temperature, 0);
    assert.ok(!(judgeMessages(LEAGUE_RUBRIC, { ...pair, reference: '  ' }).messages[1]?.content ?? '').includes('Reference'));
    const withRef = judgeMessages(HUMAN_PREFERENCE_RUBRIC, { ...pair, reference: 'Renew online or at a DMV office.' });
    assert.match(withRef.messages[1]?.content ?? '', /Reference Answer\]\nRenew online or at a DMV office\.\n/);
  });
});

void describe('verdict cache', () => {
  const base: VerdictKeyInput = { question: 'q', answerA: 'a', answerB: 'b', judge: 'judge/model', rubric: LEAGUE_RUBRIC };

  void it('gives a 16-hex-digit key that changes with every input, and with the order of the answers', () => {
    const key = verdictKey(base);
    assert.match(key, /^[0-9a-f]{16}$/);
    assert.equal(verdictKey({ ...base }), key);
    const changed = [
      { ...base, question: 'q2' },
      { ...base, answerA: 'a2' },
      { ...base, answerB: 'b2' },
      { ...base, judge: 'judge/other-model' },
      { ...base, rubric: HUMAN_PREFERENCE_RUBRIC },
      { ...base, answerA: 'b', answerB: 'a' },
      { ...base, question: 'q","a', answerA: '' },
    ].map(verdictKey);
    assert.equal(new Set([key, ...changed]).size, changed.length + 1);
  });

  void it('round-trips through its text, in a stable order', () => {
    const verdicts = new Map<string, CachedVerdict>([
      [verdictKey({ ...base, question: 'q2' }), { verdict: 'B', reasoning: 'B is right.\n"quoted"' }],
      [verdictKey(base), { verdict: 'A', reasoning: '' }],
      [verdictKey({ ...base, question: 'q3' }), { verdict: 'C', reasoning: 'Equal.' }],
    ]);
    const text = writeVerdictCache(verdicts);
    const read = readVerdictCache(text);
    assert.equal(read.problem, undefined);
    assert.deepEqual(read.verdicts, verdicts);
    assert.equal(writeVerdictCache(new Map([...verdicts].reverse())), text);
  });

  void it('reads a missing file as empty without a problem', () => {
    assert.deepEqual(readVerdictCache(undefined), { verdicts: new Map(), runs: [] });
    assert.deepEqual(readVerdictCache(''), { verdicts: new Map(), runs: [] });
  });

  void it('reads damaged text as empty with a problem, and skips damaged entries', () => {
    for (const text of ['{not json', '[]', 'null', '{"version": 1}', '{"version": 2, "verdicts": {}}', '{"verdicts": {}}']) {
      const r = readVerdictCache(text);
      assert.equal(r.verdicts.size, 0, text);
      assert.ok(r.problem !== undefined && r.problem.length > 0, text);
    }
    const good = verdictKey(base);
    const partly = JSON.stringify({ version: 1, verdicts: { [good]: { verdict: 'A', reasoning: 'ok' }, bad: { verdict: 'A', reasoning: '' }, '0123456789abcdef': { verdict: 'D', reasoning: '' } } });
    const r = readVerdictCache(partly);
    assert.deepEqual([...r.verdicts.keys()], [good]);
    assert.match(r.problem ?? '', /^2 entries/);
  });

  void it('never throws on any text', () => {
    fc.assert(fc.property(fc.oneof(fc.string(), fc.json()), (text) => {
      readVerdictCache(text);
    }));
  });

  void it('a sidecar that cannot be read whole says why it is left as it is and what to do', () => {
    const good = writeVerdictCache(new Map([[verdictKey(base), { verdict: 'A', reasoning: 'ok' }]]));
    const conflicted = good.replace(/^ "verdicts": \{$/m, ' "verdicts": {\n<<<<<<< HEAD\n  "0123456789abcdef": {"verdict": "B", "reasoning": ""},\n=======\n>>>>>>> main');
    assert.notEqual(conflicted, good);
    const cases: [string, RegExp, RegExp][] = [
      [conflicted, /^has merge conflict markers/, /^Resolve the conflict in it, keeping the verdicts of both sides$/],
      ['{"version": 2, "verdicts": {}}', /^has version 2, written by a newer TuneLab/, /^Update TuneLab$/],
      ['{"version": 1, "verdicts": {', /^is not valid JSON/, /^Fix the JSON, or delete the file/],
      ['{"version": 1, "verdicts": {"bad": {"verdict": "A", "reasoning": ""}}}', /^has 1 entry that could not be read$/, /^Fix or remove that entry$/],
    ];
    for (const [text, reason, fix] of cases) {
      const r = readVerdictCache(text);
      assert.ok(r.problem !== undefined, text);
      assert.match(r.unreadable?.reason ?? '', reason, text);
      assert.match(r.unreadable?.fix ?? '', fix, text);
    }
    assert.match(readVerdictCache(conflicted).problem ?? '', /^The verdict cache has merge conflict markers, so every pair will be judged again\.$/);
    assert.equal(readVerdictCache(good).unreadable, undefined);
  });
});

void describe('the judge a file is judged with', () => {
  const endpoint = (model: string) => parseEndpoints([{ id: 'peer-judge', kind: 'openai-compatible', url: 'http://127.0.0.1:9/v1', model }]).endpoints[0];
  const last: JudgeSetup = { judge: 'peer-judge/old-model', endpoint: 'peer-judge', rubricName: 'league', rubric: LEAGUE_RUBRIC, candidate: 0, baseline: 1 };

  void it('is the endpoint as configured now: re-pointed at another model, it is another judge and the old verdicts are not reused', () => {
    const now = endpoint('new-model');
    assert.ok(now);
    const setup = setupWithJudge(last, judgeNameOf(now));
    assert.equal(setup.judge, 'peer-judge/new-model');
    const item = { question: 'q', answerA: 'a', answerB: 'b', rubric: LEAGUE_RUBRIC };
    const cache = new Map([[verdictKey({ ...item, judge: last.judge }), { verdict: 'A' as const, reasoning: '' }]]);
    assert.equal(cache.get(verdictKey({ ...item, judge: setup.judge })), undefined, 'the old model\'s verdict is not found under the new judge');
    // The same model: the same setup, so its verdicts are found.
    const same = endpoint('old-model');
    assert.ok(same);
    assert.equal(setupWithJudge(last, judgeNameOf(same)), last);
    // An endpoint that is gone: the file's verdicts still show under the name they were given.
    assert.equal(setupWithJudge(last, undefined), last);
  });

  void it('a rubric name becomes a path only when it is a plain workspace-relative path', () => {
    const builtIn = ['league', 'human'];
    for (const ok of ['league', 'human', 'judge.tlprompt', 'prompts/judge.tlprompt', 'a b/c-d_e.tlprompt']) assert.equal(rubricNameProblem(ok, builtIn), undefined, ok);
    for (const [bad, why] of [
      ['../outside.tlprompt', /not a plain workspace-relative path \(no "\.\.", "\." or empty parts\)/],
      ['prompts/../../../home/me/.ssh/id_rsa', /not a plain/],
      ['./judge.tlprompt', /not a plain/],
      ['prompts//judge.tlprompt', /not a plain/],
      ['prompts/..', /not a plain/],
      ['/etc/passwd', /not a workspace-relative path/],
      ['C:/Users/me/rubric.tlprompt', /not a workspace-relative path/],
      ['..\\outside.tlprompt', /not a workspace-relative path/],
      ['', /empty/],
      ['judge\u001b[2J.tlprompt', /control characters/],
    ] as const) {
      const problem = rubricNameProblem(bad, builtIn);
      assert.match(problem ?? '', why, bad);
      assert.match(problem ?? '', /Use league, human, or the workspace-relative path of a rubric file inside the workspace folder/, bad);
      assert.ok(!(problem ?? '').includes('\u001b'), 'no escape reaches the message');
    }
  });

  void it('finds a link anywhere on a rubric\'s path, from the folder down, so a rubric reached through one is refused', async () => {
    const links = new Set(['prompts/shared', 'prompts/shared/deeper', 'linked.tlprompt']);
    const asked: string[] = [];
    const isLink = (prefix: string): Promise<boolean> => { asked.push(prefix); return Promise.resolve(links.has(prefix)); };
    assert.equal(await firstLinkOn('prompts/judge.tlprompt', isLink), undefined);
    assert.deepEqual(asked, ['prompts', 'prompts/judge.tlprompt']);
    assert.equal(await firstLinkOn('prompts/shared/deeper/judge.tlprompt', isLink), 'prompts/shared', 'a folder on the way');
    assert.equal(await firstLinkOn('linked.tlprompt', isLink), 'linked.tlprompt', 'the file itself');
  });
});
