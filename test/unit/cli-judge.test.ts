import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { HELP, runCli } from '../../src/cli/cli';
import { runJudgeCommand, type JudgeHooks } from '../../src/cli/judge';
import { readVerdictCache, verdictsPathFor, type VerdictCacheRead } from '../../src/core/judge/cache';
import { HUMAN_PREFERENCE_RUBRIC, LEAGUE_RUBRIC } from '../../src/core/judge/prompts';
import { resultsLine } from '../../src/core/promptLab/results';
import { judgeRequestOf, judgeResponder, type JudgePolicy } from '../peers/judgeResponder';
import { OpenAIPeer, type OpenAIPeerOptions, type PeerReply } from '../peers/openaiPeer';

// ---------------------------------------------------------------------------------------------
// A temp folder with an endpoints file pointing at a local peer that answers like a pairwise
// judge (see test/peers/judgeResponder.ts), results files, and the command run in it.

/** The repo root: above the compiled test (out/test/unit), else the current directory's (test bundles built elsewhere). */
function findRepoRoot(): string {
  for (const start of [__dirname, process.cwd()]) {
    for (let dir = start; ; dir = path.dirname(dir)) {
      if (existsSync(path.join(dir, 'package.json')) && existsSync(path.join(dir, 'test/fixtures/cli/judge'))) return dir;
      if (path.dirname(dir) === dir) break;
    }
  }
  throw new Error('run the tests from the repository');
}
const FIXTURES = path.join(findRepoRoot(), 'test/fixtures/cli/judge');
const KEY = 'sk-cli-judge-test-0123456789';

interface Result { readonly code: number; readonly out: string; readonly err: string }

interface Rig {
  readonly dir: string;
  readonly peer: OpenAIPeer;
  readonly file: (name: string) => string;
  /** Copies a fixture into the folder, under its own name unless `as` gives another. */
  readonly fixture: (name: string, as?: string) => void;
  readonly run: (args: readonly string[], options?: { env?: Record<string, string>; hooks?: JudgeHooks }) => Promise<Result>;
}

async function withRig(policy: JudgePolicy, fn: (rig: Rig) => Promise<void>, peerOptions: OpenAIPeerOptions = {}): Promise<void> {
  const peer = new OpenAIPeer({ responder: judgeResponder(policy), ...peerOptions });
  const running = await peer.start();
  const dir = mkdtempSync(path.join(tmpdir(), 'tunelab-judge-'));
  try {
    writeFileSync(path.join(dir, 'endpoints.json'), JSON.stringify([
      { id: 'judge', kind: 'openai-compatible', url: `${running.url}/v1`, model: 'judge-model' },
      { id: 'gpt', kind: 'openai', url: `${running.url}/v1`, model: 'gpt-4o-mini' },
    ]));
    const run = async (args: readonly string[], options: { env?: Record<string, string>; hooks?: JudgeHooks } = {}): Promise<Result> => {
      let out = '';
      let err = '';
      const code = await runJudgeCommand(args, {
        out: (t) => { out += t; },
        err: (t) => { err += t; },
        env: { HOME: dir, ...options.env },
        cwd: dir,
      }, { signal: new AbortController().signal, progress: false, platform: 'linux', scheduler: { backoffBaseMs: 1, backoffCapMs: 5 }, ...options.hooks });
      return { code, out, err };
    };
    const file = (name: string): string => path.join(dir, name);
    await fn({ dir, peer, file, fixture: (name, as = name) => { copyFileSync(path.join(FIXTURES, name), file(as)); }, run });
  } finally {
    await running.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The usual arguments for judging `evalFile` with the `judge` endpoint, with `more` after them. */
function argsFor(evalFile: string, ...more: string[]): string[] {
  return ['--eval', evalFile, '--endpoints', 'endpoints.json', '--judge', 'judge', ...more];
}

/** A results file of two columns, ft and base, with these answers. */
function resultsText(rows: readonly { readonly candidate: string; readonly baseline: string }[]): string {
  return rows.map((r, i) => `${resultsLine({
    question: `How do I renew permit ${i}?`,
    source: { file: 'eval.jsonl', line: i + 1 },
    columnsKey: '0123456789abcdef',
    answers: [
      { column: 0, endpoint: 'ft', system: '', parameters: {}, text: r.candidate, finish: 'stop' },
      { column: 1, endpoint: 'base', system: '', parameters: {}, text: r.baseline, finish: 'stop' },
    ],
  })}\n`).join('');
}

function rows(n: number, candidate: (i: number) => string, baseline: (i: number) => string): { candidate: string; baseline: string }[] {
  return Array.from({ length: n }, (_, i) => ({ candidate: candidate(i), baseline: baseline(i) }));
}

/** Groups: wins, ties, losses, the win rate and its interval, the adjusted win rate and its interval. */
const SUMMARY = /^W (\d+) · T (\d+) · L (\d+) — wins (\d+)% \((\d+)–(\d+)%\) · adjusted (\d+)% \((\d+)–(\d+)%\)$/m;

/** A row of the summary table: `  label   value`. */
function tableRow(out: string, label: string): string | undefined {
  return out.split('\n').find((l) => l.startsWith(`  ${label} `))?.slice(2 + label.length).trim();
}

function sidecarOf(evalFile: string): VerdictCacheRead {
  const read = readVerdictCache(readFileSync(verdictsPathFor(evalFile), 'utf8'));
  assert.equal(read.problem, undefined);
  return read;
}

interface VerdictLine {
  readonly line: number;
  readonly question: string;
  readonly candidate?: string;
  readonly baseline?: string;
  readonly result?: string;
  readonly label?: string;
  readonly candidateFirst?: { readonly verdict: string; readonly reasoning: string };
  readonly baselineFirst?: { readonly verdict: string; readonly reasoning: string };
  readonly error?: string;
}

function verdictLines(file: string): VerdictLine[] {
  const text = readFileSync(file, 'utf8');
  if (text === '') return [];
  assert.ok(text.endsWith('\n'), 'the file ends with a newline');
  return text.slice(0, -1).split('\n').map((l) => JSON.parse(l) as VerdictLine);
}

/** The system message of a chat request's body. */
function systemOf(body: Record<string, unknown>): string {
  const messages = Array.isArray(body['messages']) ? body['messages'] as { role?: unknown; content?: unknown }[] : [];
  const system = messages.find((m) => m.role === 'system')?.content;
  return typeof system === 'string' ? system : '';
}

// ---------------------------------------------------------------------------------------------

void describe('tunelab judge', () => {
  void it('judges a results file: the table names both endpoints, --out has one line per question, and the sidecar has the setup and the run', async () => {
    await withRig('marked', async ({ run, file, fixture, peer }) => {
      fixture('marked.results.jsonl');
      const r = await run(argsFor('marked.results.jsonl', '--out', 'verdicts.jsonl'));
      assert.equal(r.code, 0, r.err);
      assert.equal(r.err, '');
      const m = SUMMARY.exec(r.out);
      assert.ok(m, r.out);
      assert.deepEqual([1, 2, 3, 4, 7].map((i) => Number(m[i])), [6, 2, 2, 60, 70]);
      assert.ok(Number(m[5]) < 60 && Number(m[6]) > 60, 'the interval holds the win rate');
      assert.ok(Number(m[8]) < 70 && Number(m[9]) > 70, 'the interval holds the adjusted rate');
      assert.match(r.out, /^A: ft \(column 1\) vs B: base \(column 2\) — marked\.results\.jsonl, judged by judge\/judge-model with the league rubric$/m);
      assert.deepEqual(
        ['wins (A better)', 'ties', 'losses (B better)', 'judged', 'errors', 'skipped lines', 'position disagreement'].map((l) => tableRow(r.out, l)),
        ['6', '2', '2', '10', '0', '0', '0%'],
      );
      assert.match(tableRow(r.out, 'win rate (wins ÷ n)') ?? '', /^60% \(95% interval \d+–\d+%\)$/);
      assert.match(tableRow(r.out, 'adjusted win rate') ?? '', /^70% \(95% interval \d+–\d+%\)$/);
      assert.match(tableRow(r.out, 'mean answer length') ?? '', /^A \d+ · B \d+ characters$/);
      assert.equal(tableRow(r.out, 'judge requests'), '20 (0 verdicts from the cache)');
      assert.doesNotMatch(r.out, /^warning: |^line \d+: /m);
      assert.equal(peer.chatBodies.length, 20, 'each question in both orders');

      const lines = verdictLines(file('verdicts.jsonl'));
      assert.deepEqual(lines.map((l) => l.line), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
      assert.deepEqual(lines.map((l) => l.label), [...Array<string>(6).fill('A wins (2/2)'), 'B wins (2/2)', 'B wins (2/2)', 'tie (2/2)', 'tie (2/2)']);
      assert.deepEqual(lines.map((l) => l.result), [...Array<string>(6).fill('win'), 'loss', 'loss', 'tie', 'tie']);
      assert.equal(lines[0]?.question, 'How do I renew a driver\'s licence?');
      assert.ok(lines.every((l) => l.candidate === 'ft' && l.baseline === 'base' && l.error === undefined));
      assert.deepEqual([lines[0].candidateFirst?.verdict, lines[0].baselineFirst?.verdict], ['A', 'B']);
      assert.match(lines[0].candidateFirst?.reasoning ?? '', /Comparing both answers/);

      const sidecar = file(path.join('.tunelab', 'marked.results.jsonl.verdicts.json'));
      assert.ok(existsSync(sidecar), 'the sidecar is where the editor looks');
      const cache = sidecarOf(file('marked.results.jsonl'));
      assert.deepEqual(cache.setup, { judge: 'judge/judge-model', endpoint: 'judge', rubricName: 'league', rubric: LEAGUE_RUBRIC, candidate: 0, baseline: 1 });
      assert.equal(cache.verdicts.size, 20);
      assert.equal(cache.runs.length, 1);
      assert.deepEqual(
        [cache.runs[0]?.judge, cache.runs[0]?.rubricName, cache.runs[0]?.candidate, cache.runs[0]?.baseline, cache.runs[0]?.wins, cache.runs[0]?.ties, cache.runs[0]?.losses, cache.runs[0]?.errors, cache.runs[0]?.adjustedWinRate, cache.runs[0]?.winRate],
        ['judge/judge-model', 'league', 'ft', 'base', 6, 2, 2, 0, 0.7, 0.6],
      );
    });
  });

  void it('a second run asks the judge nothing and prints the same figures; the sidecar then has two runs; --json parses', async () => {
    await withRig('marked', async ({ run, file, fixture, peer }) => {
      fixture('marked.results.jsonl');
      const first = await run(argsFor('marked.results.jsonl'));
      assert.equal(first.code, 0, first.err);
      const sent = peer.requests.length;

      const again = await run(argsFor('marked.results.jsonl', '--out', 'verdicts.jsonl'));
      assert.equal(again.code, 0, again.err);
      assert.equal(peer.requests.length, sent, 'every verdict came from the cache');
      const withoutRequests = (out: string): string => out.split('\n').filter((l) => !l.startsWith('  judge requests ')).join('\n');
      assert.equal(withoutRequests(again.out), withoutRequests(first.out));
      assert.equal(tableRow(again.out, 'judge requests'), '0 (20 verdicts from the cache)');
      assert.equal(verdictLines(file('verdicts.jsonl')).length, 10, '--out is written from cached verdicts too');
      assert.equal(sidecarOf(file('marked.results.jsonl')).runs.length, 2);

      const json = await run(argsFor('marked.results.jsonl', '--json'));
      assert.equal(json.code, 0, json.err);
      assert.equal(json.out.split('\n').length, 2, 'one line');
      const report = JSON.parse(json.out) as Record<string, unknown>;
      assert.deepEqual(
        [report['wins'], report['ties'], report['losses'], report['n'], report['errors'], report['skipped'], report['winRate'], report['adjustedWinRate'], report['requests'], report['cancelled']],
        [6, 2, 2, 10, 0, 0, 0.6, 0.7, 0, false],
      );
      assert.deepEqual([report['candidate'], report['baseline'], report['judge'], report['rubric']], [{ column: 1, endpoint: 'ft' }, { column: 2, endpoint: 'base' }, { endpoint: 'judge', name: 'judge/judge-model' }, 'league']);
      assert.match(String(report['summary']), SUMMARY);
      assert.deepEqual([report['warnings'], report['problems']], [[], []]);
      assert.ok(Array.isArray(report['interval']));
      assert.ok(Array.isArray(report['winInterval']));
      assert.equal(sidecarOf(file('marked.results.jsonl')).runs.length, 3);
    });
  });

  void it('a judge that always picks the first answer gives only ties and a position-bias warning; progress shows on a terminal', async () => {
    await withRig('first', async ({ run, file }) => {
      writeFileSync(file('eval.results.jsonl'), resultsText(rows(12, (i) => `Candidate answer ${i}.`, (i) => `Baseline answer ${i}.`)));
      const r = await run(argsFor('eval.results.jsonl'), { hooks: { progress: true } });
      assert.equal(r.code, 0, r.err);
      assert.match(r.out, /^W 0 · T 12 · L 0 — wins 0% \(0–0%\) · adjusted 50% /m);
      assert.equal(tableRow(r.out, 'position disagreement'), '100%');
      assert.match(r.out, /^warning: Position bias: the two orders disagreed on 100% of questions/m);
      assert.ok(r.err.startsWith('judged 0/12') && r.err.includes('\rjudged 12/12') && r.err.endsWith('\r\x1b[K'), JSON.stringify(r.err));
    });
  });

  void it('a judge that always picks the longer answer gets a length-bias warning', async () => {
    await withRig('longer', async ({ run, file }) => {
      const long = (i: number): string => `A long and detailed answer, padded with words, number ${i}: ${'more words '.repeat(20)}`;
      const short = (i: number): string => `Short answer ${i}.`;
      writeFileSync(file('eval.results.jsonl'), resultsText(rows(20, (i) => (i < 14 ? long(i) : short(i)), (i) => (i < 14 ? short(i) : long(i)))));
      const r = await run(argsFor('eval.results.jsonl'));
      assert.equal(r.code, 0, r.err);
      assert.match(r.out, /^W 14 · T 0 · L 6 — /m);
      assert.match(r.out, /^warning: Length bias: the longer answer won 20 of 20 decided questions/m);
      assert.doesNotMatch(r.out, /Position bias/);
    });
  });

  void it('--rubric human sends the human-preference rubric; a rubric file is used as written', async () => {
    await withRig('marked', async ({ run, file, fixture, peer }) => {
      fixture('marked.results.jsonl');
      const league = await run(argsFor('marked.results.jsonl'));
      assert.equal(league.code, 0, league.err);
      assert.ok(peer.chatBodies.every((b) => !systemOf(b).includes('Empathy')));

      const before = peer.chatBodies.length;
      const human = await run(argsFor('marked.results.jsonl', '--rubric', 'human'));
      assert.equal(human.code, 0, human.err);
      const bodies = peer.chatBodies.slice(before);
      assert.equal(bodies.length, 20, 'another rubric judges again');
      assert.ok(bodies.every((b) => systemOf(b).includes('Empathy: when the question shows worry')), systemOf(bodies[0] ?? {}));
      assert.match(human.out, /judged by judge\/judge-model with the human rubric$/m);
      assert.deepEqual([sidecarOf(file('marked.results.jsonl')).setup?.rubricName, sidecarOf(file('marked.results.jsonl')).setup?.rubric], ['human', HUMAN_PREFERENCE_RUBRIC]);

      fixture('rubric.tlprompt', 'next-steps.tlprompt');
      const own = await run(argsFor('marked.results.jsonl', '--rubric', 'next-steps.tlprompt'));
      assert.equal(own.code, 0, own.err);
      assert.ok(peer.chatBodies.slice(before + 20).every((b) => systemOf(b).startsWith('You are a strict judge of next steps.') && b['max_tokens'] === 600));
      assert.match(own.out, /^W 6 · T 2 · L 2 /m);
      assert.equal(sidecarOf(file('marked.results.jsonl')).setup?.rubricName, 'next-steps.tlprompt');
    });
  });

  void it('questions the judge gives no verdict on are errors: exit 1, listed as line N, in --out, and not counted', async () => {
    const policy: JudgePolicy = (r) => (r.question.endsWith(' 1?') || r.question.endsWith(' 3?') ? 'Both answers have merit.' : r.answerA.startsWith('[good]') ? 'A is better.\n[[A]]' : 'B is better.\n[[B]]');
    await withRig(policy, async ({ run, file }) => {
      writeFileSync(file('eval.results.jsonl'), resultsText(rows(5, (i) => `[good] Candidate ${i}.`, (i) => `Baseline ${i}.`)));
      const r = await run(argsFor('eval.results.jsonl', '--out', 'verdicts.jsonl'));
      assert.equal(r.code, 1, r.err);
      assert.match(r.out, /^W 3 · T 0 · L 0 — wins 100% \(100–100%\) · adjusted 100%/m);
      assert.deepEqual([tableRow(r.out, 'judged'), tableRow(r.out, 'errors')], ['3', '2']);
      assert.match(r.out, /^line 2: Candidate first: .*Asked again: The judge gave no verdict: .*\]\]\.$/m);
      assert.match(r.out, /^line 4: Candidate first: /m);
      assert.match(r.err, /2 questions of 5 could not be judged \(see the lines listed above\)\. Running again asks the judge about them again\./);
      const lines = verdictLines(file('verdicts.jsonl'));
      assert.deepEqual(lines.map((l) => [l.line, l.error === undefined ? l.label : 'error']), [[1, 'A wins (2/2)'], [2, 'error'], [3, 'A wins (2/2)'], [4, 'error'], [5, 'A wins (2/2)']]);
      assert.equal(sidecarOf(file('eval.results.jsonl')).runs[0]?.errors, 2);
    });

    await withRig(() => 'I cannot decide.', async ({ run, file }) => {
      writeFileSync(file('eval.results.jsonl'), resultsText(rows(3, (i) => `Candidate ${i}.`, (i) => `Baseline ${i}.`)));
      const r = await run(argsFor('eval.results.jsonl'));
      assert.equal(r.code, 1);
      assert.match(r.out, /^W 0 · T 0 · L 0 — no questions judged$/m);
      assert.equal((r.out.match(/^line \d+: /gm) ?? []).length, 3);
      assert.match(r.err, /The judge judged none of them/);
    });
  });

  void it('lines that are broken or whose answer failed are skipped and listed; the others are judged', async () => {
    await withRig('marked', async ({ run, file, fixture, peer }) => {
      fixture('problems.results.jsonl');
      const r = await run(argsFor('problems.results.jsonl', '--out', 'verdicts.jsonl'));
      assert.equal(r.code, 0, r.err);
      assert.match(r.out, /^W 2 · T 0 · L 1 — /m);
      assert.deepEqual([tableRow(r.out, 'judged'), tableRow(r.out, 'errors'), tableRow(r.out, 'skipped lines')], ['3', '0', '2']);
      assert.match(r.out, /^line 3: The line is not valid JSON \(.*\)\.$/m);
      assert.match(r.out, /^line 5: Not judged: column 2's answer failed \(Endpoint "base" had a server error \(500\)\.\)\.$/m);
      assert.equal(peer.chatBodies.length, 6);
      assert.deepEqual(verdictLines(file('verdicts.jsonl')).map((l) => l.line), [1, 2, 4]);

      // Many problems: the first 20 are listed, the rest counted.
      writeFileSync(file('many.results.jsonl'), `${'{"question": \n'.repeat(25)}${resultsText(rows(1, () => '[good] Yes.', () => 'No.'))}`);
      const many = await run(argsFor('many.results.jsonl', '--json'));
      assert.equal(many.code, 0, many.err);
      assert.equal((JSON.parse(many.out) as { problems: unknown[] }).problems.length, 25, '--json lists every line');
      const text = await run(argsFor('many.results.jsonl'));
      assert.equal((text.out.match(/^line \d+: /gm) ?? []).length, 20);
      assert.match(text.out, /^… and 5 more$/m);

      // Nothing left to judge: exit 1, nothing asked.
      const sent = peer.requests.length;
      writeFileSync(file('failed.results.jsonl'), resultsText(rows(2, () => '[good] Yes.', () => ' ')));
      const none = await run(argsFor('failed.results.jsonl'));
      assert.equal(none.code, 1);
      assert.match(none.out, /^line 2: Not judged: column 2's answer is empty\.$/m);
      assert.match(none.err, /nothing to judge: every line of failed\.results\.jsonl was skipped/);
      assert.equal(peer.requests.length, sent);
    });
  });

  void it('reports usage errors with exit 2 and sends nothing', async () => {
    await withRig('marked', async ({ run, file, fixture, peer, dir }) => {
      fixture('marked.results.jsonl');
      fixture('bad-rubric.tlprompt');
      writeFileSync(file('empty.results.jsonl'), '\n');
      writeFileSync(file('notes.jsonl'), '{"instruction": "Hi", "context": "", "response": "Hello"}\n');
      const cases: [string[], RegExp][] = [
        [['--endpoints', 'endpoints.json', '--judge', 'judge'], /--eval is missing: the results file of an eval run to judge/],
        [['--eval', 'marked.results.jsonl', '--endpoints', 'endpoints.json'], /--judge is missing: the id of the endpoint that judges/],
        [argsFor('marked.results.jsonl').map((a) => (a === 'judge' ? 'nope' : a)), /no endpoint "nope": the endpoints in endpoints\.json are judge, gpt\./],
        [argsFor('marked.results.jsonl', '--candidate', '3'), /--candidate 3: marked\.results\.jsonl has no column 3; its columns are 1 \(ft\), 2 \(base\)\./],
        [argsFor('marked.results.jsonl', '--baseline', '5'), /--baseline 5: marked\.results\.jsonl has no column 5; its columns are 1 \(ft\), 2 \(base\)\./],
        [argsFor('marked.results.jsonl', '--candidate', '2', '--baseline', '2'), /--candidate and --baseline are both column 2: name two different columns/],
        [argsFor('marked.results.jsonl', '--baseline', '1'), /--candidate and --baseline are both column 1/],
        [argsFor('marked.results.jsonl', '--candidate', '0'), /--candidate takes a column number from 1, e\.g\. --candidate 1 \(got '0'\)/],
        [argsFor('marked.results.jsonl').map((a) => (a === 'judge' ? 'gpt' : a)), /endpoint "gpt" \(OpenAI\) needs an API key: set TUNELAB_API_KEY_GPT in the environment\./],
        [argsFor('missing.results.jsonl'), /cannot read the results file missing\.results\.jsonl: no such file\. Check the path/],
        [argsFor('empty.results.jsonl'), /empty\.results\.jsonl has no results rows: there is nothing to judge/],
        [argsFor('notes.jsonl'), /notes\.jsonl has no results rows \(line 1: The line is not a results row: .*\) Name the <name>\.results\.jsonl file an eval run wrote\./],
        [argsFor('marked.results.jsonl', '--rubric', 'strict'), /--rubric strict: no such rubric or file\. Use league, human, or the path of a rubric prompt file/],
        [argsFor('marked.results.jsonl', '--rubric', 'bad-rubric.tlprompt'), /--rubric bad-rubric\.tlprompt: The prompt uses \{\{audience\}\}, which has no value here/],
        [argsFor('marked.results.jsonl', '--out', 'marked.results.jsonl'), /--out marked\.results\.jsonl is the results file itself/],
        [argsFor('marked.results.jsonl', '--concurrency', '0'), /--concurrency takes a whole number from 1 to 256/],
        [argsFor('marked.results.jsonl', '--seed=-3'), /--seed takes a whole number from 0 to 2147483647, e\.g\. --seed 7 \(got '-3'\)/],
        [argsFor('marked.results.jsonl', '--colour'), /unknown option '--colour'/],
        [[...argsFor('marked.results.jsonl'), 'extra.jsonl'], /unexpected argument 'extra\.jsonl'\. Name the results file with --eval/],
        [['--eval', 'marked.results.jsonl', '--judge', 'judge'], /no endpoints file: pass --endpoints <file>/],
      ];
      for (const [args, expected] of cases) {
        const r = await run(args);
        assert.equal(r.code, 2, `${args.join(' ')}: ${r.err}`);
        assert.match(r.err, expected);
        assert.equal(r.out, '');
      }
      assert.equal(peer.requests.length, 0);
      assert.ok(!existsSync(path.join(dir, '.tunelab')), 'no sidecar is made');
    });
  });

  void it('sends the key from TUNELAB_API_KEY_<ID> and never prints it, nor a key the server refuses', async () => {
    await withRig('marked', async ({ run, file, fixture, peer }) => {
      fixture('marked.results.jsonl');
      const gpt = (...more: string[]): string[] => argsFor('marked.results.jsonl', ...more).map((a) => (a === 'judge' ? 'gpt' : a));

      // A key the server refuses: the judge fails on every question (exit 1), and the key is still never shown.
      const wrong = await run(gpt(), { env: { TUNELAB_API_KEY_GPT: 'sk-wrong-key-for-this-peer' } });
      assert.equal(wrong.code, 1, wrong.err);
      assert.equal(tableRow(wrong.out, 'errors'), '10');
      assert.match(wrong.err, /10 questions of 10 could not be judged.*The judge judged none of them/);
      assert.equal(peer.requests[peer.requests.length - 1]?.headers.authorization, 'Bearer sk-wrong-key-for-this-peer');
      assert.ok(!`${wrong.out}${wrong.err}`.includes('sk-wrong-key-for-this-peer'));

      const sent = peer.requests.length;
      const env = { TUNELAB_API_KEY_GPT: KEY, TUNELAB_API_KEY: 'sk-general-key-000', OPENAI_API_KEY: 'sk-openai-key-000' };
      const r = await run(gpt('--out', 'verdicts.jsonl'), { env });
      assert.equal(r.code, 0, r.err);
      assert.match(r.out, /judged by gpt\/gpt-4o-mini/);
      const mine = peer.requests.slice(sent);
      assert.ok(mine.length > 0);
      for (const req of mine) assert.equal(req.headers.authorization, `Bearer ${KEY}`);
      const sidecar = readFileSync(verdictsPathFor(file('marked.results.jsonl')), 'utf8');
      for (const text of [r.out, r.err, sidecar, readFileSync(file('verdicts.jsonl'), 'utf8')]) assert.ok(!text.includes(KEY));
    }, { apiKey: KEY });
  });

  void it('never overwrites a sidecar it cannot read: its bytes stay as they were, with a warning', async () => {
    await withRig('marked', async ({ run, file, fixture, dir }) => {
      fixture('marked.results.jsonl');
      const sidecar = verdictsPathFor(file('marked.results.jsonl'));
      mkdirSync(path.dirname(sidecar), { recursive: true });
      for (const damaged of ['{"version": 1, "verdicts": {"0123', '{"version": 2, "verdicts": {}}\n', '{"version": 1, "verdicts": {"not-a-key": {"verdict": "A", "reasoning": ""}}}\n']) {
        writeFileSync(sidecar, damaged);
        const before = readFileSync(sidecar);
        const r = await run(argsFor('marked.results.jsonl'));
        assert.equal(r.code, 0, r.err);
        assert.match(r.out, /^W 6 · T 2 · L 2 /m);
        assert.match(r.err, /^tunelab: warning: \.tunelab\/marked\.results\.jsonl\.verdicts\.json: .*the verdict cache /im);
        assert.match(r.err, /^tunelab: warning: \.tunelab\/marked\.results\.jsonl\.verdicts\.json is left as it is, so this run's verdicts are not cached in it\. Fix or delete it\.$/m);
        assert.ok(readFileSync(sidecar).equals(before), damaged);
      }

      // One that cannot be read at all (here a directory in its place) is left alone too.
      rmSync(sidecar);
      mkdirSync(sidecar);
      const r = await run(argsFor('marked.results.jsonl'));
      assert.equal(r.code, 0, r.err);
      assert.match(r.err, /cannot read \.tunelab\/marked\.results\.jsonl\.verdicts\.json \(it is a directory\); it is left as it is/);
      assert.ok(existsSync(path.join(dir, '.tunelab', 'marked.results.jsonl.verdicts.json')));
    });
  });

  void it('Ctrl+C stops the run: exit 130, the verdicts so far are cached and in --out, and the next run asks only for the rest', async () => {
    await withRig('marked', async ({ run, file, fixture, peer }) => {
      fixture('marked.results.jsonl');
      const controller = new AbortController();
      const stopped = await run(argsFor('marked.results.jsonl', '--concurrency', '1', '--out', 'verdicts.jsonl'), {
        hooks: { signal: controller.signal, onJudged: (n) => { if (n === 3) controller.abort(); } },
      });
      assert.equal(stopped.code, 130, stopped.err);
      assert.match(stopped.err, /Stopping: /);
      assert.match(stopped.err, /Cancelled: 3 of 10 questions judged\. The verdicts given so far are cached: run the same command again to judge the rest\./);
      assert.match(stopped.out, /^W 3 · T 0 · L 0 — /m);
      assert.deepEqual(verdictLines(file('verdicts.jsonl')).map((l) => l.line), [1, 2, 3]);
      const cache = sidecarOf(file('marked.results.jsonl'));
      assert.equal(cache.verdicts.size, 6);
      assert.equal(cache.runs.length, 0, 'a stopped run is not in the history');
      assert.equal(cache.setup?.judge, 'judge/judge-model');

      const sent = peer.chatBodies.length;
      const rest = await run(argsFor('marked.results.jsonl'));
      assert.equal(rest.code, 0, rest.err);
      assert.equal(peer.chatBodies.length - sent, 14);
      assert.match(rest.out, /^W 6 · T 2 · L 2 /m);
      assert.equal(sidecarOf(file('marked.results.jsonl')).runs.length, 1);
    });
  });

  void it('has help with every option and an example, and is listed in tunelab --help', async () => {
    let out = '';
    const code = await runCli(['judge', '--help'], { out: (t) => { out += t; }, err: () => undefined });
    assert.equal(code, 0);
    for (const option of ['--eval', '--judge', '--candidate', '--baseline', '--rubric', '--out', '--json', '--seed', '--concurrency', '--endpoints']) {
      assert.match(out, new RegExp(`^  ${option} `, 'm'), option);
    }
    assert.match(out, /Example:\n {2}TUNELAB_API_KEY_GPT=.* tunelab judge --eval /);
    assert.match(out, /^Exit codes: 0 /m);
    assert.match(HELP, /^ {2}judge {7}/m);
  });
});

// ---------------------------------------------------------------------------------------------
// Keys and terminals: which Authorization header the peer received, and the bytes printed.

/** A C0 or C1 control character other than the line feed: nothing from data may print one raw. */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;

void describe('tunelab judge: keys and terminal output', () => {
  void it('sends a generic key only to OpenAI\'s own API: the compatible judge gets none, with a warning', async () => {
    await withRig('marked', async ({ run, fixture, peer }) => {
      fixture('marked.results.jsonl');
      const generic = { TUNELAB_API_KEY: 'sk-generic-tunelab-0002', OPENAI_API_KEY: 'sk-generic-openai-0002' };
      const r = await run(argsFor('marked.results.jsonl'), { env: generic });
      assert.equal(r.code, 0, r.err);
      assert.ok(peer.requests.length > 0);
      for (const req of peer.requests) assert.equal(req.headers.authorization, 'Bearer none');
      assert.match(r.err, /^tunelab: warning: endpoint "judge" \(OpenAI-compatible server\) gets no key \(TUNELAB_API_KEY or OPENAI_API_KEY are set but only sent to OpenAI's own API/m);

      const sent = peer.requests.length;
      const gpt = await run(argsFor('marked.results.jsonl').map((a) => (a === 'judge' ? 'gpt' : a)), { env: { OPENAI_API_KEY: generic.OPENAI_API_KEY } });
      assert.equal(gpt.code, 2, gpt.err);
      assert.match(gpt.err, /^tunelab judge: endpoint "gpt" \(OpenAI\) needs an API key: set TUNELAB_API_KEY_GPT in the environment \(OPENAI_API_KEY is set but only sent to OpenAI's own API/m);
      assert.equal(peer.requests.length, sent);
    });
  });

  void it('prints endpoint names from the results file, skipped answers\' errors and the server\'s words with their terminal escapes escaped; --json keeps them exact', async () => {
    const candidate = 'ft\u001b[31m';
    const baseline = 'base\u009b2J\nfake';
    const failure = 'boom \u001b]52;c;Y3VybCBldmlsfHNo\u0007';
    const text = [0, 1, 2].map((i) => `${resultsLine({
      question: `How do I renew permit ${i}?`,
      source: { file: 'eval.jsonl', line: i + 1 },
      columnsKey: '0123456789abcdef',
      answers: [
        { column: 0, endpoint: candidate, system: '', parameters: {}, text: '[good] Yes.', finish: 'stop' },
        { column: 1, endpoint: baseline, system: '', parameters: {}, text: 'No.', finish: 'stop', ...(i === 2 ? { error: failure } : {}) },
      ],
    })}\n`).join('');
    const marked = judgeResponder('marked');
    const responder = (body: Record<string, unknown>): PeerReply => (judgeRequestOf(body).question.includes('permit 1')
      ? { status: 403, error: { message: 'denied \u001b[2J\u202e', type: 'invalid_request_error' } }
      : marked(body));
    await withRig('marked', async ({ run, file }) => {
      writeFileSync(file('esc.results.jsonl'), text);
      const r = await run(argsFor('esc.results.jsonl'));
      assert.equal(r.code, 1, r.err);
      for (const t of [r.out, r.err]) assert.ok(!RAW_CONTROL.test(t) && !t.includes('\u202e'), JSON.stringify(t));
      assert.match(r.out, /^A: ft\\u001b\[31m \(column 1\) vs B: base\\u009b2J\\nfake \(column 2\) — esc\.results\.jsonl, judged by judge\/judge-model with the league rubric$/m);
      assert.match(r.out, /^line 2: Candidate first: Endpoint "judge" refused access \(403\)\. The server said: "denied \\u001b\[2J\\u202e"/m);
      assert.match(r.out, /^line 3: Not judged: column 2's answer failed \(boom \\u001b\]52;c;Y3VybCBldmlsfHNo\\u0007\)\.$/m);

      const json = await run(argsFor('esc.results.jsonl', '--json'));
      assert.ok(!RAW_CONTROL.test(json.out), json.out);
      const report = JSON.parse(json.out) as { candidate: { endpoint: string }; baseline: { endpoint: string }; problems: { message: string }[] };
      assert.deepEqual([report.candidate.endpoint, report.baseline.endpoint], [candidate, baseline]);
      assert.ok(report.problems.some((p) => p.message.includes(failure)));
    }, { responder });
  });
});
