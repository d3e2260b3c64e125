import { describe, expect, it } from 'vitest';
import { fuseProblem } from '../../harness/fuse/requirements.js';
import { crashfsMountsUnder } from '../../harness/fuse/mounts.js';
import { safeStrategies } from '../../harness/orchestrate/bench/run-bench.js';
import { defaultRunConfig } from '../../harness/orchestrate/run-config.js';
import { runSmall } from '../support/cell.js';

/**
 * Every built-in strategy that claims to keep acked records keeps them through a power cut (real
 * processes on crashfs), under both persistence models: posix with the scenario's own seeded cut, and
 * ext4-ordered with a seeded post-crash state once writer-1 has 3 acks. 2 writers × 4 records a cell.
 */
const problem = fuseProblem();
if (problem) console.warn(`skipped: ${problem}`);

const WORKERS = 2;
const RECORDS = 4;
/**
 * A power-cut cell starts every process twice (before the cut and after the reboot), each loading
 * TypeScript through tsx: at load average 60 on 2 cores that alone took over runSmall's 60 s. The
 * CLI's own cell timeout (120 s + 20 ms a record), and a test timeout above it.
 */
const CELL_TIMEOUT_MS = defaultRunConfig().cellTimeoutMs;

const MODELS = [
  ['posix', 'default'],
  ['ext4-ordered', 'power-loss:afterAcks=3,of=writer-1,model=ext4-ordered,state=seeded'],
] as const;
const cases = (await safeStrategies()).flatMap((strategy) => MODELS.map(([model, faults]) => ({ strategy, model, faults })));

describe.skipIf(problem !== undefined)(`every safe built-in under power-cut${problem ? ` — skipped: ${problem}` : ''}`, () => {
  it('covers every built-in strategy that claims no lost acked record', () => {
    expect(cases.length).toBeGreaterThanOrEqual(2 * 7);
  });

  // One cell a test.
  it.each(cases)('$strategy, model $model: no acked record lost, the power loss fired', async ({ strategy, model, faults }) => {
    // Act
    const result = await runSmall({ strategies: [strategy], scenarios: ['power-cut'], workers: WORKERS, recordsPerWorker: RECORDS, faults, cellTimeoutMs: CELL_TIMEOUT_MS });

    // Assert
    const [cell] = result.cells;
    expect({ valid: cell!.verdict.valid, acked: cell!.verdict.acked, lost: cell!.verdict.lost, duplicates: cell!.verdict.duplicates, errors: cell!.errors })
      .toEqual({ valid: true, acked: WORKERS * RECORDS, lost: 0, duplicates: 0, errors: [] });
    expect(cell!.faults.outcomes).toMatchObject([{ kind: 'power-loss', fired: true }]);
    const cut = cell!.faults.log.find((e) => e.kind === 'power-loss' && e.action === 'power cut');
    expect(cut?.detail).toContain(`model ${model}, state seeded`);
    expect(cell!.faults.log.filter((e) => e.action === 'post-crash state')).toHaveLength(2);
    expect(crashfsMountsUnder(result.runDir)).toEqual([]);
  }, CELL_TIMEOUT_MS + 120_000);
});
