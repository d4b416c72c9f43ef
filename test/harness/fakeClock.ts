import type { AppendClock } from '../../src/core/promptLab/appendBuffer';

/** A clock whose time moves only when the test moves it; timers fire as it passes them. */
export function fakeClock(): AppendClock & { advance(ms: number): void; readonly timers: number } {
  let now = 0;
  let timers: { at: number; run: () => void; stopped: boolean }[] = [];
  return {
    now: () => now,
    setTimer(ms, run) {
      const timer = { at: now + ms, run, stopped: false };
      timers.push(timer);
      return () => { timer.stopped = true; };
    },
    advance(ms) {
      now += ms;
      const due = timers.filter((t) => !t.stopped && t.at <= now);
      timers = timers.filter((t) => !t.stopped && t.at > now);
      for (const t of due) t.run();
    },
    get timers() { return timers.filter((t) => !t.stopped).length; },
  };
}
