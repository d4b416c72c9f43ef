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
import { OpenAIPeer, type OpenAIPeerOptions, type PeerFaultKind, type PeerReply } from '../peers/openaiPeer';
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
        [['--topics', 'topics.jsonc', '--endpoints', 'endpoints.json', '--endpoint', 'gpt', '--per-topic', '2', '--out', 'o.jsonl'], /endpoint "gpt" \(OpenAI\) needs an API key: set TUNELAB_API_KEY_GPT in the environment\./],
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
      const wrong = await run(['--topics', 'topics.jsonc', '--endpoints', 'endpoints.json', '--endpoint', 'gpt', '--per-topic', '1', '--out', 'wrong.jsonl', '--only', 'Benefits'], { env: { TUNELAB_API_KEY_GPT: 'sk-wrong-key-for-this-peer' } });
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

// ---------------------------------------------------------------------------------------------
// Keys and terminals: which Authorization header the peer received, and the bytes printed.

/** A C0 or C1 control character other than the line feed: nothing from data may print one raw. */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;

void describe('tunelab generate: keys and terminal output', () => {
  const GENERIC = { TUNELAB_API_KEY: 'sk-generic-tunelab-0001', OPENAI_API_KEY: 'sk-generic-openai-0001' };
  const gptArgs = (out: string): string[] => ['--topics', 'topics.jsonc', '--endpoints', 'endpoints.json', '--endpoint', 'gpt', '--per-topic', '1', '--out', out, '--only', 'Housing'];

  void it('sends a generic key only to OpenAI\'s own API: a compatible server gets none (with a warning), an openai endpoint with its own url needs its own variable', async () => {
    await withRig({}, async ({ run, peer, file }) => {
      const r = await run(argsFor('local.jsonl', 1, '--only', 'Housing'), { env: GENERIC });
      assert.equal(r.code, 0, r.err);
      assert.ok(peer.requests.length > 0);
      // The client's placeholder for "no key" (src/endpoints/openai.ts), never the generic key.
      for (const req of peer.requests) assert.equal(req.headers.authorization, 'Bearer none');
      assert.match(r.err, /^tunelab: warning: endpoint "local" \(OpenAI-compatible server\) gets no key \(TUNELAB_API_KEY or OPENAI_API_KEY are set but only sent to OpenAI's own API, https:\/\/api\.openai\.com\/v1, not to http:\/\/127\.0\.0\.1:\d+\)\. If http:\/\/127\.0\.0\.1:\d+ needs one, set TUNELAB_API_KEY_LOCAL\.$/m);

      const sent = peer.requests.length;
      const gpt = await run(gptArgs('gpt.jsonl'), { env: { OPENAI_API_KEY: GENERIC.OPENAI_API_KEY } });
      assert.equal(gpt.code, 2, gpt.err);
      assert.match(gpt.err, /^tunelab generate: endpoint "gpt" \(OpenAI\) needs an API key: set TUNELAB_API_KEY_GPT in the environment \(OPENAI_API_KEY is set but only sent to OpenAI's own API, https:\/\/api\.openai\.com\/v1, not to http:\/\/127\.0\.0\.1:\d+\)\.$/m);
      assert.equal(peer.requests.length, sent, 'nothing is sent');
      assert.ok(!existsSync(file('gpt.jsonl')));

      const own = await run(argsFor('own.jsonl', 1, '--only', 'Housing'), { env: { ...GENERIC, TUNELAB_API_KEY_LOCAL: 'sk-local-own-0001' } });
      assert.equal(own.code, 0, own.err);
      assert.ok(peer.requests.length > sent);
      for (const req of peer.requests.slice(sent)) assert.equal(req.headers.authorization, 'Bearer sk-local-own-0001');
      assert.ok(!own.err.includes('gets no key'), own.err);
    });
  });

  void it('sends no key over plain http to another machine, and refuses ids that would share a key variable', async () => {
    await withRig({}, async ({ run, peer, file }) => {
      const url = (JSON.parse(readFileSync(file('endpoints.json'), 'utf8')) as { url: string }[])[0]?.url ?? '';
      writeFileSync(file('endpoints.json'), JSON.stringify([
        { id: 'lan', kind: 'openai-compatible', url: 'http://192.0.2.10:8000/v1', model: 'peer-model' },
        { id: 'a-b', kind: 'openai-compatible', url, model: 'peer-model' },
        { id: 'A_B', kind: 'openai', url, model: 'gpt-4o-mini' },
      ]));
      const args = (id: string): string[] => ['--topics', 'topics.jsonc', '--endpoints', 'endpoints.json', '--endpoint', id, '--per-topic', '1', '--out', `${id}.jsonl`, '--only', 'Housing'];
      const lan = await run(args('lan'), { env: { TUNELAB_API_KEY_LAN: 'sk-lan-key-0001' } });
      assert.equal(lan.code, 2, lan.err);
      assert.match(lan.err, /^tunelab generate: endpoint "lan" \(OpenAI-compatible server\) would send its key from TUNELAB_API_KEY_LAN over plain http to http:\/\/192\.0\.2\.10:8000, where anyone on the way can read it\. Give it an https:\/\/ "url" in endpoints\.json, or reach the server through a tunnel/m);
      assert.ok(!existsSync(file('lan.jsonl')));

      const twins = await run(args('a-b'), { env: { TUNELAB_API_KEY_A_B: 'sk-meant-for-A_B-0001' } });
      assert.equal(twins.code, 2, twins.err);
      assert.match(twins.err, /^tunelab generate: endpoints "a-b" and "A_B" in endpoints\.json both take their key from TUNELAB_API_KEY_A_B .*Rename one of them in endpoints\.json/m);
      assert.equal(peer.requests.length, 0, 'nothing is sent');
    });
  });

  void it('Azure OpenAI gets only its own variable (as the api-key header), never AZURE_OPENAI_API_KEY or a generic one', async () => {
    await withRig({}, async ({ run, peer, file }) => {
      const url = (JSON.parse(readFileSync(file('endpoints.json'), 'utf8')) as { url: string }[])[0]?.url.replace(/\/v1$/, '') ?? '';
      writeFileSync(file('endpoints.json'), JSON.stringify([{ id: 'az', kind: 'azure-openai', url, deployment: 'gpt-4o-mini' }]));
      const args = ['--topics', 'topics.jsonc', '--endpoints', 'endpoints.json', '--endpoint', 'az', '--per-topic', '1', '--out', 'az.jsonl', '--only', 'Housing'];
      const generic = await run(args, { env: { ...GENERIC, AZURE_OPENAI_API_KEY: 'az-generic-key-0001' } });
      assert.equal(generic.code, 2, generic.err);
      assert.match(generic.err, /^tunelab generate: endpoint "az" \(Azure OpenAI\) needs an API key: set TUNELAB_API_KEY_AZ in the environment \(TUNELAB_API_KEY, OPENAI_API_KEY or AZURE_OPENAI_API_KEY are set but not read: an Azure key belongs to one resource/m);
      const sent: number = peer.requests.length;
      assert.equal(sent, 0, 'nothing is sent');

      const own = await run(args, { env: { ...GENERIC, AZURE_OPENAI_API_KEY: 'az-generic-key-0001', TUNELAB_API_KEY_AZ: 'az-own-key-0001' } });
      assert.equal(own.code, 0, own.err);
      assert.ok(peer.requests.length > sent);
      for (const req of peer.requests) {
        assert.match(req.path, /^\/openai\/deployments\/gpt-4o-mini\/chat\/completions$/);
        assert.equal(req.headers['api-key'], 'az-own-key-0001');
        assert.equal(req.headers.authorization, undefined);
      }
    });
  });

  void it('masks any prefix of a key and every configured header value in what it prints', async () => {
    const key = 'sk-gw-key-0123456789abcdef';
    const header = 'gw-token-5ecret-abcdef';
    await withRig({}, async ({ run, peer, file }) => {
      const url = (JSON.parse(readFileSync(file('endpoints.json'), 'utf8')) as { url: string }[])[0]?.url ?? '';
      writeFileSync(file('endpoints.json'), JSON.stringify([{ id: 'gw', kind: 'openai-compatible', url, model: 'peer-model', headers: { 'X-Gateway-Token': header } }]));
      // A server that echoes part of the key and the header back, as OpenAI's "Incorrect API key provided: sk-abc1****" does.
      peer.reply({ status: 403, error: { message: `Key ${key.slice(0, 14)}************ is not allowed with token ${header} (${header.slice(0, 10)}…)`, type: 'invalid_request_error' } });
      const r = await run(['--topics', 'topics.jsonc', '--endpoints', 'endpoints.json', '--endpoint', 'gw', '--per-topic', '1', '--out', 'gw.jsonl', '--only', 'Housing'], { env: { TUNELAB_API_KEY_GW: key } });
      assert.equal(r.code, 1, r.err);
      const [request] = peer.requests;
      assert.ok(request !== undefined);
      assert.equal(request.headers.authorization, `Bearer ${key}`);
      assert.equal(request.headers['x-gateway-token'], header);
      assert.match(r.err, /^✗ Housing \/ Rent help: Endpoint "gw" refused access \(403\)\. The server said: "Key \*\*\*\*\*\*\*\*\*\*\*\*\*\*\* is not allowed with token \*\*\* \(\*\*\*…\)"/m);
      for (const secret of [key.slice(0, 8), header.slice(0, 8)]) assert.ok(!`${r.out}${r.err}`.includes(secret), secret);
    });
  });

  void it('prints topic names, model questions and server messages with their terminal escapes escaped', async () => {
    const responder = (body: Record<string, unknown>): PeerReply => (typeof body['response_format'] === 'object'
      ? { content: JSON.stringify({ questions: [{ text: 'How do I pay\u001b[8m hidden\u001b[0m my rent\u009b2J?', refusal: false }] }) }
      : { status: 403, error: { message: 'denied \u001b]52;c;Y3VybCBldmlsfHNo\u0007 see\u202e', type: 'invalid_request_error' } });
    await withRig({ responder }, async ({ run, file }) => {
      writeFileSync(file('topics.jsonc'), JSON.stringify({ categories: [{ name: 'Hous\u001b[2Jing', subtopics: ['Rent\u001b]0;pwned\u0007 help\r✓ fake'] }] }));
      const r = await run(argsFor('esc.jsonl', 1));
      assert.equal(r.code, 1, r.err);
      for (const text of [r.out, r.err]) assert.ok(!RAW_CONTROL.test(text) && !text.includes('\u202e'), JSON.stringify(text));
      assert.match(r.err, /^✗ Hous\\u001b\[2Jing \/ Rent\\u001b\]0;pwned\\u0007 help\\r✓ fake: "How do I pay\\u001b\[8m hidden\\u001b\[0m my rent\\u009b2J\?": Endpoint "local" refused access \(403\)\. The server said: "denied \\u001b\]52;c;Y3VybCBldmlsfHNo\\u0007 see\\u202e"/m);
    });
  });
});
