/**
 * Progress of a run on stderr: one updating line on a TTY (cells done/total, bar, current cell, elapsed,
 * ETA), one plain line per cell otherwise (logs and CI stay readable).
 */
import type { CellResult } from '../result/result.js';
import { validLabel } from '../../reports/format.js';

export interface ProgressState {
  done: number;
  total: number;
  /** The cell now running, e.g. `checkpoint-batch:interval=5 × buffer-crash · 5 workers`. */
  current: string;
  startedAt: number;
  /** When the last cell finished: the mean cell time so far is (lastDoneAt − startedAt) ÷ done. */
  lastDoneAt: number;
}

const BAR = 20;

function duration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  const m = Math.floor(s / 60);
  return m > 0 ? `${m}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}

/**
 * The TTY line, shorter than `width` (writing into the last column makes some terminals wrap, and a
 * wrapped line is not erased by the next redraw): the cell label is shortened first, then the bar and
 * the elapsed time go.
 */
export function formatProgress(state: ProgressState, now: number, width = 80): string {
  const max = Math.max(1, width - 1);
  const { done, total } = state;
  // Clamped: a caller whose count ran past its total (or a negative one) must not break the line.
  const filled = total > 0 ? Math.min(BAR, Math.max(0, Math.round((done / total) * BAR))) : 0;
  const bar = `[${'#'.repeat(filled)}${'-'.repeat(BAR - filled)}]`;
  // ETA: mean cell time so far × cells left, less the time the current cell has already run.
  const eta = done > 0 ? duration(((state.lastDoneAt - state.startedAt) / done) * (total - done) - (now - state.lastDoneAt)) : '?';
  const full = { head: `${done}/${total} ${bar} `, tail: ` · ${duration(now - state.startedAt)} elapsed · ETA ${eta}` };
  const short = { head: `${done}/${total} `, tail: ` · ETA ${eta}` };
  const { head, tail } = max - full.head.length - full.tail.length >= 12 ? full : short;
  const room = max - head.length - tail.length;
  const current = state.current.length > room ? `${state.current.slice(0, Math.max(0, room - 1))}…` : state.current;
  return `${head}${room > 1 ? current : ''}${tail}`.slice(0, max);
}

/** One cell's outcome in a line: its verdict as the reports word it, acks, losses and rate. */
export function outcome(cell: CellResult): string {
  const v = cell.verdict;
  return `${validLabel(cell)} · acked ${v.acked}/${v.attempted}, lost ${v.lost} · ${cell.throughput.ackedPerSec} acked/s`;
}

export interface Progress {
  start(index: number, total: number, label: string): void;
  done(cell: CellResult): void;
  /** Ends the updating line so that what follows starts on a fresh one. */
  finish(): void;
}

/** `width` is asked at each redraw, so a resized terminal gets a line that fits it. */
export function createProgress(write: (text: string) => void, tty: boolean, width: () => number | undefined = () => undefined, clock = Date.now): Progress {
  const state: ProgressState = { done: 0, total: 0, current: '', startedAt: clock(), lastDoneAt: clock() };
  let timer: NodeJS.Timeout | undefined;
  let open = false;
  const draw = () => {
    // A progress line is a courtesy: whatever goes wrong drawing it must never stop the measurement.
    try {
      write(`\r\u001b[2K${formatProgress(state, clock(), width() ?? 80)}`);
    } catch {
      // Nothing to do: the next redraw tries again, and the report does not depend on it.
    }
  };
  return {
    start(index, total, label) {
      // A command may run its cells in batches (gate: controls, then pairs, then more looks), each counted
      // from 0: the line counts every cell so far, so this batch's total adds to those done before it.
      Object.assign(state, { total: Math.max(0, state.done - index) + total, current: label });
      if (!tty) return write(`[${index + 1}/${total}] ${label} …\n`);
      open = true;
      draw();
      // Redraw every second so elapsed and ETA move while a long cell runs.
      timer ??= setInterval(draw, 1000).unref();
    },
    done(cell) {
      Object.assign(state, { done: state.done + 1, lastDoneAt: clock() });
      // On a TTY only failures leave a line of their own, above the progress line.
      if (!tty) write(`      ${outcome(cell)}\n`);
      else if (cell.verdict.valid !== true) write(`\r\u001b[2K${state.current}: ${outcome(cell)}\n`);
      if (tty) draw();
    },
    finish() {
      clearInterval(timer);
      timer = undefined;
      if (open) write('\n');
      open = false;
    },
  };
}
