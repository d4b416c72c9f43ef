/**
 * Token limits per format and model (core/limits), as `too-long` applies them, and the dataset-level
 * limits. Each expectation names the number's source; see src/core/limits/models.ts for the URLs.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { formatById } from '../../src/core/formats/index';
import { DEFAULT_JUMPSTART_TEMPLATE } from '../../src/core/formats/jumpstartTemplate';
import { parseTemplate } from '../../src/core/formats/template';
import { createLocator } from '../../src/core/jsonl/locate';
import { datasetIssues, formatBytes, type DatasetFacts } from '../../src/core/limits/dataset';
import { JUMPSTART_DEMARCATION, mayExceedTokens, trainedText } from '../../src/core/limits/measure';
import { modelFor, TARGET_MODEL_IDS } from '../../src/core/limits/models';
import { splitOf } from '../../src/core/limits/split';
import { parseProjectConfig, projectConfigSchema, resolveSettings } from '../../src/core/lint/config';
import { describeMeasure, measureRecord } from '../../src/core/lint/tokensOf';
import type { FormatContext, FormatId, JsonObject, RecordView, RuleEnv, RuleOptions, TokenCounter, TokenizerFamily } from '../../src/core/lint/types';
import { tooLong } from '../../src/core/rules/index';
import { seededRandom } from '../../src/core/random';
import { utf8Length } from '../../src/core/tokens/bytes';
import { tokenizers } from '../../src/core/tokens/tokenizers';

/** A file of the repository (the bundled test runs from a temp folder: look upwards from the working directory). */
function repoFile(path: string): string {
  for (const start of [process.cwd(), __dirname]) {
    for (let dir = resolve(start); dirname(dir) !== dir; dir = dirname(dir)) {
      if (existsSync(join(dir, path))) return join(dir, path);
    }
  }
  throw new Error(`${path} not found`);
}

function viewAs(format: FormatId, record: JsonObject, ctx: FormatContext = {}): RecordView {
  return formatById(format).view(record, ctx);
}

/** A counter that records what it was asked and answers a fixed count. */
function spy(answer: (text: string) => number): TokenCounter & { calls: [string, TokenizerFamily][] } {
  const calls: [string, TokenizerFamily][] = [];
  return { calls, count(text, family) { calls.push([text, family]); return answer(text); } };
}

function env(tokens: TokenCounter | undefined, extra: Partial<RuleEnv> = {}): RuleEnv {
  return { tokens, needsTokens: () => undefined, ...extra };
}

function check(format: FormatId, record: JsonObject, options: RuleOptions, e: RuleEnv): string[] {
  const line = JSON.stringify(record);
  return tooLong.check(viewAs(format, record, e.context ?? {}), createLocator(line), { ...tooLong.defaultOptions, ...options }, e).map((i) => i.message);
}

const words = (n: number): string => 'word '.repeat(n).trim();
/** One "token" per word: counting adds up over the pieces a long text is counted in, as real counts do. */
const perWord = (text: string): number => text.split(/\s+/).filter((w) => w !== '').length;

// ---------------------------------------------------------------------------------------------
// JumpStart instruction: the filled template, the demarcation, BOS and EOS, against max_input_length

void describe('too-long: JumpStart instruction counts the filled template', () => {
  const record = { instruction: 'How do I renew my passport?', context: '', response: 'Fill out Form DS-82 and mail it.' };
  const template = parseTemplate(readFileSync(repoFile('samples/template.json'), 'utf8'));
  const ctx = template.ok ? template.ctx : {};

  void it('the trained text is template.json\'s prompt filled, "### Response:", and the completion filled, byte for byte', () => {
    const t = trainedText(viewAs('jumpstart-instruction', record, ctx), ctx);
    const sample = JSON.parse(readFileSync(repoFile('samples/template.json'), 'utf8')) as { prompt: string; completion: string };
    const expected = sample.prompt.replace('{instruction}', record.instruction).replace('{context}', '') + JUMPSTART_DEMARCATION + sample.completion.replace('{response}', record.response);
    assert.equal(t.shared, expected);
    assert.equal(t.extraTokens, 2, 'the begin-of-text token and the appended eos_token_id (llama-recipes alpaca_dataset.py)');
  });

  void it('without a template.json, JumpStart\'s built-in template is filled', () => {
    const t = trainedText(viewAs('jumpstart-instruction', record), undefined);
    assert.ok(t.shared.startsWith(DEFAULT_JUMPSTART_TEMPLATE.prompt.slice(0, 40)), t.shared);
    assert.ok(t.shared.includes(`### Instruction:\n${record.instruction}`));
    assert.ok(t.shared.endsWith(`${JUMPSTART_DEMARCATION}${record.response}`));
  });

  void it('a record whose fields fit in 1024 tokens but whose filled template does not is reported (real Llama 3 tokenizer)', () => {
    // Fields alone: under 1024 Llama 3 tokens; with the template's ~50 tokens, BOS and EOS: over.
    let n = 1000;
    const fieldsOnly = (k: number): number => tokenizers.count(`${record.instruction}\n\n\n\n${words(k)}`, 'llama3');
    while (fieldsOnly(n) > 1010) n -= 5;
    const long = { ...record, response: words(n) };
    assert.ok(fieldsOnly(n) <= 1024, 'the bare fields fit, as the old count saw them');
    const messages = check('jumpstart-instruction', long, {}, env(tokenizers, { context: ctx }));
    assert.equal(messages.length, 1);
    const m = /about ([\d,]+) tokens/.exec(messages[0] ?? '');
    const counted = Number((m?.[1] ?? '0').replace(/,/g, ''));
    assert.equal(counted, tokenizers.count(trainedText(viewAs('jumpstart-instruction', long, ctx), ctx).shared, 'llama3') + 2);
    assert.match(messages[0] ?? '', /Llama 3 tokenizer, counting template\.json filled with the record, "### Response:" and the begin and end tokens\), over max_input_length, 1,024 \(JumpStart's default: min\(1024, the model's maximum\)\): the trainer keeps the first 1,024 tokens/);
  });

  void it('an explicit maxTokens (a max_input_length you set) overrides the default, and says so', () => {
    const counter = spy(() => 3000);
    const messages = check('jumpstart-instruction', { ...record, response: words(1500) }, { maxTokens: 2048 }, env(counter));
    assert.match(messages[0] ?? '', /about 3,002 tokens .*over the limit of 2,048 set in this rule's maxTokens/);
    assert.deepEqual(check('jumpstart-instruction', { ...record, response: words(1500) }, { maxTokens: 4096 }, env(counter)), []);
  });
});

// ---------------------------------------------------------------------------------------------
// JumpStart chat: the Llama 3 chat template

void describe('too-long: JumpStart chat counts the Llama 3 chat template', () => {
  void it('renders every turn with its header and end token, after the begin-of-text token', () => {
    const record = { dialog: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Hi?' }, { role: 'assistant', content: 'Hello.' }] };
    assert.equal(trainedText(viewAs('jumpstart-chat', record), undefined).shared,
      '<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nBe brief.<|eot_id|><|start_header_id|>user<|end_header_id|>\n\nHi?<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\nHello.<|eot_id|>');
  });
});

// ---------------------------------------------------------------------------------------------
// OpenAI: the model's per-example limit, o200k, per-message overhead

const chat = (answer: string): JsonObject => ({ messages: [{ role: 'system', content: 'You help residents.' }, { role: 'user', content: 'How do I vote?' }, { role: 'assistant', content: answer }] });

void describe('too-long: OpenAI counts with o200k against the model\'s per-example limit', () => {
  void it('a 40,000-token example is within gpt-4o-mini\'s 65,536 (the old 1,024 default flagged it)', () => {
    const counter = spy(perWord);
    assert.deepEqual(check('openai-chat', chat(words(40_000)), {}, env(counter)), []);
    assert.equal(counter.calls[0]?.[1], 'o200k');
  });

  void it('counts each message\'s 3 framing tokens and its role, and 3 for the reply, as OpenAI\'s cookbook does', () => {
    const counter = spy((text) => text.length); // one "token" per character, to see the overhead
    const record = chat(words(10_000));
    const view = viewAs('openai-chat', record);
    const content = view.fields.reduce((sum, f) => sum + f.text.length, 0);
    const m = measureRecord(view, {}, resolveSettings([]).settings, counter);
    assert.equal(m.count, content + 3 * 4 + 3);
    assert.equal(m.unit, 'o200k (GPT-4o) tokens');
    assert.equal(m.limit, 65_536);
  });

  void it('targetModel gpt-4.1-nano holds examples to its 32,768 tokens, and the message names it', () => {
    const counter = spy(perWord);
    const messages = check('openai-chat', chat(words(40_000)), {}, env(counter, { targetModel: 'gpt-4.1-nano' }));
    assert.equal(messages.length, 1);
    // Counting stops once the limit is passed: the message gives what was counted as a bound.
    assert.match(messages[0] ?? '', /^This example is more than 3[2-4],\d{3} tokens \(counting stopped there\) \(o200k \(GPT-4o\) tokenizer, counting the messages with OpenAI's per-message overhead\), over OpenAI's limit per training example for gpt-4\.1-nano, 32,768 tokens: the trainer keeps the first 32,768 tokens and never learns the rest/);
    const counted = counter.calls.reduce((n, [text]) => n + text.length, 0);
    assert.ok(counted < words(40_000).length * 0.9, `the rest of the example is not counted (${counted} characters)`);
  });

  void it('the hover\'s count of a huge example stops past the limit and says "more than"', () => {
    const counter = spy(perWord);
    const view = viewAs('openai-chat', chat(words(100_000)));
    const m = measureRecord(view, {}, resolveSettings([]).settings, counter);
    assert.equal(m.complete, false);
    assert.match(describeMeasure(m), /^more than 6[5-7],\d{3} of 65,536 o200k \(GPT-4o\) tokens$/);
    assert.ok(counter.calls.reduce((n, [text]) => n + text.length, 0) < 400_000, 'the rest of the 500,000 characters is not counted');
    assert.equal(describeMeasure(measureRecord(viewAs('openai-chat', chat('Go to the town hall.')), {}, resolveSettings([]).settings, counter)), '25 of 65,536 o200k (GPT-4o) tokens', 'complete: no "more than"');
  });

  void it('a preference record counts the prompt with its longer answer', () => {
    const record = {
      input: { messages: [{ role: 'user', content: 'Q'.repeat(100) }] },
      preferred_output: [{ role: 'assistant', content: 'P'.repeat(300) }],
      non_preferred_output: [{ role: 'assistant', content: 'N'.repeat(50) }],
    };
    const counter = spy((text) => text.length);
    const m = measureRecord(viewAs('openai-dpo', record), {}, resolveSettings([]).settings, counter);
    assert.equal(m.count, 100 + 300 + 4 * 2 + 3);
  });

  void it('a model not fine-tuned from the format is ignored for it (gpt-4.1-nano does not change a JumpStart file)', () => {
    assert.equal(modelFor('jumpstart-instruction', 'gpt-4.1-nano')?.id, 'jumpstart-llama-3');
    assert.equal(modelFor('openai-chat', 'gpt-4.1-nano')?.maxTokens, 32_768);
    assert.equal(modelFor('openai-rft', undefined)?.id, 'o4-mini');
  });
});

// ---------------------------------------------------------------------------------------------
// Bedrock: per-model caps; the job fails

void describe('too-long: Bedrock holds records to the model\'s cap, and the job fails over it', () => {
  void it('Titan Text (prompt/completion): 4,096 tokens × 6 characters, Bedrock\'s own estimate', () => {
    const record = { prompt: 'How do I appeal?', completion: 'x'.repeat(24_576) };
    const messages = check('bedrock-prompt', record, {}, env(undefined));
    assert.equal(messages.length, 1);
    assert.match(messages[0] ?? '', /^This record has 24,594 characters, over Amazon Titan Text G1 - Express's quota of 24,576 \(its 4,096-token limit × 6 characters a token, Bedrock's own estimate: the model's tokenizer is not public\): Bedrock fails the customization job on a record over its limit\./);
    assert.deepEqual(check('bedrock-prompt', { prompt: 'Hi', completion: 'x'.repeat(24_000) }, {}, env(undefined)), []);
  });

  void it('Meta Llama 3.1 on Bedrock: 16,000 Llama 3 tokens', () => {
    const counter = spy(perWord);
    const messages = check('bedrock-prompt', { prompt: 'Q', completion: words(15_999) }, {}, env(counter, { targetModel: 'meta-llama-3.1' }));
    assert.deepEqual(messages, [], '16,000 tokens exactly are within the cap');
    const over = check('bedrock-prompt', { prompt: 'Q', completion: words(20_000) }, {}, env(counter, { targetModel: 'meta-llama-3.1' }));
    assert.match(over[0] ?? '', /more than 1[67],\d{3} tokens \(counting stopped there\) \(Llama 3 tokenizer.*over Bedrock's limit per record for Meta Llama 3\.1 on Bedrock, 16,000 tokens: Bedrock fails the customization job/);
    assert.equal(counter.calls[0]?.[1], 'llama3');
  });
});

// ---------------------------------------------------------------------------------------------
// Formats without a documented limit, and new ones

void describe('too-long: formats without a documented limit', () => {
  const geminiId: string = 'vertex-gemini'; // a FormatId once the Vertex AI format is registered
  const gemini: RecordView = { format: geminiId as FormatId, prompt: 'Q', fields: [{ path: ['contents', 0, 'parts', 0, 'text'], role: 'answer', text: words(5000) }] };
  void it('are not checked unless maxTokens is set, then with the generic count', () => {
    const counter = spy(() => 6000);
    assert.deepEqual(tooLong.check(gemini, createLocator('{}'), tooLong.defaultOptions, env(counter)), []);
    assert.equal(counter.calls.length, 0);
    assert.match(tooLong.check(gemini, createLocator('{}'), { maxTokens: 4096, tokenizer: 'auto' }, env(counter))[0]?.message ?? '', /limit of 4,096 set in this rule's maxTokens/);
  });

  void it('TRL, Alpaca, ShareGPT and text default to TRL\'s max_length of 1,024', () => {
    assert.equal(modelFor('alpaca', undefined)?.maxTokens, 1024);
    assert.equal(modelFor('trl-sft', undefined)?.limitName, 'max_length');
  });
});

void describe('the shortcut that skips counting', () => {
  // Whatever it skips must be at most `max` tokens: a byte-level BPE token covers at least one byte.
  void it('skips a record only when its trained text\'s bytes and added tokens are within the limit', () => {
    const random = seededRandom(13);
    const pieces = ['word ', 'é', '請', '😀', '\n', '{x}', '### ', 'a'];
    const text = (n: number): string => Array.from({ length: n }, () => pieces[Math.floor(random() * pieces.length)]).join('');
    const custom = parseTemplate('{"prompt": "Q: {instruction}\\n{instruction}\\n{context}", "completion": "{response} é"}');
    assert.ok(custom.ok);
    const cases: [FormatId, (n: number) => JsonObject, FormatContext][] = [
      ['jumpstart-instruction', (n) => ({ instruction: text(n), context: text(n >> 1), response: text(n) }), {}],
      ['jumpstart-instruction', (n) => ({ instruction: text(n), context: text(n >> 1), response: text(n) }), custom.ctx],
      ['jumpstart-chat', (n) => ({ dialog: [{ role: 'user', content: text(n) }, { role: 'assistant', content: text(n) }] }), {}],
      ['openai-chat', (n) => ({ messages: [{ role: 'system', content: text(n >> 2) }, { role: 'user', content: text(n) }, { role: 'assistant', content: text(n) }] }), {}],
      ['openai-dpo', (n) => ({ input: { messages: [{ role: 'user', content: text(n) }] }, preferred_output: [{ role: 'assistant', content: text(n) }], non_preferred_output: [{ role: 'assistant', content: text(n >> 1) }] }), {}],
      ['alpaca', (n) => ({ instruction: text(n), input: '', output: text(n) }), {}],
    ];
    let skipped = 0;
    let kept = 0;
    for (let i = 0; i < 600; i++) {
      const [format, make, ctx] = cases[i % cases.length] as (typeof cases)[number];
      const view = viewAs(format, make(1 + Math.floor(random() * 300)), ctx);
      const max = 50 + Math.floor(random() * 1500);
      if (mayExceedTokens(view, ctx, max) !== undefined) { kept++; continue; }
      skipped++;
      const trained = trainedText(view, ctx);
      const most = Math.max(0, ...trained.alternatives.map((a) => utf8Length(a)));
      assert.ok(utf8Length(trained.shared) + most + trained.extraTokens <= max, `${format} skipped at ${max}`);
    }
    assert.ok(skipped > 100 && kept > 100, `${skipped} skipped, ${kept} counted`);
  });
});

// ---------------------------------------------------------------------------------------------
// Dataset-level limits

/** Facts with the file's size in bytes (and, unless given, as many UTF-16 units: an ASCII file). */
type Over = Partial<Omit<DatasetFacts, 'bytes'>> & { bytes?: number };
const facts = ({ bytes = 1000, ...over }: Over): DatasetFacts => ({
  format: 'openai-chat', targetModel: undefined, split: 'train', examples: 100, units: bytes, minValidationExamples: 30, ...over, bytes: () => bytes,
});
const rules = (over: Over): string[] => datasetIssues(facts(over)).map((i) => i.rule);

void describe('dataset-level limits', () => {
  void it('OpenAI: at least 10 training examples, files up to 512 MB', () => {
    assert.deepEqual(rules({ examples: 9 }), ['too-few-examples']);
    assert.deepEqual(rules({ examples: 10 }), []);
    assert.deepEqual(rules({ bytes: 512 * 1024 * 1024 + 1 }), ['file-too-large']);
    assert.match(datasetIssues(facts({ bytes: 600 * 1024 * 1024 }))[0]?.message ?? '', /This file is 600 MB; OpenAI fine-tuning \(gpt-4o-mini\) accepts training files up to 512 MB \(POST \/files/);
  });

  void it('measures the file\'s bytes only when its length cannot rule the limit out', () => {
    let measured = 0;
    const measuring = (units: number, bytes: number): DatasetFacts => ({ ...facts({}), units, bytes: () => { measured++; return bytes; } });
    // 170 M units are at most 510 MB: under OpenAI's 512 MB without measuring.
    assert.deepEqual(datasetIssues(measuring(170 * 1024 * 1024, 0)), []);
    assert.equal(measured, 0);
    // 200 M units of CJK text are 600 MB.
    assert.deepEqual(datasetIssues(measuring(200 * 1024 * 1024, 600 * 1024 * 1024)).map((i) => i.rule), ['file-too-large']);
    assert.equal(measured, 1);
  });

  void it('Bedrock Claude 3 Haiku: 32 to 10,000 training records, 1,000 validation records, 10 GB and 1 GB', () => {
    const haiku = { format: 'bedrock-haiku' };
    assert.deepEqual(rules({ ...haiku, examples: 31 }), ['too-few-examples']);
    assert.deepEqual(rules({ ...haiku, examples: 10_001 }), ['too-many-examples']);
    assert.deepEqual(rules({ ...haiku, split: 'validation', examples: 1_001 }), ['too-many-examples']);
    assert.deepEqual(rules({ ...haiku, split: 'validation', bytes: 1024 ** 3 + 1 }), ['file-too-large']);
    assert.deepEqual(rules({ ...haiku, bytes: 1024 ** 3 + 1 }), []);
  });

  void it('Bedrock Titan: validation files up to 100 MB; Llama: 100 records at least, with the validation records', () => {
    assert.deepEqual(rules({ format: 'bedrock-prompt', split: 'validation', bytes: 101 * 1024 * 1024 }), ['file-too-large']);
    assert.match(datasetIssues(facts({ format: 'bedrock-prompt', targetModel: 'meta-llama-3.3', examples: 50 }))[0]?.message ?? '', /at least 100 training and validation records together/);
  });

  void it('a validation file: small-validation under its minimum, and never too-few-examples', () => {
    assert.deepEqual(rules({ split: 'validation', examples: 5 }), ['small-validation']);
    assert.deepEqual(rules({ split: 'validation', examples: 30 }), []);
    assert.deepEqual(rules({ format: undefined, split: 'validation', examples: 3 }), ['small-validation']);
  });

  void it('an empty file or an unknown format has nothing to say about providers', () => {
    assert.deepEqual(rules({ examples: 0 }), []);
    assert.deepEqual(rules({ format: 'vertex-gemini', examples: 1 }), []);
  });

  void it('sizes read as the providers write them', () => {
    assert.equal(formatBytes(512 * 1024 * 1024), '512 MB');
    assert.equal(formatBytes(1536), '1.5 KB');
  });
});

void describe('validation files are told by name', () => {
  for (const path of ['validation.jsonl', 'data/train.val.jsonl', 'data-valid.jsonl', 'eval.jsonl', 'C:\\data\\dev.jsonl', 'validation/part-1.jsonl', 'x/val/part.jsonl']) {
    void it(path, () => { assert.equal(splitOf(path), 'validation'); });
  }
  for (const path of ['train.jsonl', 'devops-faq.jsonl', 'evaluation-notes/train.jsonl', 'interval.jsonl', 'validated-answers.jsonl']) {
    void it(`${path} is training data`, () => { assert.equal(splitOf(path), 'train'); });
  }
});

// ---------------------------------------------------------------------------------------------
// The targetModel setting

void describe('targetModel', () => {
  void it('is read from tunelab.jsonc and settings, checked against the known models', () => {
    const { layer, problems } = parseProjectConfig('{ "targetModel": "gpt-4.1-nano" }');
    assert.deepEqual(problems, []);
    assert.equal(resolveSettings([layer]).settings.targetModel, 'gpt-4.1-nano');
    assert.equal(resolveSettings([layer, { source: 'Settings', targetModel: 'auto' }]).settings.targetModel, undefined);
    const bad = resolveSettings([{ source: 'Settings', targetModel: 'gpt-5-turbo' }]);
    assert.equal(bad.settings.targetModel, undefined);
    assert.match(bad.problems[0] ?? '', /Settings: unknown target model "gpt-5-turbo"; use "auto" \(the format's default\) or one of jumpstart-llama-3, gpt-4o-mini/);
  });

  void it('the tunelab.jsonc schema and the tunelab.lint.targetModel setting list every model', () => {
    const schema = projectConfigSchema() as { properties: { targetModel: { enum: string[] } } };
    assert.deepEqual(schema.properties.targetModel.enum, ['auto', ...TARGET_MODEL_IDS]);
    const pkg = JSON.parse(readFileSync(repoFile('package.json'), 'utf8')) as { contributes: { configuration: { properties: Record<string, { enum?: string[] }> }[] } };
    const setting = pkg.contributes.configuration.map((c) => c.properties['tunelab.lint.targetModel']).find((p) => p !== undefined);
    assert.deepEqual(setting?.enum, ['auto', ...TARGET_MODEL_IDS]);
  });
});
