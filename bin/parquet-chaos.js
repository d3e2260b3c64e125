#!/usr/bin/env node
// Runs the compiled CLI (npm ci builds it through the `prepare` script).
import { main } from '../dist/harness/cli.js';

const code = await main(process.argv.slice(2), {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
  isTTY: Boolean(process.stdout.isTTY),
  env: process.env,
});
process.exitCode = code;
