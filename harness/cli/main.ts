/** Process entry of the CLI (bin/parquet-chaos.js runs the compiled copy; `node --import tsx harness/cli/main.ts` the source). */
import { main } from './cli.js';

process.exitCode = await main(process.argv.slice(2), {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
  isTTY: Boolean(process.stdout.isTTY),
  errIsTTY: Boolean(process.stderr.isTTY),
  columns: process.stdout.isTTY ? process.stdout.columns : undefined,
  errColumns: () => (process.stderr.isTTY ? process.stderr.columns : undefined),
  env: process.env,
});
