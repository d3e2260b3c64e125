/**
 * Fitting text to a terminal's width: prose wrapped at word and punctuation boundaries, and grids
 * (columns two spaces apart, numbers right-aligned, heads wrapped over their column) whose widest
 * columns are narrowed, their cells wrapping inside the column, until the grid fits; only when that
 * is not enough are trailing columns left out, and named. Pure: width in, lines out.
 */

/** A grid cell: its text and how to colour each of its lines (colour is applied after wrapping). */
export interface GridCell {
  text: string;
  style?: (text: string) => string;
}
export type CellLike = string | GridCell;
/** A row of cells, or a group heading across the whole grid. */
export type GridRow = readonly CellLike[] | { group: CellLike };

const GAP = '  ';
/** Narrowest a column is made (its head's longest word, if longer). */
const MIN_COLUMN = 6;

/** Wraps text to lines of at most `width` characters, breaking after spaces, commas, colons, dashes and slashes when it can. */
export function wrapText(text: string, width: number): string[] {
  if (width < 1) throw new RangeError(`wrapText: width ${width} < 1`);
  const lines: string[] = [];
  for (const paragraph of text.split('\n')) {
    const pieces = paragraph.match(/[^\s,:/-]*[\s,:/-]?/g)!.filter(Boolean);
    let line = '';
    for (const piece of pieces) {
      if ((line + piece).trimEnd().length <= width) {
        line += piece;
        continue;
      }
      if (line.trim()) lines.push(line.trimEnd());
      line = piece.trimStart();
      while (line.trimEnd().length > width) {
        lines.push(line.slice(0, width));
        line = line.slice(width);
      }
    }
    lines.push(line.trimEnd());
  }
  return lines;
}

const textOf = (cell: CellLike) => (typeof cell === 'string' ? cell : cell.text);
const styleOf = (cell: CellLike) => (typeof cell === 'string' ? undefined : cell.style);
const longestLine = (text: string) => Math.max(0, ...text.split('\n').map((l) => l.length));
/** The longest piece wrapText cannot break. */
const longestWord = (text: string) => Math.max(0, ...(text.match(/[^\s,:/-]*[,:/-]?/g) ?? []).map((w) => w.length));
/** Numbers, durations, sizes, intervals and dashes read best right-aligned. */
const NUMERIC = /^[-–\d.,/%[\]\s]*(?:[kKMG]i?B|B|ms|s)?$/;

export interface FittedGrid {
  lines: string[];
  /** Heads of the columns left out because even narrowed columns did not fit. */
  dropped: string[];
}

/** Lays out a grid no wider than `width` (as wide as its content when undefined). */
export function fitGrid(head: readonly string[], rows: readonly GridRow[], width?: number): FittedGrid {
  const body = rows.filter((r): r is readonly CellLike[] => Array.isArray(r));
  const bodyWidth = head.map((_, i) => Math.max(0, ...body.map((r) => longestLine(textOf(r[i] ?? '')))));
  const natural = head.map((h, i) => Math.max(h.length, bodyWidth[i]!));
  const right = head.map((_, i) => body.length > 0 && body.every((r) => NUMERIC.test(textOf(r[i] ?? ''))));
  // Narrowing goes in two steps: first heads wrap over their column's values, then values wrap too.
  const headsWrapped = head.map((h, i) => Math.max(bodyWidth[i]!, longestWord(h)));
  const floor = head.map((h, i) => Math.min(headsWrapped[i]!, Math.max(MIN_COLUMN, longestWord(h))));
  const total = (widths: readonly number[]) => widths.reduce((a, b) => a + b, 0) + GAP.length * (widths.length - 1);
  let kept = head.length;
  let widths = [...natural];
  if (width !== undefined) {
    while (kept > 1 && total(floor.slice(0, kept)) > width) kept -= 1;
    widths = natural.slice(0, kept);
    for (const limit of [headsWrapped, floor]) {
      while (total(widths) > width) {
        const widest = widths.reduce((best, w, i) => (w > limit[i]! && (best === -1 || w > widths[best]!) ? i : best), -1);
        if (widest === -1) break;
        widths[widest] = widths[widest]! - 1;
      }
    }
  }
  const line = (cells: readonly CellLike[]): string[] => {
    const wrapped = widths.map((w, i) => wrapText(textOf(cells[i] ?? ''), w));
    const height = Math.max(...wrapped.map((w) => w.length));
    return Array.from({ length: height }, (_, k) => widths.map((w, i) => {
      const text = wrapped[i]![k] ?? '';
      const padded = right[i] ? text.padStart(w) : text.padEnd(w);
      const style = styleOf(cells[i] ?? '');
      return style && text ? padded.replace(text, style(text)) : padded;
    }).join(GAP).trimEnd());
  };
  const lines = [...line(head.slice(0, kept)), '─'.repeat(total(widths))];
  for (const row of rows) {
    if (Array.isArray(row)) lines.push(...line(row as readonly CellLike[]));
    else {
      const group = (row as { group: CellLike }).group;
      lines.push(...wrapText(textOf(group), width ?? Number.MAX_SAFE_INTEGER).map((l) => styleOf(group)?.(l) ?? l));
    }
  }
  return { lines, dropped: head.slice(kept) };
}
