/**
 * How a host lints a dataset without freezing its thread: the lines in view first, then the rest
 * in slices bounded by time, not rows (a row of a megabyte costs a thousand short ones).
 * The editor (host/datasetLinting.ts) and `npm run bench` (bench/editor.bench.ts) run this
 * same code, so the bench measures what the editor does.
 *
 * Pure: no `vscode`, no I/O; the clock is passed in.
 */
import type { DatasetLinter } from './engine';
import type { Finding } from './types';

/**
 * A slice's time budget: well under the 50 ms after which a user notices a frozen editor, with
 * room for a pause of the garbage collector inside it (a young-generation collection while rows
 * are parsed takes 10–30 ms on a busy machine: nearly everything allocated then survives).
 */
export const SLICE_MS = 10;
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

  /**
   * A publish while the lint runs: the changed findings read for at most a slice, the rest left
   * for the next (a second of checking can leave tens of thousands of rows to read).
   */
  publish<T>(publisher: FindingsPublisher<T>): Published<T> {
    const until = this.now() + this.sliceMs;
    return publisher.publish(() => this.now() >= until);
  }

  /** One slice of reading the changed findings, before the last publish; true when all are read. */
  readChanged(publisher: FindingsPublisher<unknown>): boolean {
    const until = this.now() + this.sliceMs;
    return publisher.readChanged(() => this.now() >= until);
  }
}

/** What one publish hands the host: every finding in line order and what it made of each, in the same order. */
export interface Published<T> {
  /** The same findings, in the same order, as the linter's `findings()`. */
  readonly findings: Finding[];
  readonly items: T[];
  /** False when nothing changed since the last publish: the host may skip handing the items on. */
  readonly changed: boolean;
  /** False when the reading stopped on time: some lines are as an earlier publish had them. */
  readonly complete: boolean;
}

/**
 * Keeps what a host makes of the findings (the editor's Diagnostics) in step with a linter for
 * the host that publishes again and again (at least every second while a lint runs, and after
 * every edit): the linter reads again only the rows whose findings may have changed
 * (`findingLists`), and a line whose list of findings is the same array as before keeps the
 * items made for it, so a publish costs about the findings that changed, not all of them.
 */
export class FindingsPublisher<T> {
  private readonly made = new WeakMap<readonly Finding[], readonly T[]>();
  /** The lists of the last publish and the items made of each, position by position. */
  private last: readonly (readonly Finding[])[] = [];
  private lastMade: (readonly T[])[] = [];

  /** Lists read but not made yet (`readChanged`). */
  private toMake: Finding[][] = [];

  constructor(private readonly linter: Pick<DatasetLinter, 'findingLists' | 'readChanged' | 'takeNewLists'>, private readonly make: (finding: Finding) => T) {}

  /**
   * Reads the changed findings and makes the items of the lines read, until `outOfTime` says
   * stop, without publishing; true when all are read and made, so a publish that follows has
   * next to nothing left to do.
   */
  readChanged(outOfTime?: () => boolean): boolean {
    if (!this.linter.readChanged(outOfTime)) return false;
    for (const list of this.linter.takeNewLists()) this.toMake.push(list);
    for (let list = this.toMake.pop(); list !== undefined; list = this.toMake.pop()) {
      if (!this.made.has(list)) this.made.set(list, list.map((f) => this.make(f)));
      if (outOfTime?.() === true) return this.toMake.length === 0;
    }
    return true;
  }

  /** Every finding, read until `outOfTime` says stop (see `complete`), and the items made of them. */
  publish(outOfTime?: () => boolean): Published<T> {
    const { dataset, lines, complete } = this.linter.findingLists(outOfTime);
    // What is current is made below; lists read before and not made since may be gone already.
    this.linter.takeNewLists();
    this.toMake = [];
    const lists = [dataset, ...lines];
    let changed = lists.length !== this.last.length;
    const findings: Finding[] = [];
    const items: T[] = [];
    const allMade: (readonly T[])[] = [];
    for (let i = 0; i < lists.length; i++) {
      const list = lists[i] as readonly Finding[];
      // Most lines are where they were last time: no lookup for those.
      let made = list === this.last[i] ? this.lastMade[i] : undefined;
      if (made === undefined) {
        changed = true;
        made = this.made.get(list);
        if (made === undefined) {
          made = list.map((f) => this.make(f));
          this.made.set(list, made);
        }
      }
      allMade.push(made);
      for (let j = 0; j < list.length; j++) {
        findings.push(list[j] as Finding);
        items.push(made[j] as T);
      }
    }
    this.last = lists;
    this.lastMade = allMade;
    return { findings, items, changed, complete };
  }
}
