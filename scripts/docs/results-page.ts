/**
 * docs/results.md: measured results, each rendered from a result JSON kept in docs/results/ (the
 * command that produced it and the machine are in the JSON and printed with it). Only the notes on
 * when and under what load each ran are written by hand: the result JSON does not record the load.
 */
import { join } from 'node:path';
import { renderMarkdown } from '../../reports/markdown.js';
import { validLabel } from '../../reports/format.js';
import { answer } from '../../reports/recommend.js';
import { readResult } from '../../harness/cli/commands/report.js';
import type { RunResult } from '../../harness/result/result.js';
import { generatedNotice } from './markdown.js';

export const RESULTS_DIR = join(import.meta.dirname, '..', '..', 'docs', 'results');

interface Entry {
  file: string;
  title: string;
  /** When it ran and how busy the machine was (not in the result JSON). */
  conditions: string;
  /** What to read in it, computed from the result itself. */
  reading?: (result: RunResult) => string;
}

const pct = (part: number, whole: number) => `${whole === 0 ? 0 : Math.round((100 * part) / whole)}%`;

/** The lost acked records of each cell whose strategy does not claim to keep them. */
function unsafeLosses(result: RunResult): string {
  return result.cells.map((c) => `\`${c.strategy}\` × \`${c.scenario}\`: ${c.verdict.lost} of ${c.verdict.acked} acked records lost (${pct(c.verdict.lost, c.verdict.acked)}), verdict ${validLabel(c)}`).join('; ');
}


/** How the run's cells ended: valid, broken claims, unknown, and the unsafe variants' expected losses. */
function outcomes(result: RunResult): string {
  const cells = result.cells;
  const valid = cells.filter((c) => c.verdict.valid === true);
  const unsafe = valid.filter((c) => c.verdict.lost > 0);
  const broken = cells.filter((c) => c.verdict.valid === false).map((c) => `\`${c.strategy}\``);
  const unknownCells = cells.filter((c) => c.verdict.valid === 'unknown');
  const unknown = unknownCells.length ? `; ${unknownCells.length} unknown (${unknownCells.map((c) => `\`${c.strategy}\` at ${c.workers} workers: ${(c.verdict.unknownReasons ?? []).join('; ')}`).join(' · ')})` : '';
  return `${valid.length} of ${cells.length} cells valid (${unsafe.length} of them unsafe variants that lost acked records they do not claim to keep)` +
    `${broken.length ? `; claims broken: ${broken.join(', ')}` : ''}${unknown}`;
}

/** Acked/s of each strategy at each worker count (one repeat: the cell's own figure; more: the median). */
function ackedRates(result: RunResult): string {
  const workers = [...new Set(result.cells.map((c) => c.workers))].sort((a, b) => a - b);
  return workers.map((w) => {
    const cells = result.cells.filter((c) => c.workers === w);
    const strategies = [...new Set(cells.map((c) => c.strategy))].sort();
    const rate = (name: string) => {
      const rates = cells.filter((c) => c.strategy === name).map((c) => c.throughput.ackedPerSec).sort((a, b) => a - b);
      return rates[Math.floor((rates.length - 1) / 2)]!.toFixed(1);
    };
    return `at ${w} workers ${strategies.map((name) => `\`${name}\` ${rate(name)}`).join(', ')} acked/s`;
  }).join('; ');
}

/** Each strategy's acked/s at each worker count (the median of its repeats). */
function medianRates(result: RunResult): Map<string, Map<number, number>> {
  const rates = new Map<string, Map<number, number[]>>();
  for (const c of result.cells) {
    const byWorkers = rates.get(c.strategy) ?? new Map<number, number[]>();
    byWorkers.set(c.workers, [...(byWorkers.get(c.workers) ?? []), c.throughput.ackedPerSec]);
    rates.set(c.strategy, byWorkers);
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!;
  return new Map([...rates].map(([name, byWorkers]) => [name, new Map([...byWorkers].map(([w, xs]) => [w, median(xs)]))]));
}

/**
 * Where each other strategy of the sweep acks faster than `base`: the worker counts at which it does,
 * and the smallest from which it does at every larger count too (none when it falls behind again at the
 * largest). Rates are the cells' acked/s (the median of a point's repeats).
 */
export function overtakes(result: RunResult, base: string): string {
  const rates = medianRates(result);
  const baseRates = rates.get(base);
  if (!baseRates) return `no \`${base}\` cell`;
  const workers = [...baseRates.keys()].sort((a, b) => a - b);
  return [...rates.keys()].filter((name) => name !== base).sort().map((name) => {
    const ahead = workers.filter((w) => (rates.get(name)!.get(w) ?? 0) > baseRates.get(w)!);
    const from = workers.find((w, i) => workers.slice(i).every((later) => ahead.includes(later)));
    const where = ahead.length === 0 ? 'at no worker count' : `at ${ahead.join(', ')} workers`;
    return `\`${name}\` acks faster than \`${base}\` ${where}${from === undefined ? '' : ` (from ${from} workers on, up to the ${workers.at(-1)} measured)`}`;
  }).join('; ');
}

/** Each cell's share of the limit, and the CPU its roles spent per acked record from `go` on (µs), with its records per fsync'd batch when it batches. */
function cpuPerAck(result: RunResult): string {
  return result.cells.map((c) => {
    const acked = c.verdict.acked;
    const roles = Object.entries(c.cpu ?? {}).filter(([role]) => role !== 'finalize').sort(([a], [b]) => a.localeCompare(b));
    const cpu = acked === 0 ? 'no acks' : roles.map(([role, r]) => `${role} ${Math.round((r.workMs * 1000) / acked)}`).join(', ');
    const batches = c.counters['batches'];
    const perBatch = batches ? `, ${(c.counters['batchedRecords']! / batches).toFixed(1)} records per fsync` : '';
    const share = c.throughput.fractionOfLimit === null ? '–' : `${Math.round(c.throughput.fractionOfLimit * 100)}%`;
    return `\`${c.strategy}\` ${c.throughput.ackedPerSec.toFixed(1)} acked/s = ${share} of the limit, CPU µs per ack: ${cpu}${perBatch}`;
  }).join('; ');
}

/** A sweep of strategies over worker counts: per count, each one's share of that count's limit, then where each overtakes `base`. */
function againstLimit(result: RunResult, base: string): string {
  const workers = [...new Set(result.cells.map((c) => c.workers))].sort((a, b) => a - b);
  const shares = workers.map((w) => {
    const cells = result.cells.filter((c) => c.workers === w).sort((a, b) => a.strategy.localeCompare(b.strategy));
    return `${w}: ${cells.map((c) => `\`${c.strategy}\` ${c.throughput.fractionOfLimit === null ? '–' : `${Math.round(c.throughput.fractionOfLimit * 100)}%`}`).join(', ')}`;
  });
  return `${outcomes(result)}. Share of the limit with as many processes as writers, by worker count: ${shares.join('; ')}. ${overtakes(result, base)}`;
}

/** The cells' verdicts, and whether each cell's power loss fired, under which model and post-crash state. */
function powerLosses(result: RunResult): string {
  const cuts = result.cells.flatMap((c) => c.faults.log.filter((e) => e.kind === 'power-loss' && e.action === 'power cut'));
  const fired = result.cells.filter((c) => (c.faults.outcomes ?? []).some((o) => o.kind === 'power-loss' && o.fired)).length;
  const how = [...new Set(cuts.map((e) => /model [\w-]+, state \w+/.exec(e.detail ?? '')?.[0] ?? '?'))].join('; ');
  return `${outcomes(result)}. The power loss fired in ${fired} of ${result.cells.length} cells (${how})`;
}

const SHARED = 'on a shared 2-vCPU machine busy with other heavy test runs at the same time: rates are far below an idle machine\'s and noisy, so compare rows within one table only';

export const RESULT_ENTRIES: readonly Entry[] = [
  {
    file: 'original-scenario-1.json', title: 'Scenario 1 of the original analysis: eight writers, one file',
    conditions: `at load average 16–19 ${SHARED}`, reading: unsafeLosses,
  },
  {
    file: 'lease-expiry.json', title: 'Lock backends under a paused lock holder (`lease-expiry`)',
    conditions: `at load average 28–35 ${SHARED}`,
    reading: (r) => {
      const count = (name: string) => r.cells.reduce((n, c) => n + (c.counters?.[name] ?? 0), 0);
      return `${unsafeLosses(r)}. The pause breaks what the two unfenced leases' claims assume (no lock holder stalls past its lease), so their claims are not judged: the file lease's loss is expected and no failure, and the checked Redis lease, which refused its paused holder's commit (${count('leaseLostRefusals')} refused) and lost nothing, is no pass either; the command exits 1 for the unknown verdicts, as locks.md explains. The fenced lease refused ${count('fencedRefusals')} commit(s) and lost nothing`;
    },
  },
  {
    file: 'sweep-checkpoint-interval.json', title: 'Checkpoint interval × workers under `buffer-crash` (a small sweep)',
    conditions: `at load average 25–31 ${SHARED}`, reading: outcomes,
  },
  {
    file: 'recommend-small.json', title: '`recommend` at 2 and 4 workers, 6 records each (a small run)',
    conditions: `at load average 27–39 ${SHARED}`,
    reading: (r) => `${outcomes(r)}. What it answered: ${r.recommendation ? answer(r.recommendation, r.sweep?.repeat) : 'no recommendation'}`,
  },
  {
    file: 'sweep-pandas-checkpoint.json', title: 'The original analysis\'s pandas checkpoint writer: interval × workers under `buffer-crash` (a small sweep)',
    conditions: `at load average 27–64 ${SHARED}`,
    reading: (r) => {
      const unknown = r.cells.filter((c) => c.verdict.valid === 'unknown');
      // The last reason of each is the cause (the cell timeout); the ones before it are its consequences.
      const why = unknown.map((c) => `\`${c.strategy}\` at ${c.workers} workers: ${(c.verdict.unknownReasons ?? []).at(-1)}`).join(' · ');
      return `${r.cells.filter((c) => c.verdict.valid === true).length} of ${r.cells.length} cells valid, none lost an acked record${unknown.length ? `; ${unknown.length} unknown (${why})` : ''}. Acked/s: ${ackedRates(r)}`;
    },
  },
  {
    file: 'group-commit-8x300.json', title: 'Group commit, 8 writers × 300 records on `main-file-contention`: its options before and after, beside append-log (no faults)',
    // `group-commit:window=1,compactorNice=0` is the strategy's defaults before they changed (the corked sends aside).
    conditions: `at load average 44–51 (the sweep below ran at the same time) ${SHARED}`, reading: (r) => `${outcomes(r)}. ${cpuPerAck(r)}`,
  },
  {
    file: 'group-commit-cpu-8x300.json', title: 'Group commit, 8 writers × 300 records on `main-file-contention`: CPU per ack after the warm compactor, the payload loop and batched ack lines (no faults)',
    // `group-commit:window=8,warmRecords=0` is the default options without the compactor's warm-up; the writer-side changes are in every row.
    conditions: `at load average 13–14 ${SHARED}`, reading: (r) => `${outcomes(r)}. ${cpuPerAck(r)}`,
  },
  {
    file: 'sweep-group-commit-workers.json', title: 'Group commit against append-log, 1 to 64 writers on `main-file-contention` (a sweep, no faults)',
    // One repeat per point and the limit measured once per worker count, before the cells: under this load the
    // same 8-process limit read 1,378/s here and 2,557–6,449/s in other runs within the hour.
    conditions: `at load average 23–51 (the run above and a bench ran part of the time), one repeat per point and each worker count's limit measured once, before the cells: single points, not medians, so a share of the limit moves by 2× or more between runs, ${SHARED}`,
    reading: (r) => againstLimit(r, 'append-log'),
  },
  {
    file: 'power-cut-posix.json', title: 'Every built-in strategy under `power-cut` (model posix, seeded post-crash state: the scenario\'s default)',
    conditions: `at load average 30–38 ${SHARED}`, reading: powerLosses,
  },
  {
    file: 'power-cut-ext4-ordered.json', title: 'Every built-in strategy under `power-cut`, model ext4-ordered (seeded post-crash state, power cut after writer-1\'s 3rd ack)',
    conditions: `at load average 30–46 ${SHARED}`, reading: powerLosses,
  },
  {
    file: 'power-cut-posix-harshest.json', title: 'Every built-in strategy under `power-cut`, model posix, harshest post-crash state (nothing un-synced survives)',
    conditions: `at load average 44–46 ${SHARED}`, reading: powerLosses,
  },
  {
    file: 'power-cut-ext4-ordered-harshest.json', title: 'Every built-in strategy under `power-cut`, model ext4-ordered, harshest post-crash state',
    conditions: `at load average 46–58 ${SHARED}`, reading: powerLosses,
  },
  {
    file: 'npm-start.json', title: '`npm start`: every strategy × the three scenarios of the original analysis',
    conditions: `at load average 31–40 ${SHARED}`, reading: outcomes,
  },
];

/** The run's wall time, from its own start and end. */
function wallTime(result: RunResult): string {
  const seconds = Math.round((Date.parse(result.finishedAt) - Date.parse(result.startedAt)) / 1000);
  return seconds >= 120 ? `${Math.floor(seconds / 60)} min ${seconds % 60} s` : `${seconds} s`;
}

/** Headings of a rendered report one level down, under the entry's own. */
const demote = (markdown: string) => markdown.replace(/^(#+) /gm, '#$1 ');

export function resultsPage(): string {
  const sections = RESULT_ENTRIES.map((entry) => {
    const result = readResult(join(RESULTS_DIR, entry.file));
    const reading = entry.reading ? `\n\n${entry.reading(result)}.` : '';
    return `## ${entry.title}\n\nMeasured ${result.startedAt.slice(0, 16).replace('T', ' ')} UTC ${entry.conditions}; the whole command took ${wallTime(result)}. Source: [\`results/${entry.file}\`](results/${entry.file}); ` +
      `\`parquet-chaos report docs/results/${entry.file} --format md\` renders it again.${reading}\n\n${demote(renderMarkdown(result)).trimEnd()}`;
  });
  return `# Measured results

${generatedNotice('the result JSON files in docs/results/')}

Every table below is rendered from a result JSON kept in [\`results/\`](results/), with the command that
produced it and the machine it ran on. Compare figures within one table only: throughput and latency
depend on the CPU, the disk's fsync latency and whatever else the machine was doing (the calibration line
of each run says how fast this machine's fsync'd appends were at the time). Correctness figures (lost,
duplicates, corrupt) do not depend on the machine.

${sections.join('\n\n')}
`;
}
