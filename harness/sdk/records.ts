import { hash } from 'node:crypto';
import { Random } from './random.js';

/** One simulated test result: one row of the dataset. */
export interface TestRecord {
  id: string;
  worker: number;
  seq: number;
  model: string;
  test_name: string;
  score: number;
  latency_ms: number;
  ok: boolean;
  payload: string;
  /** Microseconds since the epoch (parquetjs-lite cannot read TIMESTAMP_MILLIS back). */
  created_at: bigint;
  /** sha256 prefix over every other column, so that a silently flipped byte is caught. */
  checksum: string;
}

export type RecordColumn = keyof TestRecord;

export const RECORD_COLUMNS: readonly RecordColumn[] = [
  'id', 'worker', 'seq', 'model', 'test_name', 'score', 'latency_ms', 'ok', 'payload', 'created_at', 'checksum',
];

const MODELS = ['DeepSeek-V3-0324', 'qwen-2.5-72b', 'llama-3.3-70b', 'gpt-4o-mini'];
const SUITES = ['arith', 'reasoning', 'coding', 'safety', 'long-context', 'tool-use'];

export function recordId(worker: number, seq: number): string {
  return `w${worker}-${seq}`;
}

/** The whole sha256 (hex) that a record's checksum is the first CHECKSUM_LENGTH characters of. */
function checksumDigest(record: Omit<TestRecord, 'checksum'>): string {
  // The fields' strings joined by U+0001 (a template literal: no array per record). A nullish field,
  // which only a corrupt row can hold, counts as '' as Array.join made it (`?? ''`: inline, where a
  // helper called per field cost the checker ~0.4 µs a row).
  const content = `${record.id ?? ''}\u0001${record.worker ?? ''}\u0001${record.seq ?? ''}\u0001${record.model ?? ''}\u0001${record.test_name ?? ''}`
    + `\u0001${record.score ?? ''}\u0001${record.latency_ms ?? ''}\u0001${record.ok ?? ''}\u0001${record.payload ?? ''}\u0001${record.created_at.toString()}`;
  // crypto.hash: one call, without a Hash object per record (the checker hashes every row).
  return hash('sha256', content, 'hex');
}

const CHECKSUM_LENGTH = 16;

export function recordChecksum(record: Omit<TestRecord, 'checksum'>): string {
  return checksumDigest(record).slice(0, CHECKSUM_LENGTH);
}

/** record.checksum === recordChecksum(record), without the slice (the checker asks it of every row). */
export function hasValidChecksum(record: TestRecord): boolean {
  const digest = checksumDigest(record);
  const checksum = record.checksum;
  return typeof checksum === 'string' && checksum.length === CHECKSUM_LENGTH && digest.startsWith(checksum);
}

const PAYLOAD_CODES = [...'abcdefghijklmnopqrstuvwxyz0123456789 '].map((c) => c.charCodeAt(0));
const PAYLOAD_PIECE = 4096;
const pieceCodes = new Uint16Array(PAYLOAD_PIECE);

/** The seeded stream every generated field of the record (seed, worker, seq) is drawn from. */
function recordRandom(seed: number, worker: number, seq: number): Random {
  return new Random(seed * 1_000_003 + worker * 10_007 + seq);
}

/** Draws the next piece of a payload (at most PAYLOAD_PIECE of the `left` characters) into pieceCodes; its length. */
function drawPayloadPiece(rng: Random, left: number): number {
  const piece = Math.min(PAYLOAD_PIECE, left);
  rng.pick(PAYLOAD_CODES, pieceCodes, piece);
  return piece;
}

/** The fields drawn after the payload, in draw order; one scratch object, overwritten by every draw. */
const drawn = { model: '', test_name: '', score: 0, latency_ms: 0, ok: false };

function drawFields(rng: Random): typeof drawn {
  drawn.model = MODELS[rng.int(MODELS.length)]!;
  drawn.test_name = `${SUITES[rng.int(SUITES.length)]!}_${String(rng.int(1000)).padStart(3, '0')}`;
  drawn.score = Math.round(rng.next() * 1e6) / 1e6;
  drawn.latency_ms = 50 + rng.int(5000);
  drawn.ok = rng.next() < 0.8;
  return drawn;
}

/**
 * The record a given worker produces at a given sequence number. Content depends only on
 * (seed, worker, seq), so a retried id carries the same row; created_at is the real time.
 */
export function makeRecord(seed: number, worker: number, seq: number, payloadBytes: number, nowMicros: bigint): TestRecord {
  const rng = recordRandom(seed, worker, seq);
  let payload = '';
  // In pieces of character codes: the checker regenerates every row, so this runs a million times a check.
  for (let done = 0; done < payloadBytes; done += PAYLOAD_PIECE) {
    const piece = drawPayloadPiece(rng, payloadBytes - done);
    payload += String.fromCharCode.apply(null, pieceCodes.subarray(0, piece) as unknown as number[]);
  }
  const { model, test_name, score, latency_ms, ok } = drawFields(rng);
  const record: TestRecord = { id: recordId(worker, seq), worker, seq, model, test_name, score, latency_ms, ok, payload, created_at: nowMicros, checksum: '' };
  record.checksum = recordChecksum(record);
  return record;
}

/**
 * True when `row`, the row of id recordId(worker, seq), holds in every field but created_at and checksum
 * exactly (===) what makeRecord(seed, worker, seq, payloadBytes, …) generates. The checker's way to
 * regenerate a row a million times: the same draws as makeRecord, compared as they are drawn, with no
 * record, payload string or checksum built.
 */
export function matchesGenerated(row: TestRecord, seed: number, worker: number, seq: number, payloadBytes: number): boolean {
  const payload = row.payload;
  if (row.worker !== worker || row.seq !== seq || typeof payload !== 'string' || payload.length !== payloadBytes) return false;
  const rng = recordRandom(seed, worker, seq);
  for (let done = 0; done < payloadBytes; done += PAYLOAD_PIECE) {
    const piece = drawPayloadPiece(rng, payloadBytes - done);
    for (let i = 0; i < piece; i++) if (payload.charCodeAt(done + i) !== pieceCodes[i]) return false;
  }
  // drawFields' draws, in its order, each compared as drawn: no test_name string is built.
  if (row.model !== MODELS[rng.int(MODELS.length)]) return false;
  if (!isTestName(row.test_name, SUITES[rng.int(SUITES.length)]!, rng.int(1000))) return false;
  return row.score === Math.round(rng.next() * 1e6) / 1e6 && row.latency_ms === 50 + rng.int(5000) && row.ok === (rng.next() < 0.8);
}

/** True when `name` is exactly `${suite}_${String(number).padStart(3, '0')}` (number < 1000), as drawFields makes it. */
function isTestName(name: unknown, suite: string, number: number): boolean {
  if (typeof name !== 'string' || name.length !== suite.length + 4 || !name.startsWith(suite) || name.charCodeAt(suite.length) !== 0x5f) return false;
  const at = suite.length + 1;
  return name.charCodeAt(at) === 0x30 + Math.floor(number / 100) && name.charCodeAt(at + 1) === 0x30 + (Math.floor(number / 10) % 10) && name.charCodeAt(at + 2) === 0x30 + (number % 10);
}

/** A row as the checker reads it: the string fields as their UTF-8 bytes, the others as read (of any type). */
export interface RecordBytes {
  id: unknown;
  worker: unknown;
  seq: unknown;
  model: unknown;
  test_name: unknown;
  score: unknown;
  latency_ms: unknown;
  ok: unknown;
  payload: unknown;
  created_at: unknown;
  checksum: unknown;
}

const ascii = (text: string) => Uint8Array.from(text, (c) => c.charCodeAt(0));
const MODEL_BYTES = MODELS.map(ascii);
const SUITE_BYTES = SUITES.map(ascii);
const TRUE_BYTES = ascii('true');
const FALSE_BYTES = ascii('false');

/** checksumDigest's content, written as bytes (grown for a long payload). */
let content = new Uint8Array(256);

/** content.subarray(0, n), made once for each n: a row's hash is given a view, not a new one each row. */
let contentViews: Uint8Array[] = [];
let viewsOf = content;

function contentView(length: number): Uint8Array {
  if (viewsOf !== content) {
    // content grew: views of the old one would hash stale bytes
    contentViews = [];
    viewsOf = content;
  }
  return contentViews[length] ??= content.subarray(0, length);
}

const MAX_SAFE_BIGINT = BigInt(Number.MAX_SAFE_INTEGER);

/** The writers of that content: each writes at `at` and returns where its bytes end (locals, not module variables, in the loops). */
function putBytes(into: Uint8Array, at: number, bytes: Uint8Array): number {
  for (let i = 0; i < bytes.length; i++) into[at++] = bytes[i]!;
  return at;
}

function putText(into: Uint8Array, at: number, text: string): number {
  for (let i = 0; i < text.length; i++) into[at++] = text.charCodeAt(i);
  return at;
}

/**
 * A non-negative integer's decimal digits (n ≤ 2^53), as String() writes them. Digits are taken in
 * int32 arithmetic: `%` on a number past 2^31 (a timestamp in µs) is a floating-point remainder: written
 * so, a row's write time was the hottest line of the checker's row comparison in a profile (a fifth of
 * its samples), as costly as the toString() it replaced.
 */
function putDigits(into: Uint8Array, at: number, n: number): number {
  if (n < 1e8) return putSmallDigits(into, at, n);
  const high = Math.floor(n / 1e8);
  return putPaddedDigits(into, putSmallDigits(into, at, high), n - high * 1e8, 8);
}

/** putDigits of 0 ≤ n < 2^31. */
function putSmallDigits(into: Uint8Array, at: number, n: number): number {
  let end = at;
  for (let m = n; ; m = (m / 10) | 0) {
    end++;
    if (m < 10) break;
  }
  for (let i = end; ;) {
    const q = (n / 10) | 0;
    into[--i] = 0x30 + n - q * 10;
    if (q === 0) break;
    n = q;
  }
  return end;
}

/** The `width` last decimal digits of 0 ≤ n < 2^31, zeros in front. */
function putPaddedDigits(into: Uint8Array, at: number, n: number, width: number): number {
  for (let i = at + width - 1; i >= at; i--) {
    const q = (n / 10) | 0;
    into[i] = 0x30 + n - q * 10;
    n = q;
  }
  return at + width;
}

/**
 * Writes String(k / 1e6) for an integer 0 ≤ k ≤ 1e6 (a generated score: Math.round(x * 1e6) / 1e6)
 * into `into` at `at`, without formatting a number (String() of a double cost the checker more than
 * the rest of a row's comparison); returns where the text ends. Such a quotient's shortest round-trip
 * text is k's digits after `0.` with trailing zeros dropped (every k is checked against String()).
 */
export function writeMillionths(k: number, into: Uint8Array, at: number): number {
  if (k === 1e6) {
    into[at] = 0x31;
    return at + 1;
  }
  into[at++] = 0x30;
  if (k === 0) return at;
  into[at++] = 0x2e;
  let digits = 6;
  for (; k % 10 === 0; digits--) k /= 10;
  for (let d = digits - 1; d >= 0; d--, k = Math.floor(k / 10)) into[at + d] = 0x30 + (k % 10);
  return at + digits;
}

/** True when `bytes` holds `expected`'s bytes exactly. */
function sameBytes(bytes: Uint8Array, expected: Uint8Array): boolean {
  if (bytes.length !== expected.length) return false;
  for (let i = 0; i < bytes.length; i++) if (bytes[i] !== expected[i]) return false;
  return true;
}

/**
 * True when `row`, its strings read as UTF-8 bytes, is exactly the row makeRecord(seed, worker, seq,
 * payloadBytes, row.created_at) generates, checksum included: what matchesGenerated and
 * hasValidChecksum say of it decoded, said of its bytes, with no string made. Every field it compares
 * is ASCII, so its bytes are its characters. False only means "not shown true here": the checker then
 * judges the row decoded.
 */
export function isGeneratedBytes(row: RecordBytes, seed: number, worker: number, seq: number, payloadBytes: number): boolean {
  const { id, model, test_name, payload, checksum, created_at } = row;
  if (row.worker !== worker || row.seq !== seq || typeof created_at !== 'bigint') return false;
  if (!(id instanceof Uint8Array && model instanceof Uint8Array && test_name instanceof Uint8Array && payload instanceof Uint8Array && checksum instanceof Uint8Array)) return false;
  if (payload.length !== payloadBytes || checksum.length !== CHECKSUM_LENGTH) return false;
  const rng = recordRandom(seed, worker, seq);
  for (let done = 0; done < payloadBytes; done += PAYLOAD_PIECE) {
    const piece = drawPayloadPiece(rng, payloadBytes - done);
    for (let i = 0; i < piece; i++) if (payload[done + i] !== pieceCodes[i]) return false;
  }
  if (!sameBytes(model, MODEL_BYTES[rng.int(MODELS.length)]!)) return false;
  const suite = SUITE_BYTES[rng.int(SUITES.length)]!;
  const number = rng.int(1000);
  if (test_name.length !== suite.length + 4 || test_name[suite.length] !== 0x5f) return false;
  for (let i = 0; i < suite.length; i++) if (test_name[i] !== suite[i]) return false;
  if (test_name[suite.length + 1] !== 0x30 + Math.floor(number / 100) || test_name[suite.length + 2] !== 0x30 + (Math.floor(number / 10) % 10) || test_name[suite.length + 3] !== 0x30 + (number % 10)) return false;
  const millionths = Math.round(rng.next() * 1e6);
  if (row.score !== millionths / 1e6 || row.latency_ms !== 50 + rng.int(5000) || row.ok !== (rng.next() < 0.8)) return false;
  // The content checksumDigest hashes, as bytes: the id's own, checked to be recordId(worker, seq) as it is written.
  if (content.length < payloadBytes + 256) content = new Uint8Array(2 * (payloadBytes + 256));
  const into = content;
  into[0] = 0x77;
  let at = putDigits(into, 1, worker);
  into[at++] = 0x2d;
  at = putDigits(into, at, seq);
  if (id.length !== at) return false;
  for (let i = 0; i < at; i++) if (id[i] !== into[i]) return false;
  into[at++] = 1;
  at = putDigits(into, at, worker);
  into[at++] = 1;
  at = putDigits(into, at, seq);
  into[at++] = 1;
  at = putBytes(into, at, model);
  into[at++] = 1;
  at = putBytes(into, at, test_name);
  into[at++] = 1;
  at = writeMillionths(millionths, into, at);
  into[at++] = 1;
  at = putDigits(into, at, row.latency_ms as number);
  into[at++] = 1;
  at = putBytes(into, at, row.ok ? TRUE_BYTES : FALSE_BYTES);
  into[at++] = 1;
  at = putBytes(into, at, payload);
  into[at++] = 1;
  // A timestamp's digits without a string made for them (Number holds it exactly up to 2^53).
  at = created_at >= 0n && created_at <= MAX_SAFE_BIGINT ? putDigits(into, at, Number(created_at)) : putText(into, at, created_at.toString());
  const digest = hash('sha256', contentView(at), 'hex');
  for (let i = 0; i < CHECKSUM_LENGTH; i++) if (checksum[i] !== digest.charCodeAt(i)) return false;
  return true;
}

/** Logical size of a record: what a perfect writer would have to store (used for write amplification). */
export function logicalBytes(record: TestRecord): number {
  return Buffer.byteLength(record.id) + Buffer.byteLength(record.model) + Buffer.byteLength(record.test_name)
    + Buffer.byteLength(record.payload) + Buffer.byteLength(record.checksum) + 4 + 4 + 8 + 4 + 1 + 8;
}
