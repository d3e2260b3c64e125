/**
 * A child for test/fence-record.test.ts: runs a fixed sequence on the fence record of `dir` and prints
 * the fsyncs the record counted for it, so that the test can hold that count to what strace sees.
 */
import { fenceRecord } from '../../harness/sdk/ports/locks/fence.js';

const dir = process.argv[2]!;
let counted = 0;
const fence = fenceRecord(dir, { countFsyncs: (n) => { counted += n; } });
await fence.announce('main', 1); // creates the record, then writes token 1
await fence.announce('main', 2);
await fence.announce('main', 2); // not higher: nothing written
await fence.announce('main', 3);
await fence.commitIfCurrent('main', 3, async () => 'published');
await fence.commitIfCurrent('main', 1, async () => 'refused');
process.stdout.write(`${counted}\n`);
