/**
 * `bench`'s checker process: `node check-child.js CELL_DIR` checks the bench's generated cell as a
 * real cell is checked (every row regenerated and compared, FIXTURE_GENERATION) and prints the time the
 * check took and the process's peak resident set, so that the checker's memory is measured alone.
 */
import { checkCell } from '../../oracle/checker.js';
import { FIXTURE_GENERATION } from './checker-fixture.js';

const started = performance.now();
const cpuAtStart = process.cpuUsage();
const verdict = await checkCell(process.argv[2]!, { noLostAcked: true, noDuplicates: true, noCorruption: true }, FIXTURE_GENERATION);
const checkMs = performance.now() - started;
const cpu = process.cpuUsage(cpuAtStart);
process.stdout.write(JSON.stringify({ checkMs, cpuMs: (cpu.user + cpu.system) / 1000, maxRssKiB: process.resourceUsage().maxRSS, valid: verdict.valid, acked: verdict.acked, present: verdict.present, error: verdict.error }));
