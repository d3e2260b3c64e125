import { dirname, resolve } from 'node:path';
import { badValue } from '../../sdk/errors.js';
import { mergeShards } from '../../analyze/merge.js';
import { writeFileAtomic } from '../../result/files.js';
import type { CommandSpec } from '../command.js';
import { parseView, render, VIEW_FLAGS } from '../flags.js';
import { checkOutFile } from '../outputs.js';
import { readResult } from './report.js';

/** `parquet-chaos merge a.json b.json … --json all.json`: shard results joined into the whole run's result. */
export const merge = {
  summary: 'join the results of the shards of one run (--shard i/n) into one result, as if run on one machine',
  args: [{ name: 'FILES...', describe: "every shard's result JSON" }],
  flags: {
    json: { value: 'FILE', describe: 'where to write the merged result (required)' },
    ...VIEW_FLAGS,
  },
  async run({ flags, args, extra }, io) {
    const view = parseView(flags, io);
    if (typeof flags.json !== 'string') throw badValue('E_USAGE', '--json', flags.json ?? '', 'the file to write the merged result to');
    checkOutFile('--json', flags.json);
    const files = [...args, ...extra];
    const merged = mergeShards(files.map((file) => ({ file, result: readResult(file) })), dirname(resolve(flags.json)));
    writeFileAtomic(flags.json, `${JSON.stringify(merged, null, 2)}\n`);
    io.out(render(merged, view, io));
    return merged.cells.every((c) => c.verdict.valid === true) && !merged.interrupted ? 0 : 1;
  },
} satisfies CommandSpec;
