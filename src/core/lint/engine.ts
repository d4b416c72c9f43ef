/**
 * The dataset linter: one per open dataset, kept up to date line by line.
 *
 * Rows mirror the document's lines. An edit replaces a run of rows (`replaceLines`); only the
 * new rows are parsed and checked again, the duplicate indexes take the old rows out and the
 * new ones in, and a row keeps its object identity while others are inserted above it (ids
 * are rows, not line numbers). Work is done in `step(budget)` slices so a host can yield
 * between them; duplicate findings are derived from the indexes when findings are read.
 *
 * Pure: no `vscode`, no I/O.
 */
import { ExactIndex, exactKey } from '../dedupe/exact';
import { NearDuplicateIndex, type NearGroup } from '../dedupe/nearIndex';
import { normalizeText } from '../dedupe/normalize';
import { FORMATS, formatById } from '../formats/index';
import { createLocator } from '../jsonl/locate';
import { safeLocator, uncheckedFileMessage, uncheckedIssue } from './guard';
import { datasetIssues } from '../limits/dataset';
import { utf8Length } from '../tokens/bytes';
import { parseLine, type ParsedLine } from '../jsonl/parse';
import { CONTENT_RULES } from '../rules/index';
import type { LintSettings, RuleSetting } from './config';
import type {
  ContentRule, Finding, FormatContext, FormatId, FormatModule, Issue, JsonObject, RecordView,
  RelatedLine, RuleId, Severity, TokenCounter,
} from './types';

/** A local issue with its severity resolved (duplicates are derived later). */
interface RowIssue extends Issue { readonly severity: Severity }

const enum Stage { Parse, Check, Near, Done }

export interface Row {
  /** The row's current line number; kept true as rows are inserted and removed above it. */
  index: number;
  /** The line's text; '' once a streaming linter has forgotten it (see `LinterOptions.streaming`). */
  text: string;
  /** The line's length in UTF-16 units, kept when the text is forgotten. */
  readonly units: number;
  stage: Stage;
  parsed: ParsedLine | undefined;
  /** The first format (in detection order) the record matches, null for none. */
  match: FormatId | null;
  view: RecordView | undefined;
  issues: readonly RowIssue[];
  /** Key in the prompt index (records with a prompt). */
  promptKey: string | undefined;
  /** Key in the record index (records without a prompt side, e.g. `text`). */
  recordKey: string | undefined;
  /** Normalized prompt and record texts, computed only for rows in a duplicate group. */
  normPrompt: string | undefined;
  normRecord: string | undefined;
  promptRange: { start: number; end: number } | undefined;
  /** The cached exact-duplicate decision: undefined when stale, null for none (near-duplicates are decided when read). */
  dup: DuplicateDecision | null | undefined;
  inNear: boolean;
  /** The prompt the near index holds for this row. */
  nearText: string | undefined;
  /** A rule wanted to count tokens but no counter was loaded. */
  wantsTokens: boolean;
  /** Set when parsing or format detection threw: reported as `unchecked` when the row is checked. */
  parseFailure: Issue | undefined;
  /** The line's UTF-8 size, measured when first asked for; -1 until then. */
  bytes: number;
}

export interface LinterOptions {
  readonly settings: LintSettings;
  readonly context: FormatContext;
  /** Near-duplicate detection (MinHash/LSH) costs far more than the rest; a host may leave it off. */
  readonly nearDuplicates?: boolean;
  readonly tokens?: TokenCounter;
  /**
   * For a host that only appends (the CLI, reading a file as a stream) and reads each line's
   * findings as it appends it: once `appendLine` returns, the row keeps only what later lines'
   * duplicate checks and the file's own findings need (its index keys, its size), not its text,
   * parsed value or view, so memory grows by a few hundred bytes a line whatever their length.
   * Its rows are never checked again; a later duplicate's related line is the whole line unless
   * `relatedColumns` is set.
   */
  readonly streaming?: boolean;
  /** Streaming: keep where each row's prompt is, for later duplicates' related lines (costs one more parse of each line). */
  readonly relatedColumns?: boolean;
  /**
   * Streaming: the text of an earlier line, read again (the CLI reading a regular file), or
   * undefined when it cannot be. With it, a row's whole-record key (a hash of every answer, most
   * of a dataset's text) is made only once another row shares its prompt; without it, for every
   * row, since the text is gone by then.
   */
  readonly recall?: (line: number) => string | undefined;
}

/** A line the host could not read as text (not UTF-8, or too long to hold): a json-syntax error. */
export interface UnreadableLine {
  readonly message: string;
  readonly start: number;
  readonly end: number;
  /** Its size in the file, for the file's size limits. */
  readonly bytes: number;
}

export interface DatasetStats {
  readonly rows: number;
  readonly errors: number;
  readonly warnings: number;
  readonly infos: number;
  readonly byRule: ReadonlyMap<RuleId, number>;
  /** Groups of two or more rows that are the same record, prompt, or nearly the same prompt. */
  readonly duplicateGroups: number;
  /** Rows that repeat an earlier row (the copies a user would delete). */
  readonly duplicateRows: number;
  readonly formats: ReadonlyMap<FormatId | 'none', number>;
  readonly answers: number;
  readonly refusals: number;
  /** Lines holding a JSON object: what a provider counts as examples. */
  readonly examples: number;
  /** The file's size in UTF-8 bytes (line breaks counted as one byte). */
  readonly bytes: number;
}

/** The rules about the whole file, reported on line 1 once every line is checked. */
export const DATASET_RULES: ReadonlySet<RuleId> = new Set<RuleId>(['too-few-examples', 'too-many-examples', 'file-too-large', 'small-validation']);

const LINE_BREAK = /\r\n|\r|\n/;

export class DatasetLinter {
  private rows: Row[] = [];
  private options: LinterOptions;
  private readonly counts = new Map<FormatId, number>();
  private effective: FormatModule | undefined;
  private readonly promptIndex = new ExactIndex<Row>();
  private readonly recordIndex = new ExactIndex<Row>();
  private nearIndex: NearDuplicateIndex<Row>;
  /** Rows that still have work, in any stage; processed front to back. */
  private pending: Row[] = [];
  private parseQueue = 0; // rows of `pending` in Stage.Parse, for the detection decision
  private tokensWanted = false;
  private readonly enabledRules: { rule: ContentRule; setting: RuleSetting }[] = [];
  private readonly env: { tokens: TokenCounter | undefined; needsTokens(): void; context: FormatContext; targetModel: string | undefined };

  /** Set by `env.needsTokens` while one row's rules run. */
  private currentWantsTokens = false;

  constructor(options: LinterOptions) {
    this.options = options;
    this.nearIndex = new NearDuplicateIndex<Row>({ threshold: options.settings.nearDuplicateThreshold, order: byLine });
    this.env = {
      tokens: options.tokens,
      needsTokens: () => { this.tokensWanted = true; this.currentWantsTokens = true; },
      context: options.context,
      targetModel: options.settings.targetModel,
    };
    this.configureRules();
  }

  // -------------------------------------------------------------------------------------------
  // Input

  /** Replaces the whole document. */
  setText(text: string): void {
    const body = text.startsWith('\uFEFF') ? text.slice(1) : text;
    // Splitting on a string is several times faster than on the regular expression; most files have no \r.
    this.replaceLines(0, this.rows.length, body.includes('\r') ? body.split(LINE_BREAK) : body.split('\n'));
  }

  /**
   * Replaces `deleteCount` rows from `start` with rows for `lines` (texts without line breaks).
   * The document's last line, when empty, is the final newline's and is never a finding.
   */
  replaceLines(start: number, deleteCount: number, lines: readonly string[]): void {
    const removed = this.rows.slice(start, start + deleteCount);
    for (const row of removed) this.unindex(row);
    const added = lines.map((text, i) => newRow(text, start + i));
    // Not splice(start, n, ...added): spreading a million rows as arguments overflows the stack.
    if (added.length < 10_000) this.rows.splice(start, deleteCount, ...added);
    else this.rows = this.rows.slice(0, start).concat(added, this.rows.slice(start + deleteCount));
    if (added.length !== removed.length) {
      for (let i = start + added.length; i < this.rows.length; i++) (this.rows[i] as Row).index = i;
      this.linesShifted(start);
    }
    // A row that was the final empty line may now be a blank line in the middle, or the reverse.
    this.requeueEdges(start, added.length);
    for (const row of added) this.pending.push(row); // push one by one for the same reason
    this.parseQueue += added.length;
  }

  /**
   * Appends one line and brings it fully up to date; for streaming (the CLI) with a fixed format.
   * `bytes`, the line's UTF-8 size, saves measuring it when the reader counted it.
   */
  appendLine(text: string, bytes?: number): Finding[] {
    const row = newRow(text, this.rows.length);
    if (bytes !== undefined) row.bytes = bytes;
    this.rows.push(row);
    this.pending.push(row);
    this.parseQueue++;
    return this.settleAppended(row);
  }

  /** Appends a line the host could not read as text; it is a json-syntax error and counts only its size. */
  appendUnreadable(line: UnreadableLine): Finding[] {
    // Its UTF-16 length is unknown; its byte size is within what `fileUnits` promises (1 to 3 bytes a unit).
    const row: Row = { ...newRow('', this.rows.length), units: line.bytes, bytes: line.bytes, stage: Stage.Check };
    row.parsed = { kind: 'error', line: row.index, start: line.start, end: line.end, message: line.message };
    this.rows.push(row);
    this.pending.push(row);
    return this.settleAppended(row);
  }

  private settleAppended(row: Row): Finding[] {
    this.step(Infinity);
    if (this.options.streaming !== true) return this.rowFindings(row, new Map());
    // Duplicate groups compare rows by their keys from now on: the texts are about to go.
    if (row.view !== undefined && (row.promptKey !== undefined || row.recordKey !== undefined)) {
      row.normPrompt = row.promptKey ?? '';
      const group = row.promptKey === undefined ? undefined : this.promptIndex.group(row.promptKey);
      if (this.options.recall === undefined || row.recordKey !== undefined || group !== undefined) row.normRecord = row.recordKey ?? recordKey(row.view);
      // The rows this one joins may have left their record key for later: it is needed now.
      for (const m of group ?? []) if (m.normRecord === undefined) m.normRecord = this.recalledRecordKey(m);
    }
    const found = this.rowFindings(row, new Map());
    if (row.bytes < 0) row.bytes = utf8Length(row.text);
    row.promptRange ??= this.options.relatedColumns === true ? this.promptRange(row) : wholeLine(row);
    row.text = '';
    row.view = undefined;
    row.issues = [];
    row.nearText = undefined;
    if (row.parsed?.kind === 'record') row.parsed = FORGOTTEN_RECORD;
    return found;
  }

  /**
   * The whole-record key of a streamed row whose text is gone, from its line read again through
   * `recall` and viewed in the format it was checked in. A line that cannot be read back, or no
   * longer parses as a record (the file changed underneath), gets a key no other row has: it is
   * then reported as a repeated prompt, never as a repeated record it may not be.
   */
  private recalledRecordKey(row: Row): string {
    const unmatched = `\u0000${row.index}`;
    const text = this.options.recall?.(row.index);
    if (text === undefined) return unmatched;
    const format = row.match !== null ? formatById(row.match) : this.effective;
    try {
      const parsed = parseLine(text, row.index);
      if (parsed.kind !== 'record' || format === undefined) return unmatched;
      const view = format.view(parsed.value as JsonObject, this.options.context);
      return view.prompt.trim() !== '' && exactKey(view.prompt) === row.promptKey ? recordKey(view) : unmatched;
    } catch {
      return unmatched;
    }
  }

  /** Changes settings or the format context; everything is checked again. */
  configure(options: Partial<LinterOptions>): void {
    const thresholdChanged = options.settings !== undefined && options.settings.nearDuplicateThreshold !== this.options.settings.nearDuplicateThreshold;
    this.options = { ...this.options, ...options };
    this.env.tokens = this.options.tokens;
    this.env.context = this.options.context;
    this.env.targetModel = this.options.settings.targetModel;
    this.configureRules();
    if (thresholdChanged || options.nearDuplicates === false) {
      this.nearIndex = new NearDuplicateIndex<Row>({ threshold: this.options.settings.nearDuplicateThreshold, order: byLine });
      for (const row of this.rows) { row.inNear = false; row.nearText = undefined; }
    }
    this.effective = undefined;
    this.staleEverything = true; // severities and the near index may have changed under every finding
    this.recheckAll();
  }

  /** A tokenizer arrived: rows that wanted one are checked again. */
  setTokenCounter(tokens: TokenCounter): void {
    this.options = { ...this.options, tokens };
    this.env.tokens = tokens;
    this.tokensWanted = false;
    for (const row of this.rows) {
      if (row.wantsTokens && row.stage > Stage.Check) { row.stage = Stage.Check; this.pending.push(row); }
    }
  }

  /** True when a rule needed a token count and no counter was loaded: load one and call `setTokenCounter`. */
  get needsTokens(): boolean {
    return this.tokensWanted && this.options.tokens === undefined;
  }

  // -------------------------------------------------------------------------------------------
  // Work

  /**
   * Does up to `budget` rows' worth of work and returns true when nothing is left. Every row is
   * parsed before any is checked, because the detected format depends on all of them.
   */
  step(budget: number, outOfTime?: () => boolean): boolean {
    // A host may bound a slice by time: the loops below ask every 16 rows.
    this.outOfTime = outOfTime;
    let units = 0;
    while (units < budget && this.pending.length > 0 && (units === 0 || !this.stopNow(0))) {
      if (this.parseQueue > 0) {
        units += this.parsePending(budget - units);
        continue;
      }
      this.decideFormat();
      units += this.checkPending(budget - units);
    }
    if (this.pending.length === 0) this.decideFormat();
    return this.pending.length === 0;
  }

  get done(): boolean {
    return this.pending.length === 0;
  }

  private outOfTime: (() => boolean) | undefined;

  /** True when the step's clock says stop; asked every 16th row only, so reading the clock costs nothing that shows. */
  private stopNow(n: number): boolean {
    return (n & 15) === 0 && this.outOfTime !== undefined && this.outOfTime();
  }

  /**
   * Parses and checks the rows from `start` to `end` (exclusive) ahead of the others, so a host
   * can show the lines in view first; returns the rows worked. While other rows are unparsed,
   * these are checked against the format the rows parsed so far point to; once every row is
   * parsed, `step` decides the format from all of them and checks everything again if it
   * differs, so the findings in the end are the same as without this call. Near-duplicates
   * are indexed in the usual order, after every row is checked.
   */
  checkFirst(start: number, end: number): number {
    const rows = this.rows.slice(Math.max(0, start), Math.min(end, this.rows.length));
    let n = 0;
    for (const row of rows) if (row.stage === Stage.Parse) { this.parseRow(row); n++; }
    this.decideFormat(); // provisional while rows are unparsed; a change requeues the rows checked so far
    const near = this.options.nearDuplicates === true;
    for (const row of rows) {
      if (row.stage !== Stage.Check) continue; // still in `pending`, which drops it once Done
      this.checkSafely(row);
      row.stage = near ? Stage.Near : Stage.Done;
      n++;
    }
    return n;
  }

  private parsePending(budget: number): number {
    let n = 0;
    for (const row of this.pending) {
      if (n >= budget || this.stopNow(n + 1)) break;
      if (row.stage !== Stage.Parse) continue;
      this.parseRow(row);
      n++;
    }
    if (n === 0) this.parseQueue = 0; // nothing left to parse whatever the count said
    return Math.max(n, 1);
  }

  private parseRow(row: Row): void {
    row.parseFailure = undefined;
    try {
      row.parsed = parseLine(row.text, row.index);
      row.match = row.parsed.kind === 'record' ? firstMatch(row.parsed.value as JsonObject, this.options.context) : null;
    } catch (err) {
      // Counted as no format; the check stage reports it (a row is never left clean unchecked).
      row.match = null;
      row.parseFailure = uncheckedIssue('Format detection', err, wholeLine(row));
      this.logError(row, err);
    }
    if (row.match !== null) this.counts.set(row.match, (this.counts.get(row.match) ?? 0) + 1);
    row.stage = Stage.Check;
    this.parseQueue--;
  }

  /** The file's format: the setting, else a template.json beside the file, else the majority. */
  private decideFormat(): void {
    const next = this.chooseFormat();
    if (next !== this.effective) {
      this.effective = next;
      this.recheckAll();
    }
  }

  private chooseFormat(): FormatModule | undefined {
    const { settings, context } = this.options;
    if (settings.format !== 'auto') return formatById(settings.format);
    if (context.templateKeys !== undefined) return formatById('jumpstart-instruction');
    let best: FormatModule | undefined;
    let bestCount = 0;
    for (const f of FORMATS) {
      const c = this.counts.get(f.id) ?? 0;
      if (c > bestCount) { best = f; bestCount = c; }
    }
    return best;
  }

  private recheckAll(): void {
    // The whole queue in line order: near-duplicates are indexed in queue order and their groups
    // depend on it, so rows checked ahead (checkFirst) must not move behind the unparsed ones.
    this.pending = [];
    this.parseQueue = 0;
    for (const row of this.rows) {
      if (row.stage === Stage.Parse) this.parseQueue++;
      else row.stage = Stage.Check;
      this.pending.push(row);
    }
  }

  private checkPending(budget: number): number {
    let n = 0;
    let i = 0;
    const near = this.options.nearDuplicates === true;
    for (; i < this.pending.length && n < budget && !this.stopNow(n + 1); i++) {
      const row = this.pending[i] as Row;
      if (row.index < 0) continue;
      if (row.stage === Stage.Check) {
        this.checkSafely(row);
        row.stage = near ? Stage.Near : Stage.Done;
        n++;
      }
    }
    // Near-duplicates only after every row is checked, so the findings a user fixes first come first.
    if (i === this.pending.length && near) {
      // The clock is read every 8 queue entries here: n may start at any count and grows by 8.
      for (i = 0; i < this.pending.length && n < budget && !(n > 0 && (i & 7) === 0 && this.stopNow(0)); i++) {
        const row = this.pending[i] as Row;
        if (row.index >= 0 && row.stage === Stage.Near) { this.indexNear(row); n += 8; }
        if (row.stage === Stage.Near) row.stage = Stage.Done;
      }
    }
    this.pending = this.pending.filter((r) => r.stage !== Stage.Done && r.index >= 0);
    return Math.max(n, 1);
  }

  /**
   * A check that throws (a bug, or input no test foresaw) must not stop the lint, nor leave the
   * row looking clean: each check runs guarded (see `check`), so one that throws becomes an
   * `unchecked` error naming it while the row's other findings stay. This is the last net, for a
   * throw outside them: the row is then one `unchecked` error. The error is kept for the host's log.
   */
  private checkSafely(row: Row): void {
    try {
      this.check(row);
    } catch (err) {
      row.view = undefined;
      row.issues = [{ ...uncheckedIssue('TuneLab', err, wholeLine(row)), severity: 'error' }];
      this.logError(row, err);
    }
  }

  private logError(row: Row, err: unknown): void {
    const detail = err instanceof Error ? err.stack ?? err.message : String(err);
    if (this.errors.length < 10) this.errors.push(`line ${row.index + 1}: ${detail}`);
  }

  /**
   * Runs one check of a row; if it throws, pushes an `unchecked` error naming it and returns
   * `fallback`, so the row's other checks still run and their findings are kept.
   */
  private guarded<T>(row: Row, what: string, push: (issue: Issue) => void, run: () => T, fallback: T): T {
    try {
      return run();
    } catch (err) {
      push(uncheckedIssue(what, err, wholeLine(row)));
      this.logError(row, err);
      return fallback;
    }
  }

  private readonly errors: string[] = [];

  /** Internal errors since the last call (at most ten), for the host's log. */
  takeErrors(): string[] {
    return this.errors.splice(0);
  }

  private check(row: Row): void {
    this.unindexExact(row);
    row.issues = [];
    row.view = undefined;
    row.wantsTokens = false;
    const parsed = row.parsed;
    if (parsed === undefined) return;
    const issues: RowIssue[] = [];
    const push = (issue: Issue): void => {
      const severity = this.severity(issue.rule);
      if (severity !== undefined) issues.push({ ...issue, severity });
    };
    if (row.parseFailure !== undefined) push(row.parseFailure);
    if (parsed.kind === 'blank') {
      if (!this.isFinalEmpty(row)) {
        // See the catalog's blank-line entry for the sources.
        push({ rule: 'blank-line', start: 0, end: row.text.length, message: 'Blank line. No provider documents what it does with one: JumpStart\'s trainer loads .jsonl files with Hugging Face datasets, whose JSON reader skips blank lines, but recent datasets versions fail on one near the top of a file; OpenAI and Bedrock ask for one JSON object per line. Delete it.', fix: { title: 'Delete the blank line' } });
      }
    } else if (parsed.kind === 'error') {
      push({ rule: 'json-syntax', start: parsed.start, end: parsed.end, message: parsed.message });
    } else {
      for (const k of parsed.duplicateKeys) {
        push({ rule: 'duplicate-key', start: k.start, end: k.end, message: `The key "${k.key}" appears twice in one object; JSON parsers keep only the last value. Remove or rename one.` });
      }
      this.checkRecord(row, parsed.value as JsonObject, push);
    }
    row.issues = issues;
  }

  private checkRecord(row: Row, record: JsonObject, push: (issue: Issue) => void): void {
    const ctx = this.options.context;
    // Positions are found by parsing the line again, recursively: a line nested 100,000 deep gets
    // its findings on the whole line rather than losing them.
    const at = safeLocator(createLocator(row.text, true), wholeLine(row)); // JSON.parse accepted the line
    const file = this.effective;
    const formatCheck = (f: FormatModule): void => {
      this.guarded(row, `The ${f.label} format check`, push, () => { for (const issue of f.check(record, at, ctx)) push(issue); }, undefined);
    };
    const viewOf = (f: FormatModule): RecordView | undefined => this.guarded(row, `Reading the ${f.label} record's text`, push, () => f.view(record, ctx), undefined);
    let view: RecordView | undefined;
    if (file === undefined) {
      push({ rule: 'schema', ...wholeLine(row), message: `This line matches no dataset format TuneLab knows (${FORMATS.map((f) => f.label).join(', ')}). Check its keys, or set tunelab.dataset.format.` });
    } else if (row.match === file.id || this.guarded(row, `The ${file.label} format detection`, push, () => file.matches(record, ctx), false)) {
      formatCheck(file);
      view = viewOf(file);
    } else if (row.match !== null) {
      const other = formatById(row.match);
      push({ rule: 'mixed-format', ...wholeLine(row), message: `This line is ${other.label} but the file is ${file.label}: a trainer reads one format per file. Convert the line, or move it to a file of its own.` });
      view = viewOf(other);
    } else {
      formatCheck(file);
      view = viewOf(file);
    }
    row.view = view;
    // Without a view (reading it threw, and said so) the content rules cannot run.
    if (view === undefined) return;
    this.currentWantsTokens = false;
    // `guarded`, written out: a closure per rule and row was garbage on every line of a large file.
    for (const { rule, setting } of this.enabledRules) {
      try {
        for (const issue of rule.check(view, at, setting.options, this.env)) push(issue);
      } catch (err) {
        push(uncheckedIssue(rule.id, err, wholeLine(row)));
        this.logError(row, err);
      }
    }
    row.wantsTokens = this.currentWantsTokens;
    this.guarded(row, 'The duplicate checks', push, () => { this.indexExact(row, view); }, undefined);
  }

  private severity(rule: RuleId): Severity | undefined {
    // A row that could not be checked is always an error: turned off, CI would pass rows nobody checked.
    if (rule === 'unchecked') return 'error';
    const s = this.options.settings.rules.get(rule)?.severity;
    return s === undefined || s === 'off' ? undefined : s;
  }

  private configureRules(): void {
    this.enabledRules.length = 0;
    for (const rule of CONTENT_RULES) {
      const setting = this.options.settings.rules.get(rule.id);
      if (setting !== undefined && setting.severity !== 'off') this.enabledRules.push({ rule, setting });
    }
  }

  // -------------------------------------------------------------------------------------------
  // Duplicate indexes

  /**
   * Two records can only be the same if their prompts are, so records with a prompt are filed by
   * prompt alone, and whole records are compared only within a prompt group: hashing every
   * answer (most of a dataset's text) would cost more than the rest of the lint together.
   */
  private indexExact(row: Row, view: RecordView): void {
    if (this.severity('duplicate') === undefined && this.severity('duplicate-prompt') === undefined) return;
    if (view.prompt.trim() !== '') {
      row.promptKey = exactKey(view.prompt);
      this.promptIndex.add(row.promptKey, row);
    } else if (view.fields.length > 0) {
      row.recordKey = recordKey(view);
      this.recordIndex.add(row.recordKey, row);
    }
    this.staleGroup(row);
  }

  private unindexExact(row: Row): void {
    this.staleGroup(row);
    if (row.promptKey !== undefined) this.promptIndex.remove(row.promptKey, row);
    if (row.recordKey !== undefined) this.recordIndex.remove(row.recordKey, row);
    row.promptKey = undefined;
    row.recordKey = undefined;
    row.normPrompt = undefined;
    row.normRecord = undefined;
    row.promptRange = undefined;
  }

  private indexNear(row: Row): void {
    const prompt = row.view?.prompt;
    if (row.inNear && prompt === row.nearText) return; // re-checked, same prompt: nothing moves
    if (row.inNear) this.removeNear(row);
    if (prompt === undefined || prompt.trim() === '' || this.severity('near-duplicate') === undefined) return;
    // The index compares the row with a bounded number of others, however large its cluster;
    // what the row's group means for each member is decided when findings are read (nearFinding).
    this.nearIndex.set(row, prompt);
    row.inNear = true;
    row.nearText = prompt;
    // Its group after joining holds every row whose near-duplicate finding may change; a row that
    // found no partner changed no group (joining only adds its own pairs).
    if (this.tracking && this.nearIndex.partnerIds(row).length > 0) this.markStale(row);
  }

  private removeNear(row: Row): void {
    if (!row.inNear) return;
    this.nearLeaving(row);
    this.nearIndex.delete(row);
    row.inNear = false;
    row.nearText = undefined;
  }

  private unindex(row: Row): void {
    this.unindexExact(row);
    this.removeNear(row);
    if (row.match !== null && row.stage !== Stage.Parse) {
      const c = (this.counts.get(row.match) ?? 1) - 1;
      if (c > 0) this.counts.set(row.match, c); else this.counts.delete(row.match);
    }
    if (row.stage === Stage.Parse) this.parseQueue--;
    row.index = -1;
    row.stage = Stage.Done;
  }

  /** The rows next to an edit whose "is it the final empty line?" answer may have changed. */
  private requeueEdges(start: number, added: number): void {
    const around = [start - 1, start + added, this.rows.length - 1, this.rows.length - 2];
    for (const i of around) {
      const row = this.rows[i];
      // A blank row may still wait for near-duplicate indexing (Near): its check is stale all the same.
      if (row !== undefined && row.parsed?.kind === 'blank' && (row.stage === Stage.Done || row.stage === Stage.Near)) {
        const queued = row.stage === Stage.Near; // still in `pending`
        row.stage = Stage.Check;
        if (!queued) this.pending.push(row);
      }
    }
  }

  private isFinalEmpty(row: Row): boolean {
    return row.index === this.rows.length - 1 && row.text === '';
  }

  // -------------------------------------------------------------------------------------------
  // Output

  get lineCount(): number {
    return this.rows.length;
  }

  /** The format the file is checked against, if one was decided. */
  get format(): FormatModule | undefined {
    return this.effective;
  }

  /** How many parsed lines match each format (each line counted for its first match). */
  get formatCounts(): ReadonlyMap<FormatId, number> {
    return this.counts;
  }

  /**
   * Every line's parse with its current line number, parsing first the lines not parsed yet (the
   * lint uses those parses in turn: no line is parsed twice). A parse is the same object while
   * its line is unchanged, so a reader can remember what it made of it. Not for a streaming
   * linter, which forgets its records' values.
   */
  parsedLines(): { line: number; parsed: ParsedLine }[] {
    const lines: { line: number; parsed: ParsedLine }[] = [];
    for (const row of this.rows) {
      if (row.stage === Stage.Parse) this.parseRow(row);
      // A parse that threw is the lint's to report; here the line is read as its text says.
      lines.push({ line: row.index, parsed: row.parsed ?? parseLine(row.text, row.index) });
    }
    return lines;
  }

  /** The view of a line's record through the file's format, if it parsed. */
  viewOf(line: number): RecordView | undefined {
    return this.rows[line]?.view;
  }

  /**
   * The findings about the whole file (example count, size, a small validation set), on line 1.
   * Only once every line is checked: a count read midway would come and go.
   */
  datasetFindings(): Finding[] {
    if (!this.done || this.rows.length === 0) return [];
    const { settings } = this.options;
    let examples = 0;
    for (const row of this.rows) if (row.parsed?.kind === 'record') examples++;
    const minValidation = settings.rules.get('small-validation')?.options.minExamples;
    const first = this.rows[0] as Row;
    let issues: ReturnType<typeof datasetIssues>;
    try {
      issues = datasetIssues({
        format: this.effective?.id,
        targetModel: settings.targetModel,
        split: settings.split ?? 'train',
        examples,
        units: this.fileUnits(),
        bytes: () => this.fileBytes(),
        minValidationExamples: typeof minValidation === 'number' && minValidation >= 1 ? minValidation : 30,
      });
    } catch (err) {
      this.logError(first, err);
      return [{ rule: 'unchecked', severity: 'error', line: 0, start: 0, end: first.units, message: uncheckedFileMessage(err) }];
    }
    const out: Finding[] = [];
    for (const issue of issues) {
      const severity = this.severity(issue.rule);
      if (severity !== undefined) out.push({ rule: issue.rule, severity, line: 0, start: 0, end: first.units, message: issue.message });
    }
    return out;
  }

  /** The file's length in UTF-16 units, line breaks included (a bound on its UTF-8 size, with no measuring). */
  private fileUnits(): number {
    let units = Math.max(0, this.rows.length - 1);
    for (const row of this.rows) units += row.units;
    return units;
  }

  /** The file's UTF-8 size, each line measured once (rows keep their size until they are replaced). */
  private fileBytes(): number {
    const breaks = Math.max(0, this.rows.length - 1);
    let bytes = breaks;
    for (const row of this.rows) {
      if (row.bytes < 0) row.bytes = utf8Length(row.text);
      bytes += row.bytes;
    }
    return bytes;
  }

  /** Every finding, ordered by line; the dataset's own come first, on line 1. */
  findings(): Finding[] {
    const out: Finding[] = this.datasetFindings();
    const firsts: GroupMemo = new Map();
    for (const row of this.rows) {
      // Decided here (and cached) so a row alone under its key is skipped on the first read too.
      // `null` is a decision too ("no duplicate"): only undefined means undecided (`??=` would redo it).
      if (row.issues.length === 0 && row.dup === undefined) row.dup = this.decideDuplicate(row, firsts);
      if (row.issues.length === 0 && row.dup === null && !this.inNearGroup(row)) continue; // the common case: nothing to say
      for (const f of this.rowFindings(row, firsts)) out.push(f);
    }
    return out;
  }

  /** The findings on one line. */
  findingsOnLine(line: number): Finding[] {
    const row = this.rows[line];
    return row === undefined ? [] : this.rowFindings(row, new Map());
  }

  /**
   * The findings as `findings()` gives them, the file's own apart and the rest one list per line
   * that has any, in line order, for a host that reads them again and again while the lint runs
   * and as the user types (the editor publishes at least every second). Only the rows whose
   * findings may have changed since they were last read are read again (`readChanged`), and a
   * line whose findings are unchanged keeps the very same array, so the host can keep what it
   * made of it. The first call reads every row; a linter has one such reader.
   *
   * With `outOfTime`, reading stops when it says so and the lists are `complete: false`: lines
   * not read yet keep their last lists (a line removed since is left out), as if read a moment
   * earlier; a later call goes on where this one stopped.
   */
  findingLists(outOfTime?: () => boolean): FindingLists {
    const complete = this.readChanged(outOfTime);
    const lines = this.linesRead();
    const dataset = this.datasetFindings();
    if (!sameFindings(dataset, this.lastDataset)) this.lastDataset = dataset;
    return { dataset: this.lastDataset, lines, complete };
  }

  /** The lines' lists as `findingLists` would give them now, without reading anything. */
  private linesRead(): (readonly Finding[])[] {
    if (this.readOrder === undefined) this.readOrder = [...this.lastRead.keys()].sort(byLine);
    const lines: (readonly Finding[])[] = [];
    for (const row of this.readOrder) {
      const list = this.lastRead.get(row);
      if (list !== undefined && row.index >= 0) lines.push(list);
    }
    return lines;
  }

  /**
   * Reads again the findings of the rows that may have changed since they were last read, until
   * `outOfTime` says stop (asked every 32 rows); true when none are left. The first call reads
   * every row, whatever the clock says (rows not checked yet cost next to nothing).
   */
  readChanged(outOfTime?: () => boolean): boolean {
    const firsts: GroupMemo = new Map();
    if (!this.tracking || this.staleEverything) {
      // From now on edits and checks record the rows they touch (a linter nobody reads this way,
      // the CLI's, records nothing).
      this.tracking = true;
      this.staleEverything = false;
      this.shiftedFrom = Number.POSITIVE_INFINITY;
      this.staleNear.clear();
      this.staleRows.clear();
      for (const row of this.lastRead.keys()) if (row.index < 0) this.lastRead.delete(row);
      for (const row of this.rows) this.readRow(row, firsts);
      this.readOrder = undefined;
      return true;
    }
    if (this.shiftedFrom !== Number.POSITIVE_INFINITY) {
      // Lines were inserted or deleted: a finding naming a line from there on names the wrong one now.
      for (const [row, list] of this.lastRead) if (namesLineFrom(list, this.shiftedFrom)) this.staleRows.add(row);
      this.shiftedFrom = Number.POSITIVE_INFINITY;
    }
    if (this.staleNear.size > 0) {
      // Groups are found only now: finding one after a removal regroups the whole index, once.
      const groups = new Set<NearGroup<Row>>();
      for (const row of this.staleNear) {
        this.staleRows.add(row);
        const group = row.index >= 0 && row.inNear ? this.nearIndex.group(row) : undefined;
        if (group !== undefined) groups.add(group);
      }
      this.staleNear.clear();
      for (const group of groups) for (const m of group.members) this.staleRows.add(m);
    }
    let n = 0;
    for (const row of this.staleRows) {
      if (outOfTime !== undefined && (++n & 31) === 0 && outOfTime()) return false;
      this.staleRows.delete(row);
      if (this.readRow(row, firsts)) this.readOrder = undefined;
    }
    return true;
  }

  /** Reads one row's findings again; true when it starts or stops having any. */
  private readRow(row: Row, firsts: GroupMemo): boolean {
    const before = this.lastRead.get(row);
    let found: Finding[] = [];
    if (row.index >= 0) {
      if (row.issues.length === 0 && row.dup === undefined) row.dup = this.decideDuplicate(row, firsts);
      if (row.issues.length > 0 || row.dup !== null || this.inNearGroup(row)) found = this.rowFindings(row, firsts);
    }
    if (found.length === 0) return this.lastRead.delete(row);
    if (before === undefined || !sameFindings(before, found)) {
      this.lastRead.set(row, found);
      this.newLists.push(found);
    }
    return before === undefined;
  }

  /** Records that a row's findings may have changed, for `findingLists`. */
  private markStale(row: Row): void {
    if (!this.tracking) return;
    this.staleRows.add(row);
    // Its near-duplicate partners read its prompt key (a partner with the same prompt is a duplicate instead).
    if (row.inNear) this.staleNear.add(row);
  }

  /**
   * A row is about to leave the near index: its group may split, and the index re-links rows
   * that shared a bucket with it (its candidates), which may join other groups. Their groups
   * after the change hold every row whose near-duplicate finding may change.
   */
  private nearLeaving(row: Row): void {
    if (!this.tracking) return;
    this.staleRows.add(row);
    for (const p of this.nearIndex.partnerIds(row)) this.staleNear.add(p);
    for (const c of this.nearIndex.candidates(row)) this.staleNear.add(c);
  }

  /** Lines from `start` on moved: findings naming them are read again. */
  private linesShifted(start: number): void {
    if (this.tracking) this.shiftedFrom = Math.min(this.shiftedFrom, start);
  }

  /** Rows whose findings may have changed since `findingLists` last read them. */
  private readonly staleRows = new Set<Row>();
  /** Rows whose near-duplicate group may have changed; their groups' members are read again. */
  private readonly staleNear = new Set<Row>();
  private tracking = false;
  private staleEverything = false;
  private shiftedFrom = Number.POSITIVE_INFINITY;
  /** Each row's findings as last read, for the rows that have any, and those rows in line order. */
  private readonly lastRead = new Map<Row, Finding[]>();
  /** The rows of `lastRead` in line order; undefined when rows started or stopped having findings. */
  private readOrder: Row[] | undefined;
  private lastDataset: Finding[] = [];
  /** The lists read since `takeNewLists` was last called. */
  private newLists: Finding[][] = [];

  /** The lines' lists read anew since the last call (some may since be replaced), for a host to make its items ahead of a publish. */
  takeNewLists(): Finding[][] {
    const out = this.newLists;
    this.newLists = [];
    return out;
  }

  private rowFindings(row: Row, firsts: GroupMemo): Finding[] {
    const out: Finding[] = row.issues.map((i) => ({ ...i, line: row.index }));
    const dup = this.duplicateFinding(row, firsts);
    if (dup !== undefined) out.push(dup);
    return out;
  }

  /**
   * The row's duplicate finding. Which rows it repeats is decided once and cached on the row
   * (`dup`) until a row joins or leaves its groups; line numbers go into the message only here,
   * since rows move as lines are inserted above them.
   */
  private duplicateFinding(row: Row, firsts: GroupMemo): Finding | undefined {
    if (row.dup === undefined) row.dup = this.decideDuplicate(row, firsts);
    const dup = row.dup;
    if (dup === null) return this.nearFinding(row);
    const severity = this.severity(dup.rule);
    if (severity === undefined) return undefined;
    const others = dup.others.filter((o) => o.row.index >= 0);
    const first = others[0];
    if (first === undefined) return undefined;
    let message: string;
    if (dup.rule === 'duplicate') {
      message = `Same record as line ${first.row.index + 1} (ignoring case, spacing and punctuation): a repeated row weighs its answer twice in training. Delete this copy.`;
    } else {
      message = `Same prompt as line ${first.row.index + 1} with a different answer: the model is taught two answers to one question. Keep the better one, or merge them.`;
    }
    const related: RelatedLine[] = others.slice(0, 20).map((o) => ({ line: o.row.index, ...this.promptRange(o.row), message: `line ${o.row.index + 1}` }));
    return { rule: dup.rule, severity, line: row.index, ...this.promptRange(row), message, related, fix: { title: `Delete this duplicate (keep line ${first.row.index + 1})` } };
  }

  private decideDuplicate(row: Row, firsts: GroupMemo): DuplicateDecision | null {
    if (row.index < 0) return null;
    const group = row.promptKey !== undefined ? this.groupFirsts(this.promptIndex, row.promptKey, firsts)
      : row.recordKey !== undefined ? this.groupFirsts(this.recordIndex, row.recordKey, firsts) : undefined;
    const recordFirst = group?.byRecord.get(normRecord(row));
    if (recordFirst !== undefined && recordFirst !== row) {
      return this.severity('duplicate') === undefined ? null : { rule: 'duplicate', others: [{ row: recordFirst, similarity: 1 }] };
    }
    const promptFirst = row.promptKey === undefined ? undefined : group?.byPrompt.get(normPrompt(row));
    if (promptFirst !== undefined && promptFirst !== row) {
      return { rule: 'duplicate-prompt', others: [{ row: promptFirst, similarity: 1 }] };
    }
    return null;
  }

  private inNearGroup(row: Row): boolean {
    return row.inNear && this.nearIndex.group(row) !== undefined;
  }

  /**
   * The row's near-duplicate finding, read from its group (rows linked by near-duplicate pairs,
   * two or thousands) each time, so a row joining or leaving a cluster changes nothing cached
   * on the others. The row names the group's first line if it is itself that near to it, else
   * its first partner above it; the row with neither is the one to keep. The message and the
   * related lines stay the same size whatever the group's.
   */
  private nearFinding(row: Row): Finding | undefined {
    const group = row.inNear ? this.nearIndex.group(row) : undefined;
    const severity = this.severity('near-duplicate');
    if (group === undefined || severity === undefined) return undefined;
    // Rows with the same prompt are reported as duplicates, not near-duplicates.
    const above = (other: Row): boolean => other.index >= 0 && other.index < row.index && (row.promptKey === undefined || other.promptKey !== row.promptKey);
    const partners = this.nearIndex.partnerIds(row).filter(above).sort(byLine);
    const toFirst = above(group.first) ? this.nearIndex.similarity(row, group.first) ?? 0 : 0;
    const named = toFirst >= this.nearIndex.threshold ? group.first : partners[0];
    if (named === undefined) return undefined;
    const similarity = named === group.first ? toFirst : this.nearIndex.similarity(row, named) ?? 0;
    const size = group.members.length;
    const inGroup = size > 2 ? `, one of ${thousands(size)} rows with nearly the same prompt` : '';
    const message = `Nearly the same prompt as line ${named.index + 1} (${Math.round(similarity * 100)}% similar)${inGroup}: near-duplicates add little and overweight one question. Rephrase it into a different question, or delete it.`;
    const shown = [named, ...partners.filter((p) => p !== named).slice(0, NEAR_RELATED - 1)];
    const related: RelatedLine[] = shown.map((o) => ({ line: o.index, ...this.promptRange(o), message: `line ${o.index + 1}` }));
    return { rule: 'near-duplicate', severity, line: row.index, ...this.promptRange(row), message, related, fix: { title: `Delete this duplicate (keep line ${named.index + 1})` } };
  }

  /** The rows whose duplicate findings may change when `row` joins or leaves the indexes. */
  private staleGroup(row: Row): void {
    row.dup = undefined;
    this.markStale(row); // every check of a row comes through here
    const key = row.promptKey ?? row.recordKey;
    if (key === undefined) return;
    const index = row.promptKey !== undefined ? this.promptIndex : this.recordIndex;
    // Only a group of two or more has other rows to clear; `members` would build a Set for every row alone under its key.
    for (const m of index.group(key) ?? []) { m.dup = undefined; this.markStale(m); }
  }

  /**
   * For the key's group (rows whose hashes met), the earliest row of each distinct normalized
   * prompt and record. Comparing the texts themselves means a hash collision can never produce a
   * wrong finding. Memoized per group for one pass over the rows; only rows in groups pay.
   */
  private groupFirsts(index: ExactIndex<Row>, key: string, memo: GroupMemo): GroupFirsts | undefined {
    const members = index.group(key);
    if (members === undefined) return undefined;
    let firsts = memo.get(members);
    if (firsts !== undefined) return firsts;
    firsts = { byPrompt: new Map(), byRecord: new Map() };
    for (const m of [...members].sort((a, b) => a.index - b.index)) {
      const p = normPrompt(m);
      if (!firsts.byPrompt.has(p)) firsts.byPrompt.set(p, m);
      const r = normRecord(m);
      if (!firsts.byRecord.has(r)) firsts.byRecord.set(r, m);
    }
    memo.set(members, firsts);
    return firsts;
  }

  /** Where a duplicate's squiggle goes: the prompt's value. Cached: locating parses the line again. */
  private promptRange(row: Row): { start: number; end: number } {
    if (row.promptRange !== undefined) return row.promptRange;
    const field = row.view?.fields.find((f) => f.role === 'prompt') ?? row.view?.fields[0];
    row.promptRange = field === undefined ? wholeLine(row) : safeLocator(createLocator(row.text, true), wholeLine(row)).valueRange(field.path);
    return row.promptRange;
  }

  /** Counts for the status bar and the stats view. */
  /** Pass the findings just read, if any, to save reading them again. */
  stats(isRefusal: (answer: string) => boolean, findings: readonly Finding[] = this.findings()): DatasetStats {
    const byRule = new Map<RuleId, number>();
    let errors = 0, warnings = 0, infos = 0, duplicateRows = 0, answers = 0, refusals = 0, rows = 0;
    const formats = new Map<FormatId | 'none', number>();
    for (const f of findings) {
      byRule.set(f.rule, (byRule.get(f.rule) ?? 0) + 1);
      if (f.severity === 'error') errors++;
      else if (f.severity === 'warning') warnings++;
      else if (f.severity === 'info') infos++;
      if (f.rule === 'duplicate' || f.rule === 'duplicate-prompt' || f.rule === 'near-duplicate') duplicateRows++;
    }
    for (const row of this.rows) {
      if (row.index < 0 || this.isFinalEmpty(row)) continue;
      rows++;
      const key = row.match ?? 'none';
      formats.set(key, (formats.get(key) ?? 0) + 1);
      for (const field of row.view?.fields ?? []) {
        if (field.role !== 'answer') continue;
        answers++;
        if (isRefusal(field.text)) refusals++;
      }
    }
    let examples = 0;
    for (const row of this.rows) if (row.index >= 0 && row.parsed?.kind === 'record') examples++;
    return { rows, errors, warnings, infos, byRule, duplicateGroups: this.duplicateGroups(), duplicateRows, formats, answers, refusals, examples, bytes: this.fileBytes() };
  }

  private duplicateGroups(): number {
    let groups = 0;
    const counted = new Set<Row>();
    const memo: GroupMemo = new Map();
    for (const [key, members] of [...this.recordIndex.groups(), ...this.promptIndex.groups()]) {
      const index = this.promptIndex.group(key) === members ? this.promptIndex : this.recordIndex;
      const firsts = this.groupFirsts(index, key, memo);
      // A group is a set of rows with the same prompt (or the same record, without a prompt).
      for (const first of firsts?.byPrompt.values() ?? []) {
        const same = [...members].filter((m) => normPrompt(m) === normPrompt(first));
        if (same.length > 1) groups++;
      }
      for (const m of members) counted.add(m);
    }
    // Near-duplicate groups (however many rows each holds), unless every row was counted above.
    for (const group of this.nearIndex.groups()) if (group.members.some((m: Row) => !counted.has(m))) groups++;
    return groups;
  }
}

/** A streamed record's parse result once its value is forgotten: only "it was a record" is still needed. */
const FORGOTTEN_RECORD: ParsedLine = { kind: 'record', line: -1, value: {}, duplicateKeys: [] };

function newRow(text: string, index: number): Row {
  return {
    index, text, units: text.length, stage: Stage.Parse, parsed: undefined, match: null, view: undefined, issues: [],
    promptKey: undefined, recordKey: undefined, normPrompt: undefined, normRecord: undefined, promptRange: undefined, dup: undefined, inNear: false, nearText: undefined, wantsTokens: false, parseFailure: undefined, bytes: -1,
  };
}

function firstMatch(record: JsonObject, ctx: FormatContext): FormatId | null {
  for (const f of FORMATS) if (f.matches(record, ctx)) return f.id;
  return null;
}

function wholeLine(row: Row): { start: number; end: number } {
  return { start: 0, end: row.units };
}

/**
 * Each field's role and the hash of its normalized text, so two records with the same texts in
 * the same places share a key (short keys: the index never holds the texts themselves).
 */
function recordKey(view: RecordView): string {
  let key = '';
  for (const f of view.fields) key += f.role.charAt(0) + exactKey(f.text);
  return key;
}

/** The most lines a near-duplicate finding lists as related, however large its group. */
const NEAR_RELATED = 10;

/** Rows in line order; edits never reorder the rows they keep, so the near index may rely on it. */
function byLine(a: Row, b: Row): number {
  return a.index - b.index;
}

/** 5000 → "5,000", without depending on the host's locale data. */
function thousands(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

interface DuplicateDecision {
  readonly rule: 'duplicate' | 'duplicate-prompt';
  /** The earlier rows it repeats, earliest first. */
  readonly others: readonly { readonly row: Row; readonly similarity: number }[];
}

interface GroupFirsts { readonly byPrompt: Map<string, Row>; readonly byRecord: Map<string, Row> }
type GroupMemo = Map<ReadonlySet<Row>, GroupFirsts>;

/** What `findingLists` reads: the same findings as `findings()`, the file's own apart and the rest by line. */
export interface FindingLists {
  /** The findings about the whole file, on line 1 (first in `findings()`). */
  readonly dataset: readonly Finding[];
  /** One list per line with findings, in line order; an unchanged line's list is the same array as last time. */
  readonly lines: readonly (readonly Finding[])[];
  /** False when reading stopped on time with rows left to read: some lines' lists are from an earlier read. */
  readonly complete: boolean;
}

/** True when a finding in the list is on, or names, a line from `line` on. */
function namesLineFrom(list: readonly Finding[], line: number): boolean {
  for (const f of list) {
    if (f.line >= line) return true;
    for (const r of f.related ?? []) if (r.line >= line) return true;
  }
  return false;
}

/** Findings equal in every field (they are plain data: strings, numbers, arrays and objects of them). */
function sameFindings(a: readonly Finding[], b: readonly Finding[]): boolean {
  return a === b || sameValue(a, b);
}

function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null || Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a), kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  for (const k of ka) if (!sameValue((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])) return false;
  return true;
}

function normPrompt(row: Row): string {
  row.normPrompt ??= normalizeText(row.view?.prompt ?? '');
  return row.normPrompt;
}

function normRecord(row: Row): string {
  row.normRecord ??= (row.view?.fields ?? []).map((f) => `${f.role}\u0001${normalizeText(f.text)}`).join('\u0002');
  return row.normRecord;
}
