/**
 * The request scheduler: every model call to one endpoint goes through its `Scheduler`, which
 * bounds how many run at once, keeps within the requests/min and tokens/min budgets, retries what
 * may succeed on a second try, times out attempts that go silent or run too long, and cancels on
 * request.
 *
 * Pure: no `vscode`. Time and randomness come from an injected `Clock`, so tests run without real
 * waiting. Streaming chats go through `scheduleChat` (scheduler/stream.ts).
 */
import { EndpointError } from './types';
import { TokenBucket } from './scheduler/bucket';
import { systemClock, type Clock } from './scheduler/clock';
import { DEFAULT_IDLE_MS, DEFAULT_MAX_TIMEOUTS, DEFAULT_TOTAL_MS, ReplyTimeoutError } from './scheduler/timeouts';

export { systemClock, type Clock } from './scheduler/clock';
export { attemptLimits, scheduleChat, type ScheduleChatOptions } from './scheduler/stream';
export { ReplyTimeoutError, replyTimeouts, type TimeoutSettings } from './scheduler/timeouts';

export interface SchedulerOptions {
  /** The most attempts in flight at once (default 4). */
  readonly maxConcurrent?: number;
  /** Requests per minute; unset means no limit. Every attempt, retries included, spends one. */
  readonly requestsPerMinute?: number;
  /** Model tokens per minute, as estimated by callers; unset means no limit. */
  readonly tokensPerMinute?: number;
  /**
   * How much of each budget's refill the scheduler keeps in hand, in milliseconds (default 1 000,
   * `DEFAULT_HEADROOM_MS`): the spread it allows between when it sends a request and when the
   * server counts it (see scheduler/bucket.ts). At 600 requests/min, 1 s holds back 10 requests of
   * the opening burst and nothing after it. 0 paces at the server's exact budget.
   */
  readonly headroomMs?: number;
  /** Attempts per call, the first included (default 4; 1 turns retries off). */
  readonly maxAttempts?: number;
  /** Backoff before the first retry, before jitter (default 1 000 ms); it doubles on each retry. */
  readonly backoffBaseMs?: number;
  /** The longest backoff, before jitter (default 30 000 ms). A server's Retry-After may exceed it. */
  readonly backoffCapMs?: number;
  /**
   * How long one attempt may go without progress (see `Task`) before it is aborted: the wait for
   * the first byte and between two (default 120 000 ms, `DEFAULT_IDLE_MS`; 0 for none).
   */
  readonly idleTimeoutMs?: number;
  /** How long one attempt may take in all before it is aborted (default 30 min, `DEFAULT_TOTAL_MS`; 0 for none). */
  readonly timeoutMs?: number;
  /** Attempts of one call that may time out before it fails (default 2: one retry), within maxAttempts. */
  readonly maxTimeouts?: number;
  readonly clock?: Clock;
}

export interface RunOptions {
  /** The model tokens this call will use (prompt plus expected reply), for the tokens/min budget. */
  readonly estimatedTokens?: number;
  /** Aborting cancels the call wherever it is: queued, backing off or running. */
  readonly signal?: AbortSignal;
  /** Overrides the scheduler's idle timeout for this call (0 for none). */
  readonly idleTimeoutMs?: number;
  /** Overrides the scheduler's total per-attempt timeout for this call (0 for none). */
  readonly timeoutMs?: number;
  /** The endpoint the call goes to, named in a timeout's message with the setting that moves it. */
  readonly endpoint?: string;
  /**
   * A further say on whether to retry an error the scheduler would retry; `attempt` is the attempt
   * that failed. It can only veto: errors that are not retryable are never retried.
   */
  readonly shouldRetry?: (error: EndpointError, attempt: number) => boolean;
}

/**
 * Counts for a progress display. `queued` and `running` are calls now waiting (for a slot, the
 * rate budget or a backoff) and attempts now in flight; the rest are running totals: `sent`
 * attempts started, `retried` retries scheduled, and calls that `failed` (cancelled included) or
 * `succeeded`.
 */
export interface SchedulerStats {
  readonly queued: number;
  readonly running: number;
  readonly sent: number;
  readonly retried: number;
  readonly failed: number;
  readonly succeeded: number;
}

/** What happened to call `id`; `attempt` counts from 1. */
export type SchedulerEventBody =
  | { readonly type: 'queued'; readonly id: number }
  | { readonly type: 'started'; readonly id: number; readonly attempt: number }
  /** `attempt` failed with `error`; attempt + 1 starts after `delayMs` (and a free slot). */
  | { readonly type: 'retrying'; readonly id: number; readonly attempt: number; readonly delayMs: number; readonly error: EndpointError }
  | { readonly type: 'succeeded'; readonly id: number; readonly attempts: number }
  /** `attempts` is how many were started (0 when cancelled before the first). */
  | { readonly type: 'failed'; readonly id: number; readonly attempts: number; readonly error: unknown };

/** An event with the counts just after it, so a progress display needs nothing else. */
export type SchedulerEvent = SchedulerEventBody & { readonly stats: SchedulerStats };

export type SchedulerListener = (event: SchedulerEvent) => void;

/**
 * One attempt of a call. `progress` says the reply is still coming (call it for every byte or chunk
 * received); it resets the attempt's idle timer.
 */
export type Task<T> = (signal: AbortSignal, attempt: number, progress: () => void) => Promise<T>;

/** The limits of one attempt, resolved from the call's options over the scheduler's. */
interface AttemptLimits { readonly idleMs: number; readonly totalMs: number; readonly endpoint: string | undefined }

/** A call waiting for admission: a free slot and room in both budgets. */
interface Waiter {
  readonly id: number;
  readonly tokens: number;
  /** `opening`: admitted while the budgets hold their refill for a reply (see TokenBucket.holdIfFull). */
  readonly admit: (opening: boolean) => void;
}

type Phase = 'queued' | 'running';

export function cancelledError(): EndpointError {
  return new EndpointError('cancelled', 'The request was cancelled.');
}

/**
 * The default `headroomMs`. OpenAI counts requests and tokens per minute (RPM, TPM) at its end
 * (https://platform.openai.com/docs/guides/rate-limits) and refuses what goes over with 429, so a
 * client pacing at the exact budget from its own send times has no room for the send-to-arrival
 * spread; a second covers a cold connection and a busy event loop with room to spare. (OpenAI also
 * says a limit "can be quantized", e.g. 60,000 requests/minute enforced as 1,000 a second, so a
 * burst under the minute's budget may still be refused:
 * https://help.openai.com/en/articles/6891753-what-are-the-best-practices-for-managing-my-rate-limits-in-the-api;
 * the headroom does not model that, and Retry-After handles it.)
 */
export const DEFAULT_HEADROOM_MS = 1_000;

export class Scheduler {
  private readonly clock: Clock;
  private readonly maxConcurrent: number;
  private readonly maxAttempts: number;
  private readonly backoffBaseMs: number;
  private readonly backoffCapMs: number;
  private readonly idleTimeoutMs: number;
  private readonly timeoutMs: number;
  private readonly maxTimeouts: number;
  private readonly requests: TokenBucket | undefined;
  private readonly tokens: TokenBucket | undefined;
  /** Oldest call first: a retry goes back in by its call id, ahead of calls that came later. */
  private readonly waiting: Waiter[] = [];
  private readonly listeners = new Set<SchedulerListener>();
  private inFlight = 0;
  /** Whether the budgets hold their refill until a reply (see TokenBucket.holdIfFull). */
  private holding = false;
  private lastId = 0;
  /** Cancels the timer that wakes the queue when the budget at its head will have refilled. */
  private wake: AbortController | undefined;
  private readonly counts = { queued: 0, running: 0, sent: 0, retried: 0, failed: 0, succeeded: 0 };

  constructor(options: SchedulerOptions = {}) {
    this.clock = options.clock ?? systemClock;
    this.maxConcurrent = atLeast(1, options.maxConcurrent ?? 4);
    this.maxAttempts = atLeast(1, options.maxAttempts ?? 4);
    this.backoffBaseMs = Math.max(0, options.backoffBaseMs ?? 1_000);
    this.backoffCapMs = Math.max(0, options.backoffCapMs ?? 30_000);
    this.idleTimeoutMs = Math.max(0, options.idleTimeoutMs ?? DEFAULT_IDLE_MS);
    this.timeoutMs = Math.max(0, options.timeoutMs ?? DEFAULT_TOTAL_MS);
    this.maxTimeouts = atLeast(1, options.maxTimeouts ?? DEFAULT_MAX_TIMEOUTS);
    const now = this.clock.now();
    const headroomMs = options.headroomMs ?? DEFAULT_HEADROOM_MS;
    this.requests = budget(options.requestsPerMinute, now, headroomMs);
    this.tokens = budget(options.tokensPerMinute, now, headroomMs);
  }

  get stats(): SchedulerStats {
    return { ...this.counts };
  }

  /** Listens to every call's progress until the returned disposable is disposed. */
  onEvent(listener: SchedulerListener): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  /**
   * Runs `task` when a slot and the budgets allow, retrying retryable `EndpointError`s with
   * backoff. Resolves with the first success; rejects with the last error, with a non-
   * `EndpointError` as thrown (never retried), or with an `EndpointError` of kind `cancelled` when
   * `options.signal` aborts. `task` gets a signal that aborts on cancel or timeout, the attempt
   * number (from 1), and a `progress` function that resets the idle timer.
   */
  async run<T>(task: Task<T>, options: RunOptions = {}): Promise<T> {
    const { signal } = options;
    if (aborted(signal)) throw cancelledError();
    const id = ++this.lastId;
    const tokens = Math.max(0, options.estimatedTokens ?? 0);
    const limits: AttemptLimits = {
      idleMs: Math.max(0, options.idleTimeoutMs ?? this.idleTimeoutMs),
      totalMs: Math.max(0, options.timeoutMs ?? this.timeoutMs),
      endpoint: options.endpoint,
    };
    let phase: Phase = 'queued';
    let attempt = 0;
    let timeouts = 0;
    this.counts.queued++;
    this.emit({ type: 'queued', id });
    try {
      for (;;) {
        const opening = await this.admit(id, tokens, signal);
        // A reply to a request sent while the budgets hold proves the server has seen it.
        const heard = opening ? (): void => { this.resumeBudgets(); } : undefined;
        attempt++;
        phase = this.move(phase, 'running');
        this.counts.sent++;
        this.emit({ type: 'started', id, attempt });
        let error: unknown;
        try {
          const value = await this.attempt(task, attempt, signal, limits, heard);
          this.counts.running--;
          this.counts.succeeded++;
          this.emit({ type: 'succeeded', id, attempts: attempt });
          return value;
        } catch (e) {
          error = e;
        } finally {
          heard?.();
          this.release();
        }
        if (aborted(signal)) throw cancelledError();
        if (error instanceof ReplyTimeoutError && ++timeouts >= this.maxTimeouts) throw error;
        const delayMs = this.retryDelay(error, attempt, options.shouldRetry);
        if (delayMs === undefined || !(error instanceof EndpointError)) throw error;
        phase = this.move(phase, 'queued');
        this.counts.retried++;
        this.emit({ type: 'retrying', id, attempt, delayMs, error });
        await this.clock.sleep(delayMs, signal).catch(() => {
          throw cancelledError();
        });
      }
    } catch (e) {
      this.counts[phase]--;
      this.counts.failed++;
      this.emit({ type: 'failed', id, attempts: attempt, error: e });
      throw e;
    }
  }

  /** The wait before the next attempt, or undefined when `error` must not be retried. */
  private retryDelay(error: unknown, attempt: number, shouldRetry: RunOptions['shouldRetry']): number | undefined {
    if (!(error instanceof EndpointError) || !error.retryable || attempt >= this.maxAttempts) return undefined;
    if (shouldRetry !== undefined && !shouldRetry(error, attempt)) return undefined;
    // Full jitter: a uniform wait up to the capped exponential, so clients that failed together
    // spread out instead of retrying in lockstep. A server's Retry-After is the least we wait.
    const ceiling = Math.min(this.backoffCapMs, this.backoffBaseMs * 2 ** (attempt - 1));
    const jittered = Math.round(this.clock.random() * ceiling);
    return Math.max(jittered, error.retryAfterMs ?? 0);
  }

  /**
   * One attempt, raced against the caller's signal and both timeouts. On any of them, the task's
   * signal aborts and the attempt rejects at once, without waiting for the task to notice: the slot
   * is freed and the caller hears back even from a task that ignores its signal.
   */
  private async attempt<T>(task: Task<T>, attempt: number, signal: AbortSignal | undefined, limits: AttemptLimits, heard: (() => void) | undefined): Promise<T> {
    const controller = new AbortController();
    const done = new AbortController();
    let lastProgress = this.clock.now();
    // Cheap on purpose (it runs per chunk): the idle timer reads it when it wakes, not the reverse.
    const progress = (): void => {
      lastProgress = this.clock.now();
      heard?.();
    };
    const interrupted = new Promise<never>((_resolve, reject) => {
      const stop = (error: EndpointError): void => {
        controller.abort(error);
        reject(error);
      };
      const onAbort = (): void => {
        stop(cancelledError());
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      done.signal.addEventListener('abort', () => signal?.removeEventListener('abort', onAbort), { once: true });
      if (limits.totalMs > 0) {
        this.clock.sleep(limits.totalMs, done.signal).then(() => {
          stop(new ReplyTimeoutError('total', limits.totalMs, limits.endpoint));
        }, () => undefined);
      }
      if (limits.idleMs > 0) {
        // Sleeps until the idle limit would end counting from the last progress, and again from
        // there if progress came meanwhile: one timer at a time, however many chunks arrive.
        const watchIdle = (waitMs: number): void => {
          this.clock.sleep(waitMs, done.signal).then(() => {
            const quiet = this.clock.now() - lastProgress;
            if (quiet >= limits.idleMs) stop(new ReplyTimeoutError('idle', limits.idleMs, limits.endpoint));
            else watchIdle(limits.idleMs - quiet);
          }, () => undefined);
        };
        watchIdle(limits.idleMs);
      }
    });
    try {
      if (aborted(signal)) throw cancelledError();
      return await Promise.race([task(controller.signal, attempt, progress), interrupted]);
    } finally {
      done.abort();
    }
  }

  /** Waits until call `id` may start an attempt, taking a slot and its share of both budgets. */
  private admit(id: number, tokens: number, signal: AbortSignal | undefined): Promise<boolean> {
    return new Promise<boolean>((resolve, reject) => {
      if (aborted(signal)) {
        reject(cancelledError());
        return;
      }
      const onAbort = (): void => {
        const at = this.waiting.indexOf(waiter);
        if (at >= 0) this.waiting.splice(at, 1);
        reject(cancelledError());
        this.pump(); // the head may have changed
      };
      const waiter: Waiter = {
        id,
        tokens,
        admit: (opening) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(opening);
        },
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      let at = this.waiting.length;
      while (at > 0 && (this.waiting[at - 1]?.id ?? 0) > id) at--;
      this.waiting.splice(at, 0, waiter);
      this.pump();
    });
  }

  /** The first reply of a busy stretch: the budgets refill again from now. */
  private resumeBudgets(): void {
    if (!this.holding) return;
    this.holding = false;
    const now = this.clock.now();
    this.requests?.resume(now);
    this.tokens?.resume(now);
    this.pump();
  }

  private release(): void {
    this.inFlight--;
    this.pump();
  }

  /**
   * Starts waiting calls, strictly in order, while slots are free and the budgets have room. When
   * the head must wait for a refill, a timer wakes the queue then; later calls never overtake it
   * (a large request would otherwise starve behind a stream of small ones).
   */
  private pump(): void {
    this.wake?.abort();
    this.wake = undefined;
    while (this.inFlight < this.maxConcurrent) {
      const head = this.waiting[0];
      if (head === undefined) return;
      const now = this.clock.now();
      const wait = Math.max(this.requests?.waitFor(1, now) ?? 0, head.tokens > 0 ? this.tokens?.waitFor(head.tokens, now) ?? 0 : 0);
      if (wait > 0) {
        const wake = new AbortController();
        this.wake = wake;
        this.clock.sleep(wait, wake.signal).then(() => {
          if (this.wake === wake) this.pump();
        }, () => undefined);
        return;
      }
      // A full bucket opens a busy stretch: hold its refill until a reply (see holdIfFull).
      const heldRequests = this.requests?.holdIfFull(now) ?? false;
      const heldTokens = this.tokens?.holdIfFull(now) ?? false;
      this.holding ||= heldRequests || heldTokens;
      this.requests?.take(1, now);
      this.tokens?.take(head.tokens, now);
      this.waiting.shift();
      this.inFlight++;
      head.admit(this.holding);
    }
  }

  private move(from: Phase, to: Phase): Phase {
    this.counts[from]--;
    this.counts[to]++;
    return to;
  }

  /** A listener that throws must not break scheduling, nor keep others from hearing. */
  private emit(body: SchedulerEventBody): void {
    const event: SchedulerEvent = { ...body, stats: this.stats };
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch {
        // ignored on purpose, see above
      }
    }
  }
}

/** A function, not an inline test, because the flag changes under awaits that narrowing cannot see. */
function aborted(signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true;
}

function atLeast(min: number, value: number): number {
  return Number.isFinite(value) ? Math.max(min, Math.floor(value)) : min;
}

function budget(perMinute: number | undefined, now: number, headroomMs: number): TokenBucket | undefined {
  return perMinute === undefined || !Number.isFinite(perMinute) || perMinute <= 0 ? undefined : new TokenBucket(perMinute, now, headroomMs);
}
