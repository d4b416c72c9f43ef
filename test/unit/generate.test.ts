import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  ANSWER_PLACEHOLDERS,
  DEFAULT_ANSWER_PROMPT,
  DEFAULT_QUESTIONS_PROMPT,
  DuplicateFilter,
  LENGTH_HINTS,
  PromptRenderError,
  QUESTION_PLACEHOLDERS,
  parseQuestions,
  planTopics,
  promptError,
  remaining,
  renderPrompt,
  runGeneration,
  type Ask,
  type GeneratedPair,
  type GenerationEvent,
  type AskStage,
  type PlannedTopic,
  type PromptMessage,
  type TopicInput,
} from '../../src/core/generate';
import { parsePromptFile } from '../../src/core/prompts/promptFile';

const QUESTION_VARS = { topic: 'Renewing a passport', category: 'Travel documents', notes: 'none', n: 6, refusals: 1 };
const ANSWER_VARS = { question: 'How do I renew my passport?', topic: 'Renewing a passport', category: 'Travel documents', length: LENGTH_HINTS.short, refusal: 'no' };

function topics(n: number, perTopic?: number): TopicInput[] {
  return Array.from({ length: n }, (_, i) => ({ id: `t${i}`, name: `Topic ${i}`, category: `Category ${i % 5}`, ...(perTopic === undefined ? {} : { questions: perTopic }) }));
}

function ok(reply: string, expected = 10, refusals?: number): { questions: string[]; refusals: number[]; repaired: boolean } {
  const r = parseQuestions(reply, expected, refusals);
  assert.ok(r.ok, `expected questions from ${JSON.stringify(reply)}: ${r.ok ? '' : r.message}`);
  return { questions: r.questions, refusals: [...r.refusals].sort((a, b) => a - b), repaired: r.repaired };
}

void describe('generation prompts', () => {
  void it('the defaults are valid prompt files using exactly the offered placeholders', () => {
    for (const [text, names] of [[DEFAULT_QUESTIONS_PROMPT, QUESTION_PLACEHOLDERS], [DEFAULT_ANSWER_PROMPT, ANSWER_PLACEHOLDERS]] as const) {
      const file = parsePromptFile(text);
      assert.deepEqual(file.problems, []);
      assert.deepEqual(file.sections.map((s) => s.role), ['system', 'user']);
      assert.deepEqual([...file.variables].sort(), [...names].sort());
    }
  });

  void it('renders messages with every placeholder filled, and the front matter as settings', () => {
    const q = renderPrompt(DEFAULT_QUESTIONS_PROMPT, QUESTION_VARS);
    assert.deepEqual(q.messages.map((m) => m.role), ['system', 'user']);
    const user = q.messages[1]?.content ?? '';
    assert.match(user, /Topic: Renewing a passport/);
    assert.match(user, /Questions to write: 6/);
    assert.match(user, /Out-of-scope questions among them: 1/);
    assert.match(q.messages[0]?.content ?? '', /"questions"/);
    assert.ok(q.messages.every((m) => !/\{\{/.test(m.content)));
    assert.equal(q.settings.temperature, 1);
    assert.equal(q.settings.maxTokens, 2000);

    const a = renderPrompt(DEFAULT_ANSWER_PROMPT, ANSWER_VARS);
    assert.match(a.messages[0]?.content ?? '', /Write a short answer of about 50 to 100 words\./);
    assert.match(a.messages[1]?.content ?? '', /How do I renew my passport\?$/);
    assert.match(a.messages[1]?.content ?? '', /refused as out of scope: no/);
  });

  void it('the answer prompt puts empathy first and never invites an invented fee, time or number', () => {
    const system = renderPrompt(DEFAULT_ANSWER_PROMPT, ANSWER_VARS).messages[0]?.content ?? '';
    // Generated answers become training data: a guessed fee or processing time would be learnt as fact.
    assert.doesNotMatch(system, /what it (?:usually )?costs/i);
    assert.doesNotMatch(system, /how long it (?:usually )?takes/i);
    assert.match(system, /Never state a fee, a processing time, a deadline or a phone number from memory/);
    assert.match(system, /say where to check/i);
    // Empathy first, then complete steps.
    assert.ok(system.indexOf('acknowledge') >= 0 && system.indexOf('acknowledge') < system.indexOf('next steps'));
  });

  void it('reports unfilled placeholders as an error naming them, instead of sending {{name}}', () => {
    const partial = { topic: QUESTION_VARS.topic, category: QUESTION_VARS.category, refusals: 1 };
    assert.throws(() => renderPrompt(DEFAULT_QUESTIONS_PROMPT, partial), (e: unknown) => {
      assert.ok(e instanceof PromptRenderError);
      assert.deepEqual([...e.missing].sort(), ['n', 'notes']);
      assert.match(e.message, /\{\{notes\}\}.*\{\{n\}\}|\{\{n\}\}.*\{\{notes\}\}/);
      return true;
    });
    const custom = 'user:\nWrite about {{topic}} for {{audience}}.\n';
    const e = promptError(custom, QUESTION_PLACEHOLDERS);
    assert.ok(e);
    assert.deepEqual(e.missing, ['audience']);
    assert.match(e.message, /uses \{\{audience\}\}, which has no value here/);
  });

  void it('reports file errors and a missing user section; warnings are fine', () => {
    assert.match(promptError('---\ntemperature: 9\n---\nuser:\nhi\n', [])?.message ?? '', /error on line 2: "temperature" must be/);
    assert.match(promptError('system:\nYou help.\n', [])?.message ?? '', /no user section/);
    assert.equal(promptError('---\nfoo: 1\n---\nuser:\nhi\n', []), undefined);
  });

  void it('inserts values as they are: braces in a value are not expanded again', () => {
    const r = renderPrompt('user:\n{{question}} / {{topic}}\n', { question: 'What is {{topic}}?', topic: 'T' });
    assert.equal(r.messages[0]?.content, 'What is {{topic}}? / T');
  });
});

void describe('parseQuestions: the shapes models really send', () => {
  const asked = '{"questions": [{"text": "How do I renew my passport?", "refusal": false}, {"text": "What is my neighbour\'s passport number?", "refusal": true}]}';

  void it('reads the asked-for shape strictly, with its refusal flags', () => {
    assert.deepEqual(ok(asked), { questions: ['How do I renew my passport?', "What is my neighbour's passport number?"], refusals: [1], repaired: false });
  });

  void it('reads plain strings with a separate list of refusal indexes (from 0, or from 1 when only that fits)', () => {
    assert.deepEqual(ok('{"questions": ["A one?", "B two?", "C three?"], "refusals": [0, 2]}').refusals, [0, 2]);
    assert.deepEqual(ok('{"questions": ["A one?", "B two?", "C three?"], "refusals": [3]}').refusals, [2]);
    assert.deepEqual(ok('{"questions": ["A one?", "B two?"], "refusals": ["b TWO"]}').refusals, [1]);
  });

  void it('reads a bare array, other key names and item shapes', () => {
    assert.deepEqual(ok('["First question?", "Second question?"]').questions, ['First question?', 'Second question?']);
    assert.deepEqual(ok('{"items": [{"question": "Q one?", "out_of_scope": "yes"}, {"q": "Q two?"}]}'), { questions: ['Q one?', 'Q two?'], refusals: [0], repaired: false });
    assert.deepEqual(ok('{"question": "Only one?", "refusal": false}').questions, ['Only one?']);
  });

  void it('repairs a code fence, text around the JSON, trailing commas and comments', () => {
    const fenced = ok(`Sure! Here are your questions:\n\n\`\`\`json\n${asked}\n\`\`\`\nLet me know if you need more.`);
    assert.deepEqual(fenced, { questions: ['How do I renew my passport?', "What is my neighbour's passport number?"], refusals: [1], repaired: true });
    assert.equal(ok(`Here you go: ${asked} Hope this helps!`).questions.length, 2);
    const sloppy = ok('{\n  // the questions\n  "questions": [\n    "One?", /* first */\n    "Two?",\n  ],\n}');
    assert.deepEqual(sloppy, { questions: ['One?', 'Two?'], refusals: [], repaired: true });
    assert.equal(ok('```\n["Unclosed fence?", "Still read?"]').questions.length, 2);
  });

  void it('repairs typographic quotes, but keeps them inside valid JSON strings', () => {
    assert.deepEqual(ok('{\u201Cquestions\u201D: [\u201CWhere do I vote?\u201D, \u201CCan I vote by mail?\u201D]}').questions, ['Where do I vote?', 'Can I vote by mail?']);
    assert.deepEqual(ok('{"questions": ["What does \u201Cresident\u201D mean here?"]}'), { questions: ['What does \u201Cresident\u201D mean here?'], refusals: [], repaired: false });
  });

  void it('falls back to a numbered or bulleted list, reading refusal marks', () => {
    const numbered = ok('Here are 3 questions:\n1. How do I get a library card?\n2) Can I renew it online?\n3. What is my neighbour\'s card number? (refusal)\nThanks!');
    assert.deepEqual(numbered, { questions: ['How do I get a library card?', 'Can I renew it online?', "What is my neighbour's card number?"], refusals: [2], repaired: true });
    assert.deepEqual(ok('- "Quoted one?"\n* **Bold two?**\n• [out of scope] Three?').questions, ['Quoted one?', 'Bold two?', 'Three?']);
    assert.deepEqual(ok('- "Quoted one?"\n* **Bold two?**\n• [out of scope] Three?').refusals, [2]);
  });

  void it('drops empty questions, repeats after normalizing, and numbering inside the strings', () => {
    const r = ok('{"questions": ["  1. How do I apply?  ", "", "   ", "how do I APPLY", "?!", "Where\\n do   I go?", 42, null]}');
    assert.deepEqual(r.questions, ['How do I apply?', 'Where do I go?']);
  });

  void it('fails, never half-reads, on truncated JSON and prose', () => {
    for (const reply of ['{"questions": [{"text": "How do I renew my pass', '{"questions": ["One?", "Tw', "I'm sorry, I can't help with that.", '', '{"questions": []}', '{"error": "overloaded"}']) {
      const r = parseQuestions(reply, 6);
      assert.ok(!r.ok && r.message.length > 0, reply);
    }
  });

  void it('keeps at most the expected number, balancing refusals when told how many are wanted', () => {
    const many = JSON.stringify({ questions: [
      { text: 'R one?', refusal: true }, { text: 'R two?', refusal: true }, { text: 'S one?', refusal: false },
      { text: 'S two?', refusal: false }, { text: 'S three?', refusal: false }, { text: 'R three?', refusal: true },
    ] });
    assert.deepEqual(ok(many, 3).questions, ['R one?', 'R two?', 'S one?']);
    assert.deepEqual(ok(many, 3, 1), { questions: ['R one?', 'S one?', 'S two?'], refusals: [0], repaired: false });
    // Only three in-scope questions: two refusals fill the rest.
    assert.deepEqual(ok(many, 5, 0).questions, ['R one?', 'R two?', 'S one?', 'S two?', 'S three?']);
  });

  void it('never throws, whatever the reply (property)', () => {
    fc.assert(fc.property(fc.oneof(fc.string(), fc.json(), fc.string({ unit: 'grapheme' })), fc.integer({ min: -2, max: 20 }), fc.option(fc.integer({ min: -1, max: 5 }), { nil: undefined }), (reply, expected, refusals) => {
      const r = parseQuestions(reply, expected, refusals);
      if (r.ok) {
        assert.ok(r.questions.length > 0);
        if (expected > 0) assert.ok(r.questions.length <= expected);
        for (const i of r.refusals) assert.ok(i >= 0 && i < r.questions.length);
      } else {
        assert.equal(typeof r.message, 'string');
      }
    }), { numRuns: 2000 });
  });

  void it('reads back any list of distinct questions it is given as JSON (property)', () => {
    const question = fc.string({ minLength: 1, maxLength: 40 }).map((s) => `Q ${s.replace(/\s+/g, ' ').trim()} end?`);
    fc.assert(fc.property(fc.uniqueArray(question, { minLength: 1, maxLength: 8, selector: (q) => q.toLowerCase().replace(/[\p{P}\p{S}\s]/gu, '') }), fc.boolean(), (qs, fenced) => {
      const json = JSON.stringify({ questions: qs.map((text, i) => ({ text, refusal: i % 3 === 0 })) });
      const r = parseQuestions(fenced ? `\`\`\`json\n${json}\n\`\`\`` : json, qs.length);
      assert.ok(r.ok);
      assert.deepEqual(r.questions, qs.map((q) => q.replace(/\s+/g, ' ').trim()).map((q) => q.replace(/^(?:Q\d*[:.]|\d{1,3}[.)])\s+/i, '')));
      assert.deepEqual([...r.refusals].sort((a, b) => a - b), qs.map((_, i) => i).filter((i) => i % 3 === 0));
      assert.equal(r.repaired, fenced);
    }), { numRuns: 500 });
  });
});

void describe('planTopics and remaining', () => {
  void it('spreads refusals so the overall share matches, at most one apart between equal topics', () => {
    const plan = planTopics(topics(145), { perTopic: 6, refusalShare: 0.1, seed: 7 });
    assert.equal(plan.reduce((n, p) => n + p.questions, 0), 870);
    assert.equal(plan.reduce((n, p) => n + p.refusals, 0), 87);
    assert.ok(plan.every((p) => p.refusals === 0 || p.refusals === 1));
    // Not simply the first 87 topics.
    assert.ok(plan.slice(87).some((p) => p.refusals === 1));
  });

  void it('is deterministic with the seed, and another seed picks other topics', () => {
    const a = planTopics(topics(40), { perTopic: 5, refusalShare: 0.15, seed: 1 }).map((p) => p.refusals);
    const b = planTopics(topics(40), { perTopic: 5, refusalShare: 0.15, seed: 1 }).map((p) => p.refusals);
    const c = planTopics(topics(40), { perTopic: 5, refusalShare: 0.15, seed: 2 }).map((p) => p.refusals);
    assert.deepEqual(a, b);
    assert.notDeepEqual(a, c);
    assert.equal(c.reduce((x, y) => x + y, 0), 30);
  });

  void it('a topic\'s own count overrides perTopic, and refusals follow each topic\'s size', () => {
    const list: TopicInput[] = [{ id: 'big', name: 'Big', category: 'C', questions: 20 }, { id: 'none', name: 'None', category: 'C', questions: 0 }, { id: 'std', name: 'Std', category: 'C' }];
    const plan = planTopics(list, { perTopic: 4, refusalShare: 0.25, seed: 3 });
    assert.deepEqual(plan.map((p) => [p.topic.id, p.questions, p.refusals]), [['big', 20, 5], ['none', 0, 0], ['std', 4, 1]]);
  });

  void it('clamps the share to 0–0.5 and never gives a topic more refusals than questions', () => {
    const high = planTopics(topics(10), { perTopic: 3, refusalShare: 0.9, seed: 1 });
    assert.equal(high.reduce((n, p) => n + p.refusals, 0), 15);
    assert.ok(high.every((p) => p.refusals <= p.questions));
    assert.ok(planTopics(topics(10), { perTopic: 3, refusalShare: -1, seed: 1 }).every((p) => p.refusals === 0));
    assert.ok(planTopics(topics(10), { perTopic: 3, refusalShare: Number.NaN, seed: 1 }).every((p) => p.refusals === 0));
  });

  void it('matches the share for any topics and share (property)', () => {
    fc.assert(fc.property(fc.array(fc.option(fc.integer({ min: 0, max: 30 }), { nil: undefined }), { maxLength: 60 }), fc.integer({ min: 0, max: 30 }), fc.double({ min: 0, max: 0.5, noNaN: true }), fc.integer(), (counts, perTopic, share, seed) => {
      const list = counts.map((q, i) => ({ id: `t${i}`, name: `T${i}`, category: 'C', ...(q === undefined ? {} : { questions: q }) }));
      const plan = planTopics(list, { perTopic, refusalShare: share, seed });
      const total = plan.reduce((n, p) => n + p.questions, 0);
      assert.equal(plan.reduce((n, p) => n + p.refusals, 0), Math.round(total * share));
      for (const p of plan) assert.ok(p.refusals >= 0 && p.refusals <= p.questions && Math.abs(p.refusals - p.questions * share) < 1 + 1e-9);
    }), { numRuns: 300 });
  });

  void it('remaining asks only for what the dataset does not have yet (resume)', () => {
    const plan: PlannedTopic[] = [
      { topic: { id: 'a', name: 'A', category: 'C' }, questions: 6, refusals: 1 },
      { topic: { id: 'b', name: 'B', category: 'C' }, questions: 6, refusals: 1 },
      { topic: { id: 'c', name: 'C', category: 'C' }, questions: 6, refusals: 2 },
      { topic: { id: 'd', name: 'D', category: 'C' }, questions: 6, refusals: 0 },
    ];
    const left = remaining(plan, new Map([['a', 6], ['b', 2], ['c', 5], ['x', 3]]));
    assert.deepEqual(left.map((p) => [p.topic.id, p.questions, p.refusals]), [['b', 4, 1], ['c', 1, 0], ['d', 6, 0]]);
    assert.deepEqual(remaining(plan, new Map([['a', 9]])).map((p) => p.topic.id), ['b', 'c', 'd']);
  });
});

void describe('DuplicateFilter', () => {
  void it('drops exact repeats (after normalizing) and near-duplicate wording of existing rows and of each other', () => {
    const filter = new DuplicateFilter(['How do I renew my driver\'s license online in Ohio before it expires next month?']);
    assert.equal(filter.admit('how do i renew my drivers license online in ohio before it expires next month'), false);
    assert.equal(filter.admit('How do I renew my driver\'s license online in Ohio before it expires next week?'), false);
    assert.equal(filter.admit('Where can I register to vote if I just moved to a new county?'), true);
    assert.equal(filter.admit('Where can I register to vote if I have just moved to a new county?'), false);
    assert.equal(filter.admit('What documents does the passport office want for a first passport?'), true);
  });
});

// ---------------------------------------------------------------------------------------------
// The pipeline, with a scripted `ask`

interface Call { readonly stage: AskStage; readonly user: string; readonly json: boolean }

function field(user: string, name: string): string {
  return new RegExp(`^${name}: (.*)$`, 'm').exec(user)?.[1] ?? '';
}

const WORDS = 'permit office county renewal fee deadline form clerk voucher appeal benefit license parking library tax refund housing grant court transit school water trash senior veteran childcare vaccine passport ballot zoning'.split(' ');

/** A question about `topic` that shares no word pair with other questions (k is its number). */
function distinctQuestion(topic: string, k: number): string {
  const pick = (i: number): string => WORDS[(k * 7 + i * 13 + topic.length * 3) % WORDS.length] ?? 'x';
  return `${topic} question ${k}: ${pick(1)} ${pick(2)} ${pick(3)} ${pick(4)} ${pick(5)} ${k * 31 + 7}?`;
}

type QuestionsReply = (topic: string, n: number, refusals: number, attempt: number) => string;

/** An `ask` that answers like a well-behaved model unless `questions` scripts otherwise. */
function scriptedAsk(options: { questions?: QuestionsReply; answer?: (question: string) => Promise<string> | string; calls?: Call[] } = {}): Ask {
  const attempts = new Map<string, number>();
  const counters = new Map<string, number>();
  return async (stage, messages: readonly PromptMessage[], o) => {
    const user = messages.find((m) => m.role === 'user')?.content ?? '';
    options.calls?.push({ stage, user, json: o.json });
    await Promise.resolve();
    if (o.signal.aborted) throw new Error('cancelled');
    if (stage === 'questions') {
      const topic = field(user, 'Topic');
      const n = Number(field(user, 'Questions to write'));
      const r = Number(field(user, 'Out-of-scope questions among them'));
      const attempt = (attempts.get(topic) ?? 0) + 1;
      attempts.set(topic, attempt);
      if (options.questions !== undefined) return options.questions(topic, n, r, attempt);
      const start = counters.get(topic) ?? 0;
      counters.set(topic, start + n);
      return JSON.stringify({ questions: Array.from({ length: n }, (_, i) => ({ text: distinctQuestion(topic, start + i), refusal: i < r })) });
    }
    const question = /Question:\n([\s\S]*)$/.exec(user)?.[1] ?? '';
    return options.answer === undefined ? `Answer to: ${question}` : options.answer(question);
  };
}

function plan(n: number, perTopic: number, refusalShare = 0): PlannedTopic[] {
  return planTopics(topics(n), { perTopic, refusalShare, seed: 1 });
}

async function collect(options: Omit<Parameters<typeof runGeneration>[0], 'onPair'> & { onPair?: (p: GeneratedPair) => Promise<void> }): Promise<{ pairs: GeneratedPair[]; events: GenerationEvent[]; summary: Awaited<ReturnType<typeof runGeneration>> }> {
  const pairs: GeneratedPair[] = [];
  const events: GenerationEvent[] = [];
  const summary = await runGeneration({
    ...options,
    onPair: async (p) => {
      pairs.push(p);
      await options.onPair?.(p);
    },
    onEvent: (e) => { events.push(e); },
  });
  return { pairs, events, summary };
}

void describe('runGeneration', () => {
  void it('asks for questions in JSON mode, answers each, and emits every pair once with its refusal flag', async () => {
    const calls: Call[] = [];
    const { pairs, summary } = await collect({ plan: plan(5, 4, 0.25), ask: scriptedAsk({ calls }) });
    assert.equal(pairs.length, 20);
    assert.equal(summary.pairs, 20);
    assert.equal(new Set(pairs.map((p) => p.question)).size, 20);
    for (const p of pairs) assert.equal(p.answer, `Answer to: ${p.question}`);
    assert.equal(pairs.filter((p) => p.refusal).length, 5);
    assert.deepEqual(calls.filter((c) => c.stage === 'questions').map((c) => c.json), [true, true, true, true, true]);
    assert.ok(calls.filter((c) => c.stage === 'answer').every((c) => !c.json));
    assert.ok(calls.filter((c) => c.stage === 'answer').some((c) => /refused as out of scope: yes/.test(c.user)));
    assert.deepEqual({ ...summary, failedTopics: [...summary.failedTopics], failedAnswers: [...summary.failedAnswers] }, {
      pairs: 20, droppedDuplicates: 0, failedTopics: [], failedAnswers: [], repairedReplies: 0, retriedReplies: 0, cancelled: false,
    });
  });

  void it('drops and counts questions that repeat existing rows or each other, exactly or nearly', async () => {
    const existing = ['Where can I register to vote if I just moved to a new county?'];
    const ask = scriptedAsk({
      questions: () => JSON.stringify({ questions: [
        'Where can I register to vote if I have just moved to a new county?', // near an existing row
        'WHERE can I register to vote, if I just moved to a new county', // exact after normalizing
        'How do I get a copy of my birth certificate from the vital records office?',
        'How do I get a copy of my birth certificate from the vital records office quickly?', // near the one before
        'Is there a fee to replace a lost library card at the branch downtown?',
      ] }),
    });
    const { pairs, summary, events } = await collect({ plan: plan(1, 5), ask, existing });
    assert.deepEqual(pairs.map((p) => p.question), [
      'How do I get a copy of my birth certificate from the vital records office?',
      'Is there a fee to replace a lost library card at the branch downtown?',
    ]);
    assert.equal(summary.droppedDuplicates, 3);
    assert.equal(summary.retriedReplies, 0, 'duplicates are dropped, not asked for again');
    assert.deepEqual(events.filter((e) => e.type === 'questions'), [{ type: 'questions', topicId: 't0', kept: 2, duplicates: 3, repaired: false }]);
  });

  void it('a second topic writing the same questions has them dropped as duplicates of the first', async () => {
    const ask = scriptedAsk({ questions: (_t, n) => JSON.stringify({ questions: Array.from({ length: n }, (_, i) => distinctQuestion('Shared', i)) }) });
    const { pairs, summary } = await collect({ plan: plan(3, 4), ask, topicConcurrency: 1 });
    assert.equal(pairs.length, 4);
    assert.equal(summary.droppedDuplicates, 8);
  });

  void it('asks again after an unreadable reply, then reports the topic failure', async () => {
    const ask = scriptedAsk({
      questions: (topic, n, _r, attempt) => {
        if (topic === 'Topic 0') return attempt < 3 ? 'Sorry, the service is busy.' : JSON.stringify({ questions: Array.from({ length: n }, (_, i) => distinctQuestion(topic, i)) });
        return '{"questions": ["cut off';
      },
    });
    const { pairs, summary, events } = await collect({ plan: plan(2, 3), ask });
    assert.equal(pairs.length, 3);
    assert.ok(pairs.every((p) => p.topicId === 't0'));
    assert.equal(summary.retriedReplies, 4);
    const [failure, ...others] = summary.failedTopics;
    assert.ok(failure);
    assert.equal(others.length, 0);
    assert.equal(failure.topicId, 't1');
    assert.equal(failure.missing, 3);
    assert.match(failure.message, /neither the JSON object asked for nor a list.*asked 3 times/);
    assert.equal(events.filter((e) => e.type === 'reply-retried').length, 4);
  });

  void it('asks again for the missing questions of a short reply, and counts repaired replies', async () => {
    const asked: number[] = [];
    const ask = scriptedAsk({
      questions: (topic, n, _r, attempt) => {
        asked.push(n);
        const got = attempt === 1 ? 2 : n;
        const qs = Array.from({ length: got }, (_, i) => distinctQuestion(topic, attempt * 10 + i));
        return `Here they are:\n\`\`\`json\n${JSON.stringify({ questions: qs })}\n\`\`\``;
      },
    });
    const { pairs, summary } = await collect({ plan: plan(1, 5), ask });
    assert.deepEqual(asked, [5, 3]);
    assert.equal(pairs.length, 5);
    assert.equal(summary.retriedReplies, 1);
    assert.equal(summary.repairedReplies, 2);
    assert.deepEqual(summary.failedTopics, []);
  });

  void it('reports a failed questions request and a failed answer with its question, never dropping them silently', async () => {
    const base = scriptedAsk();
    const ask: Ask = async (stage, messages, o) => {
      const user = messages.find((m) => m.role === 'user')?.content ?? '';
      if (stage === 'questions' && user.includes('Topic: Topic 1')) throw new Error('Endpoint "x" had a server error (500).');
      if (stage === 'answer' && user.includes('Topic 0 question 2:')) throw new Error('Endpoint "x" did not answer within 120 s.');
      return base(stage, messages, o);
    };
    const { pairs, summary } = await collect({ plan: plan(2, 4), ask });
    assert.equal(pairs.length, 3);
    assert.deepEqual(summary.failedTopics, [{ topicId: 't1', message: 'Endpoint "x" had a server error (500).', missing: 4 }]);
    const [failure, ...others] = summary.failedAnswers;
    assert.ok(failure);
    assert.equal(others.length, 0);
    assert.equal(failure.topicId, 't0');
    assert.match(failure.question, /^Topic 0 question 2:/);
    assert.match(failure.message, /120 s/);
  });

  void it('reports an empty answer as a failure', async () => {
    const { pairs, summary } = await collect({ plan: plan(1, 2), ask: scriptedAsk({ answer: (q) => (q.includes('question 0:') ? '  \n' : `A: ${q}`) }) });
    assert.equal(pairs.length, 1);
    assert.equal(summary.failedAnswers[0]?.message, 'The model sent an empty answer.');
  });

  void it('calls onPair one pair at a time, and a slow writer holds the run back', async () => {
    let writing = 0;
    let most = 0;
    let topicsStarted = 0;
    const pairs: GeneratedPair[] = [];
    await runGeneration({
      plan: plan(6, 3),
      ask: scriptedAsk(),
      topicConcurrency: 2,
      onEvent: (e) => { if (e.type === 'topic-started') topicsStarted++; },
      onPair: async (p) => {
        writing++;
        most = Math.max(most, writing);
        if (pairs.length === 0) {
          await new Promise((r) => setTimeout(r, 30));
          // While the first write waits, no more than the two topics in flight have started.
          assert.equal(topicsStarted, 2);
        }
        pairs.push(p);
        writing--;
      },
    });
    assert.equal(most, 1);
    assert.equal(pairs.length, 18);
  });

  void it('stops and rejects with the writer\'s error when onPair throws', async () => {
    let calls = 0;
    await assert.rejects(runGeneration({
      plan: plan(4, 3),
      ask: scriptedAsk(),
      onPair: () => {
        calls++;
        if (calls === 2) throw new Error('disk full');
      },
    }), /disk full/);
    assert.equal(calls, 2);
  });

  void it('checks both prompts before asking anything', async () => {
    const calls: Call[] = [];
    await assert.rejects(runGeneration({ plan: plan(1, 1), ask: scriptedAsk({ calls }), answerPrompt: 'user:\n{{question}} for {{persona}}\n', onPair: () => undefined }), PromptRenderError);
    assert.equal(calls.length, 0);
  });

  void it('a cancelled run stops asking, emits only whole pairs, and nothing after it settles', async () => {
    const controller = new AbortController();
    const calls: Call[] = [];
    const ask = scriptedAsk({
      calls,
      answer: async (q) => {
        await new Promise((r) => setTimeout(r, 5));
        return `Answer to: ${q}`;
      },
    });
    const pairs: GeneratedPair[] = [];
    const summary = await runGeneration({
      plan: plan(20, 5),
      ask,
      signal: controller.signal,
      onPair: (p) => {
        pairs.push(p);
        if (pairs.length === 7) controller.abort();
      },
    });
    const asked = calls.length;
    assert.equal(summary.cancelled, true);
    assert.ok(pairs.length >= 7 && pairs.length < 100, `${pairs.length} pairs`);
    assert.equal(summary.pairs, pairs.length);
    for (const p of pairs) assert.equal(p.answer, `Answer to: ${p.question}`);
    assert.deepEqual(summary.failedAnswers, [], 'cancelled requests are not failures');
    assert.deepEqual(summary.failedTopics, []);
    const emitted = pairs.length;
    await new Promise((r) => setTimeout(r, 30));
    assert.equal(pairs.length, emitted);
    assert.equal(calls.length, asked);
  });

  void it('an already-aborted signal asks nothing', async () => {
    const calls: Call[] = [];
    const { pairs, summary } = await collect({ plan: plan(3, 3), ask: scriptedAsk({ calls }), signal: AbortSignal.abort() });
    assert.equal(calls.length, 0);
    assert.equal(pairs.length, 0);
    assert.equal(summary.cancelled, true);
  });
});
