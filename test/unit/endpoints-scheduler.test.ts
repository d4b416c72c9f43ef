import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Scheduler, scheduleChat, type Clock, type SchedulerEvent, type SchedulerOptions } from '../../src/endpoints/scheduler';
import { EndpointError, type ChatChunk, type ChatEndpoint, type ChatRequest } from '../../src/endpoints/types';
import { askThrough } from '../../src/endpoints/generateRun';
import { seededRandom as seeded } from '../harness/random';

/** Lets every pending promise continuation run (all microtasks drain before an immediate). */
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

interface Timer { readonly at: number; readonly seq: number; readonly fire: () => void }

/** A clock that moves only when told to: sleeps resolve in time order as `advance` passes them. */
class FakeClock implements Clock {
  time = 0;
  private seq = 0;
  private timers: Timer[] = [];

  constructor(private readonly rand: () => number = () => 0.5) {}

  now(): number {
    return this.time;
  }

  random(): number {
    return this.rand();
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (signal?.aborted === true) {
        reject(new Error('aborted'));
        return;
      }
      const onAbort = (): void => {
        this.timers = this.timers.filter((t) => t !== timer);
        reject(new Error('aborted'));
      };
      const timer: Timer = {
        at: this.time + Math.max(0, ms),
        seq: this.seq++,
        fire: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.timers.push(timer);
    });
  }

  get pending(): number {
    return this.timers.length;
  }

  /** Moves time forward by `ms`, firing each due sleep at its own time and letting its effects run. */
  async advance(ms: number): Promise<void> {
    const end = this.time + ms;
    for (;;) {
      await settle();
      const next = [...this.timers].sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
      if (next === undefined || next.at > end) break;
      this.timers = this.timers.filter((t) => t !== next);
      this.time = next.at;
      next.fire();
    }
    this.time = end;
    await settle();
  }
}

interface Deferred<T> { readonly promise: Promise<T>; resolve(value: T): void; reject(error: Error): void }

function deferred<T>(): Deferred<T> {
  let resolve: (value: T) => void = () => undefined;
  let reject: (error: Error) => void = () => undefined;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Never settles by itself; rejects with the signal's reason when it aborts (as a backend does). */
function untilAborted(signal: AbortSignal): Promise<never> {
  return new Promise<never>((_resolve, reject) => {
    signal.addEventListener('abort', () => {
      reject(new EndpointError('cancelled', 'aborted'));
    }, { once: true });
  });
}

/** The outcome of a promise, captured so a test can look at it after advancing the clock. */
interface Outcome<T> { value?: T; error?: unknown; settled: boolean }

function watch<T>(promise: Promise<T>): Outcome<T> {
  const outcome: Outcome<T> = { settled: false };
  promise.then(
    (value) => {
      outcome.value = value;
      outcome.settled = true;
    },
    (error: unknown) => {
      outcome.error = error;
      outcome.settled = true;
    },
  );
  return outcome;
}

function make(options: SchedulerOptions = {}, rand?: () => number): { scheduler: Scheduler; clock: FakeClock; events: SchedulerEvent[] } {
  const clock = new FakeClock(rand);
  const scheduler = new Scheduler({ timeoutMs: 0, ...options, clock });
  const events: SchedulerEvent[] = [];
  scheduler.onEvent((e) => events.push(e));
  return { scheduler, clock, events };
}

const httpError = (status: number, options: { retryAfterMs?: number; message?: string } = {}): EndpointError =>
  new EndpointError(status === 429 ? 'rate-limited' : status >= 500 ? 'server' : 'bad-request', options.message ?? `HTTP ${status}`, { status, retryAfterMs: options.retryAfterMs });

function isCancelled(error: unknown): boolean {
  return error instanceof EndpointError && error.kind === 'cancelled';
}

void describe('Scheduler: concurrency', () => {
  void it('never runs more than maxConcurrent and starts queued calls in FIFO order', async () => {
    const { scheduler, clock } = make({ maxConcurrent: 2 });
    const gates = Array.from({ length: 6 }, () => deferred<number>());
    const started: number[] = [];
    let running = 0;
    let most = 0;
    const outcomes = gates.map((gate, i) => watch(scheduler.run(async () => {
      started.push(i);
      running++;
      most = Math.max(most, running);
      try {
        return await gate.promise;
      } finally {
        running--;
      }
    })));
    await clock.advance(0);
    assert.deepEqual(started, [0, 1]);
    assert.deepEqual(scheduler.stats, { queued: 4, running: 2, sent: 2, retried: 0, failed: 0, succeeded: 0 });
    for (const i of [1, 0, 3, 2, 5, 4]) {
      gates[i]?.resolve(i);
      await clock.advance(0);
    }
    assert.deepEqual(started, [0, 1, 2, 3, 4, 5]);
    assert.equal(most, 2);
    assert.deepEqual(outcomes.map((o) => o.value), [0, 1, 2, 3, 4, 5]);
    assert.deepEqual(scheduler.stats, { queued: 0, running: 0, sent: 6, retried: 0, failed: 0, succeeded: 6 });
  });

  void it('frees a slot when an attempt fails', async () => {
    const { scheduler, clock } = make({ maxConcurrent: 1 });
    const first = watch(scheduler.run(() => Promise.reject(new Error('boom'))));
    const second = watch(scheduler.run(() => Promise.resolve('ok')));
    await clock.advance(0);
    assert.equal((first.error as Error).message, 'boom');
    assert.equal(second.value, 'ok');
  });
});

void describe('Scheduler: rate budgets', () => {
  /**
   * Runs calls that finish at once and records when each started. The bucket's own arithmetic, at
   * the exact budget (headroomMs 0); the headroom is tested below, against a server's bucket.
   */
  async function startTimes(options: SchedulerOptions, tokens: readonly number[], horizon: number): Promise<number[]> {
    const { scheduler, clock } = make({ maxConcurrent: 100, headroomMs: 0, ...options });
    const times: number[] = [];
    tokens.forEach((estimatedTokens, i) => {
      void scheduler.run(() => {
        times[i] = clock.now();
        return Promise.resolve();
      }, { estimatedTokens });
    });
    await clock.advance(horizon);
    assert.equal(clock.pending, 0, 'no timer is left behind');
    return times;
  }

  void it('spaces requests by the requests/min budget, refilling continuously', async () => {
    // 2 a minute: a full bucket lets two go at once, then one every 30 s.
    assert.deepEqual(await startTimes({ requestsPerMinute: 2 }, [0, 0, 0, 0], 200_000), [0, 0, 30_000, 60_000]);
    // 60 a minute: the 61st waits exactly one second.
    const times = await startTimes({ requestsPerMinute: 60 }, Array.from({ length: 62 }, () => 0), 10_000);
    assert.equal(times[59], 0);
    assert.equal(times[60], 1_000);
    assert.equal(times[61], 2_000);
  });

  void it('waits for the tokens/min budget by the estimate, keeping FIFO order', async () => {
    // 1000 a minute: 400 + 400 leave 200; the third waits for 200 more (12 s), the fourth, after it, for 100 (6 s).
    assert.deepEqual(await startTimes({ tokensPerMinute: 1_000 }, [400, 400, 400, 100], 100_000), [0, 0, 12_000, 18_000]);
  });

  void it('waits for both budgets, whichever is later', async () => {
    // 2 requests and 600 tokens a minute. The third waits 30 s for a request (its 60 tokens came back in 6 s);
    // the fourth would have its request at 60 s, but its 600 tokens need 360 more than the 240 left: 36 s.
    assert.deepEqual(await startTimes({ requestsPerMinute: 2, tokensPerMinute: 600 }, [300, 300, 60, 600], 200_000), [0, 0, 30_000, 66_000]);
  });

  void it('runs a request larger than the whole bucket once the bucket is full, and charges it in full', async () => {
    // 500 then 5000 against 1000/min: the big one waits for a full bucket (500 more: 30 s) and overdraws it
    // to -4000; the next 100 then waits for 4100 (246 s).
    assert.deepEqual(await startTimes({ tokensPerMinute: 1_000 }, [500, 5_000, 100], 400_000), [0, 30_000, 276_000]);
  });

  void it('charges retries against the requests/min budget', async () => {
    const { scheduler, clock } = make({ requestsPerMinute: 1, backoffBaseMs: 0 });
    const times: number[] = [];
    const result = watch(scheduler.run((_s, attempt) => {
      times.push(clock.now());
      return attempt === 1 ? Promise.reject(httpError(500)) : Promise.resolve('ok');
    }));
    await clock.advance(120_000);
    assert.deepEqual(times, [0, 60_000]);
    assert.equal(result.value, 'ok');
  });
});

void describe('Scheduler: retries', () => {
  /** Runs a task that fails with `errors[attempt - 1]` and succeeds after them; records attempt times. */
  function flaky(scheduler: Scheduler, clock: FakeClock, errors: readonly Error[]): { outcome: Outcome<string>; times: number[] } {
    const times: number[] = [];
    const outcome = watch(scheduler.run((_signal, attempt) => {
      times.push(clock.now());
      const error = errors[attempt - 1];
      return error === undefined ? Promise.resolve(`ok on ${attempt}`) : Promise.reject(error);
    }));
    return { outcome, times };
  }

  void it('honours Retry-After as the least wait', async () => {
    const { scheduler, clock, events } = make({ backoffBaseMs: 1_000 }, () => 0.5);
    const { outcome, times } = flaky(scheduler, clock, [httpError(429, { retryAfterMs: 7_000 })]);
    await clock.advance(6_999);
    assert.deepEqual(times, [0], 'not retried before Retry-After');
    await clock.advance(1);
    assert.deepEqual(times, [0, 7_000]);
    assert.equal(outcome.value, 'ok on 2');
    const retrying = events.find((e) => e.type === 'retrying');
    assert.equal(retrying?.type === 'retrying' ? retrying.delayMs : undefined, 7_000);
  });

  void it('waits for the jittered backoff when it is longer than Retry-After', async () => {
    const { scheduler, clock } = make({ backoffBaseMs: 10_000 }, () => 0.5);
    const { times } = flaky(scheduler, clock, [httpError(503, { retryAfterMs: 1_000 })]);
    await clock.advance(60_000);
    assert.deepEqual(times, [0, 5_000]);
  });

  void it('grows the backoff exponentially up to the cap, with full jitter from the seeded random', async () => {
    const base = 100;
    const cap = 1_000;
    const draws = seeded(42);
    const expected = seeded(42);
    const { scheduler, clock, events } = make({ backoffBaseMs: base, backoffCapMs: cap, maxAttempts: 8 }, draws);
    const { outcome, times } = flaky(scheduler, clock, Array.from({ length: 7 }, () => httpError(500)));
    await clock.advance(100_000);
    assert.equal(outcome.value, 'ok on 8');
    const delays = events.flatMap((e) => (e.type === 'retrying' ? [e.delayMs] : []));
    const ceilings = [100, 200, 400, 800, 1_000, 1_000, 1_000];
    assert.deepEqual(delays, ceilings.map((c) => Math.round(expected() * c)));
    delays.forEach((d, i) => {
      assert.ok(d >= 0 && d <= (ceilings[i] ?? 0), `delay ${d} within [0, ${ceilings[i]}]`);
    });
    assert.deepEqual(times.slice(1).map((t, i) => t - (times[i] ?? 0)), delays, 'each retry starts after exactly its delay');
  });

  void it('reaches the ceiling when the random draw is at its top', async () => {
    const { scheduler, clock, events } = make({ backoffBaseMs: 100, backoffCapMs: 300, maxAttempts: 5 }, () => 0.999_999);
    flaky(scheduler, clock, Array.from({ length: 4 }, () => httpError(500)));
    await clock.advance(10_000);
    assert.deepEqual(events.flatMap((e) => (e.type === 'retrying' ? [e.delayMs] : [])), [100, 200, 300, 300]);
  });

  for (const status of [400, 401, 403, 404, 413, 422]) {
    void it(`does not retry HTTP ${status}`, async () => {
      const { scheduler, clock } = make({ maxAttempts: 4, backoffBaseMs: 10 });
      const error = new EndpointError(status === 401 ? 'auth' : 'bad-request', `HTTP ${status}`, { status });
      const { outcome, times } = flaky(scheduler, clock, [error, error]);
      await clock.advance(10_000);
      assert.equal(times.length, 1);
      assert.equal(outcome.error, error);
      assert.equal(scheduler.stats.retried, 0);
    });
  }

  const retryable: readonly [string, (attempt: number) => EndpointError][] = [
    ['408', (n) => new EndpointError('timeout', `408 #${n}`, { status: 408 })],
    ['409', (n) => new EndpointError('server', `409 #${n}`, { status: 409 })],
    ['429', (n) => httpError(429, { message: `429 #${n}` })],
    ['500', (n) => httpError(500, { message: `500 #${n}` })],
    ['a network error', (n) => new EndpointError('network', `network #${n}`)],
    ['a timeout', (n) => new EndpointError('timeout', `timeout #${n}`)],
  ];
  for (const [name, makeError] of retryable) {
    void it(`retries ${name} up to maxAttempts and rejects with the last error`, async () => {
      const { scheduler, clock } = make({ maxAttempts: 3, backoffBaseMs: 10 });
      const errors = [1, 2, 3, 4].map(makeError);
      const { outcome, times } = flaky(scheduler, clock, errors);
      await clock.advance(10_000);
      assert.equal(times.length, 3);
      assert.equal(outcome.error, errors[2]);
      assert.deepEqual(scheduler.stats, { queued: 0, running: 0, sent: 3, retried: 2, failed: 1, succeeded: 0 });
    });
  }

  void it('does not retry an error that is not an EndpointError, and passes it on as thrown', async () => {
    const { scheduler, clock } = make({ maxAttempts: 3 });
    const bug = new TypeError('bug');
    const { outcome, times } = flaky(scheduler, clock, [bug]);
    await clock.advance(10_000);
    assert.equal(times.length, 1);
    assert.equal(outcome.error, bug);
  });

  void it('does not retry when shouldRetry vetoes, nor when maxAttempts is 1', async () => {
    const a = make({ maxAttempts: 3 });
    const seen: number[] = [];
    const vetoed = watch(a.scheduler.run(() => Promise.reject(httpError(500)), {
      shouldRetry: (_e, attempt) => {
        seen.push(attempt);
        return attempt < 2;
      },
    }));
    await a.clock.advance(100_000);
    assert.deepEqual(seen, [1, 2]);
    assert.equal(a.scheduler.stats.sent, 2);
    assert.ok(vetoed.error instanceof EndpointError);

    const b = make({ maxAttempts: 1 });
    const { times } = flaky(b.scheduler, b.clock, [httpError(429)]);
    await b.clock.advance(100_000);
    assert.equal(times.length, 1);
  });

  void it('frees the slot while backing off, so other calls go ahead', async () => {
    const { scheduler, clock } = make({ maxConcurrent: 1, backoffBaseMs: 10_000 }, () => 1);
    const order: string[] = [];
    void scheduler.run((_s, attempt) => {
      order.push(`a${attempt}`);
      return attempt === 1 ? Promise.reject(httpError(500)) : Promise.resolve();
    });
    void scheduler.run(() => {
      order.push('b');
      return Promise.resolve();
    });
    await clock.advance(20_000);
    assert.deepEqual(order, ['a1', 'b', 'a2']);
  });
});

void describe('Scheduler: timeout', () => {
  void it('aborts an attempt that runs too long, as a retryable timeout', async () => {
    const { scheduler, clock } = make({ timeoutMs: 1_000, maxAttempts: 2, backoffBaseMs: 0 });
    const signals: AbortSignal[] = [];
    const outcome = watch(scheduler.run((signal) => {
      signals.push(signal);
      return new Promise<never>(() => undefined); // ignores its signal: the scheduler must not wait for it
    }));
    // A function, so the checks are not narrowed away across the awaits that change them.
    const abortedAt = (i: number): boolean | undefined => signals[i]?.aborted;
    await clock.advance(999);
    assert.equal(abortedAt(0), false);
    await clock.advance(1);
    assert.equal(abortedAt(0), true, 'the first attempt was aborted at the timeout');
    assert.equal(signals.length, 2, 'and retried');
    await clock.advance(1_000);
    assert.equal(abortedAt(1), true);
    assert.ok(outcome.error instanceof EndpointError);
    assert.equal(outcome.error.kind, 'timeout');
    assert.equal(outcome.error.retryable, true);
    assert.equal(scheduler.stats.running, 0, 'the slot was freed');
    assert.equal(clock.pending, 0);
  });

  void it('lets a call set its own timeout, and clears the timer after a success', async () => {
    const { scheduler, clock } = make({ timeoutMs: 1_000 });
    const gate = deferred<string>();
    const outcome = watch(scheduler.run(() => gate.promise, { timeoutMs: 5_000 }));
    await clock.advance(4_000);
    gate.resolve('done');
    await clock.advance(0);
    assert.equal(outcome.value, 'done');
    assert.equal(clock.pending, 0);
  });
});

void describe('Scheduler: cancellation', () => {
  void it('cancels a queued call: it never starts', async () => {
    const { scheduler, clock } = make({ maxConcurrent: 1 });
    const gate = deferred<undefined>();
    void scheduler.run(() => gate.promise);
    const controller = new AbortController();
    let called = false;
    const outcome = watch(scheduler.run(() => {
      called = true;
      return Promise.resolve();
    }, { signal: controller.signal }));
    await clock.advance(0);
    assert.equal(scheduler.stats.queued, 1);
    controller.abort();
    await clock.advance(0);
    assert.ok(isCancelled(outcome.error));
    assert.equal(scheduler.stats.queued, 0);
    gate.resolve(undefined);
    await clock.advance(0);
    assert.equal(called, false);
    assert.deepEqual(scheduler.stats, { queued: 0, running: 0, sent: 1, retried: 0, failed: 1, succeeded: 1 });
  });

  void it('cancels a call waiting for the rate budget and lets the next one take its place', async () => {
    const { scheduler, clock } = make({ tokensPerMinute: 600, headroomMs: 0 });
    const times: string[] = [];
    void scheduler.run(() => Promise.resolve(), { estimatedTokens: 600 });
    const controller = new AbortController();
    const big = watch(scheduler.run(() => Promise.resolve(), { estimatedTokens: 600, signal: controller.signal }));
    void scheduler.run(() => {
      times.push(`small at ${clock.now()}`);
      return Promise.resolve();
    }, { estimatedTokens: 60 });
    await clock.advance(1_000);
    controller.abort();
    await clock.advance(60_000);
    assert.ok(isCancelled(big.error));
    assert.deepEqual(times, ['small at 6000'], 'the small call no longer waits behind the big one');
  });

  void it('cancels a waiting backoff', async () => {
    const { scheduler, clock } = make({}, () => 0);
    const controller = new AbortController();
    let attempts = 0;
    const outcome = watch(scheduler.run(() => {
      attempts++;
      return Promise.reject(httpError(429, { retryAfterMs: 10_000 }));
    }, { signal: controller.signal }));
    await clock.advance(5_000);
    assert.equal(scheduler.stats.retried, 1);
    controller.abort();
    await clock.advance(0);
    assert.ok(isCancelled(outcome.error));
    await clock.advance(60_000);
    assert.equal(attempts, 1);
    assert.deepEqual(scheduler.stats, { queued: 0, running: 0, sent: 1, retried: 1, failed: 1, succeeded: 0 });
    assert.equal(clock.pending, 0);
  });

  void it('cancels the running attempt and aborts its signal', async () => {
    const { scheduler, clock } = make({ maxConcurrent: 1 });
    const controller = new AbortController();
    let seen: AbortSignal | undefined;
    const outcome = watch(scheduler.run((signal) => {
      seen = signal;
      return untilAborted(signal);
    }, { signal: controller.signal }));
    const next = watch(scheduler.run(() => Promise.resolve('next')));
    await clock.advance(0);
    controller.abort();
    await clock.advance(0);
    assert.equal(seen?.aborted, true);
    assert.ok(isCancelled(outcome.error));
    assert.equal(next.value, 'next', 'the slot was freed');
    assert.equal(scheduler.stats.retried, 0);
  });

  void it('cancels at once when the signal is already aborted', async () => {
    const { scheduler } = make();
    let called = false;
    await assert.rejects(scheduler.run(() => {
      called = true;
      return Promise.resolve();
    }, { signal: AbortSignal.abort() }), isCancelled);
    assert.equal(called, false);
  });
});

void describe('Scheduler: stats and events', () => {
  void it('reports each call as it goes', async () => {
    const { scheduler, clock, events } = make({ maxConcurrent: 1, backoffBaseMs: 100 }, () => 0.5);
    const error = httpError(503);
    const bad = new EndpointError('bad-request', 'no', { status: 400 });
    void scheduler.run((_s, attempt) => (attempt === 1 ? Promise.reject(error) : Promise.resolve()));
    void scheduler.run(() => Promise.reject(bad)).catch(() => undefined);
    await clock.advance(1_000);
    assert.deepEqual(events.map(({ stats: _stats, ...body }) => body), [
      { type: 'queued', id: 1 },
      { type: 'queued', id: 2 },
      { type: 'started', id: 1, attempt: 1 },
      { type: 'retrying', id: 1, attempt: 1, delayMs: 50, error },
      { type: 'started', id: 2, attempt: 1 },
      { type: 'failed', id: 2, attempts: 1, error: bad },
      { type: 'started', id: 1, attempt: 2 },
      { type: 'succeeded', id: 1, attempts: 2 },
    ]);
    assert.deepEqual(events.map((e) => [e.stats.queued, e.stats.running]), [[1, 0], [2, 0], [1, 1], [2, 0], [1, 1], [1, 0], [0, 1], [0, 0]]);
    assert.deepEqual(scheduler.stats, { queued: 0, running: 0, sent: 3, retried: 1, failed: 1, succeeded: 1 });
  });

  void it('stops telling a disposed listener, and survives a listener that throws', async () => {
    const { scheduler, clock } = make();
    const heard: string[] = [];
    scheduler.onEvent(() => {
      throw new Error('listener bug');
    });
    const subscription = scheduler.onEvent((e) => heard.push(e.type));
    const first = watch(scheduler.run(() => Promise.resolve(1)));
    await clock.advance(0);
    subscription.dispose();
    void scheduler.run(() => Promise.resolve(2));
    await clock.advance(0);
    assert.equal(first.value, 1);
    assert.deepEqual(heard, ['queued', 'started', 'succeeded']);
  });
});

void describe('scheduleChat', () => {
  const request: ChatRequest = { messages: [{ role: 'user', content: 'hi' }] };
  const text = (t: string): ChatChunk => ({ type: 'text', text: t });
  const finish: ChatChunk = { type: 'finish', reason: 'stop' };

  /** An endpoint whose nth call plays `scripts[n]`: chunks, then an optional error. */
  function scripted(scripts: readonly { chunks: readonly ChatChunk[]; error?: EndpointError }[]): ChatEndpoint & { calls: number; signals: AbortSignal[] } {
    const endpoint = {
      id: 'test',
      calls: 0,
      signals: [] as AbortSignal[],
      async *chat(_request: ChatRequest, signal: AbortSignal): AsyncGenerator<ChatChunk> {
        const script = scripts[endpoint.calls++];
        endpoint.signals.push(signal);
        if (script === undefined) throw new Error('unexpected call');
        for (const chunk of script.chunks) {
          await Promise.resolve();
          if (signal.aborted) throw new EndpointError('cancelled', 'aborted');
          yield chunk;
        }
        if (script.error !== undefined) throw script.error;
      },
    };
    return endpoint;
  }

  async function collect(stream: AsyncIterable<ChatChunk>): Promise<{ chunks: ChatChunk[]; error?: unknown }> {
    const chunks: ChatChunk[] = [];
    try {
      for await (const chunk of stream) chunks.push(chunk);
    } catch (error) {
      return { chunks, error };
    }
    return { chunks };
  }

  void it('retries a failure before the first chunk', async () => {
    const { scheduler, clock } = make({ backoffBaseMs: 100 });
    const endpoint = scripted([{ chunks: [], error: httpError(503) }, { chunks: [text('a'), text('b'), finish] }]);
    const result = watch(collect(scheduleChat(scheduler, endpoint, request, { estimatedTokens: 10 })));
    await clock.advance(1_000);
    assert.deepEqual(result.value, { chunks: [text('a'), text('b'), finish] });
    assert.equal(endpoint.calls, 2);
    assert.deepEqual(scheduler.stats, { queued: 0, running: 0, sent: 2, retried: 1, failed: 0, succeeded: 1 });
  });

  void it('does not retry once a chunk has arrived: the error follows the chunks already given', async () => {
    const { scheduler, clock } = make({ backoffBaseMs: 100 });
    const error = new EndpointError('network', 'connection reset');
    const endpoint = scripted([{ chunks: [text('a')], error }, { chunks: [text('a'), finish] }]);
    const result = watch(collect(scheduleChat(scheduler, endpoint, request)));
    await clock.advance(1_000);
    assert.deepEqual(result.value, { chunks: [text('a')], error });
    assert.equal(endpoint.calls, 1);
    assert.equal(scheduler.stats.retried, 0);
  });

  void it('queues nothing until read, and stops the request when the reader leaves early', async () => {
    const { scheduler, clock } = make({ maxConcurrent: 1 });
    const endpoint = scripted([{ chunks: [text('a'), text('b'), text('c'), finish] }]);
    const stream = scheduleChat(scheduler, endpoint, request);
    await clock.advance(0);
    assert.equal(scheduler.stats.queued, 0);
    const first = watch((async () => {
      for await (const chunk of stream) return chunk;
      return undefined;
    })());
    await clock.advance(0);
    assert.deepEqual(first.value, text('a'));
    assert.equal(endpoint.signals[0]?.aborted, true);
    assert.deepEqual(scheduler.stats, { queued: 0, running: 0, sent: 1, retried: 0, failed: 0, succeeded: 1 });
  });

  void it('cancels a streamed chat with the caller signal', async () => {
    const { scheduler, clock } = make();
    const controller = new AbortController();
    const endpoint: ChatEndpoint = {
      id: 'hang',
      async *chat(_request, signal) {
        yield text('a');
        await untilAborted(signal);
      },
    };
    const result = watch(collect(scheduleChat(scheduler, endpoint, request, { signal: controller.signal })));
    await clock.advance(0);
    controller.abort();
    await clock.advance(0);
    assert.ok(result.value !== undefined);
    assert.deepEqual(result.value.chunks, [text('a')]);
    assert.ok(isCancelled(result.value.error));
  });
});

void describe('scheduleChat with retry: false', () => {
  void it('makes one attempt and passes the first failure on', async () => {
    const scheduler = new Scheduler({ maxAttempts: 4, backoffBaseMs: 1, backoffCapMs: 1 });
    let calls = 0;
    const endpoint: ChatEndpoint = {
      id: 'flaky',
      // eslint-disable-next-line require-yield -- it fails before its first chunk, like a 500 would
      async *chat() {
        calls++;
        await Promise.resolve();
        throw new EndpointError('server', 'Endpoint "flaky" failed (500).', { status: 500 });
      },
    };
    const chunks: ChatChunk[] = [];
    await assert.rejects(async () => {
      for await (const chunk of scheduleChat(scheduler, endpoint, { messages: [{ role: 'user', content: 'hi' }] }, { retry: false })) chunks.push(chunk);
    }, (err: unknown) => err instanceof EndpointError && err.kind === 'server');
    assert.deepEqual(chunks, []);
    assert.equal(calls, 1);
  });
});

void describe('reply timeouts: idle and total, per endpoint', () => {
  const request: ChatRequest = { messages: [{ role: 'user', content: 'Think hard, then answer.' }] };
  const finish: ChatChunk = { type: 'finish', reason: 'stop' };

  /**
   * An endpoint that, on the fake clock, waits `gapsMs[i]` before its i-th text chunk (a model
   * that thinks, then streams), then finishes; `silentAfter` waits forever after that many chunks.
   */
  function paced(clock: FakeClock, gapsMs: readonly number[], o: { id?: string; timeouts?: ChatEndpoint['timeouts']; silentAfter?: number } = {}): ChatEndpoint & { calls: number } {
    const endpoint = {
      id: o.id ?? 'gpt',
      calls: 0,
      ...(o.timeouts === undefined ? {} : { timeouts: o.timeouts }),
      async *chat(_request: ChatRequest, signal: AbortSignal): AsyncGenerator<ChatChunk> {
        endpoint.calls++;
        for (const [i, gap] of gapsMs.entries()) {
          if (o.silentAfter === i) await untilAborted(signal);
          await clock.sleep(gap, signal).catch(() => {
            throw new EndpointError('cancelled', 'aborted');
          });
          yield { type: 'text', text: `w${i} ` };
        }
        yield finish;
      },
    };
    return endpoint;
  }

  async function collectAll(stream: AsyncIterable<ChatChunk>): Promise<{ text: string; error?: unknown }> {
    let text = '';
    try {
      for await (const chunk of stream) if (chunk.type === 'text') text += chunk.text;
    } catch (error) {
      return { text, error };
    }
    return { text };
  }

  const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

  void it('lets a reasoning model stream for 150 s: only silence ends an attempt, with the defaults', async () => {
    const clock = new FakeClock();
    const scheduler = new Scheduler({ clock });
    // Ten chunks 15 s apart: 150 s in all, never more than 15 s without data.
    const endpoint = paced(clock, Array.from({ length: 10 }, () => 15_000));
    const result = watch(collectAll(scheduleChat(scheduler, endpoint, request)));
    await clock.advance(200_000);
    assert.deepEqual(result.value, { text: 'w0 w1 w2 w3 w4 w5 w6 w7 w8 w9 ' });
    assert.equal(endpoint.calls, 1, 'asked once');
  });

  void it('stops a reply that goes silent for the endpoint\'s idle timeout, and says which limit and setting', async () => {
    const clock = new FakeClock();
    const scheduler = new Scheduler({ clock, backoffBaseMs: 0 });
    const endpoint = paced(clock, [1_000, 1_000, 1_000], { timeouts: { idleMs: 60_000, totalMs: 3_600_000 }, silentAfter: 2 });
    const result = watch(collectAll(scheduleChat(scheduler, endpoint, request)));
    await clock.advance(61_999);
    assert.equal(result.settled, false, 'silence shorter than the idle timeout is waited out');
    await clock.advance(1);
    assert.ok(result.value !== undefined);
    assert.equal(result.value.text, 'w0 w1 ', 'the text before the silence is kept');
    assert.ok(result.value.error instanceof EndpointError);
    assert.equal(result.value.error.kind, 'timeout');
    assert.match(result.value.error.message, /no data for 60 s \(idle timeout of endpoint gpt; raise tunelab\.endpoints\[\]\.timeouts\.idleSeconds/);
  });

  void it('stops a reply that is still streaming at the total timeout, and says so', async () => {
    const clock = new FakeClock();
    const scheduler = new Scheduler({ clock });
    const endpoint = paced(clock, Array.from({ length: 100 }, () => 10_000), { timeouts: { idleMs: 60_000, totalMs: 300_000 } });
    const result = watch(collectAll(scheduleChat(scheduler, endpoint, request)));
    await clock.advance(300_000);
    assert.ok(result.value !== undefined);
    assert.ok(result.value.error instanceof EndpointError);
    assert.equal(result.value.error.kind, 'timeout');
    assert.match(result.value.error.message, /still answering after 5 min \(total timeout of endpoint gpt; raise tunelab\.endpoints\[\]\.timeouts\.totalSeconds/);
    assert.equal(endpoint.calls, 1, 'text had arrived, so it is not asked again');
  });

  void it('asks a model that never answers at most twice, and the error keeps the idle message', async () => {
    const clock = new FakeClock();
    const scheduler = new Scheduler({ clock, maxAttempts: 4, backoffBaseMs: 0 });
    const endpoint = paced(clock, [1_000], { timeouts: { idleMs: 60_000, totalMs: 3_600_000 }, silentAfter: 0 });
    const result = watch(collectAll(scheduleChat(scheduler, endpoint, request)));
    await clock.advance(600_000);
    assert.ok(result.value !== undefined);
    assert.equal(endpoint.calls, 2, 'one retry after a timeout, not maxAttempts');
    assert.match(messageOf(result.value.error), /no data for 60 s \(idle timeout of endpoint gpt/);
    assert.equal(scheduler.stats.running, 0);
    assert.equal(clock.pending, 0, 'no timer outlives the call');
  });

  void it('askThrough (generation, the judge) uses the endpoint\'s timeouts and progress the same way', async () => {
    const clock = new FakeClock();
    const scheduler = new Scheduler({ clock, backoffBaseMs: 0 });
    // 150 s of streaming with 15 s gaps passes; the second call goes quiet and hits a 30 s idle limit.
    const streaming = paced(clock, Array.from({ length: 10 }, () => 15_000), { timeouts: { idleMs: 30_000, totalMs: 3_600_000 } });
    const ask = askThrough(scheduler, streaming);
    const whole = watch(ask('judge', request.messages, { json: false, signal: new AbortController().signal }));
    await clock.advance(200_000);
    assert.equal(whole.value, 'w0 w1 w2 w3 w4 w5 w6 w7 w8 w9 ');
    const quiet = paced(clock, [1_000, 40_000], { id: 'judge', timeouts: { idleMs: 30_000, totalMs: 3_600_000 } });
    const failed = watch(askThrough(scheduler, quiet)('judge', request.messages, { json: false, signal: new AbortController().signal }));
    await clock.advance(200_000);
    assert.match(messageOf(failed.error), /no data for 30 s \(idle timeout of endpoint judge; raise tunelab\.endpoints\[\]\.timeouts\.idleSeconds/);
    assert.equal(quiet.calls, 2, 'a whole-reply call is retried once after a timeout');
  });
});

void describe('Scheduler: staying inside the server\'s budget', () => {
  /**
   * The server's side of a requests/min limit as the OpenAI peer (test/peers/openaiPeer.ts) and
   * OpenAI count it: a token bucket of `rpm` that starts full at the first request to arrive and
   * refills continuously, measured when each request ARRIVES. Returns how many it would refuse.
   */
  function serverRefusals(rpm: number, arrivals: readonly number[]): number {
    const perMs = rpm / 60_000;
    let level = rpm;
    let last: number | undefined;
    let refused = 0;
    for (const at of [...arrivals].sort((a, b) => a - b)) {
      level = Math.min(rpm, level + (at - (last ?? at)) * perMs);
      last = at;
      if (level >= 1 - 1e-9) level -= 1;
      else refused++;
    }
    return refused;
  }

  /**
   * Sends `count` calls at once through a scheduler at `rpm` and returns when each reaches the
   * server: the requests of the opening burst take `burstDelayMs` to arrive (connections being
   * opened, the event loop busy with the burst), the paced ones after it `pacedDelayMs`.
   */
  async function arrivals(options: SchedulerOptions, count: number, burstDelayMs: number, pacedDelayMs: number): Promise<number[]> {
    const { scheduler, clock } = make({ maxConcurrent: 1_000, ...options });
    const times: number[] = [];
    for (let i = 0; i < count; i++) {
      void scheduler.run(() => {
        const now = clock.now();
        times.push(now + (now === 0 ? burstDelayMs : pacedDelayMs));
        return Promise.resolve();
      });
    }
    await clock.advance(10 * 60_000);
    assert.equal(times.length, count);
    return times;
  }

  void it('sends nothing into a 429 when the opening burst reaches the server later than the paced requests after it', async () => {
    // Measured from when it sends, the client is exactly within the budget; the server counts from
    // arrival, so a paced request that arrives faster than the burst did looks early by the difference.
    for (const rpm of [60, 600, 3_500]) {
      const times = await arrivals({ requestsPerMinute: rpm }, rpm + 40, 250, 5);
      assert.equal(serverRefusals(rpm, times), 0, `${rpm}/min`);
    }
  });

  void it('gives up only the headroom: the long-run rate is still the budget', async () => {
    // 600/min with 1 s of headroom: 590 at once, then one every 100 ms, so the 650th goes at 6 s.
    const { scheduler, clock } = make({ maxConcurrent: 1_000, requestsPerMinute: 600 });
    const times: number[] = [];
    for (let i = 0; i < 650; i++) void scheduler.run(() => Promise.resolve(void times.push(clock.now())));
    await clock.advance(60_000);
    assert.equal(times.filter((t) => t === 0).length, 590);
    assert.equal(times[649], 6_000);
  });

  void it('keeps the old arithmetic with headroomMs 0, which a 250 ms arrival spread turns into 429s', async () => {
    const times = await arrivals({ requestsPerMinute: 600, headroomMs: 0 }, 640, 250, 5);
    assert.ok(serverRefusals(600, times) > 0);
  });
});

void describe('Scheduler: a cold first request', () => {
  void it('starts refilling only once the server has surely seen a request, so a slow first connection costs no 429', async () => {
    // 600/min. Nothing reaches the server before 1.5 s (a cold connection on a busy machine), more
    // than the 1 s of headroom; after that a request takes 5 ms. Replies come 300 ms after arrival.
    const rpm = 600;
    const { scheduler, clock } = make({ maxConcurrent: 1_000, requestsPerMinute: rpm });
    const arrived: number[] = [];
    for (let i = 0; i < rpm + 100; i++) {
      void scheduler.run(async () => {
        await clock.sleep(Math.max(5, 1_500 - clock.now()));
        arrived.push(clock.now());
        await clock.sleep(300);
      });
    }
    await clock.advance(5 * 60_000);
    assert.equal(arrived.length, rpm + 100);
    // The server's bucket: full at the first arrival, refilled continuously, counted on arrival.
    let level = rpm;
    let last = arrived[0] ?? 0;
    let refused = 0;
    for (const at of [...arrived].sort((a, b) => a - b)) {
      level = Math.min(rpm, level + (at - last) * (rpm / 60_000));
      last = at;
      if (level >= 1 - 1e-9) level -= 1;
      else refused++;
    }
    assert.equal(refused, 0);
  });
});
