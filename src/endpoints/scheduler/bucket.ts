/**
 * A token bucket for a per-minute budget (requests or model tokens) that refills continuously.
 *
 * Levels are kept in units of 1/60 000 of a token, so the refill is exactly `perMinute` units per
 * millisecond: with whole-number budgets and costs every level and every wait is a whole number,
 * and a computed wait is exact rather than off by a rounding error.
 *
 * The bucket holds `headroomMs` of refill less than the server's full minute. The server counts a
 * request when it arrives, the client when it sends it, and the time in between is not the same for
 * every request: the opening burst waits for connections and a busy event loop, the paced requests
 * after it do not, so by the server's clock a request sent exactly on budget can arrive early by the
 * difference and be refused (429). Holding back the refill of that spread keeps every request
 * inside the server's bucket whatever the spread up to it; the long-run rate stays `perMinute`.
 */

const MS_PER_MINUTE = 60_000;

export class TokenBucket {
  /** The current level in 1/60 000 token units; negative after an oversized request. */
  private level: number;
  private last: number;
  /** The most the bucket holds, in the same units: a minute's budget less the headroom's refill. */
  private readonly capacity: number;
  /** Not refilling, see `holdIfFull`. */
  private held = false;

  constructor(private readonly perMinute: number, now: number, headroomMs = 0) {
    const headroom = Math.min(MS_PER_MINUTE, Math.max(0, Number.isFinite(headroomMs) ? headroomMs : 0));
    this.capacity = perMinute * (MS_PER_MINUTE - headroom);
    this.level = this.capacity;
    this.last = now;
  }

  /**
   * Milliseconds until `cost` fits (0 when it fits now). A cost above what the bucket holds only
   * waits for a full bucket: it could never fit, and waiting forever would stall every call behind it.
   */
  waitFor(cost: number, now: number): number {
    this.refill(now);
    const need = Math.min(cost * MS_PER_MINUTE, this.capacity);
    return this.level >= need ? 0 : Math.ceil((need - this.level) / this.perMinute);
  }

  /**
   * Stops the refill, when the bucket is full, until `resume`. A full bucket means a new busy
   * stretch, and the server's refill for it starts only when its first request ARRIVES, which the
   * client cannot see: only a reply (its first byte, or its end) proves it has happened. Refilling
   * from the send instead would run ahead of the server by however long a cold connection took.
   * Returns whether it now holds.
   */
  holdIfFull(now: number): boolean {
    this.refill(now);
    if (this.level >= this.capacity) this.held = true;
    return this.held;
  }

  /** Refills again from `now`; nothing accrues for the time it was held. */
  resume(now: number): void {
    this.refill(now);
    this.held = false;
  }

  /** Spends `cost`; the level may go negative, which makes later calls wait for what was overspent. */
  take(cost: number, now: number): void {
    this.refill(now);
    this.level -= cost * MS_PER_MINUTE;
  }

  private refill(now: number): void {
    const elapsed = this.held ? 0 : Math.max(0, now - this.last);
    this.level = Math.min(this.capacity, this.level + elapsed * this.perMinute);
    this.last = now;
  }
}
