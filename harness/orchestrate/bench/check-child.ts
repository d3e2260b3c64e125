/**
 * `bench`'s checker process: `node check-child.js CELL_DIR` checks the cell as `parquet-chaos check`
 * does and prints the time the check took and the process's peak resident set, so that the checker's
 * memory is measured alone.
 */
import { checkCell } from '../../oracle/checker.js';

const started = performance.now();
const verdict = await checkCell(process.argv[2]!, { noLostAcked: true, noDuplicates: true, noCorruption: true });
const checkMs = performance.now() - started;
process.stdout.write(JSON.stringify({ checkMs, maxRssKiB: process.resourceUsage().maxRSS, valid: verdict.valid, acked: verdict.acked, present: verdict.present, error: verdict.error }));
