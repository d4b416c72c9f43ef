import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { HELP, runCli } from '../../src/cli/cli';
import { keyVariable, runGenerate, type GenerateHooks } from '../../src/cli/generate';
import { matchFormat } from '../../src/core/formats/index';
import { lineStyleOf } from '../../src/core/formats/render';
import type { FormatId, JsonObject } from '../../src/core/lint/types';
import { coverage, provenancePathFor, readProvenance } from '../../src/core/topics/provenance';
import { topicId } from '../../src/core/topics/topicsFile';
import { OpenAIPeer, type OpenAIPeerOptions, type PeerFaultKind } from '../peers/openaiPeer';
import { expectedAnswer, generationResponder } from '../peers/generationResponder';

// ---------------------------------------------------------------------------------------------
// A temp folder with a topics file and an endpoints file pointing at a local peer that answers
// like a generation model (see test/peers/generationResponder.ts), and the command run in it.

const TOPICS = `{
  // Three subtopics in two categories.
  "categories": [
    { "name": "Benefits", "subtopics": ["Utility bill help", "Food assistance"] },
    { "name": "Housing", "subtopics": ["Rent help"] },
  ]
}
`;
const SUBTOPICS = [['Benefits', 'Utility bill help'], ['Benefits', 'Food assistance'], ['Housing', 'Rent help']] as const;
const KEY = 'sk-cli-generate-test-0123456789';

interface Result { readonly code: number; readonly out: string; readonly err: string }

interface Rig {
  readonly dir: string;
  readonly peer: OpenAIPeer;
  readonly file: (name: string) => string;
  readonly run: (args: readonly string[], options?: { env?: Record<string, string>; hooks?: GenerateHooks }) => Promise<Result>;
}

async function withRig(peerOptions: OpenAIPeerOptions, fn: (rig: Rig) => Promise<void>): Promise<void> {
  const peer = new OpenAIPeer({ responder: generationResponder(), ...peerOptions });
  const running = await peer.start();
  const dir = mkdtempSync(path.join(tmpdir(), 'tunelab-generate-'));
  try {
    writeFileSync(path.join(dir, 'topics.jsonc'), TOPICS);
    writeFileSync(path.join(dir, 'endpoints.json'), JSON.stringify([
      { id: 'local', kind: 'openai-compatible', url: `${running.url}/v1`, model: 'peer-model' },
      { id: 'gpt', kind: 'openai', url: `${running.url}/v1`, model: 'gpt-4o-mini' },
    ]));
    const run = async (args: readonly string[], options: { env?: Record<string, string>; hooks?: GenerateHooks } = {}): Promise<Result> => {
      let out = '';
      let err = '';
      const code = await runGenerate(args, {
        out: (t) => { out += t; },
        err: (t) => { err += t; },
        env: { HOME: dir, ...options.env },
        cwd: dir,
      }, { signal: new AbortController().signal, ...options.hooks });
      return { code, out, err };
    };
    await fn({ dir, peer, file: (name) => path.join(dir, name), run });
  } finally {
    await running.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The usual arguments, with `more` after them. */
function argsFor(out: string, perTopic: number, ...more: string[]): string[] {
  return ['--topics', 'topics.jsonc', '--endpoints', 'endpoints.json', '--endpoint', 'local', '--per-topic', String(perTopic), '--out', out, ...more];
}

interface Row { readonly line: string; readonly record: JsonObject; readonly question: string; readonly answer: string }

/** The file's rows; every line must be one whole pair in `format`. */
function rowsOf(file: string, format: FormatId = 'jumpstart-instruction'): Row[] {
  const text = readFileSync(file, 'utf8');
  if (text === '') return [];
  assert.ok(text.endsWith('\n'), 'the file ends with a newline');
  return text.slice(0, -1).split('\n').map((line) => {
    const record = JSON.parse(line) as JsonObject;
    assert.equal(matchFormat(record, {}), format, `a ${format} line: ${line}`);
    const [question, answer] = format === 'openai-chat'
      ? ((record['messages'] as { content: string }[]).map((m) => m.content))
      : [record['instruction'], record['response']].map((v) => (typeof v === 'string' ? v : ''));
    return { line, record, question: question ?? '', answer: answer ?? '' };
  });
}

/** Generated rows per subtopic name, told by the question (the peer starts each with the subtopic's name). */
function perSubtopic(rows: readonly Row[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const r of rows) {
    const name = SUBTOPICS.find(([, sub]) => r.question.startsWith(`${sub}, question`))?.[1];
    if (name !== undefined) out.set(name, (out.get(name) ?? 0) + 1);
  }
  return out;
}

function checkPairs(rows: readonly Row[]): void {
  for (const r of rows) if (r.question.includes(', question ')) assert.equal(r.answer, expectedAnswer(r.question), 'a pair is whole');
  assert.equal(new Set(rows.map((r) => r.question)).size, rows.length, 'no question twice');
}

function sidecarCoverage(file: string): Map<string, number> {
  const { provenance, problems } = readProvenance(readFileSync(provenancePathFor(file), 'utf8'));
  assert.deepEqual(problems, []);
  return coverage(provenance, readFileSync(file, 'utf8').split('\n'));
}

const SUMMARY = /^(\d+) pairs? added to (\S+) \(([^)]+)\); (\d+) duplicate questions? dropped; (\d+) failed\n$/;

// ---------------------------------------------------------------------------------------------

void describe('tunelab generate', () => {
  void it('generates per-topic × subtopics pairs into a new file, with the sidecar counting each subtopic; --only limits them', async () => {
    await withRig({}, async ({ run, file, peer }) => {
      const r = await run(argsFor('data/train.jsonl', 3));
      assert.equal(r.code, 0, r.err);
      assert.match(r.out, SUMMARY);
      assert.equal(r.out, `9 pairs added to ${path.join('data', 'train.jsonl')} (JumpStart instruction); 0 duplicate questions dropped; 0 failed\n`);
      for (const [cat, sub] of SUBTOPICS) assert.ok(r.err.includes(`✓ ${cat} / ${sub}: 3 pairs\n`), r.err);
      const rows = rowsOf(file('data/train.jsonl'));
      assert.equal(rows.length, 9);
      checkPairs(rows);
      assert.ok(rows.every((r2) => r2.record['context'] === '' && lineStyleOf(r2.line) === 'compact'));
      assert.deepEqual(sidecarCoverage(file('data/train.jsonl')), new Map(SUBTOPICS.map(([c, s]) => [topicId(c, s), 3])));
      // Questions in JSON mode (3), one answer per pair (9).
      assert.equal(peer.chatBodies.length, 12);

      const only = await run(argsFor('only.jsonl', 2, '--only', 'housing', '--only', 'Benefits/Food assistance'));
      assert.equal(only.code, 0, only.err);
      assert.deepEqual(perSubtopic(rowsOf(file('only.jsonl'))), new Map([['Food assistance', 2], ['Rent help', 2]]));
      assert.ok(!only.err.includes('Utility bill help'));

      const none = await run(argsFor('none.jsonl', 2, '--only', 'Transport'));
      assert.equal(none.code, 2);
      assert.match(none.err, /--only "Transport": no such category or subtopic in topics\.jsonc\. Name a category \("Benefits", "Housing"\)/);
      assert.ok(!existsSync(file('none.jsonl')));
    });
  });

  void it('refuses an --out with rows without --resume, leaving it untouched; with --resume and nothing missing sends nothing', async () => {
    await withRig({}, async ({ run, file, peer }) => {
      assert.equal((await run(argsFor('data.jsonl', 2))).code, 0);
      const before = readFileSync(file('data.jsonl'), 'utf8');
      const sent = peer.requests.length;

      const again = await run(argsFor('data.jsonl', 2));
      assert.equal(again.code, 2);
      assert.match(again.err, /data\.jsonl exists and has 6 rows; pass --resume to add only what is missing, or choose another --out\./);
      assert.equal(again.out, '');

      const resumed = await run(argsFor('data.jsonl', 2, '--resume'));
      assert.equal(resumed.code, 0, resumed.err);
      assert.match(resumed.out, /^0 pairs added to data\.jsonl \(JumpStart instruction\); every subtopic already has its pairs\n$/);
      assert.equal(peer.requests.length, sent, 'no request was sent');
      assert.equal(readFileSync(file('data.jsonl'), 'utf8'), before);
    });
  });

  void it('an interrupted run keeps whole lines and its provenance; --resume then completes every subtopic without a repeat', async () => {
    await withRig({}, async ({ run, file }) => {
      const controller = new AbortController();
      const stopped = await run(argsFor('data.jsonl', 4), {
        hooks: { signal: controller.signal, onPairWritten: (n) => { if (n === 5) controller.abort(); } },
      });
      assert.equal(stopped.code, 130, stopped.err);
      assert.match(stopped.err, /Stopping: /);
      assert.match(stopped.err, /Cancelled: \d+ pairs written\. Run the same command with --resume/);
      const partial = rowsOf(file('data.jsonl'));
      assert.ok(partial.length >= 5 && partial.length < 12, `${partial.length} pairs after the cancel`);
      checkPairs(partial);
      assert.equal(Number(SUMMARY.exec(stopped.out)?.[1]), partial.length);
      assert.equal([...sidecarCoverage(file('data.jsonl')).values()].reduce((a, b) => a + b, 0), partial.length, 'the sidecar knows every written row');

      const resumed = await run(argsFor('data.jsonl', 4, '--resume'));
      assert.equal(resumed.code, 0, resumed.err);
      const rows = rowsOf(file('data.jsonl'));
      assert.deepEqual(rows.slice(0, partial.length).map((r) => r.line), partial.map((r) => r.line), 'the earlier lines are untouched');
      checkPairs(rows);
      assert.deepEqual(perSubtopic(rows), new Map(SUBTOPICS.map(([, s]) => [s, 4])));
      assert.deepEqual(sidecarCoverage(file('data.jsonl')), new Map(SUBTOPICS.map(([c, s]) => [topicId(c, s), 4])));
    });
  });

  void it('adds a newline to a file that lacks one before its first new line, and follows the file\'s spaced JSON style and format', async () => {
    await withRig({}, async ({ run, file }) => {
      const old = '{"instruction": "How do I renew a fishing licence?", "context": "", "response": "Renew it online at the wildlife office."}';
      writeFileSync(file('spaced.jsonl'), old);
      const r = await run(argsFor('spaced.jsonl', 1, '--resume', '--only', 'Housing'));
      assert.equal(r.code, 0, r.err);
      const rows = rowsOf(file('spaced.jsonl'));
      assert.equal(rows.length, 2);
      assert.equal(rows[0]?.line, old);
      assert.equal(lineStyleOf(rows[1]?.line ?? ''), 'spaced');
      assert.match(rows[1]?.line ?? '', /^\{"instruction": "Rent help, question 0: .*", "context": "", "response": "Thank you/);

      const chat = JSON.stringify({ messages: [{ role: 'user', content: 'Where do I vote?' }, { role: 'assistant', content: 'At your polling place.' }] });
      writeFileSync(file('chat.jsonl'), `${chat}\n`);
      const c = await run(argsFor('chat.jsonl', 1, '--resume', '--only', 'Housing'));
      assert.equal(c.code, 0, c.err);
      assert.match(c.out, /^1 pair added to chat\.jsonl \(OpenAI chat\);/);
      const chatRows = rowsOf(file('chat.jsonl'), 'openai-chat');
      assert.equal(chatRows.length, 2);
      assert.equal(lineStyleOf(chatRows[1]?.line ?? ''), 'compact');
      checkPairs(chatRows);
    });
  });

  void it('with injected faults the exit code agrees with the summary, and no line is broken or repeated', async () => {
    const kinds: readonly PeerFaultKind[] = ['429', '500', 'drop', 'invalid-json'];
    // Seeds whose draws give several kinds of fault in these small runs; with retries, then without.
    for (const [seed, maxAttempts] of [[3, 4], [8, 1]] as const) {
      await withRig({ faults: { rate: 0.2, seed, kinds, retryAfterMs: 5 } }, async ({ run, file, peer }) => {
        const r = await run(argsFor('data.jsonl', 4), { hooks: { scheduler: { backoffBaseMs: 2, backoffCapMs: 10, maxAttempts } } });
        const m = SUMMARY.exec(r.out);
        assert.ok(m, r.out);
        const [, added, , , dropped, failed] = m.map(Number);
        assert.equal(r.code, failed === 0 ? 0 : 1, r.err);
        assert.equal((r.err.match(/^✗ /gm) ?? []).length > 0, r.code === 1);
        const rows = existsSync(file('data.jsonl')) ? rowsOf(file('data.jsonl')) : [];
        assert.equal(rows.length, added);
        assert.equal((added ?? 0) + (dropped ?? 0) + (failed ?? 0), 12, 'every planned pair is accounted for');
        checkPairs(rows);
        assert.equal([...sidecarCoverage(file('data.jsonl')).values()].reduce((a, b) => a + b, 0), rows.length);
        const hard = peer.injected.faults['429'] + peer.injected.faults['500'] + peer.injected.faults.drop;
        assert.ok(hard + peer.injected.faults['invalid-json'] > 0, 'some fault was injected');
        if (maxAttempts === 1 && hard > 0) assert.equal(r.code, 1, 'without retries a fault is a failure');
      });
    }
  });

  void it('reports usage errors with exit 2 and sends nothing', async () => {
    await withRig({}, async ({ run, file, peer }) => {
      writeFileSync(file('bad-topics.jsonc'), '{\n  "categories": [\n    { "name": "Benefits" "subtopics": ["Rent help"] }\n  ]\n}\n');
      const cases: [string[], RegExp][] = [
        [['--endpoints', 'endpoints.json', '--endpoint', 'local', '--per-topic', '2', '--out', 'o.jsonl'], /--topics is missing/],
        [['--topics', 'topics.jsonc', '--endpoints', 'endpoints.json', '--per-topic', '2', '--out', 'o.jsonl'], /--endpoint is missing/],
        [['--topics', 'topics.jsonc', '--endpoints', 'endpoints.json', '--endpoint', 'local', '--per-topic', '2'], /--out is missing/],
        [['--topics', 'topics.jsonc', '--endpoints', 'endpoints.json', '--endpoint', 'local', '--out', 'o.jsonl'], /--per-topic is missing/],
        [argsFor('o.jsonl', 0), /--per-topic takes a whole number from 1 to 100, e\.g\. --per-topic 6 \(got '0'\)/],
        [[...argsFor('o.jsonl', 2).slice(0, -4), '--per-topic', 'six', '--out', 'o.jsonl'], /--per-topic takes a whole number .*got 'six'/],
        [argsFor('o.jsonl', 2, '--refusal-share', '0.9'), /--refusal-share takes a share from 0 to 0\.5/],
        [argsFor('o.jsonl', 2, '--length', 'huge'), /--length huge: use short, medium or long/],
        [argsFor('o.jsonl', 2, '--dataset-format', 'csv'), /--dataset-format csv: unknown dataset format/],
        [argsFor('o.jsonl', 2, '--dataset-format', 'openai-dpo'), /OpenAI DPO needs a preferred and a non-preferred answer/],
        [argsFor('o.jsonl', 2, '--colour'), /unknown option '--colour'/],
        [['--topics', 'topics.jsonc', '--endpoints', 'endpoints.json', '--endpoint', 'nope', '--per-topic', '2', '--out', 'o.jsonl'], /no endpoint "nope": the endpoints in endpoints\.json are local, gpt\./],
        [['--topics', 'missing.jsonc', '--endpoints', 'endpoints.json', '--endpoint', 'local', '--per-topic', '2', '--out', 'o.jsonl'], /cannot read the topics file missing\.jsonc: no such file/],
        [['--topics', 'bad-topics.jsonc', '--endpoints', 'endpoints.json', '--endpoint', 'local', '--per-topic', '2', '--out', 'o.jsonl'], /^bad-topics\.jsonc:3:26: Syntax error: A comma is missing/m],
        [['--topics', 'topics.jsonc', '--endpoints', 'endpoints.json', '--endpoint', 'gpt', '--per-topic', '2', '--out', 'o.jsonl'], /endpoint "gpt" \(OpenAI\) needs an API key: set TUNELAB_API_KEY_GPT, TUNELAB_API_KEY or OPENAI_API_KEY in the environment\./],
        [['--topics', 'topics.jsonc', '--endpoint', 'local', '--per-topic', '2', '--out', 'o.jsonl'], /no endpoints file: pass --endpoints <file>/],
        [argsFor('o.jsonl', 2, '--questions-prompt', 'q.tlprompt'), /cannot read the prompt file q\.tlprompt/],
      ];
      for (const [args, expected] of cases) {
        const r = await run(args);
        assert.equal(r.code, 2, `${args.join(' ')}: ${r.err}`);
        assert.match(r.err, expected);
        assert.equal(r.out, '');
      }
      assert.equal(peer.requests.length, 0);
      assert.ok(!existsSync(file('o.jsonl')));
    });
  });

  void it('reads the endpoints from the VS Code user settings by default (JSONC, with other settings)', async () => {
    await withRig({}, async ({ run, dir, file }) => {
      const endpoints = readFileSync(file('endpoints.json'), 'utf8');
      const settings = path.join(dir, '.config', 'Code', 'User');
      mkdirSync(settings, { recursive: true });
      writeFileSync(path.join(settings, 'settings.json'), `{\n  // mine\n  "editor.fontSize": 14,\n  "tunelab.endpoints": ${endpoints},\n}\n`);
      const r = await run(['--topics', 'topics.jsonc', '--endpoint', 'local', '--per-topic', '1', '--out', 'o.jsonl', '--only', 'Housing'], { hooks: { platform: 'linux' } });
      assert.equal(r.code, 0, r.err);
      assert.equal(rowsOf(file('o.jsonl')).length, 1);
    });
  });

  void it('sends the key from TUNELAB_API_KEY_<ID> as a Bearer token and never prints it', async () => {
    assert.equal(keyVariable('my-endpoint.v2'), 'TUNELAB_API_KEY_MY_ENDPOINT_V2');
    await withRig({ apiKey: KEY }, async ({ run, file, peer }) => {
      const env = { TUNELAB_API_KEY_GPT: KEY, TUNELAB_API_KEY: 'sk-general-key-000', OPENAI_API_KEY: 'sk-openai-key-000' };
      const r = await run(['--topics', 'topics.jsonc', '--endpoints', 'endpoints.json', '--endpoint', 'gpt', '--per-topic', '2', '--out', 'data.jsonl', '--only', 'Housing'], { env });
      assert.equal(r.code, 0, r.err);
      assert.equal(rowsOf(file('data.jsonl')).length, 2);
      assert.ok(peer.requests.length > 0);
      for (const req of peer.requests) assert.equal(req.headers.authorization, `Bearer ${KEY}`);
      for (const text of [r.out, r.err, readFileSync(file('data.jsonl'), 'utf8'), readFileSync(provenancePathFor(file('data.jsonl')), 'utf8')]) assert.ok(!text.includes(KEY));

      // A key the server refuses: failures are reported, and the key is still never shown.
      const wrong = await run(['--topics', 'topics.jsonc', '--endpoints', 'endpoints.json', '--endpoint', 'gpt', '--per-topic', '1', '--out', 'wrong.jsonl', '--only', 'Benefits'], { env: { OPENAI_API_KEY: 'sk-wrong-key-for-this-peer' } });
      assert.equal(wrong.code, 1);
      assert.match(wrong.err, /^✗ Benefits \/ Utility bill help: /m);
      assert.ok(!`${wrong.out}${wrong.err}`.includes('sk-wrong-key-for-this-peer'));
      assert.equal(peer.requests[peer.requests.length - 1]?.headers.authorization, 'Bearer sk-wrong-key-for-this-peer');
    });
  });

  void it('has help with every option and an example, and is listed in tunelab --help', async () => {
    let out = '';
    const code = await runCli(['generate', '--help'], { out: (t) => { out += t; }, err: () => undefined });
    assert.equal(code, 0);
    for (const option of ['--topics', '--endpoint', '--per-topic', '--out', '--resume', '--answers-endpoint', '--endpoints', '--dataset-format', '--refusal-share', '--length', '--temperature', '--questions-prompt', '--answer-prompt', '--only']) {
      assert.match(out, new RegExp(`^  ${option} `, 'm'), option);
    }
    assert.match(out, /Example:\n {2}TUNELAB_API_KEY_GPT=.* tunelab generate --topics topics\.jsonc/);
    assert.match(HELP, /^ {2}generate {4}/m);
  });
});
