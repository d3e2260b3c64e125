/**
 * Compact tables of record ids for the checker. A million ids in Sets and Maps of strings cost most of
 * the checker's memory and much of its time; ids are nearly always `w{worker}-{seq}` (recordId), so
 * those get a dense slot through a per-worker array indexed by sequence number, with no string kept.
 * Any other id (a phantom, a mangled one) gets a slot through an ordinary Map. Sets and counts over the
 * slots keep insertion order, so they read back exactly as the Set and Map they replace.
 */

/** Past these, a canonical-looking id is kept as a string: a per-worker array this long would cost more than it saves. */
const MAX_WORKER = 1 << 16;
export const MAX_SEQ = 1 << 20;

/** The worker of a canonical id (`w` digits `-` digits, no leading zeros), or -1; its seq is left in `parsedSeq`. */
let parsedSeq = 0;
function parseCanonical(id: string): number {
  const n = id.length;
  if (n < 4 || id.charCodeAt(0) !== 0x77) return -1;
  let i = 1;
  let worker = 0;
  for (; i < n; i++) {
    const c = id.charCodeAt(i);
    if (c === 0x2d) break;
    if (c < 0x30 || c > 0x39 || (i === 2 && worker === 0)) return -1;
    worker = worker * 10 + (c - 0x30);
    if (worker >= MAX_WORKER) return -1;
  }
  if (i === 1 || i >= n - 1) return -1;
  const seqStart = i + 1;
  let seq = 0;
  for (i = seqStart; i < n; i++) {
    const c = id.charCodeAt(i);
    if (c < 0x30 || c > 0x39 || (i === seqStart + 1 && seq === 0)) return -1;
    seq = seq * 10 + (c - 0x30);
    if (seq >= MAX_SEQ) return -1;
  }
  parsedSeq = seq;
  return worker;
}

/**
 * The canonicalKey of the id whose bytes are `bytes[start, end)`, read without making a string (the
 * checker's ledger lines); -1 when it is not canonical. The same grammar as parseCanonical, byte for
 * character: a canonical id is ASCII, and any other byte makes the id non-canonical here as there.
 */
export function canonicalKeyInBytes(bytes: Uint8Array, start: number, end: number): number {
  if (end - start < 4 || bytes[start] !== 0x77) return -1;
  let i = start + 1;
  let worker = 0;
  for (; i < end; i++) {
    const c = bytes[i]!;
    if (c === 0x2d) break;
    if (c < 0x30 || c > 0x39 || (i === start + 2 && worker === 0)) return -1;
    worker = worker * 10 + (c - 0x30);
    if (worker >= MAX_WORKER) return -1;
  }
  if (i === start + 1 || i >= end - 1) return -1;
  const seqStart = i + 1;
  let seq = 0;
  for (i = seqStart; i < end; i++) {
    const c = bytes[i]!;
    if (c < 0x30 || c > 0x39 || (i === seqStart + 1 && seq === 0)) return -1;
    seq = seq * 10 + (c - 0x30);
    if (seq >= MAX_SEQ) return -1;
  }
  return worker * MAX_SEQ + seq;
}

/**
 * A canonical id as one number, worker × MAX_SEQ + seq (exact in a double), or -1 for any other id:
 * how a checker thread hands ids back without a string per row (see IdIndex.slotOfKey).
 */
export function canonicalKey(id: string): number {
  const worker = parseCanonical(id);
  return worker === -1 ? -1 : worker * MAX_SEQ + parsedSeq;
}

/**
 * `array`, or a copy of it at least `needed` long (doubling, so growing is amortised), and at least
 * `expected` long (IdIndex.expected): each copy leaves the old array to the garbage collector, which
 * frees it only at its next collection, so a table that grows to a million slots by doubling holds
 * about twice its size until then.
 */
export function grown<T extends Int32Array | Uint8Array>(array: T, needed: number, make: (length: number) => T, expected = 0): T {
  if (needed <= array.length) return array;
  const bigger = make(grownLength(array.length, needed, expected));
  bigger.set(array);
  return bigger;
}

/** The length grown() gives an array of `length` that must hold `needed`. */
function grownLength(length: number, needed: number, expected = 0): number {
  let grownTo = Math.max(16, length, expected);
  while (grownTo < needed) grownTo *= 2;
  return grownTo;
}

/**
 * How many per-worker slots (all workers' arrays together) the index may hold for `ids` ids: a few
 * times what dense sequences need, plus a floor. Ids with huge sequence numbers (w0-1048575, w1-1048575,
 * …: hostile or broken input) would otherwise cost 4 MiB an id; past the bound they are kept by name.
 */
function slotBudget(ids: number): number {
  return 8 * ids + (1 << 16);
}

/** Ids to dense slots (0, 1, 2, … in first-seen order) and back. */
export class IdIndex {
  /** Per worker: slot + 1 by sequence number (0: none yet). */
  private readonly bySeq: (Int32Array | undefined)[] = [];
  private readonly byName = new Map<string, number>();
  /** Per slot: the worker (-1 for an id kept by name) and the seq (or the index into `names`). */
  private workers = new Int32Array(0);
  private seqs = new Int32Array(0);
  private readonly names: string[] = [];
  size = 0;
  /** How many slots the index is expected to hold (a hint, 0 for none): the tables over it are made that long at once. */
  expected = 0;
  /** The per-worker arrays' lengths, summed (bounded by slotBudget). */
  private perWorkerSlots = 0;
  /** Canonical ids kept by name, since an array for them would have passed the budget. */
  private spilled = 0;

  /** The slot of `id`, or -1 when it has none. */
  find(id: string): number {
    const worker = parseCanonical(id);
    if (worker === -1) return this.byName.get(id) ?? -1;
    const slots = this.bySeq[worker];
    const slot = slots !== undefined && parsedSeq < slots.length ? slots[parsedSeq]! - 1 : -1;
    return slot === -1 && this.spilled > 0 ? this.byName.get(id) ?? -1 : slot;
  }

  /** The slot of `id`, given one if it has none. */
  slotOf(id: string): number {
    const worker = parseCanonical(id);
    if (worker === -1) {
      const known = this.byName.get(id);
      if (known !== undefined) return known;
      this.byName.set(id, this.size);
      this.names.push(id);
      return this.append(-1, this.names.length - 1);
    }
    return this.slotOfCanonical(worker, parsedSeq);
  }

  /** The slot of the canonical id of a canonicalKey (>= 0), given one if it has none. */
  slotOfKey(key: number): number {
    return this.slotOfCanonical(Math.floor(key / MAX_SEQ), key % MAX_SEQ);
  }

  private slotOfCanonical(worker: number, seq: number): number {
    let slots = this.bySeq[worker] ?? new Int32Array(0);
    if (seq < slots.length && slots[seq] !== 0) return slots[seq]! - 1;
    if (this.spilled > 0) {
      const known = this.byName.get(`w${worker}-${seq}`);
      if (known !== undefined) return known;
    }
    if (seq >= slots.length) {
      const length = grownLength(slots.length, seq + 1);
      if (this.perWorkerSlots - slots.length + length > slotBudget(this.size + this.expected)) return this.spill(`w${worker}-${seq}`);
      this.perWorkerSlots += length - slots.length;
      slots = grown(slots, seq + 1, (n) => new Int32Array(n));
      this.bySeq[worker] = slots;
    }
    slots[seq] = this.append(worker, seq) + 1;
    return slots[seq]! - 1;
  }

  /** A slot for a canonical id kept by name (see slotBudget). */
  private spill(id: string): number {
    this.spilled++;
    this.byName.set(id, this.size);
    this.names.push(id);
    return this.append(-1, this.names.length - 1);
  }

  idOf(slot: number): string {
    const worker = this.workers[slot]!;
    return worker === -1 ? this.names[this.seqs[slot]!]! : `w${worker}-${this.seqs[slot]!}`;
  }

  private append(worker: number, seq: number): number {
    const slot = this.size++;
    this.workers = grown(this.workers, this.size, (n) => new Int32Array(n), this.expected);
    this.seqs = grown(this.seqs, this.size, (n) => new Int32Array(n), this.expected);
    this.workers[slot] = worker;
    this.seqs[slot] = seq;
    return slot;
  }
}

/** A growable list of slots. */
class SlotList {
  private slots = new Int32Array(0);
  length = 0;

  push(slot: number, expected: number): void {
    this.slots = grown(this.slots, this.length + 1, (n) => new Int32Array(n), expected);
    this.slots[this.length++] = slot;
  }

  at(i: number): number {
    return this.slots[i]!;
  }
}

/** A set of ids over an IdIndex, read like a ReadonlySet<string> (insertion order kept). */
export class IdSet implements Iterable<string> {
  private member = new Uint8Array(0);
  private readonly order = new SlotList();

  constructor(readonly index: IdIndex) {}

  get size(): number {
    return this.order.length;
  }

  addSlot(slot: number): void {
    this.member = grown(this.member, slot + 1, (n) => new Uint8Array(n), this.index.expected);
    if (this.member[slot] === 1) return;
    this.member[slot] = 1;
    this.order.push(slot, this.index.expected);
  }

  has(id: string): boolean {
    return this.hasSlot(this.index.find(id));
  }

  hasSlot(slot: number): boolean {
    return slot >= 0 && slot < this.member.length && this.member[slot] === 1;
  }

  /** The slot added `i`-th (0 ≤ i < size). */
  slotAt(i: number): number {
    return this.order.at(i);
  }

  *[Symbol.iterator](): Generator<string> {
    for (let i = 0; i < this.order.length; i++) yield this.index.idOf(this.order.at(i));
  }
}

/** How often each id occurs, over an IdIndex, read like a ReadonlyMap<string, number> (first-seen order kept). */
export class IdCounts implements Iterable<[string, number]> {
  private counts = new Int32Array(0);
  private readonly order = new SlotList();

  constructor(readonly index: IdIndex) {}

  get size(): number {
    return this.order.length;
  }

  increment(id: string): void {
    this.incrementSlot(this.index.slotOf(id));
  }

  incrementSlot(slot: number): void {
    this.counts = grown(this.counts, slot + 1, (n) => new Int32Array(n), this.index.expected);
    if (this.counts[slot] === 0) this.order.push(slot, this.index.expected);
    this.counts[slot]!++;
  }

  get(id: string): number | undefined {
    return this.countOf(this.index.find(id)) || undefined;
  }

  has(id: string): boolean {
    return this.countOf(this.index.find(id)) > 0;
  }

  /** The count of a slot (0 when absent). */
  countOf(slot: number): number {
    return slot >= 0 && slot < this.counts.length ? this.counts[slot]! : 0;
  }

  /** Slots in first-seen order. */
  *slots(): Generator<number> {
    for (let i = 0; i < this.order.length; i++) yield this.order.at(i);
  }

  /** The slot seen `i`-th (0 ≤ i < size). */
  slotAt(i: number): number {
    return this.order.at(i);
  }

  *keys(): Generator<string> {
    for (const slot of this.slots()) yield this.index.idOf(slot);
  }

  *[Symbol.iterator](): Generator<[string, number]> {
    for (const slot of this.slots()) yield [this.index.idOf(slot), this.counts[slot]!];
  }
}
