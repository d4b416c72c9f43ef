import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import Ajv from 'ajv';
import fc from 'fast-check';
import { createLocator } from '../../src/core/jsonl/locate';
import type {
  ContentRule, FieldRole, FormatId, Issue, Json, JsonObject, JsonPath, LineEdit, RecordView, RuleEnv, RuleOptions, TextField, TokenCounter,
  TokenizerFamily,
} from '../../src/core/lint/types';
import { CONTENT_RULES, emptyField, isRefusal, leakedHeader, pii, tooLong, tooShort, unfilledPlaceholder } from '../../src/core/rules/index';
import type { PiiKind } from '../../src/core/rules/pii';
import { trainedText } from '../../src/core/limits/measure';
import { utf8Length } from '../../src/core/tokens/bytes';

// ---------------------------------------------------------------------------------------------
// Helpers: record views built by hand, the way the formats will build them.

function valueAt(record: Json, path: JsonPath): Json | undefined {
  let v: Json | undefined = record;
  for (const k of path) {
    if (v === undefined || v === null || typeof v !== 'object') return undefined;
    v = Array.isArray(v) ? (typeof k === 'number' ? v[k] : undefined) : v[String(k)];
  }
  return v;
}

/** A view of `line` with the given fields (paths and roles); the texts are read from the line. */
function viewOf(line: string, fields: readonly (readonly [JsonPath, FieldRole])[], format: FormatId = 'jumpstart-instruction'): RecordView {
  const record = JSON.parse(line) as Json;
  const texts: TextField[] = fields.map(([path, role]) => {
    const text = valueAt(record, path);
    assert.equal(typeof text, 'string', `no string at ${JSON.stringify(path)} in ${line}`);
    return { path, role, text: text as string };
  });
  const prompt = texts.filter((f) => f.role === 'prompt' || f.role === 'context').map((f) => f.text).join('\n');
  return { format, fields: texts, prompt };
}

const CHAT_ROLES: Record<string, FieldRole> = { system: 'system', user: 'prompt', assistant: 'answer' };

/** The view of a JumpStart instruction line (`instruction` / `context` / `response`) or an OpenAI chat line (`messages`). */
function autoView(line: string): RecordView {
  const record = JSON.parse(line) as JsonObject;
  const messages = record.messages;
  if (Array.isArray(messages)) {
    return viewOf(line, messages.map((m, i) => {
      const role = (m as JsonObject).role;
      return [['messages', i, 'content'], (typeof role === 'string' ? CHAT_ROLES[role] : undefined) ?? 'other'] as const;
    }), 'openai-chat');
  }
  if ('text' in record) return viewOf(line, [[['text'], 'text']], 'text');
  return viewOf(line, [[['instruction'], 'prompt'], [['context'], 'context'], [['response'], 'answer']]);
}

/** A JumpStart instruction line with this answer (and optionally prompt and context). */
function jumpstart(response: string, instruction = 'How do I renew my passport?', context = ''): string {
  return JSON.stringify({ instruction, context, response });
}

const noTokens: RuleEnv = { tokens: undefined, needsTokens: () => undefined };

function run(rule: ContentRule, line: string, options: RuleOptions = {}, view: RecordView = autoView(line), env: RuleEnv = noTokens): Issue[] {
  return rule.check(view, createLocator(line), { ...rule.defaultOptions, ...options }, env);
}

type Span = readonly [string, number, number];

function spans(issues: readonly Issue[]): Span[] {
  return issues.map((i) => [i.rule, i.start, i.end] as const);
}

/** The columns of the `n`-th (0-based) occurrence of `raw` in `line`, as the span of `rule`. */
function at(rule: string, line: string, raw: string, n = 0): Span {
  let i = -1;
  for (let k = 0; k <= n; k++) {
    i = line.indexOf(raw, i + 1);
    assert.notEqual(i, -1, `${JSON.stringify(raw)} is not in ${line}`);
  }
  return [rule, i, i + raw.length];
}

function applyEdits(line: string, edits: readonly LineEdit[]): string {
  let out = line;
  for (const e of [...edits].sort((a, b) => b.start - a.start)) out = out.slice(0, e.start) + e.text + out.slice(e.end);
  return out;
}

/** A file of the repository by its path from the root. */
function repoFile(path: string): string {
  // The bundled test runs from out/ or a temp folder: look from the working directory, then from the bundle, upwards.
  for (const start of [process.cwd(), __dirname]) {
    for (let dir = resolve(start); ; dir = dirname(dir)) {
      const p = join(dir, path);
      if (existsSync(p)) return p;
      if (dirname(dir) === dir) break;
    }
  }
  throw new Error(`${path} not found`);
}

function fixturePath(name: string): string {
  return repoFile(`test/fixtures/rules/${name}`);
}

// ---------------------------------------------------------------------------------------------
// The rule set

void describe('CONTENT_RULES: ids, defaults and options schemas', () => {
  const ajv = new Ajv({ allErrors: true, strict: true });

  void it('has each content rule once, with its default severity', () => {
    assert.deepEqual(
      CONTENT_RULES.map((r) => [r.id, r.defaultSeverity]),
      [['empty-field', 'error'], ['leaked-header', 'warning'], ['unfilled-placeholder', 'warning'], ['pii', 'warning'], ['too-long', 'warning'], ['too-short', 'info']],
    );
  });

  for (const rule of CONTENT_RULES) {
    void it(`${rule.id}: a draft-07 object schema, additionalProperties false, every property described with its default`, () => {
      const schema = rule.optionsSchema;
      assert.equal(schema.type, 'object');
      assert.equal(schema.additionalProperties, false);
      const properties = schema.properties as JsonObject;
      assert.deepEqual(Object.keys(properties).sort(), Object.keys(rule.defaultOptions).sort());
      for (const [key, p] of Object.entries(properties)) {
        const prop = p as JsonObject;
        assert.equal(typeof prop.description, 'string', `${key} has a description`);
        assert.ok((prop.description as string).length > 20);
        assert.deepEqual(prop.default, rule.defaultOptions[key], `${key}'s default is the rule's default`);
      }
      const validate = ajv.compile(schema);
      assert.ok(validate(rule.defaultOptions), JSON.stringify(validate.errors));
      assert.equal(validate({ ...rule.defaultOptions, bogus: 1 }), false);
      assert.ok(rule.description.length > 20);
    });

    void it(`${rule.id}: options of the wrong types fall back to the defaults instead of throwing`, () => {
      const line = jumpstart('### Answer: Call 555-0123 or mail jane.doe@gmail.com about [Your State].', '', '');
      const wrong: RuleOptions = { headers: 'x', allowEmpty: 3, patterns: [1, null], ignore: {}, kinds: 'email', tokenizer: 7, maxTokens: 'many', minWords: -2 };
      const withDefaults = rule.check(autoView(line), createLocator(line), rule.defaultOptions, noTokens);
      const withWrong = rule.check(autoView(line), createLocator(line), { ...wrong }, noTokens);
      assert.deepEqual(spans(withWrong), spans(withDefaults));
    });
  }
});

// ---------------------------------------------------------------------------------------------
// leaked-header

/** Answers that start with a header, and the header as it is decoded (the span must cover exactly it). */
const LEAKED_HEADER_CASES: readonly (readonly [string, string])[] = [
  [jumpstart('### Answer: Fill out form DS-82.'), '### Answer:'],
  [jumpstart('### Response:\nMail form DS-82 with your old passport.'), '### Response:'],
  [jumpstart('  ### Assistant: Mail form DS-82.'), '### Assistant:'],
  [jumpstart('ANSWER: Mail form DS-82.'), 'ANSWER:'],
  [jumpstart('Answer: Mail form DS-82.'), 'Answer:'],
  [jumpstart('Response: Mail form DS-82.'), 'Response:'],
  [jumpstart('Assistant: Mail form DS-82.'), 'Assistant:'],
  [jumpstart('<|assistant|> Your polling place is on your voter card.'), '<|assistant|>'],
  [jumpstart('<|start_header_id|>assistant<|end_header_id|>\n\nYour polling place is on your card.'), '<|start_header_id|>assistant<|end_header_id|>'],
  [jumpstart('<|im_start|>assistant\nYour polling place is on your card.'), '<|im_start|>assistant'],
  [jumpstart('[/INST] The deadline is April 15.'), '[/INST]'],
  // Headers as datasets really write them. Alpaca's and Dolly's templates end the prompt with
  // "### Response:" (tatsu-lab/stanford_alpaca train.py PROMPT_DICT; databrickslabs/dolly
  // training/consts.py RESPONSE_KEY); Vicuna v1.1 writes "ASSISTANT:" and Guanaco "### Assistant:"
  // (lm-sys/FastChat docs/weights_version.md); scraped FAQs and generated data write Markdown
  // headings, bold labels and dashes, with or without a colon, in any case.
  [jumpstart('### ANSWER\nMail form DS-82.'), '### ANSWER'],
  [jumpstart('### Response\n\nMail form DS-82 with your old passport.'), '### Response'],
  [jumpstart('## Answer\nMail form DS-82.'), '## Answer'],
  [jumpstart('# response  \r\n\r\nMail form DS-82.'), '# response'],
  [jumpstart('###Answer:\nMail form DS-82.'), '###Answer:'],
  [jumpstart('### Assistant\nMail form DS-82.'), '### Assistant'],
  [jumpstart('### Output:\nMail form DS-82.'), '### Output:'],
  [jumpstart('### **Answer**\nMail form DS-82.'), '### **Answer**'],
  [jumpstart('**Answer:** Mail form DS-82.'), '**Answer:**'],
  [jumpstart('**Answer**: Mail form DS-82.'), '**Answer**:'],
  [jumpstart('**Response**\nMail form DS-82.'), '**Response**'],
  [jumpstart('__Answer:__ Mail form DS-82.'), '__Answer:__'],
  [jumpstart('**Answer** — Mail form DS-82.'), '**Answer** —'],
  [jumpstart('Answer - Mail form DS-82.'), 'Answer -'],
  [jumpstart('Answer — Mail form DS-82.'), 'Answer —'],
  [jumpstart('Response – mail form DS-82.'), 'Response –'],
  [jumpstart('Answer -\nMail form DS-82.'), 'Answer -'],
  [jumpstart('A: Mail form DS-82.'), 'A:'],
  [jumpstart('ASSISTANT: Mail form DS-82.'), 'ASSISTANT:'],
  [jumpstart('Answer\nMail form DS-82.'), 'Answer'],
  [jumpstart('RESPONSE\n\nMail form DS-82.'), 'RESPONSE'],
];

/**
 * Text that is no leaked header. The grammar, which cannot tell fields apart or read ahead for a
 * list, still marks the ones listed in GRAMMAR_MARKS_ANYWAY (colour is only a hint).
 */
const NOT_LEAKED_HEADERS: readonly (readonly [string, string])[] = [
  ['"Response" mid-sentence', jumpstart('Write "Response: Appeal" as the subject line of your letter.')],
  ['a word that begins like a header', jumpstart('Response times vary by office; most reply within a week.')],
  ['an answer about answers', jumpstart('Answers to the civics test are on uscis.gov.')],
  ['a header at the start of a prompt', jumpstart('Mail form DS-82.', 'Answer: how do I renew?')],
  ['HTML strikethrough', jumpstart('Old fees are shown as <s>$110</s> on the page.')],
  ['angle brackets and pipes that are no token', jumpstart('Use a | b and x <| y in the formula; a<b and [1] are fine.')],
  ['a raw-text record with its own template', JSON.stringify({ text: '### Instruction: Where do I vote?\n### Response: At your polling place.' })],
  ['an answer that starts with the verb "Answer"', jumpstart('Answer the form\'s questions in order, then sign and date it.')],
  ['"Answer" as a verb with a dash later', jumpstart('Answer every question - even the optional ones - before you sign.')],
  ['a heading that only begins with the word', jumpstart('## Answering the census\nThe census counts everyone living in the US.')],
  ['a heading with more words after the header word', jumpstart('### Answer key for the practice test\nSee page 4 of the booklet.')],
  ['bold text that starts with the word', jumpstart('**Answer the questions** on both pages, then sign.')],
  ['a job title', jumpstart('Assistant Secretary of State for Consular Affairs oversees passport services.')],
  ['"Assistant" followed by a dash and a word', jumpstart('Assistant-level staff at the office can certify copies.')],
  ['"Output" outside a heading', jumpstart('Output: the calculator shows $42 when you enter your income.')],
  ['a dash glued to the next word', jumpstart('Response—if there is one—comes by mail within 30 days.')],
  ['a lettered list of choices', jumpstart('A: Form DS-11, for a first passport\nB: Form DS-82, for a renewal by mail')],
  ['a lettered list on one line', jumpstart('A: in person, B: by mail, or C: online, depending on your state.')],
  ['the header word as the whole answer', jumpstart('Response')],
  ['"### End" that is not at the end', jumpstart('### Endorsements\nSign the back of the check.')],
  ['"end" at the end of a sentence', jumpstart('Mail it before the month\'s end')],
];
const GRAMMAR_MARKS_ANYWAY = new Set(['a header at the start of a prompt', 'a raw-text record with its own template', 'a lettered list of choices', 'a lettered list on one line']);

void describe('leaked-header', () => {
  const H = 'leaked-header';

  void describe('flags headers at the start of an answer, with exact columns', () => {
    for (const [line, header] of LEAKED_HEADER_CASES) {
      void it(`${header} → its columns and a fix that removes it`, () => {
        const issues = run(leakedHeader, line);
        assert.deepEqual(spans(issues), [at(H, line, JSON.stringify(header).slice(1, -1))]);
        const [issue] = issues;
        assert.match(issue?.message ?? '', /^The answer starts with .*a prompt-template header: the model learns to print it/);
        assert.equal(issue?.fix?.title, `Remove the leaked ${JSON.stringify(header)} header`);
      });
    }
  });

  void it('flags special tokens anywhere, in any field, with their columns', () => {
    const line = JSON.stringify({
      messages: [
        { role: 'system', content: 'You help voters.<|eot_id|>' },
        { role: 'user', content: '<|im_start|>user\nWhere do I vote?<|im_end|>' },
        { role: 'assistant', content: 'At the school on Main Street. [INST] Thanks [/INST] You are welcome.</s>' },
      ],
    });
    assert.deepEqual(spans(run(leakedHeader, line)), [
      at(H, line, '<|eot_id|>'),
      at(H, line, '<|im_start|>user'),
      at(H, line, '<|im_end|>'),
      at(H, line, '[INST]'),
      at(H, line, '[/INST]'),
      at(H, line, '</s>'),
    ]);
    assert.match(run(leakedHeader, line)[0]?.message ?? '', /"<\|eot_id\|>" is a chat-template token .*the model learns to print it/);
  });

  void it('reports stacked headers one by one', () => {
    const line = jumpstart('<|start_header_id|>assistant<|end_header_id|>\n\n### Response: Yes, you can.');
    assert.deepEqual(spans(run(leakedHeader, line)), [
      at(H, line, '<|start_header_id|>assistant<|end_header_id|>'),
      at(H, line, '### Response:'),
    ]);
  });

  void it('reports Dolly\'s "### End" at the end of an answer, and says it is an end marker', () => {
    // databrickslabs/dolly training/consts.py: END_KEY = "### End", written after every response.
    const line = jumpstart('Mail form DS-82 with your old passport.\n\n### End');
    const issues = run(leakedHeader, line);
    assert.deepEqual(spans(issues), [at(H, line, '### End')]);
    assert.match(issues[0]?.message ?? '', /^The answer ends with "### End", a prompt-template end marker: the model learns to print it/);
    assert.equal(issues[0]?.fix?.title, 'Remove the leaked "### End" marker');
  });

  void it('checks rejected answers too, and says so', () => {
    const line = JSON.stringify({ prompt: 'Where do I vote?', chosen: 'At your polling place.', rejected: 'Answer: somewhere.' });
    const view = viewOf(line, [[['prompt'], 'prompt'], [['chosen'], 'answer'], [['rejected'], 'rejected']], 'openai-dpo');
    const issues = run(leakedHeader, line, {}, view);
    assert.deepEqual(spans(issues), [at(H, line, 'Answer:')]);
    assert.match(issues[0]?.message ?? '', /^The rejected answer starts with "Answer:"/);
  });

  void it('takes extra headers from its options (exact, case-sensitive)', () => {
    const line = jumpstart('Bot: Mail form DS-82.');
    assert.deepEqual(spans(run(leakedHeader, line)), []);
    assert.deepEqual(spans(run(leakedHeader, line, { headers: ['Bot:'] })), [at(H, line, 'Bot:')]);
    assert.deepEqual(spans(run(leakedHeader, line, { headers: ['bot:'] })), []);
  });

  void describe('leaves legitimate text alone', () => {
    for (const [name, line] of NOT_LEAKED_HEADERS) void it(name, () => { assert.deepEqual(spans(run(leakedHeader, line)), []); });
  });

  void describe('fix round trip: the edit removes exactly the header, the line stays valid JSON, the finding is gone', () => {
    const roundTrips: readonly (readonly [string, string, string])[] = [
      ['header followed by an escaped newline', jumpstart('### Answer:\nFill out form DS-82.'), 'Fill out form DS-82.'],
      ['header followed by spaces and tabs', jumpstart('Response: \t Mail it.'), 'Mail it.'],
      ['\\u escapes before and after the header', String.raw`{"instruction":"Caf\u00e9 hours?","context":"","response":"\u0020### Response:\u0020\u0020The caf\u00e9 opens at 9."}`, ' The café opens at 9.'],
      ['a header spelt with \\u escapes', String.raw`{"instruction":"Q","context":"","response":"\u0023\u0023\u0023 Answer:\t\"Yes\", it is."}`, '"Yes", it is.'],
      ['a Llama 3 header and blank line', jumpstart('<|start_header_id|>assistant<|end_header_id|>\n\nYes.'), 'Yes.'],
      ['a token at the end, with the space before it', jumpstart('It is on your voter card. <|eot_id|>'), 'It is on your voter card.'],
      ['a token between words', jumpstart('Sure.<|eot_id|>Next question'), 'Sure. Next question'],
      ['a token after a space', jumpstart('Sure. <|eot_id|> Next question'), 'Sure. Next question'],
      ['a heading without a colon and the blank line after it', jumpstart('### Response\n\nMail form DS-82.'), 'Mail form DS-82.'],
      ['an uppercase heading with CRLF and a blank line', jumpstart('## ANSWER\r\n\r\nMail it.'), 'Mail it.'],
      ['a bold label', jumpstart('**Answer:** Mail it.'), 'Mail it.'],
      ['a label with an em dash', jumpstart('Answer — Mail it.'), 'Mail it.'],
      ['A:', jumpstart('A: Mail it.\nKeep a copy.'), 'Mail it.\nKeep a copy.'],
      ['a bare header word on its own line', jumpstart('Answer\n\nMail it.'), 'Mail it.'],
      ['Dolly\'s end marker and the blank line before it', jumpstart('Mail it.\n\n### End'), 'Mail it.'],
    ];
    for (const [name, line, expected] of roundTrips) {
      void it(name, () => {
        const issues = run(leakedHeader, line);
        assert.equal(issues.length, 1, JSON.stringify(issues));
        const edits = issues[0]?.fix?.edits;
        assert.ok(edits !== undefined && edits.length > 0, 'the issue has a fix with edits');
        const fixed = applyEdits(line, edits);
        const before = JSON.parse(line) as JsonObject;
        const after = JSON.parse(fixed) as JsonObject;
        assert.equal(after.response, expected);
        assert.deepEqual({ ...after, response: before.response }, before, 'nothing else changed');
        assert.equal(fixed.slice(0, fixed.indexOf('"response"')), line.slice(0, line.indexOf('"response"')), 'the text before the field is untouched');
        assert.deepEqual(run(leakedHeader, fixed), []);
      });
    }
  });

  void it('offers no fix when the locator cannot place the field (never a fix that breaks the line)', () => {
    const line = jumpstart('### Answer: Yes.');
    const view: RecordView = { format: 'jumpstart-instruction', prompt: '', fields: [{ path: ['missing'], role: 'answer', text: '### Answer: Yes.' }] };
    const issues = run(leakedHeader, line, {}, view);
    assert.equal(issues.length, 1);
    assert.equal(issues[0]?.fix, undefined);
  });

  void it('property: every fix keeps the line valid JSON and changes only its field', () => {
    const piece = fc.constantFrom(
      '### Answer:', 'Response:', '<|eot_id|>', '<|assistant|>', '[/INST]', '</s>', ' ', '\n', '\t', 'é', '😀', '"', '\\', 'word', '\u2028',
      '### ANSWER', '**Answer:**', '**', 'A:', 'B:', 'Answer', ' — ', ' - ', '### End', '#', '\r\n',
    );
    fc.assert(fc.property(fc.array(piece, { maxLength: 12 }), fc.string({ maxLength: 5 }), (pieces, prompt) => {
      const line = jumpstart(pieces.join(''), prompt);
      const before = JSON.parse(line) as JsonObject;
      for (const issue of run(leakedHeader, line)) {
        assert.ok(issue.start >= 0 && issue.start <= issue.end && issue.end <= line.length);
        const edits = issue.fix?.edits;
        if (edits === undefined) continue;
        const after = JSON.parse(applyEdits(line, edits)) as JsonObject;
        assert.deepEqual({ ...after, response: before.response }, before);
        assert.ok((after.response as string).length < (before.response as string).length + 1);
      }
    }), { numRuns: 300 });
  });
});

// ---------------------------------------------------------------------------------------------
// The JSONL injection grammar marks the same headers (colour only; the rule decides what is flagged)

interface GrammarRule { readonly match?: string; readonly name?: string; readonly patterns?: readonly GrammarRule[] }

/** The raw texts the grammar's leaked-header patterns mark in a line, left to right, as TextMate would take them. */
function grammarMarks(line: string): string[] {
  const grammar = JSON.parse(readFileSync(repoFile('syntaxes/jsonl-dataset.injection.tmLanguage.json'), 'utf8')) as { repository: Record<string, GrammarRule> };
  const rule = grammar.repository['leaked-header'];
  const patterns = (rule?.patterns ?? [rule ?? {}]).map((p) => p.match).filter((m): m is string => m !== undefined);
  // The patterns are kept to the syntax Oniguruma and JavaScript read alike, so RegExp runs them as the editor does.
  const regexes = patterns.map((m) => new RegExp(m, 'g'));
  const marks: string[] = [];
  for (let pos = 0; pos < line.length;) {
    let best: RegExpExecArray | null = null;
    for (const re of regexes) {
      re.lastIndex = pos;
      const m = re.exec(line);
      if (m !== null && m[0] !== '' && (best === null || m.index < best.index)) best = m;
    }
    if (best === null) break;
    marks.push(best[0]);
    pos = best.index + best[0].length;
  }
  return marks;
}

void describe('the JSONL highlighting marks what leaked-header flags', () => {
  for (const [line, header] of LEAKED_HEADER_CASES) {
    if (header.startsWith('<') || header.startsWith('[')) continue; // tokens have their own pattern
    void it(`marks ${header}`, () => {
      assert.deepEqual(grammarMarks(line).map((m) => m.trim()), [JSON.stringify(header).slice(1, -1)]);
    });
  }
  void it('marks Dolly\'s trailing "### End"', () => {
    assert.deepEqual(grammarMarks(jumpstart('Mail it.\n\n### End')), ['### End']);
  });
  for (const [name, line] of NOT_LEAKED_HEADERS) {
    if (GRAMMAR_MARKS_ANYWAY.has(name)) continue;
    void it(`leaves alone: ${name}`, () => { assert.deepEqual(grammarMarks(line), []); });
  }
});

// ---------------------------------------------------------------------------------------------
// empty-field

void describe('empty-field', () => {
  const E = 'empty-field';

  void it('flags an empty answer at its value, quotes included', () => {
    const line = '{"instruction":"Where do I vote?","context":"","response":""}';
    const issues = run(emptyField, line);
    assert.deepEqual(spans(issues), [[E, 58, 60]]);
    assert.match(issues[0]?.message ?? '', /The answer is empty: the model learns to reply with nothing/);
  });

  void it('flags whitespace-only fields and says so', () => {
    const line = jumpstart(' \n\t ', '   ');
    const issues = run(emptyField, line);
    assert.deepEqual(spans(issues), [at(E, line, '"   "'), at(E, line, String.raw`" \n\t "`)]);
    assert.match(issues[0]?.message ?? '', /The prompt is only whitespace/);
    assert.match(issues[1]?.message ?? '', /The answer is only whitespace/);
  });

  void it('flags an empty system message and an empty assistant turn in a chat', () => {
    const line = JSON.stringify({ messages: [{ role: 'system', content: '' }, { role: 'user', content: 'Hi' }, { role: 'assistant', content: '' }] });
    const issues = run(emptyField, line);
    assert.equal(issues.length, 2);
    assert.match(issues[0]?.message ?? '', /system message is empty/);
    assert.match(issues[1]?.message ?? '', /answer is empty/);
  });

  void it('allows an empty context by default, and what allowEmpty lists', () => {
    assert.deepEqual(run(emptyField, jumpstart('Mail form DS-82.')), []);
    const line = jumpstart('Mail form DS-82.');
    assert.deepEqual(spans(run(emptyField, line, { allowEmpty: [] })), [at(E, line, '""')]);
    assert.match(run(emptyField, line, { allowEmpty: [] })[0]?.message ?? '', /allowEmpty/);
    assert.deepEqual(run(emptyField, jumpstart(''), { allowEmpty: ['context', 'answer'] }), []);
  });

  void it('does not flag text with content, however short', () => {
    assert.deepEqual(run(emptyField, jumpstart('.', 'x', 'y')), []);
  });
});

// ---------------------------------------------------------------------------------------------
// unfilled-placeholder

void describe('unfilled-placeholder', () => {
  const P = 'unfilled-placeholder';

  void describe('flags each placeholder at its columns', () => {
    const cases: readonly (readonly [string, string, RegExp])[] = [
      ['Mail it to {{passport_office}} by Friday.', '{{passport_office}}', /looks like an unfilled template variable/],
      ['Mail it to {{ office.name }} by Friday.', '{{ office.name }}', /template variable/],
      ['Dear {NAME}, your permit is ready.', '{NAME}', /template variable/],
      ['Your case officer is {officer_name}.', '{officer_name}', /template variable/],
      ['Contact the DMV in [Your State] for a form.', '[Your State]', /fill-in-the-blank placeholder/],
      ['Sign it as [Your Name] and mail it.', '[Your Name]', /fill-in-the-blank/],
      ['See [Insert link to the form] for details.', '[Insert link to the form]', /fill-in-the-blank/],
      ['Call [Company Name] customer service.', '[Company Name]', /fill-in-the-blank/],
      ['Call them at [PHONE NUMBER] today.', '[PHONE NUMBER]', /fill-in-the-blank/],
      ['Write to [Name of Agency] within 30 days.', '[Name of Agency]', /fill-in-the-blank/],
      ['Call XXX-XXXX to book.', 'XXX-XXXX', /masked-out value/],
      ['Call (XXX) XXX-XXXX to book.', '(XXX) XXX-XXXX', /masked-out value/],
      ['Call 1-800-XXX-XXXX to book.', '1-800-XXX-XXXX', /masked-out value/],
      ['Your SSN looks like xxx-xx-xxxx on the form.', 'xxx-xx-xxxx', /masked-out value/],
      ['Call 555-0123 to book.', '555-0123', /fictional 555 phone number: the model learns to give numbers that reach no one/],
      ['Call (555) 555-1234 to book.', '(555) 555-1234', /fictional 555/],
      ['Call (212) 555-0188 to book.', '(212) 555-0188', /fictional 555/],
      ['Call 1-212-555-0188 to book.', '1-212-555-0188', /fictional 555/],
      ['Lorem ipsum dolor sit amet.', 'Lorem ipsum', /filler text/],
      ['The fee is TODO.', 'TODO', /marks an unfinished answer/],
      ['Office hours: TBD.', 'TBD', /unfinished answer/],
    ];
    for (const [answer, found, message] of cases) {
      void it(`${found} in "${answer}"`, () => {
        const line = jumpstart(answer);
        const issues = run(unfilledPlaceholder, line);
        assert.deepEqual(spans(issues), [at(P, line, found)]);
        assert.match(issues[0]?.message ?? '', message);
        assert.ok(issues[0]?.message.includes(JSON.stringify(found)));
      });
    }
  });

  void it('reports every occurrence, through escapes, in any non-rejected field', () => {
    const line = String.raw`{"instruction":"Tell me about {topic}.","context":"","response":"Caf\u00e9 {{name}}\nand {{name}} again at [Your Address]."}`;
    assert.deepEqual(spans(run(unfilledPlaceholder, line)), [
      at(P, line, '{topic}'),
      at(P, line, '{{name}}', 0),
      at(P, line, '{{name}}', 1),
      at(P, line, '[Your Address]'),
    ]);
  });

  void it('looks for fictional numbers and TODO in answers only, and skips rejected answers', () => {
    const line = JSON.stringify({ prompt: 'My number is 555-0100, TODO call me', chosen: 'We will call 555-0100.', rejected: 'Dear [Your Name], TODO' });
    const view = viewOf(line, [[['prompt'], 'prompt'], [['chosen'], 'answer'], [['rejected'], 'rejected']], 'openai-dpo');
    assert.deepEqual(spans(run(unfilledPlaceholder, line, {}, view)), [at(P, line, '555-0100', 1)]);
  });

  void describe('leaves code, links, citations and real values alone', () => {
    const clean: readonly (readonly [string, string])[] = [
      ['a URL template in inline code', 'Call `GET https://api.example.gov/cases/{caseId}` with your ID.'],
      ['a URL template in prose', 'The endpoint is https://api.example.gov/cases/{caseId} for every case.'],
      ['a Python f-string in a fenced block', 'Try:\n```python\nprint(f"Hello {name}")  # TODO: check\n```\nIt prints the name.'],
      ['braces outside the fence of an answer with code', 'Jinja writes {{ name }} and Python {name}:\n```\nx = 1\n```'],
      ['an f-string without a fence', 'Write print(f"{name}") to see it.'],
      ['shell and template-literal variables', 'Use ${HOME} or `${user}` in the path.'],
      ['LaTeX', 'The rate is $\\frac{r}{n}$ and the total $P^{nt}$ with \\text{rate}.'],
      ['JSON in the answer', 'Send {"name": "Ana"} as the body; {} is empty.'],
      ['a one-letter set', 'The set {x} has one element.'],
      ['citations and checkboxes', 'See [1], [2, 3] and [12]. - [x] done - [ ] to do'],
      ['Markdown links and images', 'See [Company Name](https://example.gov) and ![Logo](logo.png) and [Your Benefits][1].'],
      ['indexing in code-like prose', 'Read row[Name] and data[Date] from the sheet.'],
      ['lowercase bracketed words and notes', 'Run git commit [options]. [Note: fees change yearly.] [sic]'],
      ['bracketed words with no placeholder noun', 'The form says [Official Use Only] at the top.'],
      ['a real phone number (pii, not a placeholder)', 'Call 415-867-5309 or 1-800-772-1213.'],
      ['555 inside a longer number', 'Reference 15550123 and 555-01234 and 1555-0123.'],
      ['lowercase todo', 'Make a todo list; TODOS are not markers.'],
      ['masks inside words', 'Model XXXX-XXXXXX is not a mask, nor is AXXX-XXXX.'],
    ];
    for (const [name, answer] of clean) void it(name, () => { assert.deepEqual(spans(run(unfilledPlaceholder, jumpstart(answer))), []); });
  });

  void it('takes extra patterns and ignores listed texts', () => {
    const line = jumpstart('Contact <AGENCY_NAME> at {office_phone} or {caseId}.');
    assert.deepEqual(spans(run(unfilledPlaceholder, line, { ignore: ['{caseId}'] })), [at(P, line, '{office_phone}')]);
    const issues = run(unfilledPlaceholder, line, { patterns: ['<[A-Z_]{3,}>'], ignore: ['{caseId}', '{office_phone}'] });
    assert.deepEqual(spans(issues), [at(P, line, '<AGENCY_NAME>')]);
    assert.match(issues[0]?.message ?? '', /matches the placeholder pattern \/<\[A-Z_\]\{3,\}>\//);
  });

  void it('skips invalid patterns and survives patterns that match the empty string', () => {
    const line = jumpstart('Mail it.');
    assert.deepEqual(run(unfilledPlaceholder, line, { patterns: ['(', 'x*', '[unclosed'] }), []);
  });
});

// ---------------------------------------------------------------------------------------------
// pii

/**
 * What pii must reach on test/fixtures/rules/public-services-pii.jsonl. Measured: precision 0.932
 * (55 of 59 findings), recall 0.965 (55 of 57); before public offices were told apart, precision
 * was 0.207 (57 of 275). Left by design: a person's address written as one word on an
 * institution's domain ("tasante@umich.edu" reads like an office's) is missed, and an agency's
 * number two sentences from its name ("Lines open at 8 a.m. Try 202-647-4000 early in the day.")
 * is still flagged.
 */
const PII_PRECISION_FLOOR = 0.9;
const PII_RECALL_FLOOR = 0.95;

void describe('pii', () => {
  const I = 'pii';

  void describe('flags personal data at its columns', () => {
    const cases: readonly (readonly [string, string, RegExp])[] = [
      ['Email jane.doe@gmail.com for the form.', 'jane.doe@gmail.com', /looks like a real email address: the model memorises personal data .*Replace it with a fictional address .*example\.com/],
      ['Write to j_smith+dmv@state.ny.us.', 'j_smith+dmv@state.ny.us', /a person's own address at an institution/],
      ['Call (415) 867-5309 after 9.', '(415) 867-5309', /looks like a real phone number: the model memorises personal data/],
      ['Call 415-867-5309.', '415-867-5309', /real phone number/],
      ['Call 415.867.5309 now.', '415.867.5309', /real phone number/],
      ['Call +1 415 867 5309 now.', '+1 415 867 5309', /real phone number/],
      ['Call 1 (415) 867-5309 now.', '1 (415) 867-5309', /real phone number/],
      ['Call 1-415-867-5309 now.', '1-415-867-5309', /real phone number/],
      ['Call +44 20 7946 0958 in London.', '+44 20 7946 0958', /real phone number/],
      ['Call +4930901820 in Berlin.', '+4930901820', /real phone number/],
      ['My SSN is 219-09-9999.', '219-09-9999', /looks like a US Social Security number: .* Replace it with a fictional value/],
      ['Card 4111 1111 1111 1111 expires soon.', '4111 1111 1111 1111', /looks like a payment card number/],
      ['Card 5500-0000-0000-0004 expires soon.', '5500-0000-0000-0004', /payment card number/],
      ['Amex 378282246310005 on file.', '378282246310005', /payment card number/],
      ['Appelez le +33 1 23 45 67 89 à Paris.', '+33 1 23 45 67 89', /real phone number/],
      ['Call +12125550143? No: +14158675309.', '+14158675309', /real phone number/],
      // A person's own address stays personal data on an institution's domain (a caseworker's, a student's).
      ['Email your caseworker, Dana Whitfield, at dana.whitfield@dhs.state.mn.us.', 'dana.whitfield@dhs.state.mn.us', /looks like a person's own address at an institution: the model memorises .*Give the office's mailbox instead/],
      ['Write to John.Q.Smith@irs.gov about your case.', 'John.Q.Smith@irs.gov', /a person's own address at an institution/],
      ['Mail mary-ann.o_neil+appeal@umich.edu.', 'mary-ann.o_neil+appeal@umich.edu', /a person's own address at an institution/],
      // A number is a person's when the text says so, even next to an office's name.
      ['Call me at 503-867-2231 if the county office is closed.', '503-867-2231', /real phone number/],
      ['The DMV clerk gave me her cell, 971-244-8810.', '971-244-8810', /real phone number/],
      ['Text Maria at 971-244-8810 for a ride to the polls.', '971-244-8810', /real phone number/],
      ['My office line at the county is 503-988-4411.', '503-988-4411', /real phone number/],
    ];
    for (const [text, found, message] of cases) {
      void it(found, () => {
        const line = jumpstart(text);
        const issues = run(pii, line);
        assert.deepEqual(spans(issues), [at(I, line, found)]);
        assert.match(issues[0]?.message ?? '', message);
      });
    }
  });

  void it('checks every field, and words the advice for prompts and answers', () => {
    const line = jumpstart('We will call you at 415-867-5309.', 'Call me at 415-867-5309.');
    const issues = run(pii, line);
    assert.deepEqual(spans(issues), [at(I, line, '415-867-5309', 0), at(I, line, '415-867-5309', 1)]);
    assert.match(issues[0]?.message ?? '', /Replace it with a fictional value \(e\.g\. 555-0100\)/);
    assert.match(issues[1]?.message ?? '', /give the organisation's public one/);
  });

  void describe('leaves non-personal values alone', () => {
    const clean: readonly (readonly [string, string])[] = [
      ['reserved email domains', 'Write to jane@example.com, help@mail.example.org, a.b@example.net, x@y.test, x@y.invalid or me@host.example.'],
      ['office mailboxes', 'Email foia@agency.gov or support@dmv.ca.gov.'],
      ['things with @ that are no address', 'Use @types/node, @Override, user@localhost and git@ as shown; mail me @ home.'],
      ['fictional 555 numbers (a placeholder, not pii)', 'Call 555-0123, (212) 555-0123, 212-555-0199 or (555) 123-4567.'],
      ['toll-free numbers', 'Call 1-800-772-1213 or (888) 275-5772.'],
      ['SSNs never issued', 'Examples: 000-12-3456, 666-12-3456, 912-34-5678, 123-00-4567, 123-45-0000, 123-45-6789.'],
      ['digit runs that are no card', 'Order 1234567890123456, timestamp 1700000000000, card 4111111111111112.'],
      ['dates, versions, ISBNs, decimals and money', 'On 2024-01-15, v1.2.3, ISBN 978-0-306-40615-7, pi 3.14159265358979, $1,234,567.89, 10-15-2024.'],
      ['N11 and invalid area codes', 'Call 211-555-1234? No: 911-867-5309, 011-867-5309 and 123-867-5309 are not numbers.'],
      ['numbers glued into identifiers', 'IDs A415-867-5309, 415-867-5309X, /users/4111111111111111 and 4111111111111111.5.'],
      // Public offices' mailboxes: .gov, .mil, .edu, .int, government domains of other countries, US state and
      // local government under .us (RFC 1480 section 2), and role mailboxes (RFC 2142 and public-service functions).
      ['a federal agency\'s mailboxes', 'Forward the email to phishing@irs.gov; FVAP answers at vote@fvap.gov and the embassy at SDOAmericans@state.gov.'],
      ['military, university and international mailboxes', 'Write to usarmy.knox.hrc.mbx.tagd-ask-hrc@army.mil, financial.aid@umich.edu, finaid@stanford.edu or media@who.int.'],
      ['other countries\' government domains', 'Forward it to report@phishing.gov.uk, ReportEmailFraud@ato.gov.au, fraude@gouv.qc.ca, contacto@sat.gob.mx or consultas@mhlw.go.jp.'],
      ['Canada\'s federal and provincial domains', 'Email ei-ae@servicecanada.gc.ca or healthinfo@gov.bc.ca.'],
      ['US state and local government under .us', 'Write to dmv.customer.service@state.ma.us, clerk@ci.berkeley.ca.us or elections@co.washington.or.us.'],
      ['role mailboxes on any domain', 'Email elections@multco.us, press@vote.org, privacy@example-agency.org, webmaster@countyclerk.net, noreply@login.gov.'],
      // Numbers given as an office's or agency's published number.
      ['an agency named before its number', 'Outside the US, call the IRS International Taxpayer Service Call Center at 267-941-1000.'],
      ['an agency with its number in parentheses', 'Contact the Election Assistance Commission ((301) 563-3919) or the New York State Board of Elections at (518) 474-6220.'],
      ['the number before the office, in parentheses', 'Dial +1 202-501-4444 (Overseas Citizens Services) from abroad.'],
      ['a possessive agency name', 'The DMV\'s number is 360-902-3900.'],
      ['a contact block copied from the office\'s page', 'Multnomah County Elections\n1040 SE Morrison St, Portland\nPhone: 503-988-3720\nHours: 8:30 to 5'],
      ['an agency abroad, international format', 'Call HMRC\'s helpline on +44 300 200 3300, or the Australian Taxation Office on +61 2 6216 1111.'],
    ];
    for (const [name, text] of clean) void it(name, () => { assert.deepEqual(spans(run(pii, jumpstart(text))), []); });
  });

  void it('reports several findings in a field, and at most 20 a record', () => {
    const line = jumpstart('Mail ann@gmail.com, call (415) 867-5309, then bob@yahoo.com.');
    assert.deepEqual(spans(run(pii, line)), [at(I, line, 'ann@gmail.com'), at(I, line, 'bob@yahoo.com'), at(I, line, '(415) 867-5309')]);
    const many = jumpstart(Array.from({ length: 30 }, (_, i) => `user${i}@gmail.com`).join(' '));
    assert.equal(run(pii, many).length, 20);
  });

  void it('looks only for the kinds its options list', () => {
    const line = jumpstart('Mail jane.doe@gmail.com or call 415-867-5309; SSN 219-09-9999.');
    assert.deepEqual(spans(run(pii, line, { kinds: ['email'] })), [at(I, line, 'jane.doe@gmail.com')]);
    assert.deepEqual(spans(run(pii, line, { kinds: ['phone', 'ssn'] })), [at(I, line, '415-867-5309'), at(I, line, '219-09-9999')]);
    assert.deepEqual(run(pii, line, { kinds: [] }), []);
  });

  void it('on a public-services dataset, flags the planted personal data and leaves published contacts alone', (t) => {
    // 320 answers about taxes, passports, voting, benefits, immigration, student aid, veterans, disasters,
    // identity theft and motor vehicles, with the contacts the agencies publish (IRS, State Department,
    // FVAP, SSA, USCIS, election offices, HMRC, CRA, ATO…), and personal data planted as it turns up in
    // real data: a user's own details in the question or a pasted letter, a caseworker's direct line or
    // address in an answer. The sidecar lists every piece of personal data by line and exact text.
    const lines = readFileSync(fixturePath('public-services-pii.jsonl'), 'utf8').split('\n').filter((l) => l !== '');
    const labels = JSON.parse(readFileSync(fixturePath('public-services-pii.labels.json'), 'utf8')) as { findings: { line: number; kind: PiiKind; text: string }[] };
    assert.ok(lines.length >= 300);
    const kindWords: Record<PiiKind, RegExp> = { email: /email address|address at an institution/, phone: /phone number/, ssn: /Social Security number/, 'credit-card': /payment card number/ };
    let truePositives = 0;
    const falsePositives: string[] = [];
    const missed: string[] = [];
    lines.forEach((line, i) => {
      const expected = labels.findings.filter((f) => f.line === i + 1);
      for (const issue of run(pii, line)) {
        const text = line.slice(issue.start, issue.end);
        const k = expected.findIndex((f) => f.text === text && kindWords[f.kind].test(issue.message));
        if (k === -1) falsePositives.push(`line ${i + 1}: ${text}`);
        else {
          truePositives++;
          expected.splice(k, 1);
        }
      }
      missed.push(...expected.map((f) => `line ${i + 1}: ${f.text}`));
    });
    const precision = truePositives / (truePositives + falsePositives.length);
    const recall = truePositives / (truePositives + missed.length);
    t.diagnostic(`precision ${precision.toFixed(3)} (${truePositives}/${truePositives + falsePositives.length}), recall ${recall.toFixed(3)} (${truePositives}/${truePositives + missed.length})`);
    assert.ok(precision >= PII_PRECISION_FLOOR, `precision ${precision.toFixed(3)} < ${PII_PRECISION_FLOOR}; flagged but not personal:\n${falsePositives.join('\n')}`);
    assert.ok(recall >= PII_RECALL_FLOOR, `recall ${recall.toFixed(3)} < ${PII_RECALL_FLOOR}; personal but not flagged:\n${missed.join('\n')}`);
  });
});

// ---------------------------------------------------------------------------------------------
// too-long

/** A counter that records what it was asked and answers a fixed count. */
function spyCounter(answer: number): TokenCounter & { calls: [string, TokenizerFamily][] } {
  const calls: [string, TokenizerFamily][] = [];
  return { calls, count(text, family) { calls.push([text, family]); return answer; } };
}

function spyEnv(tokens: TokenCounter | undefined): RuleEnv & { wanted: number } {
  const env = { tokens, wanted: 0, needsTokens() { env.wanted++; } };
  return env;
}

void describe('too-long', () => {
  /** The UTF-8 bytes of what JumpStart tokenizes for a line (its built-in template filled), and its 2 added tokens. */
  const trainedBytes = (line: string): number => utf8Length(trainedText(autoView(line), undefined).shared) + 2;

  void it('does not count a record whose trained text cannot exceed maxTokens in UTF-8 bytes', () => {
    const counter = spyCounter(5000);
    const env = spyEnv(counter);
    const long = jumpstart('a'.repeat(1000), 'b'.repeat(30));
    assert.deepEqual(run(tooLong, long, { maxTokens: trainedBytes(long) }, undefined, env), []);
    assert.deepEqual(run(tooLong, jumpstart('Short.'), {}, undefined, env), []);
    const accented = jumpstart('é'.repeat(300), 'Q');
    assert.deepEqual(run(tooLong, accented, { maxTokens: trainedBytes(accented) }, undefined, env), []);
    assert.equal(counter.calls.length, 0);
    assert.equal(env.wanted, 0);
  });

  void it('counts once the trained text\'s bytes could exceed the limit', () => {
    const counter = spyCounter(5000);
    const line = jumpstart('a'.repeat(400), 'é'.repeat(100));
    assert.equal(run(tooLong, line, { maxTokens: trainedBytes(line) - 1 }, undefined, spyEnv(counter)).length, 1);
    assert.equal(counter.calls.length, 1);
  });

  void it('asks for a tokenizer, and reports nothing, when it would count without one', () => {
    const env = spyEnv(undefined);
    assert.deepEqual(run(tooLong, jumpstart('é'.repeat(400), 'Q'), { maxTokens: 700 }, undefined, env), []);
    assert.equal(env.wanted, 1);
  });

  void it('counts JumpStart\'s filled template with Llama 3 by default, and reports the whole record', () => {
    const line = jumpstart('word '.repeat(300), 'Why?', 'Some context.');
    const counter = spyCounter(1500);
    const issues = run(tooLong, line, {}, undefined, spyEnv(counter));
    assert.deepEqual(counter.calls, [[trainedText(autoView(line), undefined).shared, 'llama3']]);
    assert.match(counter.calls[0]?.[0] ?? '', /### Instruction:\nWhy\?\n\n### Input:\nSome context\.[\s\S]*### Response:\n/);
    assert.deepEqual(spans(issues), [['too-long', 0, line.length]]);
    assert.match(issues[0]?.message ?? '', /about 1,502 tokens \(Llama 3 tokenizer, counting JumpStart's built-in template filled with the record, "### Response:" and the begin and end tokens\), over max_input_length, 1,024/);
    assert.match(issues[0]?.message ?? '', /Shorten it, split it into several records, or raise max_input_length/);

    const o200k = spyCounter(1500);
    assert.match(run(tooLong, line, { tokenizer: 'o200k', maxTokens: 1000 }, undefined, spyEnv(o200k))[0]?.message ?? '', /o200k.*limit of 1,000/);
    assert.equal(o200k.calls[0]?.[1], 'o200k');
  });

  void it('reports nothing when the count, with the begin and end tokens, is within the limit', () => {
    const counter = spyCounter(1022);
    assert.deepEqual(run(tooLong, jumpstart('word '.repeat(300)), {}, undefined, spyEnv(counter)), []);
    assert.equal(counter.calls.length, 1);
  });
});

// ---------------------------------------------------------------------------------------------
// too-short

void describe('too-short', () => {
  void it('flags answers under minWords at the answer value', () => {
    const line = jumpstart('Yes.');
    const issues = run(tooShort, line);
    assert.deepEqual(spans(issues), [at('too-short', line, '"Yes."')]);
    assert.match(issues[0]?.message ?? '', /This answer is one word \("Yes\."\): very short answers teach the model to reply tersely, which LLM judges mark down/);
    assert.match(run(tooShort, jumpstart('  Call them.  '))[0]?.message ?? '', /2 words \("Call them\."\)/);
  });

  void it('honours minWords, and leaves long, empty and non-answer fields alone', () => {
    assert.deepEqual(run(tooShort, jumpstart('Go to the DMV.')), []);
    assert.equal(run(tooShort, jumpstart('Go to the DMV.'), { minWords: 5 }).length, 1);
    assert.deepEqual(run(tooShort, jumpstart('')), []);
    assert.deepEqual(run(tooShort, jumpstart('Bring your passport and one proof of address.', 'Hi')), []);
  });

  void it('counts each CJK character as a word', () => {
    assert.deepEqual(run(tooShort, jumpstart('请携带护照前往办理。')), []);
    assert.equal(run(tooShort, jumpstart('是。')).length, 1);
  });
});

// ---------------------------------------------------------------------------------------------
// isRefusal

void describe('isRefusal', () => {
  const refusals = [
    'I\'m sorry, but I can\'t help with that.',
    'I cannot provide legal advice. Please contact a licensed attorney in your state.',
    'As an AI language model, I don\'t have personal opinions about candidates.',
    'Unfortunately, I\'m unable to check the status of your application; please contact USCIS directly.',
    'Sorry, I can’t assist with that request.',
    'I am not able to access your tax records. Please call the IRS.',
    'I apologize, but I cannot share that information.',
    'I won\'t be able to process your payment here. Use the official portal at pay.gov.',
    'I don\'t have access to your case file.',
  ];
  const answers = [
    'I\'m sorry to hear about your lost passport. Here is how to replace it: report it with Form DS-64, then apply in person with Form DS-11.',
    'Contact the DMV at the number on its website to book an appointment.',
    'I can\'t wait to help you get started! First, gather your documents.',
    'You cannot renew online if your passport was issued before you turned 16.',
    'Yes. Bring two forms of ID.',
    `${'Bring your documents. '.repeat(20)}I can't answer questions about other states, though.`,
  ];
  for (const text of refusals) void it(`refusal: ${text}`, () => { assert.equal(isRefusal(text), true); });
  for (const text of answers) void it(`answer: ${text.slice(0, 60)}`, () => { assert.equal(isRefusal(text), false); });
});

// ---------------------------------------------------------------------------------------------
// All rules together

void describe('all rules on realistic clean data: no findings', () => {
  const lines = readFileSync(fixturePath('clean.jsonl'), 'utf8').split('\n').filter((l) => l !== '');
  assert.ok(lines.length >= 10);
  lines.forEach((line, i) => {
    void it(`line ${i + 1}`, () => {
      const env = spyEnv(spyCounter(10));
      for (const rule of CONTENT_RULES) assert.deepEqual(spans(run(rule, line, {}, autoView(line), env)), [], `${rule.id} on ${line}`);
      assert.equal(isRefusal(autoView(line).fields.at(-1)?.text ?? ''), false);
    });
  });
});

void describe('all rules on adversarial and random input', () => {
  void it('finish on long inputs built to make regexes backtrack', { timeout: 60_000 }, () => {
    const n = 100_000;
    const inputs = [
      'a'.repeat(n), `${'a'.repeat(n)}@`, `${'a.'.repeat(n / 2)}@x`, `a@${'b.'.repeat(n / 2)}`, '@'.repeat(n), '1'.repeat(n), '1 '.repeat(n / 2), '1-'.repeat(n / 2),
      `+${'1 '.repeat(n / 2)}`, '+1'.repeat(n / 2), '('.repeat(n), '{'.repeat(n), `{${'a'.repeat(n)}`, `{{ ${' '.repeat(n)}`, '['.repeat(n), `[${'A '.repeat(n / 2)}`,
      `[Your ${'x'.repeat(n)}`, '<|'.repeat(n / 2), `<|${'a'.repeat(n)}`, `<|start_header_id|>${' '.repeat(n)}`, 'X'.repeat(n), 'XXX-'.repeat(n / 4), '555-'.repeat(n / 4),
      '555'.repeat(n / 3), 'TODO '.repeat(n / 5), '#'.repeat(n), `${' '.repeat(n)}x`, '`'.repeat(n), '```\n{name}\n'.repeat(n / 12), 'Lorem '.repeat(n / 6),
      `I'm sorry${' very'.repeat(n / 5)}`, `I can't ${'really '.repeat(n / 7)}`,
    ];
    const env = spyEnv(spyCounter(1));
    for (const text of inputs) {
      const line = JSON.stringify({ instruction: text, context: '', response: text });
      for (const rule of CONTENT_RULES) {
        const issues = run(rule, line, {}, autoView(line), env);
        for (const i of issues) assert.ok(i.start >= 0 && i.start <= i.end && i.end <= line.length);
      }
      isRefusal(text);
    }
  });

  void it('property: never throw, and every issue lies within the line', () => {
    const alphabet = fc.constantFrom(
      'a', 'Z', ' ', '\n', '"', '\\', 'é', '😀', '\ud800', '{', '}', '[', ']', '<|', '|>', '#', ':', '@', '.', '-', '+', '(', ')', '5', '1', '4', 'X', '`',
      'Answer:', '### Response:', '<|eot_id|>', '[/INST]', '</s>', '{{name}}', '{NAME}', '[Your Name]', 'XXX-XXXX', '555-0123', 'TODO', 'Lorem ipsum',
      'jane@gmail.com', '415-867-5309', '+44 20 7946 0958', '219-09-9999', '4111 1111 1111 1111', '```',
    );
    const text = fc.array(alphabet, { maxLength: 30 }).map((a) => a.join(''));
    fc.assert(fc.property(text, text, text, (instruction, context, response) => {
      const line = JSON.stringify({ instruction, context, response });
      for (const rule of CONTENT_RULES) {
        for (const i of run(rule, line, {}, autoView(line), spyEnv(spyCounter(5000)))) {
          assert.ok(i.start >= 0 && i.start <= i.end && i.end <= line.length, JSON.stringify(i));
          assert.equal(i.rule, rule.id);
          assert.ok(i.message.length > 20);
        }
      }
    }), { numRuns: 500 });
  });
});

// ---------------------------------------------------------------------------------------------
// unfilled-placeholder: the user's patterns cannot stall the lint

void describe('unfilled-placeholder: user patterns with a bounded cost', () => {
  const P = 'unfilled-placeholder';
  // Natively each of these scans the rest of a million-`a` run at every position, 5·10¹¹ steps:
  // 20,000 `a`s took 1.5 s and the time grows with the square, so an hour here.

  void it('a pattern whose matches are all ignored is looked at a bounded number of times; the next pattern still reports', () => {
    const line = jumpstart(`${'a'.repeat(1_000_000)} <X>`);
    const issues = run(unfilledPlaceholder, line, { patterns: ['a*b|a', '<[A-Z]+>'], ignore: ['a'] });
    assert.deepEqual(spans(issues), [at(P, line, '<X>')]);
  });

  void it('a pattern that matches empty text somewhere ends the field\'s scan there instead of stepping through it', () => {
    const line = jumpstart(`${'a'.repeat(1_000_000)} <X>`);
    const issues = run(unfilledPlaceholder, line, { patterns: ['\\B(?:a*b|)', '<[A-Z]+>'] });
    assert.deepEqual(spans(issues), [at(P, line, '<X>')]);
  });
});
