/**
 * Appending lines to a file through a file system that can only write files whole (such as
 * vscode.workspace.fs): every append costs a read and a write of the whole file, so lines are
 * gathered and appended together, at most every `maxLines` lines or `maxWaitMs` after the first
 * line still waiting, and whenever the caller flushes (at the end, on cancel). What a crash can
 * lose is only the lines still waiting; every line appended before it stays.
 *
 * Pure: the append itself and the clock come in from the caller.
 */

/** When waiting lines are appended: whichever comes first. */
export interface AppendPolicy {
  /** Lines waiting that make an append due at once. */
  readonly maxLines: number;
  /** How long the first waiting line may wait. */
  readonly maxWaitMs: number;
}

export interface AppendClock {
  now(): number;
  /** Calls `run` after `ms`; the function returned stops it. */
  setTimer(ms: number, run: () => void): () => void;
}

export const systemClock: AppendClock = {
  now: () => Date.now(),
  setTimer(ms, run) {
    const timer = setTimeout(run, Math.max(0, ms));
    return () => { clearTimeout(timer); };
  },
};

/** Whether lines waiting since `oldestAt` are due to be appended at `now`. */
export function appendDue(waiting: number, oldestAt: number | undefined, now: number, policy: AppendPolicy): boolean {
  if (waiting === 0) return false;
  return waiting >= policy.maxLines || (oldestAt !== undefined && now - oldestAt >= policy.maxWaitMs);
}

export class BufferedAppender {
  private waiting: string[] = [];
  private oldestAt: number | undefined;
  private stopTimer: (() => void) | undefined;
  /** The append under way: appends never overlap, and lines keep the order they were added in. */
  private writing: Promise<void> = Promise.resolve();
  /** The last append's failure, until an append succeeds: adding more lines then fails with it. */
  private failure: Error | undefined;

  /** `append` adds text at the end of the file (its lines, each ended by `\n`). */
  constructor(
    private readonly append: (text: string) => Promise<void>,
    private readonly policy: AppendPolicy,
    private readonly clock: AppendClock = systemClock,
  ) {}

  /** Lines added and not yet appended. */
  get pending(): number {
    return this.waiting.length;
  }

  /**
   * Adds a line (without its line break). When that makes an append due, resolves once it is
   * written, so a fast producer waits for the disk; otherwise at once. Rejects when an earlier
   * append failed (its lines are kept for the next flush).
   */
  add(line: string): Promise<void> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    this.waiting.push(line);
    const now = this.clock.now();
    this.oldestAt ??= now;
    if (appendDue(this.waiting.length, this.oldestAt, now, this.policy)) return this.flush();
    this.stopTimer ??= this.clock.setTimer(this.policy.maxWaitMs - (now - this.oldestAt), () => {
      this.stopTimer = undefined;
      // A failure here is kept and reported by the next add or flush.
      void this.flush().catch(() => undefined);
    });
    return Promise.resolve();
  }

  /** Appends every waiting line now, after any append under way; rejects when that append fails. */
  flush(): Promise<void> {
    this.stopTimer?.();
    this.stopTimer = undefined;
    const next = this.writing.then(() => this.appendWaiting());
    this.writing = next.catch(() => undefined);
    return next;
  }

  private async appendWaiting(): Promise<void> {
    if (this.waiting.length === 0) return;
    const lines = this.waiting;
    const oldestAt = this.oldestAt;
    this.waiting = [];
    this.oldestAt = undefined;
    try {
      await this.append(lines.map((line) => `${line}\n`).join(''));
      this.failure = undefined;
    } catch (e) {
      // Put back in front of any added since, so a later flush writes them, in order.
      this.waiting = [...lines, ...this.waiting];
      this.oldestAt = oldestAt;
      this.failure = e instanceof Error ? e : new Error(String(e));
      throw e;
    }
  }
}
