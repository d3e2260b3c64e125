/**
 * A small seeded PRNG (mulberry32). Every random choice of the harness (record content, fault
 * schedules, sweep order) comes from one of these, derived from --seed.
 */
export class Random {
  private state: number;

  constructor(seed: number) {
    this.state = (Math.floor(seed) >>> 0) ^ 0x9e3779b9;
  }

  /** A float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /**
   * Fills out[0..count) with table[this.int(table.length)], drawn in order: the same draws as `count`
   * calls of int, in one loop over local state: a writer process makes few records, so its payloads were
   * drawn mostly by unoptimized code, a call per draw (measured over a fresh process's first 300
   * payloads of 256 characters: ~70 µs a payload with int, ~37 with this loop).
   */
  pick(table: ArrayLike<number>, out: Uint16Array, count: number): void {
    const n = table.length;
    let state = this.state;
    for (let i = 0; i < count; i++) {
      state = (state + 0x6d2b79f5) >>> 0;
      let t = Math.imul(state ^ (state >>> 15), state | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      out[i] = table[Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n)]!;
    }
    this.state = state;
  }

  /** A float in [lo, hi). */
  between(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }

  /** A new array with the items in a seeded uniform order (Fisher–Yates, one draw per position). */
  shuffle<T>(items: readonly T[]): T[] {
    const order = [...items];
    for (let i = order.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    return order;
  }

  /** A derived, independent stream (e.g. one per cell), stable for the same label. */
  fork(label: string): Random {
    let h = this.state;
    for (let i = 0; i < label.length; i++) h = Math.imul(h ^ label.charCodeAt(i), 0x01000193) >>> 0;
    return new Random(h);
  }
}
