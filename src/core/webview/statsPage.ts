/**
 * The Dataset Stats page: counts, the rule table and a token-length histogram, rendered as
 * static HTML with an inline SVG. It runs no script at all; its only style sheet is inline with
 * a nonce, and every text from the dataset is escaped.
 */
import { formatBytes } from '../limits/dataset';
import type { DatasetStats } from '../lint/engine';
import type { RecordMeasure } from '../lint/tokensOf';
import type { FormatId, RuleId, Severity } from '../lint/types';

export interface TokenSummary { readonly min: number; readonly median: number; readonly p95: number; readonly max: number; readonly count: number }

/** Nearest-rank quantiles of token counts. */
export function summarizeTokens(counts: readonly number[]): TokenSummary | undefined {
  if (counts.length === 0) return undefined;
  const sorted = [...counts].sort((a, b) => a - b);
  const q = (p: number): number => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))] ?? 0;
  return { min: sorted[0] ?? 0, median: q(0.5), p95: q(0.95), max: sorted[sorted.length - 1] ?? 0, count: sorted.length };
}

export interface Bin { readonly from: number; readonly to: number; readonly count: number }

/** Equal-width bins over [0, max] with round edges, at most `maxBins`. */
export function histogram(counts: readonly number[], maxBins = 24): Bin[] {
  if (counts.length === 0) return [];
  // A loop, not Math.max(...counts): spreading 125k counts as arguments overflows the stack.
  let max = 0;
  for (const c of counts) if (c > max) max = c;
  const raw = Math.max(1, max / maxBins);
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const width = [1, 2, 5, 10].map((m) => m * magnitude).find((w) => w >= raw) ?? raw;
  const n = Math.max(1, Math.floor(max / width) + 1);
  const bins = Array.from({ length: n }, (_, i) => ({ from: i * width, to: (i + 1) * width, count: 0 }));
  for (const c of counts) {
    const bin = bins[Math.min(n - 1, Math.floor(c / width))];
    if (bin !== undefined) bin.count++;
  }
  return bins;
}

/** Rows' lengths for the page, and what was not counted in full. */
export interface TokenCounts {
  readonly counts: readonly number[];
  readonly family: string;
  readonly limit: number | undefined;
  /** Rows counted only until they passed the limit (too-long's early stop): their counts are lower bounds. */
  readonly partial?: number;
  /** Rows whose count threw, left out of `counts`, with the first reason. */
  readonly failed?: { readonly rows: number; readonly reason: string };
}

/**
 * Gathers the rows' measures for the page. A row whose count throws is left out and said to be
 * (the others still make the page); only a tokenizer that does not load leaves no counts at all.
 */
export class TokenTally {
  private readonly counts: number[] = [];
  private partial = 0;
  private failedRows = 0;
  private reason = '';
  private unit: string | undefined;
  private limit: number | undefined;

  /** Measures one row; `ofFileFormat` when the row is in the file's format, whose unit and limit the page shows. */
  add(measure: () => Pick<RecordMeasure, 'count' | 'complete' | 'unit' | 'limit'>, ofFileFormat: boolean): void {
    let m: Pick<RecordMeasure, 'count' | 'complete' | 'unit' | 'limit'>;
    try {
      m = measure();
    } catch (err) {
      if (this.failedRows++ === 0) this.reason = err instanceof Error ? err.message : String(err);
      return;
    }
    this.counts.push(m.count);
    if (!m.complete) this.partial++;
    if (this.unit === undefined || ofFileFormat) { this.unit = m.unit; this.limit = m.limit; }
  }

  result(): TokenCounts {
    const failed = this.failedRows === 0 ? undefined : { rows: this.failedRows, reason: this.reason };
    return { counts: this.counts, family: this.unit ?? 'tokens', limit: this.limit, partial: this.partial, ...(failed === undefined ? {} : { failed }) };
  }
}

export interface StatsPageInput {
  readonly nonce: string;
  readonly fileName: string;
  readonly formatLabel: string | undefined;
  readonly formatLabels: ReadonlyMap<FormatId | 'none', string>;
  readonly stats: DatasetStats;
  /**
   * Lengths per row as the trainer counts them (`family` names the unit, e.g. "Llama 3 tokens"),
   * with the limit they are held to, or a note on why there are none yet.
   */
  readonly tokens: TokenCounts | { readonly note: string };
  /** The findings about the whole file (too few examples, file size, a small validation set). */
  readonly datasetChecks?: readonly { readonly rule: RuleId; readonly severity: Severity; readonly message: string }[];
}

export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

const n = (x: number): string => x.toLocaleString('en-US');

export function renderStatsPage(input: StatsPageInput): string {
  const { stats } = input;
  const csp = `default-src 'none'; style-src 'nonce-${input.nonce}'`;
  const refusalShare = stats.answers === 0 ? '—' : `${Math.round((stats.refusals / stats.answers) * 100)}% (${n(stats.refusals)} of ${n(stats.answers)} answers)`;
  const summary = [
    ['Rows', n(stats.rows)],
    ['Examples', n(stats.examples)],
    ['File size', formatBytes(stats.bytes)],
    ['Format', input.formatLabel ?? 'none detected'],
    ['Errors', n(stats.errors)],
    ['Warnings', n(stats.warnings)],
    ['Information', n(stats.infos)],
    ['Duplicate groups', `${n(stats.duplicateGroups)} (${n(stats.duplicateRows)} rows repeat an earlier one)`],
    ['Refusal-style answers', refusalShare],
  ];
  const rules = [...stats.byRule.entries()].sort((a, b) => b[1] - a[1]);
  const formats = [...stats.formats.entries()].sort((a, b) => b[1] - a[1]);
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>Dataset Stats</title>
<style nonce="${escapeHtml(input.nonce)}">
body { font-family: var(--vscode-font-family); font-size: var(--vscode-font-size); color: var(--vscode-foreground); padding: 0 16px 16px; }
h1 { font-size: 1.3em; font-weight: 600; } h2 { font-size: 1.1em; font-weight: 600; margin-top: 1.5em; }
table { border-collapse: collapse; } td, th { padding: 2px 16px 2px 0; text-align: left; vertical-align: top; }
th { font-weight: 600; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
.note { color: var(--vscode-descriptionForeground); }
svg .bar { fill: var(--vscode-charts-blue, var(--vscode-foreground)); }
svg .over { fill: var(--vscode-charts-red, var(--vscode-errorForeground)); }
svg text { fill: var(--vscode-foreground); font-size: 10px; }
svg line { stroke: var(--vscode-foreground); stroke-opacity: 0.4; }
</style>
</head>
<body>
<h1>Dataset Stats — ${escapeHtml(input.fileName)}</h1>
<table aria-label="Summary">
${summary.map(([k, v]) => `<tr><th scope="row">${escapeHtml(k ?? '')}</th><td>${escapeHtml(v ?? '')}</td></tr>`).join('\n')}
</table>
<h2>Dataset checks</h2>
${renderChecks(input)}
<h2>Tokens per row</h2>
${renderTokens(input)}
<h2>Findings by rule</h2>
${rules.length === 0 ? '<p class="note">No findings.</p>' : `<table aria-label="Findings by rule"><tr><th>Rule</th><th>Findings</th></tr>
${rules.map(([rule, count]) => `<tr><td><code>${escapeHtml(rule satisfies RuleId)}</code></td><td class="num">${n(count)}</td></tr>`).join('\n')}
</table>`}
<h2>Lines per format</h2>
<table aria-label="Lines per format"><tr><th>Format</th><th>Lines</th></tr>
${formats.map(([id, count]) => `<tr><td>${escapeHtml(input.formatLabels.get(id) ?? id)}</td><td class="num">${n(count)}</td></tr>`).join('\n')}
</table>
</body>
</html>
`;
}

function renderChecks(input: StatsPageInput): string {
  const checks = input.datasetChecks ?? [];
  if (checks.length === 0) return '<p class="note">Within the provider\'s limits on examples and file size.</p>';
  return `<ul aria-label="Dataset checks">
${checks.map((c) => `<li><code>${escapeHtml(c.rule)}</code> (${escapeHtml(c.severity)}): ${escapeHtml(c.message)}</li>`).join('\n')}
</ul>`;
}

function renderTokens(input: StatsPageInput): string {
  const t = input.tokens;
  if ('note' in t) return `<p class="note">${escapeHtml(t.note)}</p>`;
  const s = summarizeTokens(t.counts);
  if (s === undefined) return '<p class="note">No records to count.</p>';
  const over = t.limit === undefined ? 0 : t.counts.filter((c) => c > (t.limit ?? Infinity)).length;
  const table = `<table aria-label="Token summary"><tr><th>Counted in</th><th>Min</th><th>Median</th><th>p95</th><th>Max</th>${t.limit === undefined ? '' : '<th>Over the limit</th>'}</tr>
<tr><td>${escapeHtml(t.family)}</td><td class="num">${n(s.min)}</td><td class="num">${n(s.median)}</td><td class="num">${n(s.p95)}</td><td class="num">${n(s.max)}</td>${t.limit === undefined ? '' : `<td class="num">${n(over)} (limit ${n(t.limit)})</td>`}</tr></table>`;
  return table + countNotes(t) + histogramSvg(histogram(t.counts), t.limit);
}

const rowsPhrase = (k: number, one: string, many: string): string => `${n(k)} ${k === 1 ? one : many}`;

function countNotes(t: TokenCounts): string {
  const notes: string[] = [];
  const partial = t.partial ?? 0;
  if (partial > 0) {
    notes.push(`${rowsPhrase(partial, 'row is', 'rows are')} over the limit and ${partial === 1 ? 'was' : 'were'} counted only until ${partial === 1 ? 'it' : 'they'} passed it: ${partial === 1 ? 'its count is a lower bound' : 'their counts are lower bounds'}.`);
  }
  if (t.failed !== undefined) {
    const k = t.failed.rows;
    notes.push(`${rowsPhrase(k, 'row', 'rows')} could not be counted (${t.failed.reason}) and ${k === 1 ? 'is' : 'are'} left out (see TuneLab's log); the other rows' counts are complete.`);
  }
  return notes.map((x) => `<p class="note">${escapeHtml(x)}</p>`).join('\n');
}

function histogramSvg(bins: readonly Bin[], limit: number | undefined): string {
  const width = 560, height = 180, left = 40, bottom = 30, top = 10;
  const peak = Math.max(1, ...bins.map((b) => b.count));
  const barWidth = (width - left) / Math.max(1, bins.length);
  const bars = bins.map((b, i) => {
    const h = ((height - bottom - top) * b.count) / peak;
    const x = left + i * barWidth;
    const cls = limit !== undefined && b.from >= limit ? 'over' : 'bar';
    return `<rect class="${cls}" x="${x.toFixed(1)}" y="${(height - bottom - h).toFixed(1)}" width="${Math.max(1, barWidth - 2).toFixed(1)}" height="${h.toFixed(1)}"><title>${n(b.from)}–${n(b.to - 1)} tokens: ${n(b.count)} rows</title></rect>`;
  }).join('');
  const labels = bins.map((b, i) => (i % Math.ceil(bins.length / 8) === 0
    ? `<text x="${(left + i * barWidth).toFixed(1)}" y="${height - bottom + 14}">${n(b.from)}</text>` : '')).join('');
  return `<svg role="img" aria-label="Histogram of tokens per row" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">
<line x1="${left}" y1="${height - bottom}" x2="${width}" y2="${height - bottom}"/>
<text x="0" y="${top + 10}">${n(peak)}</text><text x="0" y="${height - bottom}">0</text>
${bars}${labels}
<text x="${left}" y="${height - 2}">tokens per row</text>
</svg>`;
}
