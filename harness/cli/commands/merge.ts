import { dirname, resolve } from 'node:path';
import { badValue } from '../../sdk/errors.js';
import { appendFileSync } from 'node:fs';
import { mergeShards } from '../../analyze/merge.js';
import { mergeGateShards } from '../../analyze/merge-gate.js';
import { readGateResult, readJsonFile } from '../../result/read-json.js';
import { renderGateMarkdown, renderGateTable } from '../../../reports/gate.js';
import { renderGateJunit } from '../../../reports/junit.js';
import { writeFileAtomic } from '../../result/files.js';
import type { CommandSpec } from '../command.js';
import { paletteFor, parseView, render, VIEW_FLAGS } from '../flags.js';
import { checkOutFile } from '../outputs.js';
import { readResult } from './report.js';

/** Whether a file is a gate's JSON (`gate --json`) rather than a run's result. */
function isGateFile(file: string): boolean {
  return (readJsonFile(file, 'E_USAGE', 'merge', 'a result or gate JSON file') as { kind?: unknown } | null)?.kind === 'gate';
}

/**
 * `parquet-chaos merge a.json b.json … --json all.json`: shard results joined into the whole run's
 * result, or shard gates (`gate --shard i/n --json`) joined into the whole gate's verdict.
 */
export const merge = {
  summary: 'join the results of the shards of one run (--shard i/n) into one result, as if run on one machine; of gate shards, the whole gate (its exit code)',
  args: [{ name: 'FILES...', describe: "every shard's result JSON (or every shard's gate --json)" }],
  flags: {
    json: { value: 'FILE', describe: 'where to write the merged result (required)' },
    junit: { value: 'FILE', describe: 'gate shards: also write the merged gate as JUnit XML' },
    ...VIEW_FLAGS,
  },
  async run({ flags, args, extra }, io) {
    const view = parseView(flags, io);
    if (typeof flags.json !== 'string') throw badValue('E_USAGE', '--json', flags.json ?? '', 'the file to write the merged result to');
    checkOutFile('--json', flags.json);
    if (typeof flags.junit === 'string') checkOutFile('--junit', flags.junit);
    const files = [...args, ...extra];
    if (files.length > 0 && isGateFile(files[0]!)) {
      // Shards of a gate: the merged gate's verdict and exit code, as the unsharded gate would give them.
      const gate = mergeGateShards(files.map((file) => ({ file, result: readGateResult(file) })));
      writeFileAtomic(flags.json, `${JSON.stringify(gate, null, 2)}\n`);
      if (typeof flags.junit === 'string') writeFileAtomic(flags.junit, renderGateJunit(gate));
      io.out(renderGateTable(gate, paletteFor(io), io.columns));
      if (io.env.GITHUB_STEP_SUMMARY) appendFileSync(io.env.GITHUB_STEP_SUMMARY, renderGateMarkdown(gate));
      return gate.exitCode;
    }
    if (typeof flags.junit === 'string') throw badValue('E_USAGE', '--junit', flags.junit, 'gate shards to merge (a run has no JUnit report)');
    const merged = mergeShards(files.map((file) => ({ file, result: readResult(file) })), dirname(resolve(flags.json)));
    writeFileAtomic(flags.json, `${JSON.stringify(merged, null, 2)}\n`);
    io.out(render(merged, view, io));
    return merged.cells.every((c) => c.verdict.valid === true) && !merged.interrupted ? 0 : 1;
  },
} satisfies CommandSpec;
