import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { fillPlaceholders, parsePromptFile } from '../../src/core/prompts/promptFile';

/** The repo root: from out/test/unit, or the working directory when bundled elsewhere. */
const repoRoot = existsSync(path.resolve(__dirname, '../../../package.json')) ? path.resolve(__dirname, '../../..') : process.cwd();

void describe('TuneLab prompt files', () => {
  void it('reads the sample: settings from the front matter, sections and placeholders', () => {
    const file = parsePromptFile(readFileSync(path.join(repoRoot, 'samples/prompts/public-services.tlprompt'), 'utf8'));
    assert.deepEqual(file.problems, []);
    assert.equal(file.settings.temperature, 0.6);
    assert.equal(file.settings.topP, 0.9);
    assert.equal(file.settings.maxTokens, 512);
    assert.match(file.settings.description ?? '', /public-services assistant/);
    assert.deepEqual(file.sections.map((s) => s.role), ['system', 'user']);
    assert.match(file.sections[0]?.text ?? '', /^You are a public-services assistant/);
    assert.equal(file.sections[1]?.text, '{{question}}');
    assert.deepEqual(file.variables, ['question']);
  });

  void it('flags unknown and invalid front-matter keys at their exact position', () => {
    const file = parsePromptFile('---\ntemprature: 0.7\ntop_p: 3\nmax_tokens: 1.5\n---\nuser:\nhi\n');
    assert.deepEqual(file.problems.map((p) => [p.line, p.start, p.end, p.severity]), [[1, 0, 10, 'warning'], [2, 0, 5, 'error'], [3, 0, 10, 'error']]);
    assert.match(file.problems[0]?.message ?? '', /Unknown key "temprature"/);
    assert.match(file.problems[1]?.message ?? '', /"top_p" must be a number above 0, at most 1/);
  });

  void it('reads a whole-number seed', () => {
    assert.equal(parsePromptFile('---\nseed: 42\n---\nuser:\nhi\n').settings.seed, 42);
    assert.equal(parsePromptFile('---\nseed: -7\n---\nuser:\nhi\n').settings.seed, -7);
    for (const bad of ['1.5', '"7"', '99999999999999999999', 'x']) {
      const file = parsePromptFile(`---\nseed: ${bad}\n---\nuser:\nhi\n`);
      assert.equal(file.settings.seed, undefined, bad);
      assert.deepEqual(file.problems.map((p) => [p.line, p.start, p.end, p.severity, p.message]), [[1, 0, 4, 'error', '"seed" must be a whole number.']], bad);
    }
  });

  void it('says what is wrong with the body', () => {
    assert.match(parsePromptFile('hello\nuser:\nhi').problems[0]?.message ?? '', /Text before the first section/);
    assert.match(parsePromptFile('---\ntemperature: 1\n').problems[0]?.message ?? '', /front matter is not closed/);
    const order = parsePromptFile('user:\n\nsystem:\nbe kind').problems.map((p) => p.message).join('\n');
    assert.match(order, /system section should come first/);
    assert.match(order, /user section is empty/);
    assert.match(parsePromptFile('---\n: : :\n---\nuser:\nx').problems[0]?.message ?? '', /not valid YAML/);
  });

  void it('fills placeholders and leaves unknown ones visible', () => {
    assert.equal(fillPlaceholders('Q: {{question}} ({{ state }}) {{missing}}', { question: 'Where do I vote?', state: 'Ohio' }), 'Q: Where do I vote? (Ohio) {{missing}}');
  });

  void it('never throws on any text', () => {
    fc.assert(fc.property(fc.string({ maxLength: 200 }), (text) => { parsePromptFile(text); parsePromptFile(`---\n${text}\n---\nuser:\n${text}`); }), { numRuns: 500 });
  });
});
