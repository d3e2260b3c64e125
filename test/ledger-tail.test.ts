import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseLedger } from '../harness/oracle/ledger.js';
import { LedgerTail } from '../harness/orchestrate/ledger-tail.js';

const line = fc.oneof(
  fc.nat(99).map((pid) => JSON.stringify({ op: 'start', pid, t: 1 })),
  fc.nat(99).map((n) => JSON.stringify({ op: 'attempt', id: `w0-${n}`, t: 1 })),
  fc.nat(99).map((n) => JSON.stringify({ op: 'ack', id: `w0-${n}`, t: 1 })),
  fc.constant(JSON.stringify({ op: 'end', t: 1 })),
);

describe('following a ledger as it grows', () => {
  it('counts attempt and ack entries as the parser of the whole file does, however the appends are cut', () => {
    fc.assert(fc.property(fc.array(line, { maxLength: 30 }), fc.array(fc.nat(200), { maxLength: 10 }), (lines, cuts) => {
      // Arrange: the ledger's text appended in arbitrary pieces, a look after each piece.
      const dir = mkdtempSync(join(tmpdir(), 'ledger-tail-'));
      const path = join(dir, 'writer-0.jsonl');
      const text = lines.map((l) => `${l}\n`).join('');
      const points = [...new Set(cuts.map((c) => c % (text.length + 1)))].sort((a, b) => a - b);
      const tail = new LedgerTail(path);
      try {
        // Act
        expect(tail.poll()).toBe(false); // not created yet
        let from = 0;
        for (const to of [...points, text.length]) {
          appendFileSync(path, text.slice(from, to));
          tail.poll();
          from = to;
        }

        // Assert
        const { segments } = parseLedger(text);
        const sum = (of: (s: (typeof segments)[number]) => number) => segments.reduce((n, s) => n + of(s), 0);
        expect(tail.counts).toEqual({ attempt: sum((s) => s.attempted.length), ack: sum((s) => s.acked.length) });
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }), { numRuns: 100 });
  });

  it('does not count a line until its newline is written', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ledger-tail-'));
    const path = join(dir, 'writer-0.jsonl');
    const tail = new LedgerTail(path);
    appendFileSync(path, '{"op":"start","pid":1,"t":1}\n{"op":"attempt","id":"w0-0"');
    tail.poll();
    expect(tail.counts).toEqual({ attempt: 0, ack: 0 });
    appendFileSync(path, ',"t":2}\n');
    expect(tail.poll()).toBe(true);
    expect(tail.counts).toEqual({ attempt: 1, ack: 0 });
    expect(tail.poll()).toBe(false);
    rmSync(dir, { recursive: true, force: true });
  });
});
