import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { detectFormat, FORMAT_IDS, formatById, matchFormat } from '../../src/core/formats/index';
import { jsonLine, lineStyleOf, renderPair, renderPairLine, type Pair } from '../../src/core/formats/render';
import { parseTemplate } from '../../src/core/formats/template';
import { createLocator } from '../../src/core/jsonl/locate';
import type { FieldRole, FormatContext, FormatId, JsonObject } from '../../src/core/lint/types';

// ---------------------------------------------------------------------------------------------
// Helpers

/** The record of a pair that renders; fails the test for one that does not. */
function rendered(id: FormatId, pair: Pair, ctx: FormatContext = {}): { record: JsonObject; dropped: readonly string[] } {
  const r = renderPair(id, pair, ctx);
  assert.ok(r.ok, `${id} did not render: ${r.ok ? '' : r.message}`);
  return { record: r.record, dropped: r.dropped };
}

/** The record as its line, checked by its own format: the issues found. */
function issuesOf(id: FormatId, record: JsonObject, ctx: FormatContext): string[] {
  const line = jsonLine(record);
  return formatById(id).check(JSON.parse(line) as JsonObject, createLocator(line), ctx).map((i) => `${i.rule}: ${i.message}`);
}

/** The texts of the view's fields with `role`. */
function texts(id: FormatId, record: JsonObject, role: FieldRole, ctx: FormatContext = {}): string[] {
  return formatById(id).view(record, ctx).fields.filter((f) => f.role === role).map((f) => f.text);
}

function ctxOf(template: string): FormatContext {
  const t = parseTemplate(template);
  assert.ok(t.ok, t.ok ? '' : t.message);
  return t.ctx;
}

/** Preference formats need a second, rejected answer, which one pair does not have. */
const RENDERABLE = FORMAT_IDS.filter((id) => id !== 'openai-dpo' && id !== 'trl-preference');
/** Formats with a place for the system prompt (the others list it in `dropped`). */
const WITH_SYSTEM: ReadonlySet<FormatId> = new Set<FormatId>([
  'jumpstart-chat', 'openai-chat', 'openai-rft', 'sharegpt', 'bedrock-conversation', 'bedrock-haiku', 'nova', 'trl-sft', 'vertex-gemini',
]);

/**
 * Formats whose rendered line has another format's shape exactly, and which that line is
 * detected as: a Nova record without reasoning is Bedrock conversation's shape; a Haiku line
 * without a system prompt is OpenAI chat's. Each still matches its own format.
 */
function detectedAs(id: FormatId, pair: Pair): FormatId {
  if (id === 'nova') return 'bedrock-conversation';
  if (id === 'bedrock-haiku' && (pair.system ?? '') === '') return 'openai-chat';
  return id;
}

const PAIR: Pair = { question: 'How do I renew my passport by mail?', answer: 'Use Form DS-82 and mail it with your old passport.' };
const WITH_ALL: Pair = { ...PAIR, system: 'Answer briefly.', context: 'The applicant is 30 and lives in Ohio.' };

// ---------------------------------------------------------------------------------------------

void describe('renderPair: every format', () => {
  for (const id of RENDERABLE) {
    void it(`${id}: matches its format, checks clean, is detected as it, and reads back as question and answer`, () => {
      for (const pair of [PAIR, WITH_ALL]) {
        const { record, dropped } = rendered(id, pair);
        assert.ok(formatById(id).matches(record, {}), `${id} does not match ${jsonLine(record)}`);
        assert.deepEqual(issuesOf(id, record, {}), []);
        assert.equal(matchFormat(record, {}), detectedAs(id, pair));
        assert.equal(detectFormat([record, record], {}).format, detectedAs(id, pair));

        if (id === 'text') {
          assert.deepEqual(texts(id, record, 'text'), [`${pair.question}${pair.context === undefined ? '' : `\n\n${pair.context}`}\n\n${pair.answer}`]);
        } else {
          const prompt = texts(id, record, 'prompt').join('\n');
          assert.ok(prompt.includes(pair.question), `${id}: the question is not on the prompt side`);
          assert.deepEqual(texts(id, record, 'answer'), [pair.answer]);
          if (pair.context !== undefined) {
            const promptSide = formatById(id).view(record, {}).prompt;
            assert.ok(promptSide.includes(pair.context), `${id}: the context is not on the prompt side`);
          }
        }

        if (pair.system === undefined) {
          assert.deepEqual(dropped, []);
          assert.deepEqual(texts(id, record, 'system'), []);
        } else if (WITH_SYSTEM.has(id)) {
          assert.deepEqual(dropped, []);
          assert.deepEqual(texts(id, record, 'system'), [pair.system]);
        } else {
          assert.deepEqual(dropped, ['system']);
          assert.ok(!jsonLine(record).includes(pair.system), `${id}: a dropped system prompt is still in the line`);
        }
      }
    });
  }

  void it('writes exactly the shapes the trainers expect', () => {
    const r = (id: FormatId, pair: Pair = WITH_ALL): JsonObject => rendered(id, pair).record;
    const q = WITH_ALL.question;
    const a = WITH_ALL.answer;
    const c = WITH_ALL.context ?? '';
    const s = WITH_ALL.system ?? '';
    const qc = `${q}\n\n${c}`;
    assert.deepEqual(r('jumpstart-instruction'), { instruction: q, context: c, response: a });
    assert.deepEqual(r('jumpstart-instruction', PAIR), { instruction: PAIR.question, context: '', response: PAIR.answer });
    assert.deepEqual(r('jumpstart-chat'), { dialog: [{ role: 'system', content: s }, { role: 'user', content: qc }, { role: 'assistant', content: a }] });
    assert.deepEqual(r('openai-chat'), { messages: [{ role: 'system', content: s }, { role: 'user', content: qc }, { role: 'assistant', content: a }] });
    assert.deepEqual(r('openai-chat', PAIR), { messages: [{ role: 'user', content: PAIR.question }, { role: 'assistant', content: PAIR.answer }] });
    assert.deepEqual(r('alpaca'), { instruction: q, input: c, output: a });
    assert.deepEqual(r('alpaca', PAIR), { instruction: PAIR.question, input: '', output: PAIR.answer });
    assert.deepEqual(r('sharegpt'), { conversations: [{ from: 'system', value: s }, { from: 'human', value: qc }, { from: 'gpt', value: a }] });
    assert.deepEqual(r('bedrock-prompt'), { prompt: qc, completion: a });
    assert.deepEqual(r('bedrock-conversation'), {
      schemaVersion: 'bedrock-conversation-2024',
      system: [{ text: s }],
      messages: [{ role: 'user', content: [{ text: qc }] }, { role: 'assistant', content: [{ text: a }] }],
    });
    assert.deepEqual(r('bedrock-conversation', PAIR), {
      schemaVersion: 'bedrock-conversation-2024',
      messages: [{ role: 'user', content: [{ text: PAIR.question }] }, { role: 'assistant', content: [{ text: PAIR.answer }] }],
    });
    assert.deepEqual(r('text', PAIR), { text: `${PAIR.question}\n\n${PAIR.answer}` });
    // RFT: the model answers the user; the grader reads the reference from a field of the line;
    // RFT lines take developer messages (FineTuneReinforcementRequestInput).
    assert.deepEqual(r('openai-rft'), { messages: [{ role: 'developer', content: s }, { role: 'user', content: qc }], reference_answer: a });
    assert.deepEqual(r('bedrock-haiku'), { system: s, messages: [{ role: 'user', content: qc }, { role: 'assistant', content: a }] });
    assert.deepEqual(r('bedrock-haiku', PAIR), { messages: [{ role: 'user', content: PAIR.question }, { role: 'assistant', content: PAIR.answer }] });
    assert.deepEqual(r('nova'), r('bedrock-conversation'));
    // TRL: conversational prompt-completion, the shape only TRL reads.
    assert.deepEqual(r('trl-sft'), {
      prompt: [{ role: 'system', content: s }, { role: 'user', content: qc }],
      completion: [{ role: 'assistant', content: a }],
    });
    assert.deepEqual(r('vertex-gemini'), {
      systemInstruction: { role: 'system', parts: [{ text: s }] },
      contents: [{ role: 'user', parts: [{ text: qc }] }, { role: 'model', parts: [{ text: a }] }],
    });
    assert.deepEqual(r('vertex-gemini', PAIR), {
      contents: [{ role: 'user', parts: [{ text: PAIR.question }] }, { role: 'model', parts: [{ text: PAIR.answer }] }],
    });
  });

  void it('refuses TRL preference, which needs a rejected answer', () => {
    const r = renderPair('trl-preference', WITH_ALL, {});
    assert.ok(!r.ok);
    assert.match(r.message, /TRL preference data needs a chosen and a rejected answer/);
  });

  void it('an empty system prompt is no system prompt', () => {
    for (const id of RENDERABLE) {
      const { record, dropped } = rendered(id, { ...PAIR, system: '', context: '' });
      assert.deepEqual(record, rendered(id, PAIR).record, id);
      assert.deepEqual(dropped, []);
    }
  });

  void it('refuses OpenAI DPO, which needs a second answer', () => {
    const r = renderPair('openai-dpo', WITH_ALL, {});
    assert.ok(!r.ok);
    assert.match(r.message, /OpenAI DPO needs a preferred and a non-preferred answer/);
    const line = renderPairLine('openai-dpo', PAIR, {});
    assert.equal(line.ok, false);
  });
});

void describe('renderPair: JumpStart templates', () => {
  void it('fills a prompt/completion template\'s keys', () => {
    const ctx = ctxOf('{"prompt": "Q: {question}\\n", "completion": "{answer}"}');
    const { record, dropped } = rendered('jumpstart-instruction', WITH_ALL, ctx);
    assert.deepEqual(record, { question: `${WITH_ALL.question}\n\n${WITH_ALL.context ?? ''}`, answer: WITH_ALL.answer });
    assert.deepEqual(dropped, ['system']);
    assert.deepEqual(issuesOf('jumpstart-instruction', record, ctx), []);
    assert.equal(matchFormat(record, ctx), 'jumpstart-instruction');
    assert.deepEqual(texts('jumpstart-instruction', record, 'answer', ctx), [WITH_ALL.answer]);
  });

  void it('puts the question, context and system in the fields the linting labels so, and "" in the rest', () => {
    const ctx = ctxOf('{"prompt": "{system}\\n### Task ({topic}):\\n{instruction}\\n\\n### Input:\\n{input}\\n\\n", "completion": " {output}"}');
    const { record, dropped } = rendered('jumpstart-instruction', WITH_ALL, ctx);
    assert.deepEqual(record, { system: WITH_ALL.system, topic: '', instruction: WITH_ALL.question, input: WITH_ALL.context, output: WITH_ALL.answer });
    assert.deepEqual(dropped, []);
    assert.deepEqual(issuesOf('jumpstart-instruction', record, ctx), []);
    assert.deepEqual(texts('jumpstart-instruction', record, 'system', ctx), [WITH_ALL.system]);
    assert.deepEqual(texts('jumpstart-instruction', record, 'context', ctx), [WITH_ALL.context]);
    assert.deepEqual(texts('jumpstart-instruction', record, 'answer', ctx), [WITH_ALL.answer]);
  });

  void it('asks the question through {input} when that is the only prompt field', () => {
    const ctx = ctxOf('{"prompt": "{input}", "completion": "{output}"}');
    const { record } = rendered('jumpstart-instruction', PAIR, ctx);
    assert.deepEqual(record, { input: PAIR.question, output: PAIR.answer });
    assert.deepEqual(issuesOf('jumpstart-instruction', record, ctx), []);
  });

  void it('takes the first completion field for the answer, and keeps odd field names as own keys', () => {
    const ctx = ctxOf('{"prompt": "{constructor} {toString}", "completion": "{response} {extra}"}');
    const { record } = rendered('jumpstart-instruction', PAIR, ctx);
    assert.deepEqual(record, { constructor: PAIR.question, toString: '', response: PAIR.answer, extra: '' });
    assert.deepEqual(issuesOf('jumpstart-instruction', record, ctx), []);
    // "__proto__" is a field like any other: an own key of the record, in the line.
    const proto = rendered('jumpstart-instruction', PAIR, ctxOf('{"prompt": "{__proto__}", "completion": "{response}"}')).record;
    assert.ok(Object.hasOwn(proto, '__proto__'));
    assert.equal(jsonLine(proto), `{"__proto__":${JSON.stringify(PAIR.question)},"response":${JSON.stringify(PAIR.answer)}}`);
  });

  void it('falls back to an answer-like field name when the context names no completion keys', () => {
    const ctx: FormatContext = { templateKeys: ['prompt', 'completion'] };
    const { record } = rendered('jumpstart-instruction', PAIR, ctx);
    assert.deepEqual(record, { prompt: PAIR.question, completion: PAIR.answer });
  });
});

void describe('renderPairLine', () => {
  const tricky: Pair = {
    question: 'Wie heißt das? 日本語 🎉 "quoted" \'single\' back\\slash\nnew line\ttab </script><!--',
    answer: '</script><script>alert(1)</script>\r\n\u2028\u2029 \u0000 end ',
    system: 'Système: « guillemets »',
    context: '{"json": "inside"}',
  };

  void it('keeps unicode, quotes, line breaks and </script> through a JSON round trip, on one line', () => {
    for (const id of RENDERABLE) {
      const r = renderPairLine(id, tricky, {});
      assert.ok(r.ok);
      assert.ok(!/[\r\n\u2028\u2029]/.test(r.line), `${id}: the line breaks`);
      assert.ok(!r.line.endsWith('\n'));
      assert.deepEqual(JSON.parse(r.line), rendered(id, tricky).record);
      assert.deepEqual(issuesOf(id, JSON.parse(r.line) as JsonObject, {}), []);
    }
  });

  void it('round-trips any text', () => {
    fc.assert(fc.property(
      fc.constantFrom(...RENDERABLE),
      fc.string({ unit: 'binary' }), fc.string({ unit: 'binary' }), fc.option(fc.string({ unit: 'binary' }), { nil: undefined }),
      (id, question, answer, system) => {
        const pair: Pair = system === undefined ? { question, answer } : { question, answer, system };
        const r = renderPairLine(id, pair, {});
        assert.ok(r.ok);
        assert.ok(!/[\r\n\u2028\u2029]/.test(r.line));
        assert.deepEqual(JSON.parse(r.line), rendered(id, pair).record);
      },
    ), { numRuns: 300 });
  });
});

void describe('line style: a new line looks like the lines of its file', () => {
  void it('tells Python-style spaced lines from compact ones by the first key', () => {
    assert.equal(lineStyleOf('{"instruction": "Q", "context": "", "response": "A"}'), 'spaced');
    assert.equal(lineStyleOf('{"instruction":"Q","context":"","response":"A"}'), 'compact');
    assert.equal(lineStyleOf('{"a \\" b": 1}'), 'spaced');
    assert.equal(lineStyleOf(''), 'compact');
    assert.equal(lineStyleOf('not json'), 'compact');
  });

  void it('writes spaced lines as json.dumps does, with the same values as compact ones', () => {
    const record = { messages: [{ role: 'user', content: 'Q: "why", \u2028 {a, b}' }, { role: 'assistant', content: 'A' }], n: 1 };
    const spaced = jsonLine(record, 'spaced');
    assert.equal(spaced, '{"messages": [{"role": "user", "content": "Q: \\"why\\", \\u2028 {a, b}"}, {"role": "assistant", "content": "A"}], "n": 1}');
    assert.deepEqual(JSON.parse(spaced), record);
    fc.assert(fc.property(fc.jsonValue(), (v) => {
      const record = { v };
      assert.deepEqual(JSON.parse(jsonLine(record, 'spaced')), JSON.parse(JSON.stringify(record)));
      assert.ok(!/[\n\r\u2028\u2029]/.test(jsonLine(record, 'spaced')));
    }), { numRuns: 300 });
  });
});
