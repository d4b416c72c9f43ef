/**
 * How a host lints a dataset without freezing its thread: the lines in view first, then the rest
 * in slices bounded by time, not rows (a row of a megabyte costs a thousand short ones).
 * The editor (providers/datasetLinting.ts) and `npm run bench` (bench/editor.bench.ts) run this
 * same code, so the bench measures what the editor does.
 *
 * Pure: no `vscode`, no I/O; the clock is passed in.
 */
import type { DatasetLinter } from './engine';

/** A slice's time budget: well under the 50 ms after which a user notices a frozen editor. */
export const SLICE_MS = 20;
/**
 * Rows parsed before the visible ones are checked, so the provisional format comes from a sample
 * as the CLI's does (it fixes the format from the first 1000 lines); the final one still comes
 * from every row.
 */
export const FORMAT_SAMPLE_ROWS = 1000;

/** A range of lines, end exclusive. */
export interface LineRange { readonly start: number; readonly end: number }

/** The linter as a schedule drives it (a DatasetLinter; a narrower type keeps tests honest). */
export type SlicedLinter = Pick<DatasetLinter, 'step' | 'checkFirst' | 'done'>;

/**
 * Works on the linter for about `sliceMs` by `now` (milliseconds): the engine reads the clock
 * every 16 rows and stops once the slice is used up, so a slice overshoots by at most 16 rows
 * (or one row that alone is slow: a row of megabytes is not split).
 */
export class SliceRunner {
  constructor(private readonly linter: SlicedLinter, private readonly now: () => number, private readonly sliceMs = SLICE_MS) {}

  /** The visible lines first, after parsing a format sample in at most half a slice. */
  visibleFirst(visible: readonly LineRange[]): void {
    // Parsing runs front to back through the queue, which after opening a file is line order.
    const until = this.now() + this.sliceMs / 2;
    if (!this.linter.done) this.linter.step(FORMAT_SAMPLE_ROWS, () => this.now() >= until);
    for (const r of visible) this.linter.checkFirst(r.start, r.end);
  }

  /** One slice of the remaining work; true when the linter is done. */
  slice(): boolean {
    const until = this.now() + this.sliceMs;
    return this.linter.step(Number.POSITIVE_INFINITY, () => this.now() >= until);
  }
}
