/**
 * Time and chance for the scheduler, behind one small interface so tests can drive them by hand
 * (no real waiting, no timing assertions) and production uses the real thing.
 */

export interface Clock {
  /** Milliseconds on a monotonic timeline; only differences matter. */
  now(): number;
  /**
   * Resolves after `ms`. Rejects as soon as `signal` aborts (also when it was already aborted), so
   * a wait never outlives the work it belongs to; the rejection reason does not matter.
   */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /** A number in [0, 1), for backoff jitter. */
  random(): number;
}

/** The real clock: `performance.now` (immune to wall-clock changes), timers and `Math.random`. */
export const systemClock: Clock = {
  now: () => performance.now(),
  sleep,
  random: () => Math.random(),
};

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const aborted = (): Error => new Error('The wait was cancelled.');
    if (signal?.aborted === true) {
      reject(aborted());
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(aborted());
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, Math.max(0, ms));
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
