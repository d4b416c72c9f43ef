import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import manifest from '../../package.json';
import {
  changedSections,
  DEFAULT_SETTINGS,
  explicitValue,
  normalizeSettings,
  SETTING_KEYS,
  SETTINGS_SECTIONS,
  type RawSettingLayers,
  type RawSettingReader,
  type SettingKey,
} from '../../src/host/settings';

/**
 * A reader over a raw `tunelab` configuration section where every value is the user's own,
 * recording which keys were read.
 */
function section(values: Readonly<Record<string, unknown>>): RawSettingReader & { readonly reads: string[] } {
  const reads: string[] = [];
  const read = (key: SettingKey): RawSettingLayers | undefined => {
    reads.push(key);
    return Object.prototype.hasOwnProperty.call(values, key) ? { globalValue: values[key] } : undefined;
  };
  return Object.assign(read, { reads });
}

/** A reader over the layers of each key, as `inspect` gives them. */
function layered(values: Partial<Record<SettingKey, RawSettingLayers>>): RawSettingReader {
  return (key) => values[key];
}

void describe('normalizeSettings', () => {
  void it("defaults the topics file to 'topics.jsonc'", () => {
    assert.equal(DEFAULT_SETTINGS.topics.file, 'topics.jsonc');
    assert.deepEqual(normalizeSettings(section({})), DEFAULT_SETTINGS);
  });

  void it("reads the topics file from the 'topics.file' key of the tunelab section", () => {
    const get = section({ 'topics.file': 'data/my-topics.jsonc' });
    assert.equal(normalizeSettings(get).topics.file, 'data/my-topics.jsonc');
    assert.ok(get.reads.includes('topics.file'), `keys read: ${get.reads.join(', ')}`);
  });

  void it('keeps a relative path with folders and an absolute path as given', () => {
    assert.equal(normalizeSettings(section({ 'topics.file': 'a/b/c.jsonc' })).topics.file, 'a/b/c.jsonc');
    assert.equal(normalizeSettings(section({ 'topics.file': '/abs/topics.jsonc' })).topics.file, '/abs/topics.jsonc');
  });

  void it('trims surrounding whitespace', () => {
    assert.equal(normalizeSettings(section({ 'topics.file': '  spaced.jsonc\t\n' })).topics.file, 'spaced.jsonc');
  });

  void it('keeps whitespace inside the path', () => {
    assert.equal(normalizeSettings(section({ 'topics.file': ' my topics.jsonc ' })).topics.file, 'my topics.jsonc');
  });

  void describe('falls back to the default', () => {
    const cases: readonly (readonly [string, unknown])[] = [
      ['when the value is missing (undefined)', undefined],
      ['when the value is null', null],
      ['when the value is an empty string', ''],
      ['when the value is only spaces', '   '],
      ['when the value is only tabs and newlines', '\t\n\r '],
      ['when the value is a number', 42],
      ['when the value is a boolean', true],
      ['when the value is an object', { path: 'x.jsonc' }],
      ['when the value is an array', ['x.jsonc']],
    ];
    for (const [name, value] of cases) {
      void it(name, () => {
        assert.equal(normalizeSettings(section({ 'topics.file': value })).topics.file, DEFAULT_SETTINGS.topics.file);
      });
    }
  });
});

void describe('the settings keys', () => {
  void it("are exactly the manifest's contributes.configuration, so every setting is normalized", () => {
    const contributed = manifest.contributes.configuration.flatMap((c) => Object.keys(c.properties)).sort();
    assert.deepEqual([...SETTING_KEYS].map((k) => `tunelab.${k}`).sort(), contributed);
  });

  void it("are grouped in the sections a change names: each key's first part is one, and each section has a key", () => {
    const firstParts = new Set(SETTING_KEYS.map((k) => k.split('.')[0]));
    assert.deepEqual([...firstParts].sort(), [...SETTINGS_SECTIONS].sort());
  });

  void it('a change names only the sections it affects', () => {
    const affected = new Set(['tunelab.lint', 'tunelab.curation']);
    assert.deepEqual([...changedSections((s) => affected.has(s))].sort(), ['curation', 'lint']);
    assert.equal(changedSections(() => false).size, 0);
    assert.deepEqual([...changedSections(() => true)], [...SETTINGS_SECTIONS]);
  });
});

void describe('explicitValue (where a value came from)', () => {
  void it('is undefined when only the default is there', () => {
    assert.equal(explicitValue(undefined), undefined);
    assert.equal(explicitValue({ defaultValue: 'auto' }), undefined);
  });

  void it("reads the user's value as the user's", () => {
    assert.deepEqual(explicitValue({ defaultValue: 1, globalValue: 2 }), { value: 2, source: 'user' });
  });

  void it("prefers a folder's value to the workspace's to the user's, all marked as the workspace's but the user's", () => {
    assert.deepEqual(explicitValue({ globalValue: 1, workspaceValue: 2 }), { value: 2, source: 'workspace' });
    assert.deepEqual(explicitValue({ globalValue: 1, workspaceValue: 2, workspaceFolderValue: 3 }), { value: 3, source: 'workspace' });
  });

  void it('prefers any language-specific value to any plain one', () => {
    assert.deepEqual(explicitValue({ workspaceFolderValue: 3, globalLanguageValue: 4 }), { value: 4, source: 'user' });
    assert.deepEqual(explicitValue({ globalLanguageValue: 4, workspaceLanguageValue: 5 }), { value: 5, source: 'workspace' });
    assert.deepEqual(explicitValue({ workspaceLanguageValue: 5, workspaceFolderLanguageValue: 6 }), { value: 6, source: 'workspace' });
  });

  void it('keeps a falsy value that was set (null, 0, empty string)', () => {
    assert.deepEqual(explicitValue({ globalValue: 7, workspaceValue: 0 }), { value: 0, source: 'workspace' });
    assert.deepEqual(explicitValue({ globalValue: '' }), { value: '', source: 'user' });
    assert.deepEqual(explicitValue({ workspaceValue: null }), { value: null, source: 'workspace' });
  });
});

void describe('topics.file', () => {
  void it('says where the path came from', () => {
    assert.equal(DEFAULT_SETTINGS.topics.fileSource, 'default');
    assert.equal(normalizeSettings(section({ 'topics.file': 'mine.jsonc' })).topics.fileSource, 'user');
    const fromWorkspace = normalizeSettings(layered({ 'topics.file': { globalValue: 'mine.jsonc', workspaceValue: '../../elsewhere.jsonc' } })).topics;
    assert.deepEqual(fromWorkspace, { file: '../../elsewhere.jsonc', fileSource: 'workspace' });
    const fromFolder = normalizeSettings(layered({ 'topics.file': { workspaceFolderValue: ' t.jsonc ' } })).topics;
    assert.deepEqual(fromFolder, { file: 't.jsonc', fileSource: 'workspace' });
  });

  void it("is the default's, not the workspace's, when the workspace's value is unusable", () => {
    const topics = normalizeSettings(layered({ 'topics.file': { globalValue: 'mine.jsonc', workspaceValue: '   ' } })).topics;
    assert.deepEqual(topics, { file: 'topics.jsonc', fileSource: 'default' });
  });

  void it("takes the manifest's default as the default", () => {
    assert.deepEqual(normalizeSettings(layered({ 'topics.file': { defaultValue: 'topics.jsonc' } })).topics, { file: 'topics.jsonc', fileSource: 'default' });
  });
});

void describe('generate.topicField', () => {
  void it('defaults to none', () => {
    assert.equal(DEFAULT_SETTINGS.generate.topicField, '');
    assert.equal(normalizeSettings(layered({ 'generate.topicField': { defaultValue: '' } })).generate.topicField, '');
  });

  void it('is trimmed', () => {
    assert.equal(normalizeSettings(section({ 'generate.topicField': '  topic ' })).generate.topicField, 'topic');
  });

  void it('is none when it is not a string, or only spaces', () => {
    for (const value of [42, null, true, {}, ['topic'], '   ']) {
      assert.equal(normalizeSettings(section({ 'generate.topicField': value })).generate.topicField, '', JSON.stringify(value));
    }
  });

  void it("takes a folder's value over the user's (it is per resource)", () => {
    assert.equal(normalizeSettings(layered({ 'generate.topicField': { globalValue: 'a', workspaceFolderValue: 'b' } })).generate.topicField, 'b');
  });
});

void describe('dataset.format', () => {
  void it("defaults to 'auto', with nothing set", () => {
    assert.deepEqual(DEFAULT_SETTINGS.dataset, { format: 'auto', explicitFormat: undefined });
    assert.deepEqual(normalizeSettings(layered({ 'dataset.format': { defaultValue: 'auto' } })).dataset, { format: 'auto', explicitFormat: undefined });
  });

  void it('takes a known format and says who set it', () => {
    assert.deepEqual(normalizeSettings(section({ 'dataset.format': 'openai-chat' })).dataset, { format: 'openai-chat', explicitFormat: { value: 'openai-chat', source: 'user' } });
    const folder = normalizeSettings(layered({ 'dataset.format': { globalValue: 'alpaca', workspaceFolderValue: 'sharegpt' } })).dataset;
    assert.deepEqual(folder, { format: 'sharegpt', explicitFormat: { value: 'sharegpt', source: 'workspace' } });
  });

  void it("reads an unknown or mistyped format as 'auto' but keeps it as given, for the lint to report", () => {
    for (const value of ['nope', 42, null, ['alpaca']]) {
      const dataset = normalizeSettings(section({ 'dataset.format': value })).dataset;
      assert.equal(dataset.format, 'auto', JSON.stringify(value));
      assert.deepEqual(dataset.explicitFormat, { value, source: 'user' });
    }
  });
});

void describe('the lint settings (lint.rules, lint.nearDuplicateThreshold, lint.targetModel, dataset.format)', () => {
  void it("make one user layer of values nobody set when nothing is set (a manifest default never overrides tunelab.jsonc)", () => {
    const defaults = layered({
      'dataset.format': { defaultValue: 'auto' },
      'lint.rules': { defaultValue: {} },
      'lint.nearDuplicateThreshold': { defaultValue: 0.8 },
      'lint.targetModel': { defaultValue: 'auto' },
    });
    const expected = [{ layer: { source: 'Settings', format: undefined, nearDuplicateThreshold: undefined, targetModel: undefined }, workspace: false }];
    assert.deepEqual(normalizeSettings(defaults).lint.layers, expected);
    assert.deepEqual(DEFAULT_SETTINGS.lint.layers, expected);
  });

  void it('pass the values set as given, unvalidated (core/lint/config.ts validates and reports them)', () => {
    const lint = normalizeSettings(section({ 'dataset.format': 'bogus', 'lint.nearDuplicateThreshold': 7, 'lint.targetModel': 'gpt-4o' })).lint;
    assert.deepEqual(lint.layers, [{ layer: { source: 'Settings', format: 'bogus', nearDuplicateThreshold: 7, targetModel: 'gpt-4o' }, workspace: false }]);
  });

  void it("mark the user's rules as the user's", () => {
    const rules = { pii: 'error' };
    const layers = normalizeSettings(section({ 'lint.rules': rules })).lint.layers;
    assert.deepEqual(layers[1], { layer: { source: 'Settings', rules }, workspace: false });
    assert.equal(layers.length, 2);
  });

  void it("mark a workspace's or folder's rules as the workspace's, so Restricted Mode can leave their patterns out", () => {
    const user = { pii: 'error' };
    const workspace = { 'unfilled-placeholder': { options: { patterns: ['x+'] } } };
    for (const layers of [{ globalValue: user, workspaceValue: workspace }, { globalValue: user, workspaceFolderValue: workspace }, { workspaceLanguageValue: workspace }]) {
      const lint = normalizeSettings(layered({ 'lint.rules': layers })).lint;
      assert.deepEqual(lint.layers[1], { layer: { source: 'Workspace settings', rules: workspace }, workspace: true }, JSON.stringify(layers));
    }
  });

  void it("take a user's language-specific rules over a workspace's plain ones", () => {
    const lint = normalizeSettings(layered({ 'lint.rules': { workspaceValue: { pii: 'off' }, globalLanguageValue: { pii: 'hint' } } })).lint;
    assert.deepEqual(lint.layers[1], { layer: { source: 'Settings', rules: { pii: 'hint' } }, workspace: false });
  });
});

void describe('endpoints', () => {
  const entry = { id: 'local', kind: 'openai-compatible', url: 'http://127.0.0.1:11434/v1', model: 'llama3.1:8b' };

  void it('are none by default', () => {
    assert.deepEqual(DEFAULT_SETTINGS.endpoints, { list: [], problems: [], userEntries: [] });
  });

  void it("are parsed from the user's value", () => {
    const endpoints = normalizeSettings(section({ endpoints: [entry] })).endpoints;
    assert.deepEqual(endpoints.list.map((e) => [e.id, e.kind]), [['local', 'openai-compatible']]);
    assert.deepEqual(endpoints.problems, []);
    assert.deepEqual(endpoints.userEntries, [entry]);
  });

  void it("never come from a workspace's or folder's value (a workspace must not redirect a key)", () => {
    const evil = { id: 'evil', kind: 'openai', model: 'x', url: 'http://attacker.invalid/v1' };
    for (const layers of [{ workspaceValue: [evil] }, { workspaceFolderValue: [evil] }, { workspaceLanguageValue: [evil] }, { globalValue: [entry], workspaceValue: [evil] }]) {
      const endpoints = normalizeSettings(layered({ endpoints: layers })).endpoints;
      assert.ok(!endpoints.list.some((e) => e.id === 'evil'), JSON.stringify(layers));
      assert.ok(!endpoints.userEntries.includes(evil), JSON.stringify(layers));
    }
    assert.deepEqual(normalizeSettings(layered({ endpoints: { globalValue: [entry], workspaceValue: [evil] } })).endpoints.list.map((e) => e.id), ['local']);
  });

  void it("report the parser's problems, and keep no entries to append to when the value is not a list", () => {
    const bad = normalizeSettings(section({ endpoints: { id: 'x' } })).endpoints;
    assert.deepEqual(bad.list, []);
    assert.equal(bad.problems.length, 1);
    assert.match(bad.problems[0] ?? '', /must be a list/);
    assert.deepEqual(bad.userEntries, []);
    const partly = normalizeSettings(section({ endpoints: [entry, { id: 'no kind' }] })).endpoints;
    assert.deepEqual(partly.list.map((e) => e.id), ['local']);
    assert.equal(partly.problems.length, 1);
    assert.equal(partly.userEntries.length, 2);
  });
});

void describe('curation.threshold', () => {
  void it('defaults to 5', () => {
    assert.equal(DEFAULT_SETTINGS.curation.threshold, 5);
    assert.equal(normalizeSettings(layered({ 'curation.threshold': { defaultValue: 5 } })).curation.threshold, 5);
  });

  void it('takes a whole number from 1 to 10', () => {
    for (const value of [1, 7, 10]) assert.equal(normalizeSettings(section({ 'curation.threshold': value })).curation.threshold, value);
  });

  void it('falls back to the default outside 1 to 10, for a fraction and for a wrong type', () => {
    for (const value of [0, 11, -3, 5.5, Number.NaN, Number.POSITIVE_INFINITY, '7', null, true, [7]]) {
      assert.equal(normalizeSettings(section({ 'curation.threshold': value })).curation.threshold, 5, String(value));
    }
  });

  void it("takes a folder's value over the user's (it is per resource)", () => {
    assert.equal(normalizeSettings(layered({ 'curation.threshold': { globalValue: 3, workspaceFolderValue: 8 } })).curation.threshold, 8);
  });
});
