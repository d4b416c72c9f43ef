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
 * Works on the linter for about `sliceMs` (by `now`, in milliseconds) and returns true when
 * nothing is left. The engine counts work in rows; rows are handed to it in chunks that grow
 * while a chunk takes under a tenth of the slice and shrink when one takes more, so a slice
 * overshoots by at most about one chunk (or one row that alone is slow), and a slice of short
 * rows does not pay the per-call cost a thousand times.
 */
export class SliceRunner {
  private chunk = 1;

  constructor(private readonly linter: SlicedLinter, private readonly now: () => number, private readonly sliceMs = SLICE_MS) {}

  /** The visible lines first (after parsing a format sample), within one slice's time where possible. */
  visibleFirst(visible: readonly LineRange[]): void {
    const started = this.now();
    let parsed = 0;
    // Parsing runs front to back through the queue, which after opening a file is line order.
    while (parsed < FORMAT_SAMPLE_ROWS && !this.linter.done && this.now() - started < this.sliceMs / 2) {
      const n = Math.min(Math.max(this.chunk, 16), FORMAT_SAMPLE_ROWS - parsed);
      this.linter.step(n);
      parsed += n;
    }
    for (const r of visible) this.linter.checkFirst(r.start, r.end);
  }

  /** One slice of the remaining work; true when the linter is done. */
  slice(): boolean {
    const started = this.now();
    for (;;) {
      const t0 = this.now();
      if (this.linter.step(this.chunk)) return true;
      const t1 = this.now();
      const took = t1 - t0;
      const rows = this.chunk;
      if (took < this.sliceMs / 10) this.chunk = Math.min(this.chunk * 2, 1 << 16);
      else if (took > this.sliceMs / 4) this.chunk = Math.max(1, Math.floor(this.chunk / 2));
      // The next chunk is not started when, at this chunk's pace, it would not fit.
      if (t1 - started + (took * this.chunk) / rows > this.sliceMs) return false;
    }
  }
}
