import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderHtml } from '../reports/html.js';
import { denseFaultsFixtureResult, expectedChartTexts, recommendFixtureResult, sweepFixtureResult } from './support/result-fixture.js';

// Debian's chromium, not a Playwright download: CI installs it with `apt-get install -y chromium`.
const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
/** Kept after the run (overwritten by the next) so a person can look at them. */
const SCREENSHOT = join(tmpdir(), 'parquet-chaos-report.png');
const SCREENSHOT_RECOMMEND = join(tmpdir(), 'parquet-chaos-recommend.png');

const hasChromium = existsSync(CHROMIUM);
// CI installs Chromium (.ci/run): there a missing browser is a failure, not a skip.
if (!hasChromium && process.env.CI) throw new Error(`${CHROMIUM} not found: .ci/run should have installed Debian's chromium`);
if (!hasChromium) console.warn(`Skipping the HTML screenshot test: ${CHROMIUM} not found (Debian: apt-get install -y chromium).`);

describe.skipIf(!hasChromium)(`HTML report in headless Chromium (skipped: ${CHROMIUM} missing; apt-get install -y chromium)`, () => {
  const result = sweepFixtureResult();
  const requests: string[] = [];
  let dir: string;
  let context: BrowserContext;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'parquet-chaos-html-'));
    const file = join(dir, 'report.html');
    writeFileSync(file, renderHtml(result));
    context = await chromium.launchPersistentContext(join(dir, 'profile'), {
      executablePath: CHROMIUM,
      args: ARGS,
      headless: true,
      viewport: { width: 1200, height: 900 },
    });
    context.on('request', (request) => requests.push(request.url()));
    const page = context.pages()[0] ?? (await context.newPage());
    await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
    // The recommend page and a run whose writers were slowed 150 times, each in a page of its own.
    for (const [name, other] of [['recommend.html', recommendFixtureResult()], ['faults.html', denseFaultsFixtureResult()]] as const) {
      writeFileSync(join(dir, name), renderHtml(other));
      const page = await context.newPage();
      await page.setViewportSize({ width: 1280, height: 900 });
      await page.goto(pathToFileURL(join(dir, name)).href, { waitUntil: 'load' });
    }
  });

  afterAll(async () => {
    await context?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('lays out every chart with its numbers', async () => {
    const page = context.pages()[0]!;
    const charts = await page.evaluate(() =>
      [...document.querySelectorAll('svg[data-chart]')].map((svg) => {
        const box = svg.getBoundingClientRect();
        return { id: svg.id, width: box.width, height: box.height, text: svg.textContent ?? '' };
      }),
    );
    const expected = {
      ...expectedChartTexts(result),
      'chart-sweep-throughput': ['11.1', '9.4', '7.8'],
      'chart-sweep-ack-p99': ['465.12', '980.2', '2210.9'],
      'chart-sweep-lock-p99': ['441.4', '951.6', '2190.3'],
      'chart-risk-interval': ['at crash', '19', '9', '4'],
    };
    expect(charts.map((c) => c.id).sort()).toEqual(Object.keys(expected).sort());
    for (const chart of charts) {
      expect(chart.width, chart.id).toBeGreaterThan(100);
      expect(chart.height, chart.id).toBeGreaterThan(50);
      for (const text of expected[chart.id as keyof typeof expected]) expect(chart.text, `${chart.id} shows ${text}`).toContain(text);
    }
  });

  it('loads nothing but the file itself', () => {
    expect(requests.length).toBeGreaterThan(0);
    expect(requests.filter((url) => !url.startsWith('file:'))).toEqual([]);
  });

  it('renders a full-page screenshot of the run page and of the recommend page', async () => {
    await context.pages()[0]!.screenshot({ path: SCREENSHOT, fullPage: true });
    expect(statSync(SCREENSHOT).size).toBeGreaterThan(10_000);
    await context.pages()[1]!.screenshot({ path: SCREENSHOT_RECOMMEND, fullPage: true });
    expect(statSync(SCREENSHOT_RECOMMEND).size).toBeGreaterThan(10_000);
  });

  it('recommend page: nothing overflows the page; a table wider than its place scrolls; the seed table fits without scrolling', async () => {
    const page = context.pages()[1]!;
    const layout = await page.evaluate(() => ({
      pageOverflow: document.documentElement.scrollWidth - window.innerWidth,
      tables: [...document.querySelectorAll('#recommendation .scroll')].map((box) => ({
        heading: box.previousElementSibling?.textContent ?? '',
        overflow: box.scrollWidth - box.clientWidth,
        scrolls: getComputedStyle(box).overflowX === 'auto',
        cells: box.querySelectorAll('td').length,
      })),
    }));
    expect(layout.pageOverflow).toBeLessThanOrEqual(0);
    expect(layout.tables.map((t) => t.heading)).toEqual(['Every candidate point', 'Pareto front', 'Real-time vs batch saving, measured']);
    for (const table of layout.tables) {
      expect(table.cells, table.heading).toBeGreaterThan(0);
      expect(table.scrolls, table.heading).toBe(true);
    }
    expect(layout.tables[2]!.overflow, 'the seed table is clipped or needs scrolling').toBeLessThanOrEqual(0);
  });

  it('recommend page leads with the answer and the trade-off chart; the evidence follows; the per-cell cards come last, folded', async () => {
    const page = context.pages()[1]!;
    const top = (selector: string) => page.evaluate((s) => document.querySelector(s)?.getBoundingClientRect().top ?? null, selector);
    const order = {
      answer: await top('#answer p.answer'),
      throughputChart: await top('#chart-tradeoff-acked'),
      riskChart: await top('#chart-tradeoff-risk'),
      evidence: await top('#recommendation'),
      provenance: await top('#provenance'),
      verdicts: await top('#verdicts'),
    };
    expect(Object.values(order).every((v) => v !== null), JSON.stringify(order)).toBe(true);
    const tops = Object.values(order) as number[];
    expect([...tops].sort((a, b) => a - b), JSON.stringify(order)).toEqual(tops);
    // The answer is on the first screen, and what it says is the setting to use.
    expect(order.answer!).toBeLessThan(300);
    expect(await page.textContent('#answer p.answer')).toMatch(/^Use .+ at \d+ workers/);
    // One line per worker count in the chart; the cards are folded away.
    expect(await page.evaluate(() => document.querySelector('#chart-tradeoff-acked')?.textContent ?? '')).toContain('4 workers');
    expect(await page.evaluate(() => (document.querySelector('#verdicts') as HTMLDetailsElement).open)).toBe(false);
    expect(await page.evaluate(() => document.querySelectorAll('#verdicts .card').length)).toBeGreaterThan(0);
    expect(await page.evaluate(() => [...document.querySelectorAll('#verdicts .card')].some((card) => card.checkVisibility()))).toBe(false);
  });

  it('fault timeline: dense slow-io is counted, skipped faults are not drawn, and no two labels overlap', async () => {
    const page = context.pages()[2]!;
    const timelines = await page.evaluate(() =>
      [...document.querySelectorAll('svg[data-chart="fault-timeline"]')].map((svg) => ({
        id: svg.id,
        text: svg.textContent ?? '',
        labels: [...svg.querySelectorAll('.marker text')].map((t) => {
          const b = t.getBoundingClientRect();
          return { text: t.textContent ?? '', left: b.left, right: b.right, top: b.top, bottom: b.bottom };
        }),
      })),
    );
    const dense = timelines.find((t) => t.id === 'chart-faults-4')!;
    expect(dense.text).toMatch(/slow-io ×\d+/);
    expect(dense.text).not.toContain('merger');
    for (const timeline of timelines) {
      const overlaps = timeline.labels.flatMap((a, i) => timeline.labels.slice(i + 1)
        .filter((b) => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom).map((b) => `${a.text} / ${b.text}`));
      expect(overlaps, timeline.id).toEqual([]);
    }
  });
});
