/**
 * `merge` of gate results: the gates of the shards of one gate (`gate --shard i/n --json FILE`) joined
 * into the gate the whole grid would have given. Each shard judged its own cells whole (all their pairs
 * and looks ran on one machine), so their samples are kept; the metrics are decided again with Holm's
 * correction over every cell of the whole gate, and the outcome over all of them and the positive
 * controls (run once, in shard 1). Gates of different configurations, commands, tool
 * versions or shard counts, or with a shard missing or given twice, are refused.
 */
import type { GateResult } from '../result/gate-result.js';
import { cellKey, gateGrid, judgeCells, gateOutcome } from './gate.js';
import { checkShardFiles, checkShardSet, differingKeys, refuse, unshardedCommand } from './merge.js';

export interface GateShardFile {
  file: string;
  result: GateResult;
}

export function mergeGateShards(inputs: readonly GateShardFile[]): GateResult {
  const [first, ...rest] = checkShardFiles(inputs, 'gate');
  const { shard: _shard, ...config } = first.result.config;
  for (const { file, result } of rest) {
    const { shard: _s, ...other } = result.config;
    const differing = differingKeys(config as unknown as Record<string, unknown>, other as unknown as Record<string, unknown>);
    if (differing.length > 0 || result.mode !== first.result.mode || unshardedCommand(result.command) !== unshardedCommand(first.result.command)) {
      throw refuse(`${file} and ${first.file} ran different gates (${[...differing, ...(result.mode !== first.result.mode ? ['mode'] : [])].join(', ') || 'command'})`, differing, 'one gate command run with --shard 1/n … n/n');
    }
  }
  checkShardSet(inputs, 'gate');

  const byIndex = [...inputs].sort((a, b) => a.result.shard!.index - b.result.shard!.index);
  // Plan order, as the unsharded gate lists them.
  const order = new Map(gateGrid(config).map((c, i) => [cellKey(c), i]));
  const shardCells = byIndex.flatMap(({ result }) => result.cells).sort((a, b) => order.get(cellKey(a))! - order.get(cellKey(b))!);
  // Holm again over every cell × metric of the whole gate (each shard adjusted as if the others' p were 1).
  const timing = first.result.baseline?.sameMachine ?? true;
  const judgements = judgeCells(shardCells.map((c) => c.samples), { alpha: config.alphaPerLook, minEffect: config.minEffect, tolerances: config.tolerances, timing, paired: first.result.mode === 'a/b' });
  const cells = shardCells.map((c, i) => ({ ...c, ...judgements[i]! }));
  // The controls run once per gate, in shard 1.
  const controls = byIndex.flatMap(({ result }) => result.controls);
  const controlsPlanned = byIndex.reduce((n, { result }) => n + (result.controlsPlanned ?? 0), 0);
  const interrupted = byIndex.some(({ result }) => result.outcome === 'interrupted');
  const stopped = byIndex.flatMap(({ result }) => (result.stopped ? [`shard ${result.shard!.index}: ${result.stopped}`] : [])).join('; ') || undefined;
  const { outcome, exitCode, reasons } = gateOutcome(cells.map((c) => ({ ...c, judgement: c })), controls, { inconclusiveOk: config.inconclusiveOk, interrupted, stopped, controlsPlanned });
  return {
    ...first.result,
    command: unshardedCommand(first.result.command),
    startedAt: byIndex.map(({ result }) => result.startedAt).sort()[0]!,
    finishedAt: byIndex.map(({ result }) => result.finishedAt).sort().at(-1)!,
    config: { ...config, shard: null },
    shard: undefined,
    mergedFrom: byIndex.map(({ file, result }) => ({ index: result.shard!.index, file, gateDir: result.gateDir, machine: result.machine, cells: result.cells.length })),
    runs: byIndex.flatMap(({ result }) => result.runs),
    controlsPlanned, controls, cells, outcome, exitCode, reasons, ...(stopped ? { stopped } : {}),
  };
}
