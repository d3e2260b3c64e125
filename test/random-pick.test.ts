import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Random } from '../harness/sdk/random.js';
import { makeRecord, matchesGenerated } from '../harness/sdk/records.js';

describe('Random.pick', () => {
  it('draws what as many int() calls draw, in order, and leaves the stream where they leave it', () => {
    fc.assert(fc.property(fc.integer(), fc.integer({ min: 1, max: 100 }), fc.integer({ min: 0, max: 600 }), (seed, size, count) => {
      const table = Array.from({ length: size }, (_, i) => 0x61 + (i % 26));
      const picked = new Random(seed);
      const out = new Uint16Array(count);
      picked.pick(table, out, count);
      const called = new Random(seed);
      const expected = Array.from({ length: count }, () => table[called.int(size)]);
      expect([...out]).toEqual(expected);
      expect(picked.next()).toBe(called.next());
    }));
  });

  it('leaves generated records as they were: the checksum of one made before pick existed, and the checker still matches it', () => {
    // f2a5aa2e839809c6: makeRecord(1, 3, 17, 256, 1n).checksum from the build before payloads were drawn with pick.
    const record = makeRecord(1, 3, 17, 256, 1n);
    expect(record.checksum).toBe('f2a5aa2e839809c6');
    expect(record.payload.slice(0, 20)).toBe('rle mhe9gicv7rlqrghh');
    expect(matchesGenerated(record, 1, 3, 17, 256)).toBe(true);
    expect(matchesGenerated({ ...record, payload: `${record.payload.slice(0, -1)}#` }, 1, 3, 17, 256)).toBe(false);
  });
});
