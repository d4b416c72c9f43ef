import assert from 'node:assert/strict';
import { spawn, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import Ajv from 'ajv';
import { runLint, StreamingLint } from '../../src/cli/lint';
import { LineSplitter } from '../../src/core/jsonl/lines';
import { resolveSettings } from '../../src/core/lint/config';
import type { OutStream } from '../../src/cli/output';

/** The repo root: above the compiled test (out/test/unit), else the current directory's (test bundles built elsewhere). */
function findRepoRoot(): string {
  for (const start of [__dirname, process.cwd()]) {
    for (let dir = start; ; dir = path.dirname(dir)) {
      if (existsSync(path.join(dir, 'package.json')) && existsSync(path.join(dir, 'test/fixtures/cli'))) return dir;
      if (path.dirname(dir) === dir) break;
    }
  }
  throw new Error('run the tests from the repository');
}
const repoRoot = findRepoRoot();
/** The CLI under test: dist/cli.js, or the bundle named by TUNELAB_CLI. */
const cliPath = process.env.TUNELAB_CLI ?? path.join(repoRoot, 'dist', 'cli.js');
const fixtures = 'test/fixtures/cli';
const fixture = (name: string): string => `${fixtures}/${name}`;

function tunelab(args: readonly string[], options: { cwd?: string; env?: Record<string, string> } = {}): SpawnSyncReturns<string> {
  const result = spawnSync(process.execPath, [cliPath, ...args], {
    cwd: options.cwd ?? repoRoot,
    encoding: 'utf8',
    timeout: 60_000,
    maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, NO_COLOR: '1', ...options.env },
  });
  if (result.error) throw result.error;
  return result;
}

/** The finding lines of text output (everything but the summary). */
function findingLines(stdout: string): string[] {
  return stdout.split('\n').filter((l) => l !== '' && !/^\d+ problems? \(/.test(l));
}

/** `path:line:col: severity rule` of each finding line. */
function locations(stdout: string): string[] {
  return findingLines(stdout).map((l) => {
    const m = /^(.*?:\d+:\d+): (\w+) ([\w-]+): /.exec(l);
    assert.ok(m, `a finding line: ${l}`);
    return `${m[1] ?? ''} ${m[2] ?? ''} ${m[3] ?? ''}`;
  });
}

function summary(stdout: string): string {
  return stdout.split('\n').filter((l) => /^\d+ problems? \(/.test(l)).join('\n');
}

interface JsonFinding { file: string; line: number; column: number; endColumn: number; severity: string; rule: string; message: string }

void describe('tunelab lint', () => {
  void it('passes a clean JumpStart dataset read with the keys of its template.json: exit 0', () => {
    const r = tunelab(['lint', fixture('jumpstart/train.jsonl')]);
    assert.equal(r.stderr, '');
    assert.equal(r.stdout, '0 problems (0 errors, 0 warnings, 0 infos) in 1 file · 4 rows\n');
    assert.equal(r.status, 0);
  });

  void it('reports each problem as path:line:col (1-based) in line order, with a summary, and exits 1 on errors', () => {
    const file = fixture('problems.jsonl');
    const r = tunelab(['lint', file]);
    assert.equal(r.status, 1, r.stderr);
    assert.deepEqual(locations(r.stdout), [
      `${file}:2:84 warning leaked-header`,
      `${file}:3:1 warning blank-line`,
      `${file}:4:64 error json-syntax`,
      `${file}:6:17 warning duplicate`,
    ]);
    const lines = findingLines(r.stdout);
    assert.match(lines[0] ?? '', /: warning leaked-header: The answer starts with .*### Answer:/);
    assert.match(lines[3] ?? '', /Same record as line 5\b/, 'the duplicate names the earlier copy');
    assert.equal(summary(r.stdout), '4 problems (1 error, 3 warnings, 0 infos) in 1 file · 7 rows');
    assert.equal(r.stderr, '');
  });

  void it('exits 0 with only warnings, and 1 once they exceed --max-warnings', () => {
    const file = fixture('warnings.jsonl');
    const plain = tunelab(['lint', file]);
    assert.equal(plain.status, 0, plain.stderr);
    assert.deepEqual(locations(plain.stdout), [`${file}:2:84 warning leaked-header`]);
    assert.equal(tunelab(['lint', '--max-warnings', '1', file]).status, 0);
    const strict = tunelab(['lint', '--max-warnings', '0', file]);
    assert.equal(strict.status, 1);
    assert.match(strict.stderr, /1 warnings?, more than --max-warnings 0/);
  });

  void it('--rule id=severity changes a rule: off silences it, error makes it fail', () => {
    const file = fixture('warnings.jsonl');
    const off = tunelab(['lint', '--rule', 'leaked-header=off', '--max-warnings', '0', file]);
    assert.equal(off.status, 0, off.stderr);
    assert.deepEqual(findingLines(off.stdout), []);
    const error = tunelab(['lint', file, '--rule', 'leaked-header=error']);
    assert.equal(error.status, 1);
    assert.deepEqual(locations(error.stdout), [`${file}:2:84 error leaked-header`]);
  });

  void it('refuses a bad --rule with exit 2, naming what is wrong', () => {
    const file = fixture('warnings.jsonl');
    for (const [value, what] of [['no-such-rule=error', /unknown rule 'no-such-rule'/], ['pii=loud', /unknown severity 'loud'.*error, warning, info, hint, off/], ['pii', /id=severity/], ['unchecked=off', /'unchecked' cannot be changed|"unchecked" cannot be changed: a row a check could not finish is always an error/]] as const) {
      const r = tunelab(['lint', '--rule', value, file]);
      assert.equal(r.status, 2, value);
      assert.equal(r.stdout, '');
      assert.match(r.stderr, what);
      assert.match(r.stderr, /tunelab lint --help/);
    }
  });

  void it('usage errors exit 2: no files, an unknown option, an unknown output or dataset format, a bad --max-warnings', () => {
    const cases: [string[], RegExp][] = [
      [['lint'], /no files to lint/],
      [['lint', '--frobnicate', fixture('warnings.jsonl')], /unknown option '--frobnicate'/],
      [['lint', '--format', 'xml', fixture('warnings.jsonl')], /unknown output format/],
      [['lint', '--dataset-format', 'csv', fixture('warnings.jsonl')], /unknown dataset format.*jumpstart-instruction/],
      [['lint', '--max-warnings', 'many', fixture('warnings.jsonl')], /--max-warnings takes a whole number/],
      [['lint', fixture('warnings.jsonl'), '--format'], /'--format' needs a value/],
    ];
    for (const [args, message] of cases) {
      const r = tunelab(args);
      assert.equal(r.status, 2, args.join(' '));
      assert.equal(r.stdout, '');
      assert.match(r.stderr, message);
    }
  });

  void it('--help prints the lint usage and exits 0; the main help lists lint', () => {
    const r = tunelab(['lint', '--help']);
    assert.equal(r.status, 0);
    assert.match(r.stdout, /^Usage: tunelab lint <files…> \[options\]/);
    for (const option of ['--format', '--max-warnings', '--rule', '--dataset-format', '--no-near-duplicates', '--config']) assert.ok(r.stdout.includes(option), option);
    assert.match(tunelab(['--help']).stdout, /^ {2}lint {2,}\S/m);
  });

  void it('a missing file is exit 2 with a message on stderr; the other files are still linted', () => {
    const r = tunelab(['lint', 'no/such/file.jsonl', fixture('warnings.jsonl')]);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /cannot read no\/such\/file\.jsonl: no such file\. Check the path/);
    assert.deepEqual(locations(r.stdout), [`${fixture('warnings.jsonl')}:2:84 warning leaked-header`]);
    assert.equal(summary(r.stdout), '1 problem (0 errors, 1 warning, 0 infos) in 1 file · 3 rows');
  });

  void it('a directory is not a dataset: exit 2, saying to name its files', () => {
    const r = tunelab(['lint', fixtures]);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /is a directory\. Name the dataset files in it/);
  });

  void it('reads a UTF-8 BOM and CRLF line ends: columns do not count the BOM, rows are lines', () => {
    const file = fixture('crlf-bom.jsonl');
    const r = tunelab(['lint', file]);
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(locations(r.stdout), [`${file}:1:84 warning leaked-header`]);
    assert.match(summary(r.stdout), / · 3 rows$/);
  });

  void it('a last line without a final newline is linted, and no blank line is invented', () => {
    const file = fixture('no-final-newline.jsonl');
    const r = tunelab(['lint', file]);
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(locations(r.stdout), [`${file}:3:84 warning leaked-header`]);
    assert.match(summary(r.stdout), / · 3 rows$/);
  });

  void it('a broken template.json is a warning naming the file; the default keys apply', () => {
    const r = tunelab(['lint', fixture('broken-template/train.jsonl')]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /^tunelab: warning: test\/fixtures\/cli\/broken-template\/template\.json: /m);
    assert.deepEqual(findingLines(r.stdout), []);
  });

  void it('reads tunelab.jsonc from the current directory upwards, warning about its problems; --config names one', () => {
    const fromProject = tunelab(['lint', 'leaky.jsonl', '--max-warnings', '0'], { cwd: path.join(repoRoot, fixtures, 'project') });
    assert.equal(fromProject.status, 0, fromProject.stderr);
    assert.deepEqual(findingLines(fromProject.stdout), [], 'leaked-header is off in the project file');
    assert.match(fromProject.stderr, /^tunelab: warning: tunelab\.jsonc: unknown rule "no-such-rule"/m);

    const fromRoot = tunelab(['lint', fixture('project/leaky.jsonl')]);
    assert.deepEqual(locations(fromRoot.stdout), [`${fixture('project/leaky.jsonl')}:2:84 warning leaked-header`], 'no project file above the repo root');

    const named = tunelab(['lint', '--config', fixture('project/tunelab.jsonc'), fixture('project/leaky.jsonl')]);
    assert.deepEqual(findingLines(named.stdout), []);
    assert.match(named.stderr, /test\/fixtures\/cli\/project\/tunelab\.jsonc: unknown rule "no-such-rule"/);

    const flagWins = tunelab(['lint', '--config', fixture('project/tunelab.jsonc'), '--rule', 'leaked-header=warning', fixture('project/leaky.jsonl')]);
    assert.deepEqual(locations(flagWins.stdout), [`${fixture('project/leaky.jsonl')}:2:84 warning leaked-header`], '--rule is applied after the file');

    const missing = tunelab(['lint', '--config', 'nowhere/tunelab.jsonc', fixture('project/leaky.jsonl')]);
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /cannot read the configuration file nowhere\/tunelab\.jsonc/);
  });

  void it('--dataset-format fixes the format: JumpStart lines checked as OpenAI chat are mixed-format errors', () => {
    const file = fixture('warnings.jsonl');
    const r = tunelab(['lint', '--dataset-format', 'openai-chat', file]);
    assert.equal(r.status, 1, r.stderr);
    // Three lines are also fewer than OpenAI's minimum of 10 examples: reported at the end, on line 1.
    assert.deepEqual(locations(r.stdout).filter((l) => !l.endsWith('leaked-header')), [...[1, 2, 3].map((n) => `${file}:${n}:1 error mixed-format`), `${file}:1:1 error too-few-examples`]);
    assert.match(findingLines(r.stdout)[0] ?? '', /the file is OpenAI chat/);
  });

  void it('--format json prints one JSON object per finding per line, 1-based, and the summary on stderr', () => {
    const file = fixture('problems.jsonl');
    const r = tunelab(['lint', '--format', 'json', file]);
    assert.equal(r.status, 1);
    const lines = r.stdout.split('\n');
    assert.equal(lines.pop(), '', 'every object ends with a line break');
    const findings = lines.map((l) => JSON.parse(l) as JsonFinding);
    assert.deepEqual(findings.map((f) => Object.keys(f)), findings.map(() => ['file', 'line', 'column', 'endColumn', 'severity', 'rule', 'message']));
    assert.deepEqual(findings.map(({ file: f, line, column, endColumn, severity, rule }) => [f, line, column, endColumn, severity, rule]), [
      [file, 2, 84, 95, 'warning', 'leaked-header'],
      [file, 3, 1, 1, 'warning', 'blank-line'],
      [file, 4, 64, 65, 'error', 'json-syntax'],
      [file, 6, 17, 63, 'warning', 'duplicate'],
    ]);
    assert.match(r.stderr, /^4 problems \(1 error, 3 warnings, 0 infos\) in 1 file · 7 rows$/m);
  });

  void describe('--format sarif', () => {
    const schema = JSON.parse(readFileSync(path.join(repoRoot, fixtures, 'sarif-2.1.0-subset.schema.json'), 'utf8')) as object;
    const ajv = new Ajv({ allErrors: true });
    const isUri = (s: string, base?: string): boolean => {
      try {
        return new URL(s, base).href !== '';
      } catch {
        return false;
      }
    };
    ajv.addFormat('uri', (s: string) => isUri(s));
    ajv.addFormat('uri-reference', (s: string) => isUri(s, 'file:///base/'));
    const validate = ajv.compile(schema);

    interface Region { startLine: number; startColumn: number; endColumn: number }
    interface Loc { id?: number; physicalLocation: { artifactLocation: { uri: string; uriBaseId?: string }; region: Region }; message?: { text: string } }
    interface Log {
      $schema: string;
      version: string;
      runs: {
        tool: { driver: { name: string; version: string; informationUri?: string; rules: { id: string; shortDescription: { text: string }; defaultConfiguration: { level: string } }[] } };
        originalUriBaseIds: Record<string, { uri: string }>;
        results: { ruleId: string; ruleIndex: number; level: string; message: { text: string }; locations: Loc[]; relatedLocations?: Loc[] }[];
        invocations: { executionSuccessful: boolean }[];
      }[];
    }

    void it('is a valid SARIF 2.1.0 log with the rules, levels, 1-based regions and %SRCROOT%-relative paths', () => {
      const file = fixture('problems.jsonl');
      const r = tunelab(['lint', '--format', 'sarif', file]);
      assert.equal(r.status, 1);
      const log = JSON.parse(r.stdout) as Log;
      assert.ok(validate(log), ajv.errorsText(validate.errors));
      assert.equal(log.$schema, 'https://json.schemastore.org/sarif-2.1.0.json');
      assert.equal(log.version, '2.1.0');
      assert.equal(log.runs.length, 1);
      const run = log.runs[0];
      assert.ok(run);
      const { version } = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { version: string };
      assert.equal(run.tool.driver.name, 'tunelab');
      assert.equal(run.tool.driver.version, version);
      assert.equal(run.tool.driver.informationUri, undefined);
      const ids = run.tool.driver.rules.map((d) => d.id);
      for (const id of ['json-syntax', 'blank-line', 'duplicate', 'leaked-header', 'too-long']) assert.ok(ids.includes(id), id);
      assert.equal(run.tool.driver.rules.find((d) => d.id === 'json-syntax')?.defaultConfiguration.level, 'error');
      assert.equal(run.tool.driver.rules.find((d) => d.id === 'too-short')?.defaultConfiguration.level, 'note');
      assert.ok(run.tool.driver.rules.every((d) => d.shortDescription.text.length > 0));
      assert.match(run.originalUriBaseIds['%SRCROOT%']?.uri ?? '', /^file:\/\/.*\/$/);
      assert.deepEqual(run.invocations, [{ executionSuccessful: true }]);

      const summaryOf = run.results.map((res) => {
        const loc = res.locations[0]?.physicalLocation;
        assert.equal(ids[res.ruleIndex], res.ruleId, 'ruleIndex points at the rule');
        assert.ok(res.message.text.length > 0);
        return [res.ruleId, res.level, loc?.artifactLocation.uri, loc?.artifactLocation.uriBaseId, loc?.region.startLine, loc?.region.startColumn, loc?.region.endColumn];
      });
      assert.deepEqual(summaryOf, [
        ['leaked-header', 'warning', file, '%SRCROOT%', 2, 84, 95],
        ['blank-line', 'warning', file, '%SRCROOT%', 3, 1, 1],
        ['json-syntax', 'error', file, '%SRCROOT%', 4, 64, 65],
        ['duplicate', 'warning', file, '%SRCROOT%', 6, 17, 63],
      ]);
      const related = run.results[3]?.relatedLocations ?? [];
      assert.deepEqual(related.map((l) => [l.physicalLocation.region.startLine, l.physicalLocation.region.startColumn, l.message?.text]), [[5, 17, 'line 5']]);
      assert.match(r.stderr, /^4 problems/m, 'the summary goes to stderr');
    });

    void it('a clean run is a valid log with no results; an unreadable file marks the run unsuccessful', () => {
      const clean = JSON.parse(tunelab(['lint', '--format', 'sarif', fixture('jumpstart/train.jsonl')]).stdout) as Log;
      assert.ok(validate(clean), ajv.errorsText(validate.errors));
      assert.deepEqual(clean.runs[0]?.results, []);

      const r = tunelab(['lint', '--format', 'sarif', 'missing.jsonl']);
      assert.equal(r.status, 2);
      const log = JSON.parse(r.stdout) as Log;
      assert.ok(validate(log), ajv.errorsText(validate.errors));
      assert.equal(log.runs[0]?.invocations[0]?.executionSuccessful, false);
    });
  });

  void describe('streaming files', () => {
    let dir = '';
    before(() => { dir = mkdtempSync(path.join(tmpdir(), 'tunelab-cli-lint-')); });
    after(() => { rmSync(dir, { recursive: true, force: true }); });

    const record = (i: number, answer?: string): string => JSON.stringify({
      instruction: `Question ${i}: which office handles permit request ${i % 97} for district ${Math.floor(i / 97)}?`,
      context: '',
      response: answer ?? `The district ${Math.floor(i / 97)} office handles permit request ${i % 97}; bring form ${i} and your identification.`,
    });

    void it('reports a finding on the last line of a large file with its line number', () => {
      const n = 60_000;
      const lines: string[] = [];
      for (let i = 0; i < n - 1; i++) lines.push(record(i));
      lines.push(record(n - 1, '### Answer: the office at the end of the file handles it.'));
      const file = path.join(dir, 'large.jsonl');
      writeFileSync(file, `${lines.join('\n')}\n`);
      const r = tunelab(['lint', '--format', 'json', '--no-near-duplicates', file]);
      assert.equal(r.status, 0, r.stderr);
      const findings = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as JsonFinding);
      assert.deepEqual(findings.map((f) => [f.line, f.column, f.rule]), [[n, (lines[n - 1] ?? '').indexOf('### Answer:') + 1, 'leaked-header']]);
      assert.match(r.stderr, new RegExp(`· ${n} rows`));
    });

    void it('counts tokens with the tokenizers bundled beside the CLI when a record may be over the limit', () => {
      const file = path.join(dir, 'long.jsonl');
      const long = 'The office reviews each application carefully and answers by mail within a month. '.repeat(150);
      writeFileSync(file, `${record(1)}\n${record(2, long)}\n`);
      const r = tunelab(['lint', file]);
      assert.equal(r.status, 0, r.stderr);
      assert.deepEqual(locations(r.stdout), [`${file}:2:1 warning too-long`]);
      assert.match(findingLines(r.stdout)[0] ?? '', /more than [\d,]+ tokens \(counting stopped there\) \(Llama 3 tokenizer, counting JumpStart's built-in template filled with the record, "### Response:" and the begin and end tokens\), over max_input_length, 1,024/);
    });

    void it('an empty line before the final newline is a blank line; the final newline is not', () => {
      const file = path.join(dir, 'trailing-blank.jsonl');
      writeFileSync(file, `${record(1)}\n${record(2)}\n\n`);
      const r = tunelab(['lint', file]);
      assert.equal(r.status, 0, 'a blank line is a warning: no provider documents that it fails a job');
      assert.deepEqual(locations(r.stdout), [`${file}:3:1 warning blank-line`]);
      assert.match(summary(r.stdout), / · 3 rows$/);
    });

    void it('consecutive empty lines are each a blank line, also while the format is still being detected', () => {
      const file = path.join(dir, 'blanks.jsonl');
      writeFileSync(file, ['', '', record(1), '', '', record(2)].join('\n'));
      const r = tunelab(['lint', file]);
      assert.deepEqual(locations(r.stdout), [1, 2, 4, 5].map((l) => `${file}:${l}:1 warning blank-line`));
    });

    void it('detects the format from the first lines and reports a line in another format as mixed-format', () => {
      const file = path.join(dir, 'mixed.jsonl');
      const chat = JSON.stringify({ messages: [{ role: 'user', content: 'Where do I renew my license?' }, { role: 'assistant', content: 'At any branch of the motor vehicle office, or online.' }] });
      writeFileSync(file, `${[record(1), record(2), record(3), chat].join('\n')}\n`);
      const r = tunelab(['lint', file]);
      assert.equal(r.status, 1);
      assert.deepEqual(locations(r.stdout), [`${file}:4:1 error mixed-format`]);
    });

    void it('the same problems found in a file of many lines as in its first lines, after the detection window', () => {
      const file = path.join(dir, 'late.jsonl');
      const lines: string[] = [];
      for (let i = 0; i < 2500; i++) lines.push(record(i));
      lines[1500] = '';
      lines[2000] = lines[10] ?? '';
      writeFileSync(file, `${lines.join('\n')}\n`);
      const r = tunelab(['lint', '--no-near-duplicates', file]);
      assert.deepEqual(locations(r.stdout), [`${file}:1501:1 warning blank-line`, `${file}:2001:16 warning duplicate`]);
      assert.match(findingLines(r.stdout)[1] ?? '', /Same record as line 11\b/);
    });
  });

  void it('waits for a slow reader: reading pauses while the output stream asks it to, and nothing is lost', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'tunelab-cli-lint-'));
    try {
      const leak = readFileSync(path.join(repoRoot, fixture('warnings.jsonl')), 'utf8').split('\n')[1] ?? '';
      const n = 20_000;
      writeFileSync(path.join(dir, 'leaks.jsonl'), `${Array.from({ length: n }, () => leak).join('\n')}\n`);
      // The stream says "wait" at the first write, and drains only once nothing has been written
      // to it for a while: a reader that does not pause goes on writing until the file ends.
      const chunks: string[] = [];
      let blocked = false;
      let writesWhileBlocked = 0;
      let idle: ReturnType<typeof setTimeout> | undefined;
      let drainListener: (() => void) | undefined;
      const drainWhenIdle = (): void => {
        clearTimeout(idle);
        idle = setTimeout(() => {
          blocked = false;
          const listener = drainListener;
          drainListener = undefined;
          listener?.();
        }, 200);
      };
      const slow: OutStream = {
        write(chunk, callback) {
          const first = chunks.length === 0;
          chunks.push(chunk);
          setImmediate(() => { callback?.(); });
          if (first) blocked = true;
          else if (blocked) writesWhileBlocked++;
          if (blocked) drainWhenIdle();
          return !blocked;
        },
        once(_event, listener) {
          drainListener = listener;
        },
      };
      let err = '';
      const code = await runLint(['--format', 'json', '--rule', 'duplicate=off', '--rule', 'duplicate-prompt=off', '--no-near-duplicates', 'leaks.jsonl'], {
        out: () => { throw new Error('lint writes through stdout'); },
        err: (text) => { err += text; },
        stdout: slow,
        cwd: dir,
        env: {},
      });
      assert.equal(code, 0, err);
      const lines = chunks.join('').split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as JsonFinding);
      assert.equal(lines.length, n);
      assert.deepEqual(lines.map((f) => f.line), Array.from({ length: n }, (_, i) => i + 1), 'every finding, in line order');
      assert.ok(chunks.length > 40, `written in many batches (${chunks.length})`);
      assert.ok(writesWhileBlocked < 12, `at most the rest of one chunk read is written while the stream is full (${writesWhileBlocked} of ${chunks.length} writes)`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  void describe('dataset-level checks, counted as the file streams and reported at the end', () => {
    let dir = '';
    before(() => { dir = mkdtempSync(path.join(tmpdir(), 'tunelab-cli-lint-')); });
    after(() => { rmSync(dir, { recursive: true, force: true }); });
    const chat = (i: number): string => JSON.stringify({ messages: [{ role: 'user', content: `How do I renew permit ${i}?` }, { role: 'assistant', content: `Bring form ${i} and your identification to the district office, or renew it online.` }] });

    void it('an OpenAI training file under 10 examples: too-few-examples on line 1, after the line findings, exit 1', () => {
      const file = path.join(dir, 'train.jsonl');
      writeFileSync(file, `${[chat(1), chat(2), '', chat(3)].join('\n')}\n`);
      const r = tunelab(['lint', file]);
      assert.equal(r.status, 1, r.stderr);
      assert.deepEqual(locations(r.stdout), [`${file}:3:1 warning blank-line`, `${file}:1:1 error too-few-examples`]);
      assert.match(findingLines(r.stdout)[1] ?? '', /This file has 3 examples; OpenAI fine-tuning \(gpt-4o-mini\) needs at least 10 training examples/);
      const json = tunelab(['lint', '--format', 'json', file]);
      const last = JSON.parse(json.stdout.trim().split('\n').pop() ?? '{}') as JsonFinding;
      assert.deepEqual([last.line, last.column, last.severity, last.rule], [1, 1, 'error', 'too-few-examples']);
    });

    void it('a file named as a validation set with few examples gets small-validation, not too-few-examples', () => {
      const file = path.join(dir, 'validation.jsonl');
      writeFileSync(file, `${[chat(1), chat(2), chat(3)].join('\n')}\n`);
      const r = tunelab(['lint', file]);
      assert.equal(r.status, 0, r.stderr);
      assert.deepEqual(locations(r.stdout), [`${file}:1:1 warning small-validation`]);
      assert.match(findingLines(r.stdout)[0] ?? '', /only 3 examples.*at least 30/);
    });

    void it('targetModel in tunelab.jsonc picks the provider\'s limits (Meta Llama 3.1 on Bedrock: 100 records at least)', () => {
      const file = path.join(dir, 'bedrock.jsonl');
      writeFileSync(file, `${[1, 2, 3].map((i) => JSON.stringify({ prompt: `Where is office ${i}?`, completion: `Office ${i} is on Main Street, open on weekdays from nine to five.` })).join('\n')}\n`);
      const config = path.join(dir, 'tunelab.jsonc');
      writeFileSync(config, '{ "targetModel": "meta-llama-3.1" }\n');
      const r = tunelab(['lint', '--config', config, file]);
      assert.equal(r.stderr.includes('warning'), false, r.stderr);
      assert.deepEqual(locations(r.stdout), [`${file}:1:1 error too-few-examples`]);
      assert.match(findingLines(r.stdout)[0] ?? '', /Meta Llama 3\.1 on Bedrock needs at least 100 training and validation records together/);
      writeFileSync(config, '{ "targetModel": "gpt-5" }\n');
      assert.match(tunelab(['lint', '--config', config, file]).stderr, /unknown target model "gpt-5"/);
    });
  });

  void it('a row nested 100,000 deep with personal data is reported, not passed: --max-warnings 0 exits 1', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'tunelab-cli-lint-'));
    try {
      const deep = `${'['.repeat(100_000)}"x"${']'.repeat(100_000)}`;
      const answer = 'Mail dana.whitfield@gmail.com or call her cell at (612) 845-0187 for the form.';
      writeFileSync(path.join(dir, 'deep.jsonl'), `{"instruction": "How do I renew my permit?", "context": "", "response": ${JSON.stringify(answer)}, "notes": ${deep}}\n`);
      let out = '';
      let err = '';
      const code = await runLint(['--max-warnings', '0', '--no-near-duplicates', 'deep.jsonl'], { out: (t) => { out += t; }, err: (t) => { err += t; }, cwd: dir, env: { NO_COLOR: '1' } });
      // Before, the row's checks threw, it was reported with 0 problems and the exit code was 0.
      assert.equal(code, 1, err);
      assert.deepEqual(locations(out).map((l) => l.replace(/:\d+ /, ' ')), ['deep.jsonl:1 warning unused-field', 'deep.jsonl:1 warning pii', 'deep.jsonl:1 warning pii']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  void it('colours only on a terminal: piped output has no escape codes even without NO_COLOR', () => {
    const r = tunelab(['lint', fixture('warnings.jsonl')], { env: { NO_COLOR: '' } });
    assert.ok(!r.stdout.includes('\u001b['), 'no ANSI escapes when stdout is a pipe');
  });
});

void describe('tunelab lint on large and strange inputs', () => {
  let dir = '';
  before(() => { dir = mkdtempSync(path.join(tmpdir(), 'tunelab-cli-strange-')); });
  after(() => { rmSync(dir, { recursive: true, force: true }); });
  const filler = 'The office reviews each application in the order it arrives and writes back by mail. ';
  const record = (i: number, answer?: string): string => JSON.stringify({
    instruction: `Question ${i}: which office handles permit request ${i % 97} for district ${Math.floor(i / 97)}?`,
    context: '',
    response: answer ?? `Request ${i}: ${filler.repeat(8)}`,
  });
  /** Characters a terminal obeys instead of showing (NUL, ESC, C1 controls such as U+009B, separators, bidi controls), line feeds apart. */
  // eslint-disable-next-line no-control-regex -- finding control characters is the point
  const OBEYED = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

  void it('keeps no line\'s text once it is checked: 40,000 rows of 800 bytes lint in a 100 MB heap, duplicates still found', () => {
    // Keeping each row's text, parsed value and view took about 2.8 KB of heap a row (this file
    // did not fit in 192 MB); what later lines need of a row (index keys, size) is a few hundred bytes.
    const n = 40_000;
    const lines: string[] = [];
    for (let i = 0; i < n; i++) lines.push(record(i));
    lines.push(record(0), record(1, 'Another answer to the same question, which teaches the model a second answer.'));
    const file = path.join(dir, 'many.jsonl');
    writeFileSync(file, `${lines.join('\n')}\n`);
    const r = tunelab(['lint', '--format', 'json', '--no-near-duplicates', file], { env: { NODE_OPTIONS: '--max-old-space-size=100' } });
    assert.equal(r.status, 0, r.stderr.slice(0, 2000));
    const findings = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as JsonFinding);
    assert.deepEqual(findings.map((f) => [f.line, f.rule]), [[n + 1, 'duplicate'], [n + 2, 'duplicate-prompt']]);
    assert.match(findings[0]?.message ?? '', /^Same record as line 1\b/);
    assert.match(findings[1]?.message ?? '', /^Same prompt as line 2 with a different answer/);
    assert.match(r.stderr, new RegExp(`· ${n + 2} rows`));
  });

  void it('a line too long to hold (over 512 MiB, here 600 MB of NUL bytes) is one json-syntax error, the lines after it are linted, and the exit is 2 with a message', () => {
    // A sparse file: the hole reads as zeros and takes no disk. Reading the line as a string threw
    // an uncaught RangeError (exit 1, no findings); the heap cap keeps that failure small.
    const file = path.join(dir, 'huge-line.jsonl');
    const fd = openSync(file, 'w');
    const size = 600_000_000;
    writeSync(fd, `${record(1)}\n`);
    const head = Buffer.byteLength(`${record(1)}\n`);
    const last = record(3, '### Answer: the office at the end handles it.');
    writeSync(fd, `\n${last}\n`, head + size);
    closeSync(fd);
    const r = tunelab(['lint', file], { env: { NODE_OPTIONS: '--max-old-space-size=200' } });
    assert.equal(r.status, 2, r.stderr.slice(0, 2000));
    assert.match(r.stderr, /huge-line\.jsonl: line 2 is longer than 536,870,888 bytes and could not be read \(see the json-syntax finding\); the rest of the file was linted\./);
    assert.deepEqual(locations(r.stdout), [`${file}:2:1 error json-syntax`, `${file}:3:${last.indexOf('### Answer:') + 1} warning leaked-header`]);
    assert.match(findingLines(r.stdout)[0] ?? '', /This line is 600,000,000 bytes, too long to be one training example \(the longest line tunelab reads is [\d,]+ bytes/);
    assert.match(summary(r.stdout), / · 3 rows$/);
  });

  void it('a line that is not UTF-8 is a json-syntax error at the bad byte, with its offset and what to do', () => {
    const file = path.join(dir, 'latin1.jsonl');
    const good = record(1);
    // "café" saved as Windows-1252: 0xE9 alone.
    const bad = Buffer.concat([Buffer.from('{"instruction":"Where is the caf'), Buffer.from([0xe9]), Buffer.from('?","context":"","response":"On the corner of Main Street and Elm."}')]);
    writeFileSync(file, Buffer.concat([Buffer.from(`${good}\n`), bad, Buffer.from('\n')]));
    const r = tunelab(['lint', '--rule', 'too-few-examples=off', file]);
    assert.equal(r.status, 1, r.stderr);
    assert.deepEqual(locations(r.stdout), [`${file}:2:33 error json-syntax`]);
    assert.match(findingLines(r.stdout)[0] ?? '', /not valid UTF-8: the byte 0xE9 at byte 32 of the line is not a UTF-8 character\. .*Re-save the file as UTF-8/);
  });

  void it('a named pipe with no writer is reported (exit 2) instead of waiting forever, and the other files are linted', () => {
    const fifo = path.join(dir, 'nobody.jsonl');
    spawnSync('mkfifo', [fifo]);
    const other = path.join(dir, 'other.jsonl');
    writeFileSync(other, `${record(1, '### Answer: here.')}\n`);
    // Opening a FIFO the usual way blocks until a writer comes: the old CLI hung until killed here.
    const r = spawnSync(process.execPath, [cliPath, 'lint', '--rule', 'too-few-examples=off', fifo, other], { encoding: 'utf8', timeout: 20_000, env: { ...process.env, NO_COLOR: '1' } });
    assert.equal(r.signal, null, 'ended on its own');
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /nothing is writing to .*nobody\.jsonl, a pipe: no program opened it for writing within 2 s.*<command> \| tunelab lint \/dev\/stdin/);
    assert.deepEqual(locations(r.stdout).map((l) => l.replace(/:\d+ /, ' ')), [`${other}:1 warning leaked-header`]);
  });

  void it('a named pipe with a writer is read as a stream', async () => {
    const fifo = path.join(dir, 'piped.jsonl');
    spawnSync('mkfifo', [fifo]);
    const data = path.join(dir, 'piped-data.jsonl');
    writeFileSync(data, `${record(1)}\n${record(2, '### Answer: here.')}\n`);
    const writer = spawn('sh', ['-c', 'cat "$1" > "$2"', 'sh', data, fifo], { stdio: 'ignore' });
    const done = new Promise((resolve) => writer.on('exit', resolve));
    const r = spawnSync(process.execPath, [cliPath, 'lint', '--rule', 'too-few-examples=off', fifo], { encoding: 'utf8', timeout: 20_000, env: { ...process.env, NO_COLOR: '1' } });
    await done;
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(locations(r.stdout).map((l) => l.replace(/:\d+ /, ' ')), [`${fifo}:2 warning leaked-header`]);
    assert.match(summary(r.stdout), / · 2 rows$/);
  });

  void describe('repeated records: a row is read again from the file only when a later row shares its prompt', () => {
    const chat = (prompt: string, answer: string): string => JSON.stringify({ messages: [{ role: 'user', content: prompt }, { role: 'assistant', content: answer }] });
    const rows: string[] = [];
    for (let i = 0; i < 300; i++) rows.push(chat(`How do I renew permit ${i} at the district ${i % 7} office?`, `Bring form ${i} and ${filler}`));
    // Line 301 repeats line 3's record (case, spacing and punctuation aside); 302 asks line 5's
    // question with another answer; 303 and 304 repeat line 10 twice; 305 repeats 302's record.
    rows.push(
      chat('HOW do I renew permit 2 at the district 2 office', `bring FORM 2 and  ${filler}`),
      chat('How do I renew permit 4 at the district 4 office?', 'Call the office first.'),
      chat('How do I renew permit 9 at the district 2 office?', `Bring form 9 and ${filler}`),
      chat('How do I renew permit 9 at the district 2 office?', `Bring form 9 and ${filler}`),
      chat('how do i renew permit 4 at the district 4 office', 'Call the office first!'),
    );
    const text = `\uFEFF${rows.join('\r\n')}\r\n`;
    const expected = [[301, 'duplicate', 3], [302, 'duplicate-prompt', 5], [303, 'duplicate', 10], [304, 'duplicate', 10], [305, 'duplicate', 302]];
    const shown = (findings: readonly { line: number; rule: string; message: string }[]): (string | number)[][] => findings
      .filter((f) => f.rule === 'duplicate' || f.rule === 'duplicate-prompt')
      .map((f) => [f.line, f.rule, Number(/line (\d+)/.exec(f.message)?.[1])]);

    void it('the same findings from a file (read again) as from a pipe (every record keyed as it streams)', () => {
      const file = path.join(dir, 'repeated.jsonl');
      writeFileSync(file, text);
      const fromFile = tunelab(['lint', '--format', 'json', '--no-near-duplicates', file]);
      const fromPipe = spawnSync(process.execPath, [cliPath, 'lint', '--format', 'json', '--no-near-duplicates', '/dev/stdin'], { encoding: 'utf8', input: text, timeout: 20_000 });
      const parse = (out: string): JsonFinding[] => out.trim().split('\n').map((l) => JSON.parse(l) as JsonFinding);
      assert.deepEqual(shown(parse(fromFile.stdout)), expected);
      assert.deepEqual(shown(parse(fromPipe.stdout)), expected);
    });

    const stream = (readAt: ((start: number, length: number) => Uint8Array | undefined) | undefined): { line: number; rule: string; message: string }[] => {
      const found: { line: number; rule: string; message: string }[] = [];
      const { settings } = resolveSettings([{ source: 'test', format: 'openai-chat' }]);
      const lint = new StreamingLint(settings, {}, { nearDuplicates: false, tokens: undefined, ...(readAt === undefined ? {} : { readAt }) }, (f) => { found.push({ ...f, line: f.line + 1 }); });
      const splitter = new LineSplitter(1 << 20);
      for (const line of [...splitter.push(new TextEncoder().encode(text)), ...splitter.end()]) lint.pushLine(line);
      lint.end();
      return found;
    };

    void it('reads back only the first row of each repeated prompt, once (no answer of a row alone is hashed)', () => {
      const bytes = new TextEncoder().encode(text);
      const reads: number[] = [];
      const found = stream((start, length) => { reads.push(start); return bytes.subarray(start, start + length); });
      assert.deepEqual(shown(found), expected);
      const lineAt = (start: number): number => new TextDecoder().decode(bytes.subarray(0, start)).split('\r\n').length;
      assert.deepEqual(reads.map(lineAt), [3, 5, 10]);
    });

    void it('a line that cannot be read back (the file changed) makes a repeated prompt, never a wrong repeated record', () => {
      const found = stream(() => undefined);
      assert.deepEqual(shown(found), [[301, 'duplicate-prompt', 3], [302, 'duplicate-prompt', 5], [303, 'duplicate-prompt', 10], [304, 'duplicate', 303], [305, 'duplicate', 302]]);
      const changed = stream((start, length) => new TextEncoder().encode(chat('Something else entirely', 'x')).subarray(0, length));
      assert.deepEqual(shown(changed).map((f) => f[1]), ['duplicate-prompt', 'duplicate-prompt', 'duplicate-prompt', 'duplicate', 'duplicate']);
    });
  });

  void it('data piped to /dev/stdin is linted as it streams, as a training file (its /dev folder is not a dev set)', () => {
    const chat = (i: number): string => JSON.stringify({ messages: [{ role: 'user', content: `How do I renew permit ${i}?` }, { role: 'assistant', content: `Bring form ${i} to the district office.` }] });
    const r = spawnSync(process.execPath, [cliPath, 'lint', '/dev/stdin'], { encoding: 'utf8', input: `${[1, 2, 3].map(chat).join('\n')}\n`, timeout: 20_000, env: { ...process.env, NO_COLOR: '1' } });
    assert.equal(r.status, 1, r.stderr);
    assert.deepEqual(locations(r.stdout), ['/dev/stdin:1:1 error too-few-examples']);
  });

  void it('a device is refused with what to name instead (exit 2), never read: /dev/zero would never end', () => {
    const r = tunelab(['lint', '/dev/zero'], { env: { NODE_OPTIONS: '--max-old-space-size=200' } });
    assert.equal(r.status, 2, r.stderr.slice(0, 2000));
    assert.match(r.stderr, /tunelab lint: \/dev\/zero is a device .*not a dataset file\. Name a \.jsonl file, or pipe the data in: <command> \| tunelab lint \/dev\/stdin\./);
  });

  void it('every reporter escapes NUL, ESC, C1 controls and bidi controls from the data and the path', () => {
    const file = path.join(dir, 'ctl\u001b[2J.jsonl');
    // An unknown word quoted in the message carries the raw characters.
    writeFileSync(file, '{"instruction":"x", "context": "", "response": nul\u0000\u001b\u009b\u202el}\n');
    const text = tunelab(['lint', '--rule', 'too-few-examples=off', file]);
    assert.equal(text.status, 1, text.stderr);
    assert.ok(!OBEYED.test(text.stdout), JSON.stringify(text.stdout));
    assert.match(text.stdout, /ctl\\u001b\[2J\.jsonl:1:\d+: error json-syntax: Unknown word 'nul\\u0000\\u001b\\u009b\\u202el'/);
    for (const format of ['json', 'sarif']) {
      const r = tunelab(['lint', '--format', format, '--rule', 'too-few-examples=off', file]);
      assert.ok(!OBEYED.test(r.stdout), `${format}: ${JSON.stringify(r.stdout)}`);
      const message = format === 'json'
        ? (JSON.parse(r.stdout) as JsonFinding).message
        : (JSON.parse(r.stdout) as { runs: { results: { message: { text: string } }[] }[] }).runs[0]?.results[0]?.message.text;
      assert.ok((message ?? '').startsWith('Unknown word \'nul\u0000\u001b\u009b\u202el\''), `${format}: the same text once parsed`);
    }
    const missing = tunelab(['lint', path.join(dir, 'gone\u001b]0;x\u0007.jsonl')]);
    assert.equal(missing.status, 2);
    assert.ok(!OBEYED.test(missing.stderr), JSON.stringify(missing.stderr));
  });
});
