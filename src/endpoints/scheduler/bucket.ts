/**
 * A token bucket for a per-minute budget (requests or model tokens) that refills continuously.
 *
 * Levels are kept in units of 1/60 000 of a token, so the refill is exactly `perMinute` units per
 * millisecond: with whole-number budgets and costs every level and every wait is a whole number,
 * and a computed wait is exact rather than off by a rounding error.
 */

const MS_PER_MINUTE = 60_000;

export class TokenBucket {
  /** The current level in 1/60 000 token units; negative after an oversized request. */
  private level: number;
  private last: number;

  constructor(private readonly perMinute: number, now: number) {
    this.level = perMinute * MS_PER_MINUTE;
    this.last = now;
  }

  /**
   * Milliseconds until `cost` fits (0 when it fits now). A cost above the whole budget only waits
   * for a full bucket: it could never fit, and waiting forever would stall every call behind it.
   */
  waitFor(cost: number, now: number): number {
    this.refill(now);
    const need = Math.min(cost, this.perMinute) * MS_PER_MINUTE;
    return this.level >= need ? 0 : Math.ceil((need - this.level) / this.perMinute);
  }

  /** Spends `cost`; the level may go negative, which makes later calls wait for what was overspent. */
  take(cost: number, now: number): void {
    this.refill(now);
    this.level -= cost * MS_PER_MINUTE;
  }

  private refill(now: number): void {
    const elapsed = Math.max(0, now - this.last);
    this.level = Math.min(this.perMinute * MS_PER_MINUTE, this.level + elapsed * this.perMinute);
    this.last = now;
  }
}
