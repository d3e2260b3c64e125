/** Process entry of the CLI (bin/parquet-chaos.js runs the compiled copy; `node --import tsx harness/cli/main.ts` the source). */
import { main } from './cli.js';

let answered = false;
// The event loop can drain while a command still waits for a promise nothing will settle (a plugin's
// bug; before item 0 of issue 21, a simulated Promise.all): Node would then exit 0 having printed
// nothing. A command that ends without its result is an error, never a silent pass.
process.on('beforeExit', () => {
  if (answered) return;
  answered = true;
  process.stderr.write('parquet-chaos: the command ended without a result: it waited for an operation that can never finish '
    + '(a strategy awaiting a promise nothing settles?); no verdict\n');
  process.exitCode = 1;
});

const code = await main(process.argv.slice(2), {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
  isTTY: Boolean(process.stdout.isTTY),
  errIsTTY: Boolean(process.stderr.isTTY),
  columns: process.stdout.isTTY ? process.stdout.columns : undefined,
  errColumns: () => (process.stderr.isTTY ? process.stderr.columns : undefined),
  env: process.env,
});
answered = true;
process.exitCode = code;
