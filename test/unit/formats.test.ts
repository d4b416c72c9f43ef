import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import Ajv from 'ajv';
import fc from 'fast-check';
import { detectFormat, FORMAT_IDS, FORMATS, formatById, matchFormat } from '../../src/core/formats/index';
import { jumpstartHyperparameterHint, jumpstartHyperparameters } from '../../src/core/formats/jumpstartHyperparameters';
import { madeSchemas } from '../../src/core/formats/schema';
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

const RULES: ReadonlySet<RuleId> = new Set<RuleId>(['schema', 'role-order', 'missing-assistant', 'non-string-content', 'unused-field']);

// ---------------------------------------------------------------------------------------------
// The registry

void describe('formats: the registry', () => {
  void it('lists every format once, FORMAT_IDS in the settings order and FORMATS in detection order', () => {
    assert.deepEqual([...FORMAT_IDS].sort(), FORMATS.map((f) => f.id).sort());
    assert.equal(new Set(FORMATS.map((f) => f.id)).size, FORMATS.length);
    assert.deepEqual(FORMAT_IDS, [
      'jumpstart-instruction', 'jumpstart-chat', 'openai-chat', 'openai-dpo', 'openai-rft', 'alpaca', 'sharegpt', 'bedrock-prompt',
      'bedrock-conversation', 'bedrock-haiku', 'nova', 'trl-sft', 'trl-preference', 'vertex-gemini', 'text',
    ]);
    for (const id of FORMAT_IDS) assert.equal(formatById(id).id, id);
  });

  void it('every schema the formats check records with is a valid JSON schema (ajv does not check them when it compiles)', () => {
    // A JumpStart template's keys make a schema of their own: make one.
    formatById('jumpstart-instruction').check({ question: 'Q?', answer: 'A.' }, createLocator('{"question":"Q?","answer":"A."}'), { templateKeys: ['question', 'answer'], completionKeys: ['answer'] });
    const schemas = madeSchemas();
    assert.ok(schemas.length >= 13, `${schemas.length} schemas`);
    const ajv = new Ajv({ strict: true, allowUnionTypes: true });
    for (const schema of schemas) assert.equal(ajv.validateSchema(schema), true, `${JSON.stringify(schema).slice(0, 200)}: ${ajv.errorsText()}`);
    assert.equal(ajv.validateSchema({ type: 'object', required: 'messages' }), false, 'the check itself rejects a broken schema');
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
          // An RFT line has no answer to learn: the grader scores the model's own (its reference may be an object).
          if (id !== 'openai-rft') assert.ok(view.fields.some((f) => f.role === 'answer'), `no answer in ${line}`);
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
      at(line, 'unused-field', '"category"', /not a placeholder of the default JumpStart instruction template.*str\.format, which ignores keys it does not name, so this text is never trained on\. Remove it/),
    ]);
  });

  void it('an extra key is unused-field, not a schema error: str.format(**record) ignores keys the template does not name', () => {
    // Python: "{instruction}".format(instruction="Q", category="x") == "Q" (string.Formatter.check_unused_args does nothing).
    const line = '{"instruction": "Renew a passport?", "context": "", "response": "Use Form DS-82.", "id": "row-7"}';
    assertIssues('jumpstart-instruction', line, [at(line, 'unused-field', '"id"', /"id" is not a placeholder .*\(\{instruction\}, \{context\}, \{response\}\)/)]);
    assert.ok(check('jumpstart-instruction', line).every((i) => i.rule !== 'schema'));
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
      at(line, 'unused-field', '"instruction"', /not a placeholder of template\.json \(\{question\}, \{answer\}\).*add \{instruction\} to template\.json/),
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

  void it('content parts by role, content: null only beside calls or a refusal, arguments a JSON string', () => {
    const line = '{"messages": [{"role": "system", "content": [{"type": "image_url", "image_url": {"url": "https://example.gov/a.png"}}]}, '
      + '{"role": "user", "content": [{"type": "text"}, {"type": "audio"}, {"type": "refusal", "refusal": "no"}]}, '
      + '{"role": "assistant", "content": null}, {"role": "user", "content": null}, '
      + '{"role": "assistant", "tool_calls": [{"id": "c", "type": "function", "function": {"name": "f", "arguments": {"x": 1}}}]}]}';
    assertIssues('openai-chat', line, [
      at(line, 'schema', '"image_url"', /Content part 1 of turn 1 is "image_url", which system messages do not take: their parts are \{"type": "text"/),
      at(line, 'schema', '{"type": "text"}', /Content part 1 of turn 2 is "text" but has no "text"/),
      at(line, 'schema', '"audio"', /a content part is \{"type": "text"/),
      at(line, 'schema', '"refusal"', /Content part 3 of turn 2 is "refusal", which user messages do not take/),
      at(line, 'non-string-content', 'null', /The "content" of turn 3 is null, but an assistant turn without "tool_calls", "function_call" or "refusal" needs its reply as a string/),
      at(line, 'non-string-content', 'null', /The "content" of turn 4 is null\. Write the user message as a string/, 1),
      at(line, 'schema', '{"x": 1}', /must be a string holding the arguments as JSON/),
    ]);
  });

  // Source: FineTuneChatRequestInput in github.com/openai/openai-openapi (openapi.yaml): messages are
  // System | User | FineTuneChatCompletionRequestAssistantMessage | Tool | Function, plus tools,
  // parallel_tool_calls and the legacy functions.
  void it('accepts what FineTuneChatRequestInput accepts: refusal, legacy function_call/functions, text parts on system/assistant/tool, tools, parallel_tool_calls', () => {
    const lines = [
      '{"messages": [{"role": "user", "content": "Tell me my neighbor\'s SSN."}, {"role": "assistant", "content": null, "refusal": "I can\'t help with that."}]}',
      '{"messages": [{"role": "user", "content": "Q"}, {"role": "assistant", "content": [{"type": "text", "text": "Part one."}, {"type": "refusal", "refusal": "I cannot share more."}]}]}',
      '{"messages": [{"role": "user", "content": "Hours of the DMV?"}, {"role": "assistant", "function_call": {"name": "office_hours", "arguments": "{\\"office\\": \\"DMV\\"}"}}, '
        + '{"role": "function", "name": "office_hours", "content": "9-5"}, {"role": "assistant", "content": "9 a.m. to 5 p.m."}], '
        + '"functions": [{"name": "office_hours", "parameters": {"type": "object", "properties": {"office": {"type": "string"}}}}]}',
      '{"messages": [{"role": "system", "content": [{"type": "text", "text": "Be brief."}]}, {"role": "user", "content": "Open Saturday?"}, '
        + '{"role": "assistant", "tool_calls": [{"id": "c1", "type": "function", "function": {"name": "hours", "arguments": "{}"}}]}, '
        + '{"role": "tool", "tool_call_id": "c1", "content": [{"type": "text", "text": "closed"}]}, {"role": "assistant", "content": [{"type": "text", "text": "No, it is closed on Saturday."}]}], '
        + '"tools": [{"type": "function", "function": {"name": "hours"}}], "parallel_tool_calls": false}',
    ];
    for (const line of lines) {
      assert.deepEqual(check('openai-chat', line).map((i) => i.message), [], line);
      assert.equal(matchFormat(parse(line), {}), 'openai-chat');
    }
    assert.deepEqual(fieldsOf('openai-chat', lines[0] ?? '').map(([p, r]) => [p, r]), [['["messages",0,"content"]', 'prompt'], ['["messages",1,"refusal"]', 'answer']]);
    assert.deepEqual(fieldsOf('openai-chat', lines[1] ?? '').map(([p, r]) => [p, r]).slice(1), [['["messages",1,"content",0,"text"]', 'answer'], ['["messages",1,"content",1,"refusal"]', 'answer']]);
  });

  void it('SFT takes no developer message (FineTuneChatRequestInput has none): the message says to use system', () => {
    const line = '{"messages": [{"role": "developer", "content": "Be brief."}, {"role": "user", "content": "Q"}, {"role": "assistant", "content": "A"}]}';
    assertIssues('openai-chat', line, [at(line, 'schema', '"developer"', /is "developer", but OpenAI chat takes no developer messages.*Rename it to "system"/)]);
  });

  void it('refusal, function_call and audio only on assistant turns; a function result needs its name and its call', () => {
    const line = '{"messages": [{"role": "user", "content": "Q", "refusal": "no"}, {"role": "function", "content": "x"}, {"role": "assistant", "content": "A"}]}';
    assertIssues('openai-chat', line, [
      at(line, 'schema', '"refusal"', /Turn 1 is "user", but only assistant turns carry a "refusal"/),
      at(line, 'schema', '{"role": "function", "content": "x"}', /Turn 2 is a function result without "name"/),
      at(line, 'role-order', '"function"', /Turn 2 is a "function" result, but the turn before it is not an assistant turn with "function_call"/),
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
      at(line, 'schema', '"bot"', /OpenAI chat roles are "system", "user", "assistant", "tool" and "function"/),
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

  // Source: https://docs.aws.amazon.com/nova/latest/userguide/fine-tune-prepare-data-understanding.html
  // ("schemaVersion can be any string value"); no Bedrock page requires bedrock-conversation-2024.
  void it('schemaVersion may be any string, but must be a string', () => {
    const ok = `{"schemaVersion": "my-dataset-v3", "messages": [${m('user', 'Q')}, ${m('assistant', 'A')}]}`;
    assert.deepEqual(check('bedrock-conversation', ok), []);
    assert.deepEqual(check('nova', ok), []);
    const num = `{"schemaVersion": 2024, "messages": [${m('user', 'Q')}, ${m('assistant', 'A')}]}`;
    assertIssues('bedrock-conversation', num, [at(num, 'schema', '2024', /"schemaVersion" is a number; it is a string, e\.g\. "bedrock-conversation-2024"/)]);
  });

  void it('views the system blocks, user text and assistant text', () => {
    const line = fixtureLines('bedrock-conversation')[0] ?? '';
    assert.deepEqual(fieldsOf('bedrock-conversation', line).map(([p, r]) => [p, r]), [
      ['["system",0,"text"]', 'system'], ['["messages",0,"content",0,"text"]', 'prompt'], ['["messages",1,"content",0,"text"]', 'answer'],
    ]);
  });
});

void describe('OpenAI RFT', () => {
  void it('messages ending with the user and any grader fields; no assistant reply is needed', () => {
    const line = '{"messages": [{"role": "user", "content": "Which office issues marriage licenses?"}], "reference_answer": "The county clerk", "difficulty": 2}';
    assert.deepEqual(check('openai-rft', line), []);
    assert.deepEqual(fieldsOf('openai-rft', line).map(([p, r]) => [p, r]), [['["messages",0,"content"]', 'prompt'], ['["reference_answer"]', 'answer']]);
  });

  void it('the last message is the user\'s; RFT takes developer messages, not system ones', () => {
    const line = '{"messages": [{"role": "developer", "content": "D"}, {"role": "user", "content": "Q"}, {"role": "assistant", "content": "A"}], "reference_answer": "A"}';
    assertIssues('openai-rft', line, [at(line, 'role-order', '"assistant"', /The last message is "assistant", but in reinforcement fine-tuning the model answers the last message, which must be the user's/)]);
    const system = '{"messages": [{"role": "system", "content": "S"}, {"role": "user", "content": "Q"}], "reference_answer": "A"}';
    assertIssues('openai-rft', system, [at(system, 'schema', '"system"', /take developer messages, not system ones\. Rename it to "developer"/)]);
    const empty = '{"messages": [], "reference_answer": "A"}';
    assertIssues('openai-rft', empty, [at(empty, 'schema', '[]', /"messages" is empty/)]);
  });
});

void describe('Bedrock Claude 3 Haiku', () => {
  void it('at least two messages, from the user, alternating, ending with the assistant; no extraneous keys', () => {
    const one = '{"system": "S", "messages": [{"role": "user", "content": "Q"}]}';
    assertIssues('bedrock-haiku', one, [at(one, 'missing-assistant', '[{"role": "user", "content": "Q"}]', /needs at least two messages/)]);
    const line = '{"system": "S", "messages": [{"role": "assistant", "content": "A"}, {"role": "user", "content": "Q"}], "id": 1}';
    assertIssues('bedrock-haiku', line, [
      at(line, 'role-order', '"assistant"', /Turn 1 is "assistant", but the conversation must start with a "user" turn/),
      at(line, 'missing-assistant', '"user"', /ends with a "user" turn/),
      at(line, 'schema', '"id"', /hold only "system" and "messages" \(no extraneous keys are allowed\)/),
    ]);
    const blocks = '{"system": "S", "messages": [{"role": "system", "content": "X"}, {"role": "user", "content": [{"text": "Q"}]}, {"role": "assistant", "content": "A"}]}';
    assertIssues('bedrock-haiku', blocks, [
      at(blocks, 'schema', '"system"', /is "system", but Bedrock Claude 3 Haiku keeps the system prompt in the top-level "system" string/, 1),
      at(blocks, 'non-string-content', '[{"text": "Q"}]', /The "content" of turn 2 is an array/),
    ]);
  });

  void it('views the system string, user and assistant contents', () => {
    assert.deepEqual(fieldsOf('bedrock-haiku', '{"system": "S", "messages": [{"role": "user", "content": "Q"}, {"role": "assistant", "content": "A"}]}'), [
      ['["system"]', 'system', 'S'], ['["messages",0,"content"]', 'prompt', 'Q'], ['["messages",1,"content"]', 'answer', 'A'],
    ]);
  });
});

void describe('Amazon Nova', () => {
  const V = '"schemaVersion": "bedrock-conversation-2024"';
  const m = (role: string, text: string): string => `{"role": "${role}", "content": [{"text": "${text}"}]}`;

  // Source: INVALID_TOKENS_TEXT in aws-samples/amazon-nova-samples
  // customization/bedrock-finetuning/understanding/dataset_validation/nova_ft_dataset_validator.py.
  void it('a reserved word in any text fails the job: an error naming the word at its columns', () => {
    const line = `{${V}, "system": [{"text": "System: be kind"}], "messages": [${m('user', 'User: hi [EOS]')}, ${m('assistant', 'Bot: hello')}]}`;
    assertIssues('nova', line, [
      at(line, 'schema', 'System:', /^"System:" in system block 1 is a word Amazon Nova reserves for its own prompt format, and a training job whose data holds it fails\. Rephrase it/),
      at(line, 'schema', 'User:', /^"User:" in turn 1 is a word Amazon Nova reserves/),
      at(line, 'schema', '[EOS]', /^"\[EOS\]" in turn 1/),
      at(line, 'schema', 'Bot:', /^"Bot:" in turn 2/),
    ]);
    // Matched as the validator matches them: case-sensitively.
    assert.deepEqual(check('nova', `{${V}, "messages": [${m('user', 'the user: me')}, ${m('assistant', 'ok')}]}`), []);
    const reasoning = `{${V}, "messages": [${m('user', 'Q')}, {"role": "assistant", "content": [{"reasoningContent": {"reasoningText": {"text": "Thought: easy"}}}, {"text": "A"}]}]}`;
    assertIssues('nova', reasoning, [at(reasoning, 'schema', 'Thought:', /^"Thought:" in the reasoning of turn 2/)]);
  });

  void it('schemaVersion any string or none; reasoning only in assistant turns, images only in user turns; two turns at least', () => {
    assert.deepEqual(check('nova', `{"messages": [${m('user', 'Q')}, ${m('assistant', 'A')}]}`), []);
    const line = `{${V}, "messages": [{"role": "user", "content": [{"reasoningContent": {"reasoningText": {"text": "r"}}}]}, `
      + '{"role": "assistant", "content": [{"image": {"format": "png", "source": {"s3Location": {"uri": "s3://b/x.png"}}}}, {"text": "A"}]}]}';
    assertIssues('nova', line, [
      at(line, 'schema', '"reasoningContent"', /Turn 1 is "user", but reasoning content belongs in the assistant's turns/),
      at(line, 'schema', '"image"', /Turn 2 is the assistant's, but Amazon Nova takes images and videos only in user turns/),
    ]);
    const one = `{${V}, "messages": [${m('user', 'Q')}]}`;
    assertIssues('nova', one, [at(one, 'missing-assistant', `[${m('user', 'Q')}]`, /needs at least two turns/)]);
    const empty = `{${V}, "messages": [${m('user', '')}, ${m('assistant', 'A')}]}`;
    assertIssues('nova', empty, [at(empty, 'schema', '[{"text": ""}]', /The text of turn 1 is empty/)]);
  });

  void it('views reasoning as other, the reply as answer', () => {
    const line = fixtureLines('nova')[0] ?? '';
    assert.deepEqual(fieldsOf('nova', line).map(([p, r]) => [p, r]), [
      ['["system",0,"text"]', 'system'], ['["messages",0,"content",0,"text"]', 'prompt'],
      ['["messages",1,"content",0,"reasoningContent","reasoningText","text"]', 'other'], ['["messages",1,"content",1,"text"]', 'answer'],
    ]);
  });
});

void describe('Hugging Face TRL', () => {
  void it('SFT: prompt and completion of one kind; a conversational completion holds the assistant reply', () => {
    const mixed = '{"prompt": [{"role": "user", "content": "Q"}], "completion": "A"}';
    assertIssues('trl-sft', mixed, [at(mixed, 'schema', '"A"', /"prompt" is a list of messages but "completion" is a string; TRL reads both as text or both as messages/)]);
    const noReply = '{"prompt": [{"role": "user", "content": "Q"}], "completion": [{"role": "user", "content": "A"}]}';
    assertIssues('trl-sft', noReply, [at(noReply, 'missing-assistant', '[{"role": "user", "content": "A"}]', /"completion" has no "assistant" message/)]);
    const badContent = '{"messages": [{"role": "user", "content": 7}, {"role": "assistant", "content": "A"}]}';
    assertIssues('trl-sft', badContent, [at(badContent, 'non-string-content', '7', /The "content" of message 1 of "messages" is a number/)]);
    assert.deepEqual(check('trl-sft', '{"prompt": "Q", "completion": "A"}'), []);
    assert.deepEqual(check('trl-sft', '{"messages": [{"role": "user", "content": "Q"}, {"role": "assistant", "content": "A"}]}'), []);
  });

  void it('preference: prompt, chosen and rejected of one kind; each conversation ends with the reply', () => {
    const kinds = '{"prompt": "Q", "chosen": [{"role": "assistant", "content": "A"}], "rejected": " no"}';
    assertIssues('trl-preference', kinds, [at(kinds, 'schema', '[{"role": "assistant", "content": "A"}]', /"chosen" is a list of messages but prompt is not/)]);
    const order = '{"chosen": [{"role": "assistant", "content": "A"}, {"role": "user", "content": "Q"}], "rejected": [{"role": "user", "content": "Q"}, {"role": "assistant", "content": "B"}]}';
    assertIssues('trl-preference', order, [at(order, 'missing-assistant', '"user"', /"chosen" ends with a message that is not the assistant's/)]);
    assert.deepEqual(check('trl-preference', '{"chosen": "The sky is blue.", "rejected": "The sky is green."}'), []);
  });

  void it('views an implicit prompt once: chosen user turns are the prompt, rejected ones are not counted again', () => {
    const line = fixtureLines('trl-preference')[2] ?? '';
    assert.deepEqual(fieldsOf('trl-preference', line).map(([p, r]) => [p, r]), [
      ['["chosen",0,"content"]', 'prompt'], ['["chosen",1,"content"]', 'answer'], ['["rejected",0,"content"]', 'other'], ['["rejected",1,"content"]', 'rejected'],
    ]);
  });
});

void describe('Vertex AI Gemini', () => {
  void it('user and model turns of parts; the reply\'s role is "model"; a line ends with a model turn', () => {
    const assistant = '{"contents": [{"role": "user", "parts": [{"text": "Q"}]}, {"role": "assistant", "parts": [{"text": "A"}]}]}';
    assertIssues('vertex-gemini', assistant, [at(assistant, 'schema', '"assistant"', /is "assistant", but Gemini names the reply's role "model"\. Rename it to "model"/)]);
    const open = '{"contents": [{"role": "user", "parts": [{"text": "Q"}]}, {"role": "model", "parts": [{"text": "A"}]}, {"role": "user", "parts": [{"text": "Thanks"}]}]}';
    assertIssues('vertex-gemini', open, [at(open, 'missing-assistant', '"user"', /ends with a "user" turn/, 1)]);
    const none = '{"contents": [{"role": "user", "parts": [{"text": "Q"}]}]}';
    assertIssues('vertex-gemini', none, [at(none, 'missing-assistant', '[{"role": "user", "parts": [{"text": "Q"}]}]', /no "model" turn/)]);
    const content = '{"contents": [{"role": "user", "parts": [{"text": "Q"}], "content": "Q"}, {"role": "model", "parts": [{"text": "A"}]}], "system": "S"}';
    assertIssues('vertex-gemini', content, [
      at(content, 'schema', '"content"', /Turn 1 has "content", but Gemini turns hold their text in "parts"/),
      at(content, 'schema', '"system"', /hold "contents", "systemInstruction" and "tools"/),
    ]);
  });

  void it('views the system instruction, user parts and model parts', () => {
    const line = fixtureLines('vertex-gemini')[2] ?? '';
    assert.deepEqual(fieldsOf('vertex-gemini', line).map(([p, r]) => [p, r]), [
      ['["systemInstruction","parts",0,"text"]', 'system'], ['["contents",0,"parts",0,"text"]', 'prompt'], ['["contents",1,"parts",0,"text"]', 'answer'],
    ]);
  });
});

// Source: the JumpStart Llama fine-tuning hyperparameters (see src/core/formats/jumpstartHyperparameters.ts).
void describe('JumpStart hyperparameters per format', () => {
  void it('instruction data trains with instruction_tuned="True", dialog data with chat_dataset="True", text with both "False"', () => {
    assert.deepEqual(jumpstartHyperparameters('jumpstart-instruction'), { instruction_tuned: 'True', chat_dataset: 'False' });
    assert.deepEqual(jumpstartHyperparameters('jumpstart-chat'), { instruction_tuned: 'False', chat_dataset: 'True' });
    assert.deepEqual(jumpstartHyperparameters('text'), { instruction_tuned: 'False', chat_dataset: 'False' });
    assert.equal(jumpstartHyperparameters('openai-chat'), undefined);
    assert.equal(jumpstartHyperparameterHint('jumpstart-instruction'), 'JumpStart instruction tuning: train with instruction_tuned="True", chat_dataset="False"');
    assert.equal(jumpstartHyperparameterHint('jumpstart-chat'), 'JumpStart chat fine-tuning: train with instruction_tuned="False", chat_dataset="True"');
    assert.equal(jumpstartHyperparameterHint('alpaca'), undefined);
  });

  void it('the README says the same', () => {
    const readme = readFileSync(repoFile('README.md'), 'utf8');
    assert.match(readme, /instruction_tuned="True"`?, `?chat_dataset="False"/);
    assert.match(readme, /chat_dataset="True"`?, `?instruction_tuned="False"/);
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

  void it('OpenAI RFT: messages ending with the user plus a grader field; without one, or ending with the assistant, OpenAI chat', () => {
    assert.equal(first('{"messages": [{"role": "user", "content": "Q"}], "reference_answer": "A"}'), 'openai-rft');
    assert.equal(first('{"messages": [{"role": "user", "content": "Q"}]}'), 'openai-chat');
    assert.equal(first(`{"messages": [${user}, ${assistant}], "meta": {}}`), 'openai-chat');
  });

  void it('TRL: conversational prompt/completion is TRL, never Bedrock; chosen/rejected is TRL preference', () => {
    const conv = '{"prompt": [{"role": "user", "content": "Q"}], "completion": [{"role": "assistant", "content": "A"}]}';
    assert.equal(first(conv), 'trl-sft');
    assert.equal(formatById('bedrock-prompt').matches(parse(conv), {}), false);
    // Standard strings are Bedrock's shape too: Bedrock is detected, and a file set to TRL has no mixed-format.
    assert.equal(first('{"prompt": "Q", "completion": "A"}'), 'bedrock-prompt');
    assert.ok(formatById('trl-sft').matches(parse('{"prompt": "Q", "completion": "A"}'), {}));
    assert.ok(formatById('trl-sft').matches(parse(`{"messages": [${user}, ${assistant}]}`), {}));
    assert.equal(first('{"prompt": "The sky is", "chosen": " blue.", "rejected": " green."}'), 'trl-preference');
    assert.equal(first('{"chosen": "a", "rejected": "b"}'), 'trl-preference');
  });

  void it('Bedrock Claude 3 Haiku by its system string; without one the line reads as OpenAI chat, which Haiku also matches', () => {
    const haiku = `{"system": "S", "messages": [${user}, ${assistant}]}`;
    assert.equal(first(haiku), 'bedrock-haiku');
    assert.equal(formatById('openai-chat').matches(parse(haiku), {}), false);
    assert.equal(formatById('jumpstart-chat').matches(parse(haiku), {}), false);
    assert.ok(formatById('bedrock-haiku').matches(parse(`{"messages": [${user}, ${assistant}]}`), {}));
  });

  void it('Nova: a reasoning block makes a Bedrock conversation Nova; otherwise it is Bedrock conversation, which Nova also matches', () => {
    const plain = '{"schemaVersion": "bedrock-conversation-2024", "messages": [{"role": "user", "content": [{"text": "Q"}]}, {"role": "assistant", "content": [{"text": "A"}]}]}';
    assert.equal(first(plain), 'bedrock-conversation');
    assert.ok(formatById('nova').matches(parse(plain), {}));
    const reasoning = '{"schemaVersion": "bedrock-conversation-2024", "messages": [{"role": "user", "content": [{"text": "Q"}]}, {"role": "assistant", "content": [{"reasoningContent": {"reasoningText": {"text": "R"}}}, {"text": "A"}]}]}';
    assert.equal(first(reasoning), 'nova');
  });

  void it('Vertex AI Gemini by its contents', () => {
    assert.equal(first('{"contents": [{"role": "user", "parts": [{"text": "Q"}]}]}'), 'vertex-gemini');
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
  'question', 'answer', '__proto__', 'constructor', 'toString', 'chosen', 'rejected', 'contents', 'parts', 'systemInstruction', 'reasoningContent',
  'reasoningText', 'refusal', 'function_call', 'functions', 'reference_answer', 'image', 'video',
];
const VALUES = [
  'system', 'developer', 'user', 'assistant', 'tool', 'human', 'gpt', 'observation', 'function_call', 'text', 'image_url', 'function', 'model', 'refusal',
  'bedrock-conversation-2024', 'User: [EOS]', '', 0, 1,
];

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
