/**
 * `tunelab lint`: lints JSON Lines datasets from the command line.
 *
 * Each file is read line by line as a stream and fed to a `DatasetLinter` with a fixed format,
 * so findings come out in line order as they are found and each line is checked once. When
 * the format is not fixed (by --dataset-format, tunelab.jsonc or a template.json), the first
 * lines are held back until the format is known, then replayed.
 */
import { constants as bufferConstants } from 'node:buffer';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type * as Sarif from 'sarif';
import { detectFormat, FORMAT_IDS, matchFormat } from '../core/formats/index';
import { invalidUtf8Message, LineSplitter, tooLongLineMessage, type StreamLine } from '../core/jsonl/lines';
import { parseLine } from '../core/jsonl/parse';
import { RULES } from '../core/lint/catalog';
import { resolveSettings, SEVERITIES, type ConfigLayer, type LintSettings } from '../core/lint/config';
import { DatasetLinter, type UnreadableLine } from '../core/lint/engine';
import { splitOf } from '../core/limits/split';
import type { Finding, FormatContext, FormatId, JsonObject, TokenCounter, TokenizerFamily } from '../core/lint/types';
import { VERSION } from '../core/version';
import { helpOrUsageError, parseLintArgs, type LintArgs } from './args';
import type { CliIo } from './cli';
import { BufferedOutput, functionStream, wrapList } from './output';
import { displayPath, errorText, findProjectConfig, readProjectConfig, TemplateReader } from './projectConfig';
import { jsonLine, printable, printableJson, sarifArtifact, sarifFrame, sarifResult, summaryLine, textLine, type SarifRunInfo, type Totals } from './reporters';
import { openSource, type Source } from './source';

/** Lines read before the format is decided when nothing fixes it (more only while none matches a known format). */
export const DETECTION_LINES = 1000;

/**
 * The longest line read: the longest string the JavaScript engine can hold, in UTF-16 units
 * (https://nodejs.org/api/buffer.html#bufferconstantsmax_string_length; 2^29 - 24 in V8 on 64-bit
 * systems), and a UTF-8 line of at most that many bytes always decodes to a string no longer.
 * A longer line is reported by its size and the rest of the file is read.
 */
export const MAX_LINE_BYTES = bufferConstants.MAX_STRING_LENGTH;

/** The paths of a process's own input and open descriptors (Linux and macOS). */
const STREAM_PATH = /^\/(dev\/(stdin|fd\/\d+)|proc\/(self|\d+)\/fd\/\d+)$/;

export const LINT_HELP = `Usage: tunelab lint <files…> [options]

Checks JSON Lines fine-tuning datasets: JSON syntax, blank lines, the dataset format's
schema, duplicates and near-duplicates, and the content rules. Files are read as streams,
so any size works; a pipe is read once a program writes to it (<command> | tunelab lint
/dev/stdin).

Options:
  --format <text|json|sarif>      How to print findings: text (default, path:line:col lines),
                                  json (one JSON object per finding per line) or sarif
                                  (a SARIF 2.1.0 log for code scanning)
  --max-warnings <n>              Exit with 1 when there are more than n warnings
  --rule <id=severity>            Set a rule's severity: ${SEVERITIES.join(', ')} (repeatable)
  --dataset-format <format|auto>  The datasets' format: auto (default) or one of
                                  ${wrapList(FORMAT_IDS, 34)}
  --no-near-duplicates            Skip near-duplicate detection (the slowest check)
  --config <path>                 Read this tunelab.jsonc instead of the nearest one in the
                                  current directory or above it
  -h, --help                      Show this help

With auto, a template.json beside a file makes it JumpStart instruction; otherwise the format
most of its first ${DETECTION_LINES} lines match is used.

Token limits (too-long) and the checks of a whole file (too-few-examples, too-many-examples,
file-too-large, small-validation; reported on line 1 once the file is read) follow each file's
format and the "targetModel" of tunelab.jsonc (e.g. "gpt-4.1-nano"). A file or folder named
val, valid, validation, eval or dev is a validation set.

Rules: ${wrapList(RULES.map((r) => r.id), 7)}

Exit codes: 0 no errors and no more warnings than --max-warnings allows; 1 errors, or too many
warnings; 2 a usage error, or a file or a line that cannot be read.
`;

// ---------------------------------------------------------------------------------------------
// One file

/**
 * Feeds one file's lines to a linter and hands each finding to `emit`, in line order.
 *
 * The engine treats an empty last line as the one after a final newline, which is never a
 * finding; but every line a stream reader gives is a real line, so an empty one is confirmed
 * as a blank line once the next line arrives (or the file ends).
 */
export class StreamingLint {
  private linter: DatasetLinter | undefined;
  private buffer: HeldLine[] | undefined;
  private records: JsonObject[] = [];
  private pendingBlank = -1;
  private readonly blankLines: boolean;
  /** Lines read so far. */
  rows = 0;

  constructor(
    private readonly settings: LintSettings,
    private readonly context: FormatContext,
    private readonly options: { readonly nearDuplicates: boolean; readonly tokens: TokenCounter | undefined; readonly relatedColumns?: boolean; readonly readAt?: (start: number, length: number) => Uint8Array | undefined },
    private readonly emit: (finding: Finding) => void,
  ) {
    const blank = settings.rules.get('blank-line')?.severity;
    this.blankLines = blank !== undefined && blank !== 'off';
    if (settings.format !== 'auto' || context.templateKeys !== undefined) this.start(settings.format);
    else this.buffer = [];
  }

  /** True when a rule wanted token counts and there was no tokenizer to give them. */
  get neededTokens(): boolean {
    return this.linter?.needsTokens ?? false;
  }

  /** Checks that failed inside the engine (reported, never fatal). */
  takeErrors(): string[] {
    return this.linter?.takeErrors() ?? [];
  }

  /**
   * One line of the file, without its line break; `bytes` is its UTF-8 size when the reader
   * counted it, `start` where it begins in the file when it can be read there again.
   */
  push(line: string, bytes?: number, start?: number): void {
    const bom = this.rows === 0 && line.charCodeAt(0) === 0xfeff;
    const text = bom ? line.slice(1) : line;
    this.hold({ text, bytes: bytes === undefined ? undefined : bom ? bytes - 3 : bytes, start: start === undefined ? undefined : bom ? start + 3 : start });
  }

  /** One line as the stream reader found it: text, or a line it could not read as text. */
  pushLine(line: StreamLine): void {
    if (line.kind === 'text') this.push(line.text, line.bytes, this.options.readAt === undefined ? undefined : line.start);
    else if (line.kind === 'invalid-utf8') this.hold({ unreadable: { message: invalidUtf8Message(line), start: line.column, end: line.column + 1, bytes: line.bytes } });
    else {
      this.unreadableLines.push(this.rows + 1);
      this.hold({ unreadable: { message: tooLongLineMessage(line, MAX_LINE_BYTES), start: 0, end: 0, bytes: line.bytes } });
    }
  }

  /** 1-based numbers of the lines too long to read at all: the file was not fully read (exit 2). */
  readonly unreadableLines: number[] = [];

  private hold(line: HeldLine): void {
    this.rows++;
    if (this.buffer === undefined) {
      this.feed(line);
      return;
    }
    this.buffer.push(line);
    if (line.text === undefined) return;
    const text = line.text;
    const parsed = parseLine(text, 0);
    const record = parsed.kind === 'record' ? parsed.value as JsonObject : undefined;
    if (record !== undefined) this.records.push(record);
    // Decide at the end of the window, or after it at the first line of a known format.
    const n = this.buffer.length;
    if (n === DETECTION_LINES || (n > DETECTION_LINES && record !== undefined && matchFormat(record, this.context) !== undefined)) {
      const { format } = detectFormat(this.records, this.context);
      if (format !== undefined) this.decide(format);
    }
  }

  /** The file ended: the last pending line is settled, then the findings about the whole file (counted as it streamed). */
  end(): void {
    if (this.buffer !== undefined) this.decide(detectFormat(this.records, this.context).format ?? 'auto');
    if (this.pendingBlank >= 0) {
      // The line after the file's final newline: the engine's own notion of the document's end.
      this.linter?.appendLine('');
      this.confirmBlank();
    }
    for (const f of this.linter?.datasetFindings() ?? []) this.emit(f);
  }

  /** Fixes the format and replays the lines held back. */
  private decide(format: FormatId | 'auto'): void {
    const lines = this.buffer ?? [];
    this.buffer = undefined;
    this.records = [];
    this.start(format);
    for (const line of lines) this.feed(line);
  }

  private start(format: FormatId | 'auto'): void {
    this.linter = new DatasetLinter({
      settings: format === this.settings.format ? this.settings : { ...this.settings, format },
      context: this.context,
      nearDuplicates: this.options.nearDuplicates,
      ...(this.options.tokens === undefined ? {} : { tokens: this.options.tokens }),
      // Each line's findings are emitted as it is appended: keep no line's text after that.
      streaming: true,
      // Only SARIF prints where a duplicate's earlier line is; the others print its number alone.
      relatedColumns: this.options.relatedColumns === true,
      ...(this.options.readAt === undefined ? {} : { recall: (index: number) => this.recall(index) }),
    });
  }

  /** Where each line fed to the linter begins in the file and its size (-1: not known), by line index. */
  private places = new Float64Array(2048);
  private readonly utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

  private place(index: number, start: number | undefined, bytes: number | undefined): void {
    if (2 * index + 1 >= this.places.length) {
      const grown = new Float64Array(this.places.length * 2);
      grown.set(this.places);
      this.places = grown;
    }
    this.places[2 * index] = start ?? -1;
    this.places[2 * index + 1] = start === undefined ? -1 : bytes ?? -1;
  }

  /** A line the linter has forgotten, read again from the file. */
  private recall(index: number): string | undefined {
    const start = this.places[2 * index] ?? -1;
    const bytes = this.places[2 * index + 1] ?? -1;
    if (start < 0 || bytes < 0 || this.options.readAt === undefined) return undefined;
    const read = this.options.readAt(start, bytes);
    if (read === undefined) return undefined;
    try {
      return this.utf8.decode(read);
    } catch {
      return undefined;
    }
  }

  private feed(line: HeldLine): void {
    const linter = this.linter as DatasetLinter;
    const index = linter.lineCount;
    if (this.options.readAt !== undefined) this.place(index, line.start, line.bytes);
    const found = line.text === undefined ? linter.appendUnreadable(line.unreadable) : linter.appendLine(line.text, line.bytes);
    if (this.pendingBlank >= 0) this.confirmBlank();
    for (const f of found) this.emit(f);
    if (line.text === '' && this.blankLines && !found.some((f) => f.rule === 'blank-line')) this.pendingBlank = index;
  }

  /** Checks the pending empty line again now that it is no longer the last one. */
  private confirmBlank(): void {
    const linter = this.linter as DatasetLinter;
    const line = this.pendingBlank;
    this.pendingBlank = -1;
    linter.replaceLines(line, 1, ['']);
    linter.step(Infinity);
    for (const f of linter.findingsOnLine(line)) if (f.rule === 'blank-line') this.emit(f);
  }
}

/** A line held back while the format is detected. */
type HeldLine = { readonly text: string; readonly bytes: number | undefined; readonly start?: number | undefined; readonly unreadable?: undefined } | { readonly text?: undefined; readonly start?: undefined; readonly bytes?: undefined; readonly unreadable: UnreadableLine };

type FileOutcome = { readonly ok: true; readonly rows: number; readonly neededTokens: boolean; readonly errors: readonly string[]; readonly unreadableLines: readonly number[] } | { readonly ok: false; readonly message: string };

interface Sink {
  readonly output: BufferedOutput;
  readonly emit: (finding: Finding) => void;
}

/** Streams one file through a `StreamingLint`, pausing while the output asks to wait. */
async function lintFile(file: string, shown: string, settings: LintSettings, context: FormatContext, options: { nearDuplicates: boolean; tokens: TokenCounter | undefined; relatedColumns: boolean }, sink: Sink): Promise<FileOutcome> {
  const opened = await openSource(file, shown);
  if (!opened.ok) return opened;
  const source: Source = opened.source;
  try {
    const lint = new StreamingLint(settings, context, source.readAt === undefined ? options : { ...options, readAt: source.readAt }, sink.emit);
    const splitter = new LineSplitter(MAX_LINE_BYTES);
    const take = async (lines: readonly StreamLine[]): Promise<void> => {
      for (const line of lines) {
        lint.pushLine(line);
        if (sink.output.blocked) await sink.output.drained();
      }
    };
    for await (const chunk of source.chunks) await take(splitter.push(chunk));
    await take(splitter.end());
    lint.end();
    return { ok: true, rows: lint.rows, neededTokens: lint.neededTokens, errors: lint.takeErrors(), unreadableLines: lint.unreadableLines };
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return { ok: false, message: `cannot read ${shown}: ${errorText(e)}. Check the file and try again.` };
    throw e;
  } finally {
    await source.close();
  }
}

// ---------------------------------------------------------------------------------------------
// Tokenizers

/**
 * The token counter of the tokenizers bundle beside the CLI (`tokenizers.js`), loaded at its
 * first count: most datasets never have a record long enough to need one.
 */
function bundledTokenizers(warn: (message: string) => void): TokenCounter | undefined {
  const file = path.join(__dirname, 'tokenizers.js');
  if (!existsSync(file)) return undefined;
  let counter: TokenCounter | undefined;
  let failed = false;
  const load = (): TokenCounter | undefined => {
    try {
      const mod = createRequire(__filename)(file) as { tokenizers?: TokenCounter; default?: { tokenizers?: TokenCounter } };
      const found = mod.tokenizers ?? mod.default?.tokenizers;
      if (found === undefined) throw new Error(`${file} does not export the tokenizers`);
      return found;
    } catch (e) {
      failed = true;
      warn(`could not load the tokenizers (${e instanceof Error ? e.message : String(e)}); token limits (too-long) are not checked. Reinstall tunelab.`);
      return undefined;
    }
  };
  return {
    count(text: string, family: TokenizerFamily): number {
      if (counter === undefined && !failed) counter = load();
      return counter === undefined ? 0 : counter.count(text, family);
    },
  };
}

// ---------------------------------------------------------------------------------------------
// The command

/** Runs `tunelab lint` on its arguments (those after `lint`) and returns the exit code. */
export async function runLint(argv: readonly string[], io: CliIo): Promise<number> {
  const parsed = parseLintArgs(argv);
  if (parsed.kind === 'help' || parsed.kind === 'error') return helpOrUsageError('lint', parsed, LINT_HELP, io);
  const args = parsed.args;
  const cwd = io.cwd ?? process.cwd();
  const env = io.env ?? process.env;
  const notices: Sarif.Notification[] = [];
  const warn = (message: string): void => {
    io.err(`tunelab: warning: ${printable(message)}\n`);
    notices.push({ level: 'warning', message: { text: message } });
  };

  const settings = await settingsFor(args, cwd, io, warn);
  if (settings === undefined) return 2;

  const stdout = io.stdout ?? functionStream(io.out);
  const output = new BufferedOutput(stdout);
  const colors = args.output === 'text' && stdout.isTTY === true && (env.NO_COLOR ?? '') === '';
  const sarifInfo: SarifRunInfo = { version: VERSION, srcRoot: directoryUri(cwd) };
  let sarifCount = 0;
  if (args.output === 'sarif') output.write(sarifFrame(sarifInfo).head);

  const totals = { errors: 0, warnings: 0, infos: 0, hints: 0, files: 0, rows: 0 };
  let unreadable = false;
  let neededTokens = false;
  const tokens = bundledTokenizers(warn);
  const templates = new TemplateReader(cwd);
  const seen = new Set<string>();

  for (const name of args.files) {
    const file = path.resolve(cwd, name);
    if (seen.has(file)) continue;
    seen.add(file);
    const template = await templates.forDataset(file);
    if (template.problem !== undefined) {
      output.flush();
      warn(template.problem);
    }
    const artifact = sarifArtifact(sarifRelative(file, cwd), pathToFileURL(file).href);
    const emit = (f: Finding): void => {
      if (f.severity === 'error') totals.errors++;
      else if (f.severity === 'warning') totals.warnings++;
      else if (f.severity === 'info') totals.infos++;
      else totals.hints++;
      if (args.output === 'text') output.write(textLine(name, f, colors));
      else if (args.output === 'json') output.write(jsonLine(name, f));
      else output.write(`${sarifCount++ === 0 ? '' : ','}${printableJson(sarifResult(artifact, f))}`);
    };
    // A validation set is told by its name (core/limits/split.ts); the dataset checks differ for it.
    // A stream (/dev/stdin, /dev/fd/N from <(…)) has no name to tell; its "dev" folder is not a dev set.
    const fileSettings: LintSettings = { ...settings, split: STREAM_PATH.test(file) ? 'train' : splitOf(file) };
    const outcome = await lintFile(file, name, fileSettings, template.context, { nearDuplicates: args.nearDuplicates, tokens, relatedColumns: args.output === 'sarif' }, { output, emit });
    if (!outcome.ok) {
      unreadable = true;
      output.flush();
      io.err(`tunelab lint: ${printable(outcome.message)}\n`);
      notices.push({ level: 'error', message: { text: outcome.message } });
      continue;
    }
    totals.files++;
    totals.rows += outcome.rows;
    neededTokens ||= outcome.neededTokens;
    for (const e of outcome.errors) warn(`a check failed on ${name}, ${e}; that line was not fully checked. Please report this.`);
    if (outcome.unreadableLines.length > 0) {
      // The rest of the file was linted, but part of it could not be read at all: as for a missing file, exit 2.
      unreadable = true;
      const which = outcome.unreadableLines.slice(0, 5).join(', ') + (outcome.unreadableLines.length > 5 ? ` and ${outcome.unreadableLines.length - 5} more` : '');
      const message = `${name}: line ${which} ${outcome.unreadableLines.length === 1 ? 'is' : 'are'} longer than ${MAX_LINE_BYTES.toLocaleString('en-US')} bytes and could not be read (see the json-syntax finding); the rest of the file was linted. Split such a line into one record per line, or remove it.`;
      output.flush();
      io.err(`tunelab lint: ${printable(message)}\n`);
      notices.push({ level: 'error', message: { text: message } });
    }
  }

  if (neededTokens && tokens === undefined) {
    warn(`some records may be over the token limit, but the tokenizers (tokenizers.js beside the tunelab program) are missing, so too-long was not checked. Reinstall tunelab.`);
  }
  const tooManyWarnings = args.maxWarnings !== undefined && totals.warnings > args.maxWarnings;
  const code = unreadable ? 2 : totals.errors > 0 || tooManyWarnings ? 1 : 0;

  const summary = summaryLine(totals satisfies Totals, colors);
  if (args.output === 'text') output.write(summary);
  if (args.output === 'sarif') {
    const invocation: Sarif.Invocation = { executionSuccessful: !unreadable };
    if (notices.length > 0) invocation.toolExecutionNotifications = notices;
    output.write(sarifFrame(sarifInfo, invocation).tail);
  }
  await output.end();
  if (args.output !== 'text') io.err(summary);
  if (tooManyWarnings) {
    io.err(`tunelab lint: ${totals.warnings} warnings, more than --max-warnings ${args.maxWarnings} allows.\n`);
  }
  return code;
}

/** Defaults, then the project's tunelab.jsonc (or --config), then the flags. Undefined after a usage error. */
async function settingsFor(args: LintArgs, cwd: string, io: CliIo, warn: (message: string) => void): Promise<LintSettings | undefined> {
  const layers: ConfigLayer[] = [];
  const configFile = args.config !== undefined ? path.resolve(cwd, args.config) : findProjectConfig(cwd);
  if (configFile !== undefined) {
    const config = await readProjectConfig(configFile, cwd);
    if (!config.ok) {
      if (args.config !== undefined) {
        io.err(`tunelab lint: ${printable(config.message)}\n`);
        return undefined;
      }
      warn(config.message);
    } else {
      layers.push(config.layer);
      for (const p of config.problems) warn(p);
    }
  }
  const rules: Record<string, string> = {};
  for (const [id, severity] of args.rules) rules[id] = severity;
  layers.push({
    source: 'command line',
    ...(args.datasetFormat === undefined ? {} : { format: args.datasetFormat }),
    ...(args.rules.length === 0 ? {} : { rules }),
  });
  const { settings, problems } = resolveSettings(layers);
  for (const p of problems) warn(p);
  return settings;
}

/** The file's path relative to `cwd` with `/` separators, or undefined when it is outside. */
function sarifRelative(file: string, cwd: string): string | undefined {
  const shown = displayPath(file, cwd);
  return shown === file ? undefined : shown.split(path.sep).join('/');
}

function directoryUri(dir: string): string {
  const href = pathToFileURL(dir).href;
  return href.endsWith('/') ? href : `${href}/`;
}
