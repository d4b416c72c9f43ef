/**
 * The peer of the "CLI vs the peer" bench case (bench/peers/openai_format_check.py, the format
 * checks of OpenAI's cookbook "Data preparation and analysis for chat model fine-tuning",
 * https://github.com/openai/openai-cookbook/blob/main/examples/Chat_finetuning_data_prep.ipynb)
 * and the generated chat dataset both run on: the peer finds each of the cookbook's error kinds,
 * TuneLab reports an error on every line the peer faults (so beating the peer's time is not bought
 * by checking less), and the generated rows are clean, valid chat rows (answers of about 1,300
 * characters, 155 MB for 100k rows) for both.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { generateChatRows } from '../../bench/dataset';
import { resolveSettings } from '../../src/core/lint/config';
import { DatasetLinter } from '../../src/core/lint/engine';

const PEER = path.join(process.cwd(), 'bench', 'peers', 'openai_format_check.py');

function peer(lines: readonly string[], format = 'openai'): { status: number | null; stdout: string } {
  const dir = mkdtempSync(path.join(tmpdir(), 'tunelab-peer-'));
  try {
    const file = path.join(dir, 'data.jsonl');
    writeFileSync(file, `${lines.join('\n')}\n`);
    const r = spawnSync('python3', [PEER, file, '--format', format], { encoding: 'utf8' });
    return { status: r.status, stdout: r.stdout };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function lint(lines: readonly string[]): DatasetLinter {
  const { settings } = resolveSettings([{ source: 'test', format: 'openai-chat' }]);
  const linter = new DatasetLinter({ settings, context: {} });
  linter.setText(`${lines.join('\n')}\n`);
  linter.step(Infinity);
  return linter;
}

const GOOD = '{"messages":[{"role":"user","content":"How do I renew my passport?"},{"role":"assistant","content":"Fill in form DS-82 and mail it."}]}';

/** One line per error kind of the cookbook's "Format error checks" cell. */
const FAULTS: readonly (readonly [string, string])[] = [
  ['data_type', '["How do I renew my passport?"]'],
  ['missing_messages_list', '{"messages":[]}'],
  ['message_missing_key', '{"messages":[{"role":"user"},{"role":"assistant","content":"Fill in form DS-82."}]}'],
  ['message_unrecognized_key', '{"messages":[{"role":"user","content":"Renew?","mood":"calm"},{"role":"assistant","content":"Fill in form DS-82."}]}'],
  ['unrecognized_role', '{"messages":[{"role":"customer","content":"Renew?"},{"role":"assistant","content":"Fill in form DS-82."}]}'],
  ['missing_content', '{"messages":[{"role":"user","content":""},{"role":"assistant","content":"Fill in form DS-82."}]}'],
  ['example_missing_assistant_message', '{"messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"Renew?"}]}'],
];

void describe('the bench peer: the cookbook format checks', () => {
  for (const [kind, line] of FAULTS) {
    void it(`finds ${kind}, and tunelab lint reports an error on that line too`, () => {
      const r = peer([GOOD, line]);
      assert.equal(r.status, 1, r.stdout);
      assert.match(r.stdout, new RegExp(`^${kind}: 1$`, 'm'));
      const errors = lint([GOOD, line]).findingsOnLine(1).filter((f) => f.severity === 'error');
      assert.ok(errors.length > 0, `tunelab reported no error on the line the peer faults for ${kind}`);
    });
  }

  void it('counts a line that is not JSON and reads on, as tunelab does', () => {
    const r = peer(['{"messages": [', GOOD]);
    assert.match(r.stdout, /^json_syntax: 1$/m);
    assert.match(r.stdout, /^lines: 2$/m);
  });

  void it('checks JumpStart instruction fields with --format jumpstart', () => {
    const r = peer(['{"instruction":"Renew?","context":"","response":"Use form DS-82."}', '{"instruction":"Renew?","context":3}'], 'jumpstart');
    assert.match(r.stdout, /^missing_response: 1$/m);
    assert.match(r.stdout, /^context_not_string: 1$/m);
    assert.doesNotMatch(r.stdout, /missing_instruction/);
  });
});

void describe('the generated OpenAI chat dataset', () => {
  const rows = generateChatRows(2000, 21, { nearDuplicateShare: 0.05, exactDuplicateShare: 0.02 });
  const lines = rows.map((r) => r.line);

  void it('passes the peer and has no format finding in tunelab', () => {
    assert.match(peer(lines).stdout, /^No errors found$/m);
    const formatFindings = lint(lines).findings().filter((f) => f.rule === 'schema' || f.rule === 'json-syntax' || f.severity === 'error');
    assert.deepEqual(formatFindings.map((f) => `${f.line}: ${f.rule} ${f.message}`), []);
  });

  void it('has answers of about 1,300 characters and keeps exact duplicates exact', () => {
    const mean = rows.reduce((n, r) => n + r.response.length, 0) / rows.length;
    assert.ok(mean > 1200 && mean < 1400, `mean answer length ${mean}`);
    const exact = rows.filter((r) => r.kind === 'exact');
    assert.ok(exact.length > 0);
    for (const r of exact) assert.equal(r.response, rows[r.source ?? -1]?.response);
  });
});
