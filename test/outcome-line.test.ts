import { describe, expect, it } from 'vitest';
import { outcomeLine } from '../reports/outcome-line.js';
import { fixtureResult } from './support/result-fixture.js';

describe('outcomeLine', () => {
  it('counts the cells by verdict and names the first unknown and failed cell with its first reason', () => {
    // Arrange: three cells of the fixture, made ok, unknown and failed.
    const result = fixtureResult();
    const [a] = result.cells;
    result.cells = [
      { ...a!, verdict: { ...a!.verdict, valid: true, unknownReasons: [] } },
      { ...a!, strategy: 'queue', scenario: 'buffer-crash', verdict: { ...a!.verdict, valid: 'unknown', unknownReasons: ['planned fault #2 (pause writer-2 afterAttempts=4) did not fire: x', 'second'] } },
      { ...a!, strategy: 'realtime:lock=none', scenario: 'main-file-contention', verdict: { ...a!.verdict, valid: false, broken: ['noLostAcked'] } },
      { ...a!, verdict: { ...a!.verdict, valid: true, unknownReasons: [] } },
    ];

    // Act / Assert
    expect(outcomeLine(result, 1)).toBe(
      '2 ok, 1 unknown, 1 failed (unknown: queue × buffer-crash: planned fault #2 (pause writer-2 afterAttempts=4) did not fire: x; failed: realtime:lock=none × main-file-contention: broke noLostAcked) → exit 1');
    result.cells = [result.cells[0]!];
    expect(outcomeLine(result, 0)).toBe('1 ok → exit 0');
  });
});
