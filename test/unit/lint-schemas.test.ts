import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import Ajv from 'ajv';
import { RULES } from '../../src/core/lint/catalog';
import { defaultRules, projectConfigSchema, rulesSchema } from '../../src/core/lint/config';
import { CONTENT_RULES } from '../../src/core/rules/index';
import { FORMAT_IDS } from '../../src/core/formats/index';

const repoRoot = path.resolve(__dirname, '../../..');
const read = (p: string): unknown => JSON.parse(readFileSync(path.join(repoRoot, p), 'utf8'));

interface Manifest {
  contributes: {
    configuration: { properties: Record<string, { properties?: unknown; enum?: string[] }> }[];
    jsonValidation: { fileMatch: string; url: string }[];
  };
}

const manifest = read('package.json') as Manifest;
const setting = (id: string) => manifest.contributes.configuration.map((c) => c.properties[id]).find((p) => p !== undefined);

void describe('the lint configuration schemas stay in step with the rule catalog', () => {
  void it('schemas/tunelab.schema.json is projectConfigSchema() (regenerate: node scripts/schemas.mjs)', () => {
    assert.deepEqual(read('schemas/tunelab.schema.json'), projectConfigSchema());
  });

  void it('package.json contributes the schemas for tunelab.jsonc and the topics file', () => {
    assert.deepEqual(manifest.contributes.jsonValidation, [
      { fileMatch: 'tunelab.jsonc', url: './schemas/tunelab.schema.json' },
      { fileMatch: ['topics.jsonc', '*.topics.jsonc'], url: './schemas/topics.schema.json' },
    ]);
  });

  void it('the tunelab.lint.rules setting lists every rule with the same schema', () => {
    assert.deepEqual(setting('tunelab.lint.rules')?.properties, rulesSchema().properties);
  });

  void it('the tunelab.dataset.format setting lists every format', () => {
    assert.deepEqual(setting('tunelab.dataset.format')?.enum, ['auto', ...FORMAT_IDS]);
  });

  void it('every rule has a README section whose heading is its id (diagnostics link there)', () => {
    const readme = readFileSync(path.join(repoRoot, 'README.md'), 'utf8');
    const missing = RULES.filter((r) => !new RegExp(`^#### \`?${r.id}\`?$`, 'm').test(readme)).map((r) => r.id);
    assert.deepEqual(missing, []);
  });

  void it('every content rule\'s default options satisfy its own options schema', () => {
    const ajv = new Ajv({ strict: false });
    for (const rule of CONTENT_RULES) {
      const ok = ajv.validate(rule.optionsSchema, rule.defaultOptions);
      assert.ok(ok, `${rule.id}: ${ajv.errorsText()}`);
      assert.deepEqual(defaultRules().get(rule.id)?.options, rule.defaultOptions);
    }
  });

  void it('a sample tunelab.jsonc validates against the schema, and a wrong one does not', () => {
    const ajv = new Ajv({ strict: false });
    const validate = ajv.compile(projectConfigSchema());
    assert.ok(validate({ format: 'jumpstart-instruction', nearDuplicateThreshold: 0.85, rules: { pii: 'error', 'too-long': { severity: 'error', options: { maxTokens: 2048 } } } }), ajv.errorsText(validate.errors));
    assert.equal(validate({ rules: { 'no-such-rule': 'error' } }), false);
    assert.equal(validate({ rules: { pii: 'loud' } }), false);
  });
});
