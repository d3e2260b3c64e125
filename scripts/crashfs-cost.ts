// fsync'd 4 KiB appends per second through crashfs against the same folder directly, and the CPU the
// layer costs: `node --import tsx scripts/crashfs-cost.ts [DIR] [ROUNDS] [APPENDS]`.
import { tmpdir } from 'node:os';
import { median } from '../harness/analyze/stats.js';
import { measureLayerCost } from '../harness/fuse/cost.js';
import { fuseProblem } from '../harness/fuse/requirements.js';

const problem = fuseProblem();
if (problem) {
  console.error(problem);
  process.exit(2);
}
const [dir = tmpdir(), rounds = '5', appends = '200'] = process.argv.slice(2);
const cost = await measureLayerCost(dir, Number(rounds), Number(appends));
const show = (xs: number[]) => xs.map((x) => x.toFixed(0)).join(' ');
console.log(`fsync'd ${cost.bytes} B appends/s, ${cost.rounds} interleaved rounds of ${cost.appendsPerRound}:`);
console.log(`  direct:  median ${median(cost.direct)!.toFixed(0)}  (${show(cost.direct)})`);
console.log(`  crashfs: median ${median(cost.layer)!.toFixed(0)}  (${show(cost.layer)})`);
console.log(`  ratio crashfs/direct: ${(median(cost.layer)! / median(cost.direct)!).toFixed(2)}`);
console.log(`  CPU per append: daemon ${cost.daemonCpuUsPerAppend.toFixed(0)} µs; writer ${cost.writerCpuUsPerAppend.direct.toFixed(0)} µs direct, ${cost.writerCpuUsPerAppend.layer.toFixed(0)} µs through crashfs`);
