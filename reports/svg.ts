/**
 * Small inline-SVG charts: pure functions from data to an `<svg>` string, no scripts, no external
 * resources. Every value is drawn as visible text and repeated, exact, in a `<title>` tooltip.
 */
import { escapeHtml as esc } from './format.js';

/** Identifies a chart in the page: `id` for anchors and tests, `data-chart` for its kind. */
export interface ChartId {
  id: string;
  chart: string;
}

export interface Category {
  label: string;
  /** A second, dimmer line under the label (e.g. the scenario under the strategy). */
  sublabel?: string;
}

export interface BarSeries {
  name: string;
  colour: string;
  /** Per category: a number, `null` for "no value" (drawn as –), `undefined` for "not measured" (no bar). */
  values: (number | null | undefined)[];
  /** Visible text at each bar's end; defaults to the axis format. */
  texts?: (string | undefined)[];
  /** Per-bar colours, overriding `colour` (e.g. by verdict). */
  colours?: string[];
}

export interface BarChart extends ChartId {
  categories: Category[];
  series: BarSeries[];
  axisLabel: string;
  format?: (n: number) => string;
  /** Ticks are nice multiples of this (e.g. 1024² for MiB); default 1. */
  tickUnit?: number;
}

export interface LineSeries {
  name: string;
  colour: string;
  points: { x: number; y: number | null }[];
}

export interface LineChart extends ChartId {
  series: LineSeries[];
  xLabel: string;
  yLabel: string;
  format?: (n: number) => string;
}

export interface Timeline extends ChartId {
  lanes: string[];
  /** `group`: markers of one group (a fault kind) closer than a label's width in one lane are drawn as one, `kind ×n`. */
  markers: { lane: number; at: number; label: string; tooltip: string; colour: string; group?: string }[];
  /** The time axis covers at least startMs..endMs (ms); markers outside widen it. */
  startMs: number;
  endMs: number;
}

/** Series colours: distinguishable, and readable on white. */
export const SERIES_COLOURS = ['#3b6fd4', '#e07b39', '#2a9d8f', '#8e5cc4', '#c9a227', '#d0547a', '#5f7d8c'];

const WIDTH = 920;
const FONT = 12;
const CHAR = 6.8; // average glyph width at 12 px, for sizing label columns
const LABEL_CHAR = 6.6; // a generous glyph width at 11 px (digits and '@' are wide), for keeping marker labels apart
const plainNumber = (n: number) => String(n);

/** Ticks with a "nice" step (1, 2, 2.5 or 5 × 10^k) from a multiple of it at or below min to one at or above max. */
export function niceTicks(max: number, count = 5, min = 0): number[] {
  if (!(max > min)) return [min, min + 1];
  const raw = (max - min) / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 2.5, 5, 10].find((s) => s * magnitude >= raw) ?? 10) * magnitude;
  const first = Math.floor(min / step);
  const ticks: number[] = [];
  for (let i = first; ticks.length < 2 || (ticks[ticks.length - 1] ?? 0) < max; i++) ticks.push(Number((i * step).toPrecision(12)));
  return ticks;
}

/** Horizontal bars, one per category: long strategy labels get a column of their own. */
export function barChart(spec: Omit<BarChart, 'series'> & { series: BarSeries }): string {
  return groupedBarChart({ ...spec, series: [spec.series] });
}

/**
 * Horizontal bars, one group per category and one bar per series, on a shared value axis. A value
 * of `undefined` leaves no bar and no gap (that pair was not measured); `null` draws "–" (no value).
 */
export function groupedBarChart(spec: BarChart): string {
  const format = spec.format ?? plainNumber;
  const bar = 16;
  const pitch = bar + 4;
  const groupGap = 16;
  const texts = spec.categories.map((_, i) =>
    spec.series.map((s) => {
      const value = s.values[i];
      return value === undefined ? undefined : (s.texts?.[i] ?? (value === null ? '–' : format(value)));
    }),
  );
  const minGroup = spec.categories.some((c) => c.sublabel) ? 34 : 22;
  const heights = texts.map((row) => Math.max(minGroup, row.filter((t) => t !== undefined).length * pitch - 4));
  const labelWidth = clamp(Math.max(...spec.categories.map((c) => Math.max(c.label.length, (c.sublabel ?? '').length))) * CHAR + 16, 110, 300);
  const longestText = Math.max(1, ...texts.flat().map((t) => t?.length ?? 0));
  const left = labelWidth;
  const right = WIDTH - clamp(longestText * CHAR + 16, 60, 280); // room for the value text after the longest bar
  const legend = spec.series.length > 1 ? legendRows(spec.series, left, 14) : { svg: '', height: 0 };
  const top = 8 + legend.height;
  const bottom = top + heights.reduce((sum, h) => sum + h + groupGap, 0);

  const all = spec.series.flatMap((s) => s.values).filter((v): v is number => typeof v === 'number');
  const unit = spec.tickUnit ?? 1;
  const ticks = niceTicks(Math.max(0, ...all) / unit).map((t) => t * unit);
  const axisMax = ticks[ticks.length - 1] ?? 1;
  const x = (v: number) => left + (v / axisMax) * (right - left);

  const parts = [axisX(ticks.map((t) => ({ at: x(t), text: format(t) })), top, bottom, spec.axisLabel, (left + right) / 2), legend.svg];
  let y0 = top + groupGap / 2;
  spec.categories.forEach((category, i) => {
    const height = heights[i] ?? minGroup;
    const row = texts[i] ?? [];
    const present = row.filter((t) => t !== undefined).length;
    parts.push(categoryLabel(category, left - 10, y0 + height / 2, labelWidth - 16));
    let y = y0 + (height - (present * pitch - 4)) / 2;
    spec.series.forEach((series, j) => {
      const value = series.values[i];
      const text = row[j];
      if (value === undefined || text === undefined) return;
      const tip = `${category.label}${category.sublabel ? ` × ${category.sublabel}` : ''} — ${series.name}: ${value === null ? 'no value' : value}`;
      const colour = series.colours?.[i] ?? series.colour;
      const w = value === null ? 0 : Math.max(value > 0 ? 2 : 0, x(value) - left);
      parts.push(
        `<g class="bar"><title>${esc(tip)}</title>` +
          `<rect x="${left}" y="${r(y)}" width="${r(w)}" height="${bar}" rx="2" fill="${colour}"/>` +
          `<text x="${r(left + w + 6)}" y="${r(y + bar / 2)}" dominant-baseline="central" font-size="${FONT}" fill="#24292f">${esc(text)}</text></g>`,
      );
      y += pitch;
    });
    y0 += height + groupGap;
  });
  return svg(spec, bottom + 44, parts);
}

/** Lines over a numeric x axis (e.g. worker count); ticks on x are the x values that occur. */
export function lineChart(spec: LineChart): string {
  const format = spec.format ?? plainNumber;
  const left = 80;
  const right = WIDTH - 40;
  const legend = legendRows(spec.series, left, 14);
  const top = legend.height + 24;
  const bottom = top + 260;
  const xs = [...new Set(spec.series.flatMap((s) => s.points.map((p) => p.x)))].sort((a, b) => a - b);
  const ys = spec.series.flatMap((s) => s.points.map((p) => p.y)).filter((v): v is number => v !== null);
  const yTicks = niceTicks(Math.max(0, ...ys));
  const yTop = yTicks[yTicks.length - 1] ?? 1;
  const xMin = xs[0] ?? 0;
  const xSpan = Math.max(1e-9, (xs[xs.length - 1] ?? 1) - xMin);
  const inset = 36; // keeps the first and last points (and their labels) off the plot's edges
  const x = (v: number) => left + inset + ((v - xMin) / xSpan) * (right - left - 2 * inset);
  const y = (v: number) => bottom - (v / yTop) * (bottom - top);

  const parts = [
    axisX(xs.map((v) => ({ at: x(v), text: String(v) })), top, bottom, spec.xLabel, (left + right) / 2, false, [left, right]),
    axisY(yTicks.map((t) => ({ at: y(t), text: format(t) })), left, right, spec.yLabel, (top + bottom) / 2),
    legend.svg,
  ];
  for (const series of spec.series) {
    const points = series.points.filter((p): p is { x: number; y: number } => p.y !== null).sort((a, b) => a.x - b.x);
    const path = points.map((p, i) => `${i ? 'L' : 'M'}${r(x(p.x))},${r(y(p.y))}`).join(' ');
    parts.push(`<path d="${path}" fill="none" stroke="${series.colour}" stroke-width="2.5" stroke-linejoin="round"/>`);
    for (const p of points) {
      parts.push(
        `<g class="point"><title>${esc(`${series.name} — ${spec.xLabel} ${p.x}: ${p.y}`)}</title>` +
          `<circle cx="${r(x(p.x))}" cy="${r(y(p.y))}" r="4.5" fill="#fff" stroke="${series.colour}" stroke-width="2.5"/>` +
          `<text x="${r(x(p.x))}" y="${r(y(p.y) - 10)}" text-anchor="middle" font-size="11" fill="#24292f">${esc(format(p.y))}</text></g>`,
      );
    }
  }
  return svg(spec, bottom + 48, parts);
}

/** Markers on a time axis, one lane per target; labels alternate above and below within a lane. */
export function timelineChart(spec: Timeline): string {
  const laneHeight = 54;
  const labelWidth = clamp(Math.max(...spec.lanes.map((l) => l.length)) * CHAR + 16, 90, 220);
  const left = labelWidth;
  const right = WIDTH - 40;
  const top = 10;
  const bottom = top + spec.lanes.length * laneHeight;
  const times = spec.markers.map((m) => m.at);
  const ticks = niceTicks(Math.max(spec.endMs, ...times), 8, Math.min(spec.startMs, ...times));
  const start = ticks[0] ?? 0;
  const end = ticks[ticks.length - 1] ?? 1;
  const x = (ms: number) => left + ((ms - start) / (end - start)) * (right - left);

  const parts = [axisX(ticks.map((t) => ({ at: x(t), text: String(t) })), top, bottom, 'ms into the cell', (left + right) / 2)];
  spec.lanes.forEach((lane, i) => {
    const y = top + i * laneHeight + laneHeight / 2;
    parts.push(
      `<text x="${left - 10}" y="${r(y)}" text-anchor="end" dominant-baseline="central" font-size="${FONT}" fill="#24292f">${esc(lane)}</text>`,
      `<line x1="${left}" x2="${right}" y1="${r(y)}" y2="${r(y)}" stroke="#d0d7de" stroke-dasharray="3 3"/>`,
    );
  });
  // Dense markers of one group become one; a label that would run into the last one on its side of
  // the lane is left to the marker's tooltip, so labels never pile up into an unreadable clump.
  const labelWidth11 = (text: string) => text.length * LABEL_CHAR;
  const clusters: { lane: number; at: number; x: number; label: string; tooltip: string; colour: string; group?: string; n: number; last: number }[] = [];
  for (const m of [...spec.markers].sort((a, b) => a.lane - b.lane || a.at - b.at)) {
    const prev = clusters.at(-1);
    if (prev && m.group !== undefined && prev.group === m.group && prev.lane === m.lane && x(m.at) - prev.x < labelWidth11(prev.label)) {
      prev.n++;
      prev.last = m.at;
      prev.label = `${m.group} ×${prev.n}`;
      prev.tooltip = prev.n <= 8 ? `${prev.tooltip}\n${m.tooltip}` : prev.n === 9 ? `${prev.tooltip}\n…` : prev.tooltip;
    } else clusters.push({ ...m, x: x(m.at), n: 1, last: m.at });
  }
  const labelEnd = spec.lanes.map(() => [-Infinity, -Infinity]);
  const perLane = spec.lanes.map(() => 0);
  clusters.forEach((m) => {
    const cx = r(m.x);
    const cy = top + m.lane * laneHeight + laneHeight / 2;
    const side = (perLane[m.lane] = (perLane[m.lane] ?? 0) + 1) % 2;
    const tooltip = m.n > 1 ? `${m.n} × ${m.group}, ${m.at}–${m.last} ms:\n${m.tooltip}` : m.tooltip;
    const half = labelWidth11(m.label) / 2;
    const ends = labelEnd[m.lane]!;
    const fits = cx - half > ends[side]! + 4;
    if (fits) ends[side] = cx + half;
    parts.push(
      `<g class="marker"><title>${esc(tooltip)}</title>` +
        `<path d="M${cx},${cy - 7} L${r(cx + 7)},${cy} L${cx},${cy + 7} L${r(cx - 7)},${cy} Z" fill="${m.colour}" stroke="#fff" stroke-width="1.5"/>` +
        (fits ? `<text x="${cx}" y="${side === 1 ? cy - 12 : cy + 20}" text-anchor="middle" font-size="11" fill="#24292f">${esc(m.label)}</text>` : '') + '</g>',
    );
  });
  return svg(spec, bottom + 44, parts);
}

// ---- pieces ---------------------------------------------------------------------------------

function svg(spec: ChartId, height: number, parts: string[]): string {
  return (
    `<svg id="${esc(spec.id)}" data-chart="${esc(spec.chart)}" viewBox="0 0 ${WIDTH} ${r(height)}" ` +
    `width="${WIDTH}" height="${r(height)}" role="img" font-family="system-ui, -apple-system, 'Segoe UI', sans-serif">${parts.join('')}</svg>`
  );
}

/** Vertical grid lines with tick labels under the plot, and the axis title below them. */
function axisX(ticks: { at: number; text: string }[], top: number, bottom: number, label: string, centre: number, grid = true, extent?: [number, number]): string {
  const lines = ticks.map(
    (t) =>
      (grid ? `<line x1="${r(t.at)}" x2="${r(t.at)}" y1="${top}" y2="${bottom}" stroke="#eaeef2"/>` : `<line x1="${r(t.at)}" x2="${r(t.at)}" y1="${bottom}" y2="${bottom + 4}" stroke="#8c959f"/>`) +
      `<text x="${r(t.at)}" y="${bottom + 16}" text-anchor="middle" font-size="11" fill="#57606a">${esc(t.text)}</text>`,
  );
  const [first, last] = extent ?? [ticks[0]?.at ?? 0, ticks[ticks.length - 1]?.at ?? 0];
  return (
    `<g class="axis x">${lines.join('')}<line x1="${r(first)}" x2="${r(last)}" y1="${bottom}" y2="${bottom}" stroke="#8c959f"/>` +
    `<text x="${r(centre)}" y="${bottom + 36}" text-anchor="middle" font-size="${FONT}" fill="#57606a">${esc(label)}</text></g>`
  );
}

function axisY(ticks: { at: number; text: string }[], left: number, right: number, label: string, middle: number): string {
  const lines = ticks.map(
    (t) =>
      `<line x1="${left}" x2="${right}" y1="${r(t.at)}" y2="${r(t.at)}" stroke="#eaeef2"/>` +
      `<text x="${left - 8}" y="${r(t.at)}" text-anchor="end" dominant-baseline="central" font-size="11" fill="#57606a">${esc(t.text)}</text>`,
  );
  return (
    `<g class="axis y">${lines.join('')}` +
    `<text transform="translate(18 ${r(middle)}) rotate(-90)" text-anchor="middle" font-size="${FONT}" fill="#57606a">${esc(label)}</text></g>`
  );
}

function categoryLabel(category: Category, x: number, y: number, maxWidth: number): string {
  const maxChars = Math.floor(maxWidth / CHAR);
  const main = `<tspan x="${x}" ${category.sublabel ? 'dy="-0.35em"' : 'dy="0.35em"'} font-size="${FONT}" fill="#24292f">${esc(truncate(category.label, maxChars))}</tspan>`;
  const sub = category.sublabel ? `<tspan x="${x}" dy="1.3em" font-size="11" fill="#6e7781">${esc(truncate(category.sublabel, maxChars))}</tspan>` : '';
  const full = category.sublabel ? `${category.label} × ${category.sublabel}` : category.label;
  return `<text x="${x}" y="${r(y)}" text-anchor="end"><title>${esc(full)}</title>${main}${sub}</text>`;
}

/** Legend entries left to right, wrapping onto further rows; returns the rows' height too. */
function legendRows(series: { name: string; colour: string }[], x: number, y: number): { svg: string; height: number } {
  const maxChars = Math.floor((WIDTH - x - 40) / CHAR);
  let column = x;
  let row = y;
  const items = series.map((s) => {
    const name = truncate(s.name, maxChars);
    const width = 18 + name.length * CHAR + 24;
    if (column > x && column + width > WIDTH) {
      column = x;
      row += 22;
    }
    const item =
      `<g><title>${esc(s.name)}</title><rect x="${r(column)}" y="${row - 6}" width="12" height="12" rx="2" fill="${s.colour}"/>` +
      `<text x="${r(column + 18)}" y="${row}" dominant-baseline="central" font-size="${FONT}" fill="#24292f">${esc(name)}</text></g>`;
    column += width;
    return item;
  });
  return { svg: items.join(''), height: row - y + 28 };
}

function truncate(text: string, maxChars: number): string {
  return text.length <= maxChars ? text : `${text.slice(0, Math.max(1, maxChars - 1))}…`;
}

const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));
const r = (v: number) => Math.round(v * 10) / 10;
