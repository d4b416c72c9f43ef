/**
 * Placeholder patterns from a user's or a workspace's configuration: they run on RE2 (linear
 * time, so no pattern stalls the lint), a pattern RE2 cannot run is a configuration problem that
 * names it and says why, and in Restricted Mode a workspace's patterns are not run at all.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { runLint } from '../../src/cli/lint';
import { createLocator } from '../../src/core/jsonl/locate';
import { resolveSettings, restrictedNotice, untrustedLayers, type ConfigLayer } from '../../src/core/lint/config';
import type { Issue, RuleOptions } from '../../src/core/lint/types';
import { unfilledPlaceholder } from '../../src/core/rules/index';

const P = 'unfilled-placeholder';

/** The unfilled-placeholder findings of a JumpStart line with this answer, as `[start, end]` columns and the message. */
function check(answer: string, options: RuleOptions): Issue[] {
  const line = JSON.stringify({ instruction: 'Who do I contact about my benefits?', context: '', response: answer });
  const view = { format: 'jumpstart-instruction' as const, prompt: 'Who do I contact about my benefits?', fields: [{ path: ['response'], role: 'answer' as const, text: answer }] };
  return unfilledPlaceholder.check(view, createLocator(line), { ...unfilledPlaceholder.defaultOptions, ...options }, { tokens: undefined, needsTokens: () => undefined });
}

/** The resolved `patterns` option of unfilled-placeholder after these layers. */
function patternsOf(layers: readonly ConfigLayer[]): unknown {
  return resolveSettings(layers).settings.rules.get(P)?.options.patterns;
}

void describe('user placeholder patterns run in linear time', () => {
  // `(a+)+$` backtracks exponentially in JavaScript's engine: 28 `a`s and a `!` took 3 s and every
  // two more `a`s tripled it, so 100,000 would take longer than the universe has existed. RE2
  // (re2js) answers in one pass over the text.
  void it('(a+)+$ over 100,000 "a"s and a "!" finds nothing, and the other patterns still report', () => {
    const answer = `Call <AGENCY_NAME> today. ${'a'.repeat(100_000)}!`;
    const issues = check(answer, { patterns: ['(a+)+$', '<[A-Z_]+>'] });
    assert.deepEqual(issues.map((i) => i.message.slice(0, 15)), ['"<AGENCY_NAME>"']);
  });

  void it('(a+)+$ over a 100,000-"a" run at the end of an answer marks the whole run', () => {
    const issues = check(`Fill in: ${'a'.repeat(100_000)}`, { patterns: ['(a+)+$'] });
    assert.equal(issues.length, 1);
    const line = JSON.stringify({ instruction: 'Who do I contact about my benefits?', context: '', response: `Fill in: ${'a'.repeat(100_000)}` });
    const start = line.indexOf('a'.repeat(100));
    assert.deepEqual([issues[0]?.start, issues[0]?.end], [start, start + 100_000]);
    assert.match(issues[0]?.message ?? '', /matches the placeholder pattern \/\(a\+\)\+\$\//);
  });

  void it('reads JavaScript syntax (named groups, \\u escapes) and reports columns after astral characters', () => {
    const answer = '😀 Write to <DEPT> or {{agency}} — ☎ XXXX';
    const issues = check(answer, { patterns: ['<(?<dept>[A-Z]+)>', '\\u260E XXXX'] });
    const line = JSON.stringify({ instruction: 'Who do I contact about my benefits?', context: '', response: answer });
    const cols = issues.map((i) => line.slice(i.start, i.end)).sort();
    assert.deepEqual(cols, ['<DEPT>', '{{agency}}', '☎ XXXX'].sort());
  });
});

void describe('patterns RE2 cannot run are configuration problems', () => {
  const layer = (patterns: readonly string[]): ConfigLayer => ({ source: 'tunelab.jsonc', rules: { [P]: { options: { patterns } } } });

  void it('names each refused pattern and says why; the others are used', () => {
    const { settings, problems } = resolveSettings([layer([
      '(\\w+) \\1', '\\k<x>', '(?<=Dear )[A-Z]\\w+', '(?!Dear)[A-Z]+:', 'a{2000}', '([', '(foo)?', '<[A-Z_]+>',
    ])]);
    assert.deepEqual(settings.rules.get(P)?.options.patterns, ['<[A-Z_]+>']);
    assert.equal(problems.length, 7, problems.join('\n'));
    const about = (pattern: string): string => problems.find((p) => p.includes(JSON.stringify(pattern))) ?? `no problem names ${pattern}`;
    assert.match(about('(\\w+) \\1'), /^tunelab\.jsonc: rule "unfilled-placeholder": the pattern "\(\\\\w\+\) \\\\1" uses a backreference \(\\1\)/);
    assert.match(about('\\k<x>'), /backreference \(\\k<x>\)/);
    assert.match(about('(?<=Dear )[A-Z]\\w+'), /lookbehind \(\(\?<=\)/);
    assert.match(about('(?!Dear)[A-Z]+:'), /lookahead \(\(\?!\)/);
    assert.match(about('a{2000}'), /invalid repeat count.*at most 1000/);
    assert.match(about('(['), /missing closing \]/);
    assert.match(about('(foo)?'), /matches empty text/);
    for (const p of problems) assert.match(p, /it is skipped\.$/);
  });

  void it('the CLI warns about them, still lints, and a catastrophic pattern does not stall it', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'tunelab-patterns-'));
    try {
      writeFileSync(path.join(dir, 'tunelab.jsonc'), JSON.stringify({ rules: { [P]: { options: { patterns: ['(a+)+$', '(\\w)\\1', '<[A-Z_]+>'] } } } }));
      const rows = [
        { instruction: 'Who runs the permit office?', context: '', response: `Ask ${'a'.repeat(50_000)}!` },
        { instruction: 'Who do I write to?', context: '', response: 'Write to <AGENCY_NAME> at the address on your notice.' },
      ];
      writeFileSync(path.join(dir, 'data.jsonl'), rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
      let out = '';
      let err = '';
      const code = await runLint(['--format', 'json', '--no-near-duplicates', 'data.jsonl'], {
        out: (t) => { out += t; },
        err: (t) => { err += t; },
        stdout: { write: (t: string, done?: (err?: Error | null) => void) => { out += t; done?.(); return true; }, once: () => undefined },
        cwd: dir,
        env: {},
      });
      const found = out.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as { line: number; rule: string });
      assert.deepEqual(found.filter((f) => f.rule === P).map((f) => f.line), [2]);
      assert.match(err, /tunelab: warning: tunelab\.jsonc: rule "unfilled-placeholder": the pattern "\(\\\\w\)\\\\1" uses a backreference/);
      assert.equal(code, 0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

void describe('Restricted Mode: a workspace\'s patterns are not run', () => {
  const workspaceRules = { [P]: { severity: 'error', options: { patterns: ['(a+)+$'], ignore: ['{caseId}'] } }, pii: 'off' };
  const project: ConfigLayer = { source: 'tunelab.jsonc', rules: workspaceRules };
  const user: ConfigLayer = { source: 'Settings', rules: { [P]: { options: { patterns: ['<[A-Z_]+>'] } } } };

  void it('untrusted: the workspace layers lose their patterns, keep everything else, and are named in the notice', () => {
    const { layers, ignored } = untrustedLayers([{ layer: project, workspace: true }, { layer: { source: 'Workspace settings', rules: workspaceRules }, workspace: true }], false);
    assert.deepEqual(ignored, ['tunelab.jsonc', 'Workspace settings']);
    const { settings, problems } = resolveSettings(layers);
    assert.deepEqual(problems, []);
    const rule = settings.rules.get(P);
    assert.ok(rule);
    assert.deepEqual(rule.options.patterns, []);
    assert.deepEqual(rule.options.ignore, ['{caseId}']);
    assert.equal(rule.severity, 'error');
    assert.equal(settings.rules.get('pii')?.severity, 'off');
    assert.equal(restrictedNotice(ignored),
      'Restricted Mode: the unfilled-placeholder patterns in tunelab.jsonc and Workspace settings are not run until you trust this workspace (the built-in placeholder checks still run). Trust it with "Manage Workspace Trust" to use them.');
  });

  void it('untrusted: the user\'s own patterns still run', () => {
    const { layers, ignored } = untrustedLayers([{ layer: project, workspace: true }, { layer: user, workspace: false }], false);
    assert.deepEqual(ignored, ['tunelab.jsonc']);
    assert.deepEqual(patternsOf(layers), ['<[A-Z_]+>']);
  });

  void it('trusted: every layer is used as it is, and nothing is named', () => {
    const { layers, ignored } = untrustedLayers([{ layer: project, workspace: true }], true);
    assert.deepEqual(ignored, []);
    assert.deepEqual(patternsOf(layers), ['(a+)+$']);
  });

  void it('a workspace layer without patterns is not named', () => {
    const { ignored } = untrustedLayers([{ layer: { source: 'tunelab.jsonc', rules: { pii: 'error', [P]: 'off' } }, workspace: true }, { layer: { source: 'x' }, workspace: true }], false);
    assert.deepEqual(ignored, []);
  });
});
