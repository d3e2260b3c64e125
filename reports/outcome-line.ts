import type { RunResult } from '../harness/result/result.js';
import { strategyName } from './format.js';

/** Longest reason quoted for a cell that did not pass: the line stays a line. */
const REASON_CHARS = 80;

/**
 * The end of a run in one line, why it exits as it does: `29 ok, 1 unknown (queue × buffer-crash: the
 * first reason) → exit 1`. Cells are counted by verdict (ok, unknown, failed); the first cell of each
 * kind that did not pass is named with its first reason. Pure: a function of the result and the code.
 */
export function outcomeLine(result: RunResult, exitCode: number): string {
  const kinds = { ok: 0, unknown: 0, failed: 0 };
  const named: string[] = [];
  for (const cell of result.cells) {
    const v = cell.verdict.valid;
    const kind = v === true ? 'ok' : v === 'unknown' ? 'unknown' : 'failed';
    kinds[kind]++;
    if (kind === 'ok' || kinds[kind] > 1) continue;
    const reason = kind === 'failed' ? `broke ${cell.verdict.broken.join(', ')}` : (cell.verdict.unknownReasons[0] ?? cell.errors[0]?.message ?? 'no reason recorded');
    const short = reason.length > REASON_CHARS ? `${reason.slice(0, REASON_CHARS - 1)}…` : reason;
    named.push(`${kind === 'failed' ? 'failed' : 'unknown'}: ${strategyName(cell)} × ${cell.scenario}: ${short}`);
  }
  const counts = (['ok', 'unknown', 'failed'] as const).filter((k) => kinds[k] > 0).map((k) => `${kinds[k]} ${k}`);
  const extra = result.interrupted ? ['interrupted'] : result.stopped ? ['stopped early'] : [];
  const head = [...counts, ...extra].join(', ') || 'no cell ran';
  return `${head}${named.length ? ` (${named.join('; ')})` : ''} → exit ${exitCode}`;
}
