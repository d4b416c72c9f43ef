/**
 * How `tunelab lint` prints findings: `text` (one compiler-style line per finding), `json`
 * (JSON Lines, one object per finding) and `sarif` (a SARIF 2.1.0 log for code scanning).
 *
 * Pure functions over findings. Findings are 0-based with UTF-16 columns; everything printed
 * here is 1-based, and an end column is the column just after the range, as SARIF counts it.
 */
import type * as Sarif from 'sarif';
import { RULES } from '../core/lint/catalog';
import type { Finding, RuleId, Severity, SeveritySetting } from '../core/lint/types';

export interface Totals {
  readonly errors: number;
  readonly warnings: number;
  readonly infos: number;
  readonly hints: number;
  readonly files: number;
  readonly rows: number;
}

// ---------------------------------------------------------------------------------------------
// text

const ESC = '\u001b[';
const RESET = `${ESC}0m`;
const SEVERITY_COLOR: Record<Severity, string> = { error: '31', warning: '33', info: '36', hint: '90' };

function paint(text: string, code: string, colors: boolean): string {
  return colors ? `${ESC}${code}m${text}${RESET}` : text;
}

/** `path:line:col: severity rule: message`, with a line break. */
export function textLine(file: string, f: Finding, colors = false): string {
  const where = `${printable(file)}:${f.line + 1}:${f.start + 1}:`;
  return `${colors ? paint(where, '1', true) : where} ${paint(f.severity, SEVERITY_COLOR[f.severity], colors)} ${paint(`${f.rule}:`, '90', colors)} ${printable(oneLine(f.message))}\n`;
}

function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** `N problems (E errors, W warnings, I infos) in F files · R rows`, with a line break. */
export function summaryLine(t: Totals, colors = false): string {
  const problems = t.errors + t.warnings + t.infos + t.hints;
  const parts = [plural(t.errors, 'error', 'errors'), plural(t.warnings, 'warning', 'warnings'), plural(t.infos, 'info', 'infos')];
  if (t.hints > 0) parts.push(plural(t.hints, 'hint', 'hints'));
  const head = plural(problems, 'problem', 'problems');
  const color = t.errors > 0 ? SEVERITY_COLOR.error : t.warnings > 0 ? SEVERITY_COLOR.warning : '32';
  return `${paint(head, color, colors)} (${parts.join(', ')}) in ${plural(t.files, 'file', 'files')} · ${plural(t.rows, 'row', 'rows')}\n`;
}

/**
 * What must not reach a terminal raw from a dataset or a path: C0 controls (NUL; ESC, which
 * starts the sequences that recolour, move the cursor, retitle the window or write the
 * clipboard; CR, which rewrites the line), DEL, C1 controls (U+009B is a one-character CSI for
 * terminals that take C1 in UTF-8), the line and paragraph separators, and the bidirectional
 * overrides and isolates that reorder what is shown (Unicode UAX #9; CVE-2021-42574).
 */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** A character as JSON escapes it in a string (`\n`, `\t`…), else as `\u009b`: printable, and still valid JSON inside a JSON string. */
function escapeChar(c: string): string {
  const json = JSON.stringify(c).slice(1, -1);
  return json.length > 1 ? json : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
}

/** `text` with every character of `UNPRINTABLE` written as an escape, so a terminal shows it instead of obeying it. */
export function printable(text: string): string {
  UNPRINTABLE.lastIndex = 0;
  return UNPRINTABLE.test(text) ? text.replace(UNPRINTABLE, escapeChar) : text;
}

/**
 * JSON text with the same value and no character a terminal would obey: `JSON.stringify`
 * escapes C0 controls but writes DEL, C1 controls, the separators and the bidi controls raw;
 * those can only occur inside strings, where `\uXXXX` means the same character.
 */
export function printableJson(value: unknown): string {
  return printable(JSON.stringify(value));
}

/** Messages are one line already; this keeps a stray line break from splitting an output line. */
function oneLine(text: string): string {
  return /[\r\n]/.test(text) ? text.replace(/\r\n|\r|\n/g, ' ') : text;
}

// ---------------------------------------------------------------------------------------------
// json

export interface JsonFinding {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly endColumn: number;
  readonly severity: Severity;
  readonly rule: RuleId;
  readonly message: string;
}

export function jsonFinding(file: string, f: Finding): JsonFinding {
  return { file, line: f.line + 1, column: f.start + 1, endColumn: f.end + 1, severity: f.severity, rule: f.rule, message: f.message };
}

/** One JSON object and a line break. */
export function jsonLine(file: string, f: Finding): string {
  return `${printableJson(jsonFinding(file, f))}\n`;
}

// ---------------------------------------------------------------------------------------------
// sarif

export const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';
export const SRCROOT = '%SRCROOT%';

const LEVEL: Record<SeveritySetting, Sarif.ReportingConfiguration.level> = {
  error: 'error', warning: 'warning', info: 'note', hint: 'note', off: 'none',
};

const RULE_INDEX = new Map<RuleId, number>(RULES.map((r, i) => [r.id, i]));

/** Every rule of the catalog, with its default severity. */
export function sarifRules(): Sarif.ReportingDescriptor[] {
  return RULES.map((r) => ({
    id: r.id,
    shortDescription: { text: r.description },
    defaultConfiguration: r.defaultSeverity === 'off' ? { enabled: false, level: 'none' } : { level: LEVEL[r.defaultSeverity] },
    properties: { tags: [r.kind] },
  }));
}

function physical(artifact: Sarif.ArtifactLocation, line: number, start: number, end: number): Sarif.PhysicalLocation {
  return { artifactLocation: artifact, region: { startLine: line + 1, startColumn: start + 1, endColumn: Math.max(end, start) + 1 } };
}

/** One result; `artifact` is the file's location (see `sarifArtifact`). */
export function sarifResult(artifact: Sarif.ArtifactLocation, f: Finding): Sarif.Result {
  const result: Sarif.Result = {
    ruleId: f.rule,
    ruleIndex: RULE_INDEX.get(f.rule) ?? -1,
    level: LEVEL[f.severity],
    message: { text: f.message },
    locations: [{ physicalLocation: physical(artifact, f.line, f.start, f.end) }],
  };
  if (f.related !== undefined && f.related.length > 0) {
    result.relatedLocations = f.related.map((r, i) => ({
      id: i + 1,
      physicalLocation: physical(artifact, r.line, r.start, r.end),
      message: { text: r.message },
    }));
  }
  return result;
}

/**
 * A file's artifact location: a URI relative to `%SRCROOT%` (the current directory) when the
 * file is inside it, else an absolute `file:` URI. `relative` uses `/` separators.
 */
export function sarifArtifact(relative: string | undefined, absoluteUri: string): Sarif.ArtifactLocation {
  if (relative === undefined) return { uri: absoluteUri };
  return { uri: relative.split('/').map(encodeURIComponent).join('/'), uriBaseId: SRCROOT };
}

export interface SarifRunInfo {
  readonly version: string;
  /** The `file:` URI of the current directory, ending with `/`: what `%SRCROOT%` stands for. */
  readonly srcRoot: string;
}

/** A whole log: one run of tunelab with these results. */
export function sarifLog(info: SarifRunInfo, results: Sarif.Result[], invocation?: Sarif.Invocation): Sarif.Log {
  const run: Sarif.Run = {
    tool: { driver: { name: 'tunelab', version: info.version, semanticVersion: info.version, rules: sarifRules() } },
    originalUriBaseIds: { [SRCROOT]: { uri: info.srcRoot } },
    results,
  };
  if (invocation !== undefined) run.invocations = [invocation];
  return { $schema: SARIF_SCHEMA, version: '2.1.0', runs: [run] };
}

const RESULTS = '"results":[]';

/**
 * The log's text around its results, so results can be written one by one as they are found:
 * `head`, then the results as JSON separated by commas, then `tail`.
 */
export function sarifFrame(info: SarifRunInfo, invocation?: Sarif.Invocation): { head: string; tail: string } {
  const text = printableJson(sarifLog(info, [], invocation));
  const at = text.indexOf(RESULTS);
  const head = text.slice(0, at + RESULTS.length - 1);
  const tail = text.slice(at + RESULTS.length - 1);
  return { head, tail: `${tail}\n` };
}
