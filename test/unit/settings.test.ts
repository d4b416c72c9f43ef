import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_SETTINGS, normalizeSettings, type RawSettingGetter } from '../../src/host/settings';

/** A getter over a raw `tunelab` configuration section, recording which keys were read. */
function section(values: Readonly<Record<string, unknown>>): RawSettingGetter & { readonly reads: string[] } {
  const reads: string[] = [];
  const get = (key: string): unknown => {
    reads.push(key);
    return Object.prototype.hasOwnProperty.call(values, key) ? values[key] : undefined;
  };
  return Object.assign(get, { reads });
}

void describe('normalizeSettings', () => {
  void it("defaults the topics file to 'topics.jsonc'", () => {
    assert.equal(DEFAULT_SETTINGS.topicsFile, 'topics.jsonc');
    assert.deepEqual(normalizeSettings(section({})), { topicsFile: 'topics.jsonc' });
  });

  void it("reads the topics file from the 'topics.file' key of the tunelab section", () => {
    const get = section({ 'topics.file': 'data/my-topics.jsonc' });
    assert.equal(normalizeSettings(get).topicsFile, 'data/my-topics.jsonc');
    assert.ok(get.reads.includes('topics.file'), `keys read: ${get.reads.join(', ')}`);
  });

  void it('keeps a relative path with folders and an absolute path as given', () => {
    assert.equal(normalizeSettings(section({ 'topics.file': 'a/b/c.jsonc' })).topicsFile, 'a/b/c.jsonc');
    assert.equal(normalizeSettings(section({ 'topics.file': '/abs/topics.jsonc' })).topicsFile, '/abs/topics.jsonc');
  });

  void it('trims surrounding whitespace', () => {
    assert.equal(normalizeSettings(section({ 'topics.file': '  spaced.jsonc\t\n' })).topicsFile, 'spaced.jsonc');
  });

  void it('keeps whitespace inside the path', () => {
    assert.equal(normalizeSettings(section({ 'topics.file': ' my topics.jsonc ' })).topicsFile, 'my topics.jsonc');
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
        assert.equal(normalizeSettings(section({ 'topics.file': value })).topicsFile, DEFAULT_SETTINGS.topicsFile);
      });
    }
  });
});
