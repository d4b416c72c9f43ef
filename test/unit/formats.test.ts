import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { detectFormat, FORMAT_IDS, FORMATS, formatById, matchFormat } from '../../src/core/formats/index';
import { parseTemplate, placeholders } from '../../src/core/formats/template';
import { createLocator } from '../../src/core/jsonl/locate';
import type { FieldRole, FormatContext, FormatId, Issue, Json, JsonObject, JsonPath, RuleId } from '../../src/core/lint/types';
import { repoFile } from '../harness/repoFile';

// ---------------------------------------------------------------------------------------------
// Helpers

function fixtureLines(id: FormatId): string[] {
  return readFileSync(repoFile(`test/fixtures/formats/${id}.jsonl`), 'utf8').split('\n').filter((l) => l.trim() !== '');
}

const parse = (line: string): JsonObject => JSON.parse(line) as JsonObject;

function check(id: FormatId, line: string, ctx: FormatContext = {}): Issue[] {
  return formatById(id).check(parse(line), createLocator(line), ctx);
}

/** An expected issue: [rule, start, end, a phrase of the message]. */
type Expected = readonly [RuleId, number, number, RegExp];

/** The expected issue `rule` at the `n`-th (0-based) occurrence of `raw` in `line`. */
function at(line: string, rule: RuleId, raw: string, phrase: RegExp, n = 0): Expected {
  let i = -1;
  for (let k = 0; k <= n; k++) {
    i = line.indexOf(raw, i + 1);
    assert.notEqual(i, -1, `${JSON.stringify(raw)} is not in ${line}`);
  }
  return [rule, i, i + raw.length, phrase];
}

function assertIssues(id: FormatId, line: string, expected: readonly Expected[], ctx: FormatContext = {}): void {
  const issues = check(id, line, ctx);
  assert.deepEqual(
    issues.map((i) => [i.rule, i.start, i.end]),
    expected.map(([rule, start, end]) => [rule, start, end]),
    `issues of ${line}:\n${issues.map((i) => `  ${i.rule} ${i.start}-${i.end} ${i.message}`).join('\n')}`,
  );
  expected.forEach(([, , , phrase], k) => { assert.match(issues[k]?.message ?? '', phrase); });
}

function valueAt(root: Json, path: JsonPath): Json | undefined {
  let v: Json | undefined = root;
  for (const k of path) {
    if (Array.isArray(v)) v = typeof k === 'number' ? v[k] : undefined;
    else if (typeof v === 'object' && v !== null) v = typeof k === 'string' && Object.hasOwn(v, k) ? v[k] : undefined;
    else return undefined;
  }
  return v;
}

function fieldsOf(id: FormatId, line: string, ctx: FormatContext = {}): [string, FieldRole, string][] {
  return formatById(id).view(parse(line), ctx).fields.map((f) => [JSON.stringify(f.path), f.role, f.text]);
}

const RULES: ReadonlySet<RuleId> = new Set<RuleId>(['schema', 'role-order', 'missing-assistant', 'non-string-content']);

// ---------------------------------------------------------------------------------------------
// The registry

void describe('formats: the registry', () => {
  void it('lists every format once, FORMAT_IDS in the settings order and FORMATS in detection order', () => {
    assert.deepEqual([...FORMAT_IDS].sort(), FORMATS.map((f) => f.id).sort());
    assert.equal(new Set(FORMATS.map((f) => f.id)).size, FORMATS.length);
    assert.deepEqual(FORMAT_IDS, ['jumpstart-instruction', 'jumpstart-chat', 'openai-chat', 'openai-dpo', 'alpaca', 'sharegpt', 'bedrock-prompt', 'bedrock-conversation', 'text']);
    for (const id of FORMAT_IDS) assert.equal(formatById(id).id, id);
  });

  void it('every format has a label and a one-line description', () => {
    for (const f of FORMATS) {
      assert.ok(f.label.length > 0 && f.label.length <= 30, f.label);
      assert.ok(f.description.length > 20 && !f.description.includes('\n'), f.description);
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Golden fixtures

void describe('formats: golden fixtures are clean and detected as their format', () => {
  for (const id of FORMAT_IDS) {
    void it(id, () => {
      const lines = fixtureLines(id);
      assert.ok(lines.length >= 3);
      for (const line of lines) {
        assert.deepEqual(check(id, line), [], line);
        assert.equal(matchFormat(parse(line), {}), id, line);
        const view = formatById(id).view(parse(line), {});
        assert.equal(view.format, id);
        assert.ok(view.fields.length > 0, line);
        for (const f of view.fields) assert.equal(valueAt(parse(line), f.path), f.text);
        if (id === 'text') {
          assert.deepEqual(view.fields.map((f) => f.role), ['text']);
          assert.equal(view.prompt, '');
        } else {
          assert.ok(view.fields.some((f) => f.role === 'answer'), `no answer in ${line}`);
          assert.notEqual(view.prompt, '', line);
        }
      }
      const detected = detectFormat(lines.map(parse), {});
      assert.equal(detected.format, id);
      assert.deepEqual([...detected.counts], [[id, lines.length]]);
    });
  }

  void it('the repository\'s samples/train.jsonl is clean JumpStart instruction data with samples/template.json', () => {
    const parsed = parseTemplate(readFileSync(repoFile('samples/template.json'), 'utf8'));
    assert.ok(parsed.ok);
    const lines = readFileSync(repoFile('samples/train.jsonl'), 'utf8').split('\n').filter((l) => l !== '');
    assert.equal(detectFormat(lines.map(parse), parsed.ctx).format, 'jumpstart-instruction');
    for (const line of lines) assert.deepEqual(check('jumpstart-instruction', line, parsed.ctx), []);
  });
});

// ---------------------------------------------------------------------------------------------
// Broken lines, per format

void describe('JumpStart instruction', () => {
  void it('reports a missing key at the record, a non-string value at the value and an extra key at the key', () => {
    const line = '{"instruction": "Renew a passport?", "response": 5, "category": "travel"}';
    assertIssues('jumpstart-instruction', line, [
      ['schema', 0, line.length, /has no "context", and the default JumpStart instruction template needs \{context\}\. Add "context" \(""/],
      at(line, 'non-string-content', '5', /"response" is a number \(5\), but the trainer reads text here\. Write it as a string: "5"/),
      at(line, 'schema', '"category"', /not a placeholder of the default JumpStart instruction template.*JumpStart never reads it\. Remove it/),
    ]);
  });

  void it('null and object values are non-string-content', () => {
    const line = '{"instruction": "Q?", "context": null, "response": {"text": "A"}}';
    assertIssues('jumpstart-instruction', line, [
      at(line, 'non-string-content', 'null', /"context" is null.*Write a string \(""/),
      at(line, 'non-string-content', '{"text": "A"}', /"response" is an object.*Put the text in one string/),
    ]);
  });

  void it('uses the keys of template.json when there is one', () => {
    const ctx: FormatContext = { templateKeys: ['question', 'answer'], completionKeys: ['answer'] };
    const ok = '{"question": "When is trash day?", "answer": "Tuesday."}';
    assert.deepEqual(check('jumpstart-instruction', ok, ctx), []);
    assert.equal(formatById('jumpstart-instruction').matches(parse(ok), ctx), true);
    assert.equal(formatById('jumpstart-instruction').matches(parse(ok), {}), false);
    const line = '{"question": "When?", "instruction": "x"}';
    assertIssues('jumpstart-instruction', line, [
      ['schema', 0, line.length, /has no "answer", and template\.json needs \{answer\}/],
      at(line, 'schema', '"instruction"', /not a placeholder of template\.json \(\{question\}, \{answer\}\).*add \{instruction\} to template\.json/),
    ], ctx);
  });

  void it('views the prompt side as prompt and context, the completion keys as answer', () => {
    const line = '{"instruction": "Summarize.", "context": "The office moved.", "response": "It moved.", "extra": "not read"}';
    assert.deepEqual(fieldsOf('jumpstart-instruction', line), [
      ['["instruction"]', 'prompt', 'Summarize.'], ['["context"]', 'context', 'The office moved.'], ['["response"]', 'answer', 'It moved.'],
    ]);
    assert.equal(formatById('jumpstart-instruction').view(parse(line), {}).prompt, 'Summarize.\nThe office moved.');
    const ctx: FormatContext = { templateKeys: ['system', 'question', 'reply'], completionKeys: ['reply'] };
    assert.deepEqual(fieldsOf('jumpstart-instruction', '{"reply": "B", "question": "A", "system": "S"}', ctx), [
      ['["reply"]', 'answer', 'B'], ['["question"]', 'prompt', 'A'], ['["system"]', 'system', 'S'],
    ]);
  });
});

void describe('JumpStart chat', () => {
  const D = (turns: string): string => `{"dialog": [${turns}]}`;
  const u = (t: string): string => `{"role": "user", "content": "${t}"}`;
  const a = (t: string): string => `{"role": "assistant", "content": "${t}"}`;

  void it('two user turns in a row: role-order at the second one\'s role', () => {
    const line = D([u('Hi'), a('Hello'), u('Q1'), u('Q2'), a('A')].join(', '));
    assertIssues('jumpstart-chat', line, [
      at(line, 'role-order', '"user"', /^Turn 4 is "user" but the previous turn was also "user": user and assistant turns must alternate\. Merge the two user turns or add the assistant's reply between them\.$/, 2),
    ]);
  });

  void it('starting with the assistant, a late system turn, and two assistant turns in a row', () => {
    const line = D([a('Hello'), u('Q'), a('A1'), a('A2'), '{"role": "system", "content": "S"}'].join(', '));
    assertIssues('jumpstart-chat', line, [
      at(line, 'role-order', '"assistant"', /^Turn 1 is "assistant", but the conversation must start with a "user" turn/),
      at(line, 'role-order', '"assistant"', /^Turn 4 is "assistant" but the previous turn was also "assistant".*add the user's turn between them/, 2),
      at(line, 'role-order', '"system"', /^Turn 5 is "system", but a system message may only come first/),
    ]);
  });

  void it('no assistant turn, or a last turn that is not the assistant\'s: missing-assistant', () => {
    const none = D('{"role": "system", "content": "S"}, ' + u('Q'));
    assertIssues('jumpstart-chat', none, [at(none, 'missing-assistant', none.slice(11, -1), /has no "assistant" turn/)]);
    const open = D([u('Q'), a('A'), u('Q2')].join(', '));
    assertIssues('jumpstart-chat', open, [at(open, 'missing-assistant', '"user"', /ends with a "user" turn.*Add the assistant's reply, or remove the turn/, 1)]);
    const empty = '{"dialog": []}';
    assertIssues('jumpstart-chat', empty, [at(empty, 'missing-assistant', '[]', /The conversation is empty/)]);
  });

  void it('schema: unknown role, missing content, extra keys, not a list, no list at all', () => {
    const line = D(['{"role": "bot", "content": "Hi"}', '{"role": "user"}', '{"role": "assistant", "content": 7, "weight": 1}'].join(', '));
    assertIssues('jumpstart-chat', line, [
      at(line, 'schema', '"bot"', /The "role" of turn 1 is "bot"; JumpStart chat roles are "system", "user" and "assistant"/),
      at(line, 'schema', '{"role": "user"}', /Turn 2 has no "content"\. Add the message text/),
      at(line, 'non-string-content', '7', /The "content" of turn 3 is a number/),
      at(line, 'schema', '"weight"', /Turn 3 has the key "weight", which JumpStart chat turns do not have/),
    ]);
    const notList = '{"dialog": "Hi there"}';
    assertIssues('jumpstart-chat', notList, [at(notList, 'schema', '"Hi there"', /"dialog" must be an array of turns/)]);
    const noList = '{"chat": []}';
    assertIssues('jumpstart-chat', noList, [
      ['schema', 0, noList.length, /no list of turns/],
      at(noList, 'schema', '"chat"', /The record has the key "chat", which JumpStart chat does not use/),
    ]);
    const both = `{"dialog": [${u('Q')}, ${a('A')}], "conversations": []}`;
    assertIssues('jumpstart-chat', both, [at(both, 'schema', '"conversations"', /both "dialog" and "conversations"/)]);
  });

  void it('reads messages and conversations as well as dialog', () => {
    for (const key of ['messages', 'conversations']) {
      const line = `{"${key}": [${u('Q')}, ${a('A')}]}`;
      assert.deepEqual(check('jumpstart-chat', line), []);
      assert.ok(formatById('jumpstart-chat').matches(parse(line), {}));
      assert.deepEqual(fieldsOf('jumpstart-chat', line), [[`["${key}",0,"content"]`, 'prompt', 'Q'], [`["${key}",1,"content"]`, 'answer', 'A']]);
    }
  });
});

void describe('OpenAI chat', () => {
  void it('weight only on assistant turns, and only 0 or 1', () => {
    const line = '{"messages": [{"role": "user", "content": "Q", "weight": 1}, {"role": "assistant", "content": "A", "weight": 2}]}';
    assertIssues('openai-chat', line, [
      at(line, 'schema', '"weight"', /Turn 1 is "user", and only assistant turns take a "weight"/),
      at(line, 'schema', '2', /The "weight" of turn 2 is 2; a weight is 0 \(do not train on this reply\) or 1/),
    ]);
  });

  void it('tool results follow the call; tool_call_id is required and must match a call', () => {
    const line = '{"messages": [{"role": "user", "content": "Hours?"}, {"role": "tool", "content": "9-5"}, '
      + '{"role": "assistant", "tool_calls": [{"id": "c1", "type": "function", "function": {"name": "hours", "arguments": "{}"}}]}, '
      + '{"role": "tool", "tool_call_id": "c2", "content": "9-5"}, {"role": "assistant", "content": "9 to 5."}]}';
    assertIssues('openai-chat', line, [
      at(line, 'schema', '{"role": "tool", "content": "9-5"}', /Turn 2 is a tool result without "tool_call_id"/),
      at(line, 'role-order', '"tool"', /Turn 2 is a "tool" result, but the turn before it is not an assistant turn with "tool_calls"/),
      at(line, 'schema', '"c2"', /The "tool_call_id" of turn 4, "c2", matches no call/),
    ]);
  });

  void it('content: null only beside tool_calls, parts only for user turns, arguments a JSON string', () => {
    const line = '{"messages": [{"role": "system", "content": [{"type": "text", "text": "S"}]}, {"role": "user", "content": [{"type": "text"}, {"type": "audio"}]}, '
      + '{"role": "assistant", "content": null}, {"role": "user", "content": null}, '
      + '{"role": "assistant", "tool_calls": [{"id": "c", "type": "function", "function": {"name": "f", "arguments": {"x": 1}}}]}]}';
    assertIssues('openai-chat', line, [
      at(line, 'non-string-content', '[{"type": "text", "text": "S"}]', /Turn 1 is "system" with content parts, which only user turns may have/),
      at(line, 'schema', '{"type": "text"}', /Content part 1 of turn 2 is "text" but has no "text"/),
      at(line, 'schema', '"audio"', /a content part is \{"type": "text"/),
      at(line, 'non-string-content', 'null', /The "content" of turn 3 is null, but an assistant turn without "tool_calls" needs its reply as a string/),
      at(line, 'non-string-content', 'null', /The "content" of turn 4 is null\. Write the user message as a string/, 1),
      at(line, 'schema', '{"x": 1}', /must be a string holding the arguments as JSON/),
    ]);
  });

  void it('missing-assistant: none, or every one at weight 0, or no messages', () => {
    const none = '{"messages": [{"role": "system", "content": "S"}, {"role": "user", "content": "Q"}]}';
    assertIssues('openai-chat', none, [at(none, 'missing-assistant', none.slice(13, -1), /no assistant turn: OpenAI trains only on assistant replies/)]);
    const zero = '{"messages": [{"role": "user", "content": "Q"}, {"role": "assistant", "content": "A", "weight": 0}]}';
    assertIssues('openai-chat', zero, [at(zero, 'missing-assistant', zero.slice(13, -1), /Every assistant turn has "weight": 0/)]);
    const empty = '{"messages": []}';
    assertIssues('openai-chat', empty, [at(empty, 'missing-assistant', '[]', /"messages" is empty/)]);
  });

  void it('schema: unknown roles and keys, top-level keys, tools', () => {
    const line = '{"messages": [{"role": "bot", "content": "Hi"}, {"content": "Q"}, {"role": "assistant", "content": "A", "thoughts": "x"}], '
      + '"tools": [{"type": "function", "function": {"description": "no name"}}], "parallel_tool_calls": "yes", "meta": {}}';
    assertIssues('openai-chat', line, [
      at(line, 'schema', '"bot"', /OpenAI chat roles are "system", "developer", "user", "assistant" and "tool"/),
      at(line, 'schema', '{"content": "Q"}', /Turn 2 has no "role"/),
      at(line, 'schema', '"thoughts"', /Turn 3 has the key "thoughts", which OpenAI chat messages do not have/),
      at(line, 'schema', '"function"', /The "function" of tool 1 has no "name", which OpenAI chat requires/, 1),
      at(line, 'schema', '"yes"', /"parallel_tool_calls" must be true or false, not a string/),
      at(line, 'schema', '"meta"', /The record has the key "meta", which OpenAI chat fine-tuning rejects/),
    ]);
    const noMessages = '{"prompt": "Q", "messages": 3}';
    assertIssues('openai-chat', noMessages, [
      at(noMessages, 'schema', '"prompt"', /The record has the key "prompt"/),
      at(noMessages, 'schema', '3', /"messages" must be an array, not a number/),
    ]);
  });

  void it('views user text (strings and text parts) as prompt, assistant replies as answer, weight 0 and tool traffic as other', () => {
    const line = fixtureLines('openai-chat')[2] ?? '';
    assert.deepEqual(fieldsOf('openai-chat', line).map(([p, r]) => [p, r]), [
      ['["messages",0,"content"]', 'system'],
      ['["messages",1,"content"]', 'prompt'],
      ['["messages",2,"tool_calls",0,"function","arguments"]', 'other'],
      ['["messages",3,"content"]', 'other'],
      ['["messages",4,"content"]', 'answer'],
    ]);
    const weighted = fixtureLines('openai-chat')[1] ?? '';
    assert.deepEqual(fieldsOf('openai-chat', weighted).map(([, r]) => r), ['prompt', 'other', 'prompt', 'answer']);
    const view = formatById('openai-chat').view(parse(weighted), {});
    assert.equal(view.prompt, 'How long does a passport take?\nCan you be more specific?');
    const parts = fixtureLines('openai-chat')[3] ?? '';
    assert.deepEqual(fieldsOf('openai-chat', parts).map(([p, r, t]) => [p, r, t]).slice(0, 1), [['["messages",0,"content",0,"text"]', 'prompt', 'Which form is this?']]);
  });
});

void describe('OpenAI DPO', () => {
  const A = '[{"role": "assistant", "content": "Good."}]';

  void it('each output is exactly one assistant message; an empty one is missing-assistant', () => {
    const line = `{"input": {"messages": [{"role": "user", "content": "Q"}]}, "preferred_output": [], "non_preferred_output": [{"role": "user", "content": "x"}, {"role": "assistant", "content": "y"}]}`;
    assertIssues('openai-dpo', line, [
      at(line, 'missing-assistant', '[]', /"preferred_output" is empty\. Add the preferred reply/),
      at(line, 'schema', line.slice(line.indexOf('[{"role": "user", "content": "x"}'), -1), /"non_preferred_output" has 2 items; OpenAI DPO allows exactly one/),
      at(line, 'schema', '"user"', /The "role" of non-preferred output 1 is "user"; OpenAI DPO expects "assistant"/, 1),
    ]);
  });

  void it('the input ends with the user\'s turn and has one', () => {
    const line = `{"input": {"messages": [{"role": "user", "content": "Q"}, {"role": "assistant", "content": "A"}]}, "preferred_output": ${A}, "non_preferred_output": ${A}}`;
    assertIssues('openai-dpo', line, [at(line, 'role-order', '"assistant"', /The input ends with an "assistant" turn/)]);
    const system = `{"input": {"messages": [{"role": "system", "content": "S"}]}, "preferred_output": ${A}, "non_preferred_output": ${A}}`;
    assertIssues('openai-dpo', system, [at(system, 'schema', '[{"role": "system", "content": "S"}]', /The input has no "user" turn/)]);
    const empty = `{"input": {"messages": []}, "preferred_output": ${A}, "non_preferred_output": ${A}}`;
    assertIssues('openai-dpo', empty, [at(empty, 'schema', '[]', /"input\.messages" is empty/)]);
  });

  void it('schema: missing parts, extra keys, weight is not a DPO key', () => {
    const line = `{"input": {"messages": [{"role": "user", "content": "Q", "weight": 1}], "temperature": 0}, "preferred_output": ${A}, "chosen": "x"}`;
    assertIssues('openai-dpo', line, [
      ['schema', 0, line.length, /The record has no "non_preferred_output"\. An OpenAI DPO example is/],
      at(line, 'schema', '"weight"', /Input turn 1 has the key "weight", which OpenAI DPO messages do not have/),
      at(line, 'schema', '"temperature"', /"input" has the key "temperature", which OpenAI DPO does not use/),
      at(line, 'schema', '"chosen"', /The record has the key "chosen", which OpenAI DPO rejects/),
    ]);
  });

  void it('views input user turns as prompt, the preferred reply as answer, the other as rejected', () => {
    const line = fixtureLines('openai-dpo')[2] ?? '';
    assert.deepEqual(fieldsOf('openai-dpo', line).map(([p, r]) => [p, r]), [
      ['["input","messages",0,"content"]', 'prompt'],
      ['["input","messages",1,"content"]', 'other'],
      ['["input","messages",2,"content"]', 'prompt'],
      ['["preferred_output",0,"content"]', 'answer'],
      ['["non_preferred_output",0,"content"]', 'rejected'],
    ]);
  });
});

void describe('Alpaca', () => {
  void it('instruction and output are required, every field a string; input may be absent', () => {
    assert.deepEqual(check('alpaca', '{"instruction": "List three parks.", "output": "Elm, Oak and Pine."}'), []);
    const line = '{"instruction": 12, "input": ["a"], "id": 7}';
    assertIssues('alpaca', line, [
      ['schema', 0, line.length, /The record has no "output"\. Add "output" with the response the model should learn/],
      at(line, 'non-string-content', '12', /"instruction" is a number \(12\)/),
      at(line, 'non-string-content', '["a"]', /"input" is an array/),
    ]);
  });

  void it('accepts LLaMA-Factory\'s system and history, and checks history pairs', () => {
    const ok = '{"system": "Be brief.", "history": [["Hi", "Hello."]], "instruction": "Trash day?", "input": "", "output": "Tuesday."}';
    assert.deepEqual(check('alpaca', ok), []);
    assert.deepEqual(fieldsOf('alpaca', ok).map(([p, r]) => [p, r]), [
      ['["system"]', 'system'], ['["history",0,0]', 'prompt'], ['["history",0,1]', 'answer'], ['["instruction"]', 'prompt'], ['["input"]', 'context'], ['["output"]', 'answer'],
    ]);
    const bad = '{"instruction": "Q", "output": "A", "history": [["only one"]]}';
    assertIssues('alpaca', bad, [at(bad, 'schema', '["only one"]', /History pair 1 must have exactly two strings/)]);
  });
});

void describe('ShareGPT', () => {
  void it('human and gpt alternate, starting with human and ending with gpt', () => {
    const line = '{"conversations": [{"from": "human", "value": "Q"}, {"from": "human", "value": "Q2"}, {"from": "gpt", "value": "A"}, {"from": "human", "value": "Thanks"}]}';
    assertIssues('sharegpt', line, [
      at(line, 'role-order', '"human"', /Turn 2 is "human" but the previous turn was also "human": human and gpt turns must alternate\. Merge the two human turns or add the gpt reply between them/, 1),
      at(line, 'missing-assistant', '"human"', /ends with a "human" turn/, 2),
    ]);
  });

  void it('user and assistant are not ShareGPT names; the message says which to use', () => {
    const line = '{"conversations": [{"from": "user", "value": "Q"}, {"from": "assistant", "value": "A"}]}';
    assertIssues('sharegpt', line, [
      at(line, 'schema', '"user"', /ShareGPT names the user "human" and the assistant "gpt"\. Rename it to "human"/),
      at(line, 'schema', '"assistant"', /Rename it to "gpt"/),
    ]);
  });

  void it('tool turns: function_call speaks for gpt and observation for human', () => {
    const line = '{"conversations": [{"from": "human", "value": "Weather?"}, {"from": "function_call", "value": "{\\"name\\": \\"weather\\"}"}, {"from": "observation", "value": "{\\"temp\\": 20}"}, {"from": "gpt", "value": "20 degrees."}], "tools": "[]"}';
    assert.deepEqual(check('sharegpt', line), []);
    assert.deepEqual(fieldsOf('sharegpt', line).map(([, r]) => r), ['prompt', 'other', 'other', 'answer']);
  });

  void it('a turn without value, and a value that is not a string', () => {
    const line = '{"system": 1, "conversations": [{"from": "human"}, {"from": "gpt", "value": null}]}';
    assertIssues('sharegpt', line, [
      at(line, 'non-string-content', '1', /"system" is a number/),
      at(line, 'schema', '{"from": "human"}', /Turn 1 has no "value"/),
      at(line, 'non-string-content', 'null', /The "value" of turn 2 is null/),
    ]);
  });
});

void describe('Bedrock prompt/completion', () => {
  void it('prompt and completion strings, nothing else', () => {
    const line = '{"prompt": "Q", "completion": 3, "label": "x"}';
    assertIssues('bedrock-prompt', line, [
      at(line, 'non-string-content', '3', /"completion" is a number/),
      at(line, 'schema', '"label"', /Bedrock prompt\/completion records hold only "prompt" and "completion"/),
    ]);
    const missing = '{"prompt": "Q"}';
    assertIssues('bedrock-prompt', missing, [['schema', 0, missing.length, /The record has no "completion"/]]);
  });
});

void describe('Bedrock conversation', () => {
  const V = '"schemaVersion": "bedrock-conversation-2024"';
  const m = (role: string, text: string): string => `{"role": "${role}", "content": [{"text": "${text}"}]}`;

  void it('user and assistant alternate, starting with user and ending with assistant', () => {
    const line = `{${V}, "messages": [${m('user', 'Q')}, ${m('assistant', 'A')}, ${m('assistant', 'B')}, ${m('user', 'Q2')}]}`;
    assertIssues('bedrock-conversation', line, [
      at(line, 'role-order', '"assistant"', /Turn 3 is "assistant" but the previous turn was also "assistant"/, 1),
      at(line, 'missing-assistant', '"user"', /ends with a "user" turn/, 1),
    ]);
  });

  void it('schema: version, system inside the turns, content as a string, empty and mixed blocks', () => {
    const line = '{"schemaVersion": "bedrock-conversation-2023", "messages": [{"role": "system", "content": [{"text": "S"}]}, {"role": "user", "content": "Q"}, '
      + '{"role": "user", "content": []}, {"role": "assistant", "content": [{"text": "A", "image": {}}, {"txt": "B"}]}]}';
    assertIssues('bedrock-conversation', line, [
      at(line, 'schema', '"bedrock-conversation-2023"', /"schemaVersion" is "bedrock-conversation-2023"; it must be "bedrock-conversation-2024"/),
      at(line, 'schema', '"system"', /keeps the system prompt outside the turns\. Move it to "system"/),
      at(line, 'schema', '"Q"', /The "content" of turn 2 must be a list of blocks like \[\{"text": "…"\}\], not a string/),
      at(line, 'role-order', '"user"', /Turn 3 is "user" but the previous turn was also "user"/, 1),
      at(line, 'schema', '[]', /The "content" of turn 3 is empty/),
      at(line, 'schema', '{"text": "A", "image": {}}', /each content block holds one/),
      at(line, 'schema', '"txt"', /"txt", which is not a Bedrock content block/),
    ]);
    const noVersion = `{"messages": [${m('user', 'Q')}, ${m('assistant', 'A')}], "system": [{"text": 5}]}`;
    assertIssues('bedrock-conversation', noVersion, [
      ['schema', 0, noVersion.length, /The record has no "schemaVersion"\. Bedrock conversation records start with "schemaVersion": "bedrock-conversation-2024"/],
      at(noVersion, 'non-string-content', '5', /"text" of system block 1 is a number/),
    ]);
  });

  void it('views the system blocks, user text and assistant text', () => {
    const line = fixtureLines('bedrock-conversation')[0] ?? '';
    assert.deepEqual(fieldsOf('bedrock-conversation', line).map(([p, r]) => [p, r]), [
      ['["system",0,"text"]', 'system'], ['["messages",0,"content",0,"text"]', 'prompt'], ['["messages",1,"content",0,"text"]', 'answer'],
    ]);
  });
});

void describe('Text (domain adaptation)', () => {
  void it('needs a text string; other keys are not read', () => {
    assert.deepEqual(check('text', '{"text": "Doc.", "source": "handbook"}'), []);
    const line = '{"text": ["a", "b"]}';
    assertIssues('text', line, [at(line, 'non-string-content', '["a", "b"]', /"text" is an array.*Put the text in one string/)]);
    const missing = '{"body": "Doc."}';
    assertIssues('text', missing, [['schema', 0, missing.length, /The record has no "text"/]]);
  });
});

// ---------------------------------------------------------------------------------------------
// template.json

void describe('parseTemplate', () => {
  void it('reads the repository\'s samples/template.json', () => {
    const r = parseTemplate(readFileSync(repoFile('samples/template.json'), 'utf8'));
    const sample = JSON.parse(readFileSync(repoFile('samples/template.json'), 'utf8')) as { prompt: string; completion: string };
    assert.deepEqual(r, { ok: true, ctx: { templateKeys: ['instruction', 'context', 'response'], completionKeys: ['response'], template: sample } });
  });

  void it('takes prompt placeholders then completion ones, each once, skipping {{escapes}} and non-names', () => {
    const r = parseTemplate('\uFEFF{"prompt": "{{literal}} {question} {0} { spaced } {question} {{{ctx}}}", "completion": " {answer} {question}"}');
    assert.deepEqual(r, { ok: true, ctx: { templateKeys: ['question', 'ctx', 'answer'], completionKeys: ['answer', 'question'], template: { prompt: '{{literal}} {question} {0} { spaced } {question} {{{ctx}}}', completion: ' {answer} {question}' } } });
    assert.deepEqual(placeholders('{a}{b_1}{{c}}}}{d}{1x}{e:>10}'), ['a', 'b_1', 'd']);
  });

  const errors: readonly (readonly [string, RegExp])[] = [
    ['{"prompt": "{q}", ', /not valid JSON.*must be one object like/],
    ['["{q}"]', /must be a JSON object like/],
    ['{"completion": " {a}"}', /has no "prompt"\. Add "prompt"/],
    ['{"prompt": "{q}"}', /has no "completion"\. Add "completion": the answer's placeholder/],
    ['{"prompt": ["{q}"], "completion": " {a}"}', /"prompt" must be a string with \{placeholders\}/],
    ['{"prompt": "{q}", "completion": null}', /"completion" must be a string/],
    ['{"prompt": "Answer this.", "completion": " {a}"}', /"prompt" has no \{placeholder\}/],
    ['{"prompt": "{q}", "completion": "{{a}}"}', /"completion" has no \{placeholder\}/],
  ];
  for (const [text, message] of errors) {
    void it(`refuses ${text}`, () => {
      const r = parseTemplate(text);
      assert.equal(r.ok, false);
      assert.match(r.message, message);
    });
  }
});

// ---------------------------------------------------------------------------------------------
// Detection

void describe('detectFormat: overlapping shapes', () => {
  const user = '{"role": "user", "content": "Q"}';
  const assistant = '{"role": "assistant", "content": "A"}';
  const first = (line: string, ctx: FormatContext = {}): FormatId | undefined => matchFormat(parse(line), ctx);

  void it('plain messages are OpenAI chat; weight, tool_calls or tools are OpenAI chat too', () => {
    assert.equal(first(`{"messages": [${user}, ${assistant}]}`), 'openai-chat');
    assert.equal(first(`{"messages": [${user}, {"role": "assistant", "content": "A", "weight": 1}]}`), 'openai-chat');
    assert.equal(first(`{"messages": [${user}, {"role": "assistant", "tool_calls": []}]}`), 'openai-chat');
    // JumpStart chat also accepts plain messages (when the format is set), but not OpenAI's extras.
    const js = formatById('jumpstart-chat');
    assert.equal(js.matches(parse(`{"messages": [${user}, ${assistant}]}`), {}), true);
    assert.equal(js.matches(parse(`{"messages": [${user}, {"role": "assistant", "content": "A", "weight": 1}]}`), {}), false);
    assert.equal(js.matches(parse(`{"messages": [${user}, ${assistant}], "tools": []}`), {}), false);
  });

  void it('dialog and conversations of role/content are JumpStart chat; of from/value, ShareGPT', () => {
    assert.equal(first(`{"dialog": [${user}, ${assistant}]}`), 'jumpstart-chat');
    assert.equal(first(`{"conversations": [${user}, ${assistant}]}`), 'jumpstart-chat');
    assert.equal(first('{"conversations": [{"from": "human", "value": "Q"}, {"from": "gpt", "value": "A"}]}'), 'sharegpt');
  });

  void it('Bedrock conversation by its schemaVersion or its content blocks, even with messages', () => {
    assert.equal(first('{"schemaVersion": "bedrock-conversation-2024", "messages": []}'), 'bedrock-conversation');
    assert.equal(first('{"messages": [{"role": "user", "content": [{"text": "Q"}]}]}'), 'bedrock-conversation');
    assert.equal(first('{"system": [{"text": "S"}], "messages": [{"role": "user", "content": "Q"}]}'), 'bedrock-conversation');
    assert.equal(first('{"messages": [{"role": "user", "content": [{"type": "text", "text": "Q"}]}]}'), 'openai-chat');
  });

  void it('DPO before chat; Alpaca against JumpStart instruction; prompt/completion; text last', () => {
    assert.equal(first(`{"input": {"messages": [${user}]}, "preferred_output": [${assistant}], "non_preferred_output": [${assistant}]}`), 'openai-dpo');
    assert.equal(first('{"instruction": "Q", "context": "", "response": "A"}'), 'jumpstart-instruction');
    assert.equal(first('{"instruction": "Q", "input": "", "output": "A"}'), 'alpaca');
    assert.equal(first('{"instruction": "Q", "output": "A"}'), 'alpaca');
    assert.equal(first('{"prompt": "Q", "completion": "A"}'), 'bedrock-prompt');
    assert.equal(first('{"text": "Doc", "prompt": "Q"}'), 'text');
    assert.equal(first('{"question": "Q"}'), undefined);
  });

  void it('a template.json naming Alpaca\'s or Bedrock\'s keys makes them JumpStart instruction', () => {
    const alpacaKeys: FormatContext = { templateKeys: ['instruction', 'input', 'output'], completionKeys: ['output'] };
    assert.equal(first('{"instruction": "Q", "input": "", "output": "A"}', alpacaKeys), 'jumpstart-instruction');
    const bedrockKeys: FormatContext = { templateKeys: ['prompt', 'completion'], completionKeys: ['completion'] };
    assert.equal(first('{"prompt": "Q", "completion": "A"}', bedrockKeys), 'jumpstart-instruction');
  });

  void it('the majority wins, each record counted once; ties go to the earlier format; nothing matching gives undefined', () => {
    const chat = parse(`{"messages": [${user}, ${assistant}]}`);
    const alpacaRow = parse('{"instruction": "Q", "output": "A"}');
    const r = detectFormat([chat, chat, alpacaRow, parse('{"x": 1}')], {});
    assert.equal(r.format, 'openai-chat');
    assert.deepEqual([...r.counts].sort(), [['alpaca', 1], ['openai-chat', 2]]);
    assert.equal(detectFormat([alpacaRow, chat], {}).format, 'openai-chat');
    assert.deepEqual(detectFormat([parse('{"x": 1}')], {}), { format: undefined, counts: new Map() });
    assert.equal(detectFormat([], {}).format, undefined);
  });
});

// ---------------------------------------------------------------------------------------------
// Robustness

/** Records built from the formats' own keys and roles, so the property reaches deep into the checks. */
const KEYS = [
  'messages', 'dialog', 'conversations', 'input', 'preferred_output', 'non_preferred_output', 'instruction', 'context', 'response',
  'output', 'history', 'system', 'prompt', 'completion', 'schemaVersion', 'text', 'tools', 'parallel_tool_calls', 'from', 'value',
  'role', 'content', 'tool_calls', 'weight', 'tool_call_id', 'type', 'function', 'name', 'arguments', 'id', 'image_url', 'url',
  'question', 'answer', '__proto__', 'constructor', 'toString',
];
const VALUES = ['system', 'developer', 'user', 'assistant', 'tool', 'human', 'gpt', 'observation', 'function_call', 'text', 'image_url', 'function', 'bedrock-conversation-2024', '', 0, 1];

const { record: shaped } = fc.letrec<{ value: Json; record: JsonObject; list: Json[] }>((tie) => ({
  value: fc.oneof({ maxDepth: 5, depthIdentifier: 'shaped' }, fc.constantFrom<Json>(...VALUES), fc.jsonValue({ maxDepth: 1 }) as fc.Arbitrary<Json>, tie('record'), tie('list')),
  record: fc.dictionary(fc.constantFrom(...KEYS), tie('value'), { maxKeys: 5, depthIdentifier: 'shaped', noNullPrototype: true }),
  list: fc.array(tie('value'), { maxLength: 5, depthIdentifier: 'shaped' }),
}));

const anyObject = fc.oneof(
  shaped,
  fc.object() as fc.Arbitrary<JsonObject>,
  fc.jsonValue().filter((v): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v)),
);

const contexts: readonly FormatContext[] = [
  {},
  { templateKeys: ['question', 'answer'], completionKeys: ['answer'] },
  { templateKeys: ['__proto__', 'constructor', 'text'], completionKeys: ['text'] },
  { templateKeys: [] },
];

void describe('formats: never throw, and stay inside the line', () => {
  void it('matches, check and view on arbitrary JSON objects', () => {
    fc.assert(fc.property(anyObject, fc.constantFrom(...contexts), (record, ctx) => {
      const line = JSON.stringify(record);
      const at = createLocator(line);
      for (const f of FORMATS) {
        assert.equal(typeof f.matches(record, ctx), 'boolean');
        for (const issue of f.check(record, at, ctx)) {
          assert.ok(RULES.has(issue.rule), issue.rule);
          assert.ok(issue.start >= 0 && issue.start <= issue.end && issue.end <= line.length, `${f.id}: ${JSON.stringify(issue)} in ${line}`);
          assert.ok(issue.message.length > 0 && !/must have required property|must NOT have|must be equal to|must match/.test(issue.message), issue.message);
        }
        const view = f.view(record, ctx);
        assert.equal(view.format, f.id);
        for (const field of view.fields) assert.equal(valueAt(record, field.path), field.text);
      }
    }), { numRuns: 400 });
  });

  void it('a clean record returns no issues for every format it matches first', () => {
    for (const id of FORMAT_IDS) {
      for (const line of fixtureLines(id)) assert.equal(formatById(id).check(parse(line), createLocator(line), {}).length, 0);
    }
  });
});
