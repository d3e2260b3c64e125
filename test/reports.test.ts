import { describe, expect, it } from 'vitest';
import type { RunResult } from '../harness/result/result.js';
import { renderHtml } from '../reports/html.js';
import { formats } from '../reports/index.js';
import { renderMarkdown } from '../reports/markdown.js';
import { niceTicks } from '../reports/svg.js';
import { denseFaultsFixtureResult, expectedChartTexts, fixtureResult, sweepFixtureResult } from './support/result-fixture.js';

/** The `<svg>` element with this id, as text. */
function chartSvg(html: string, id: string): string {
  const match = new RegExp(`<svg id="${id}"[\\s\\S]*?</svg>`).exec(html);
  if (!match) throw new Error(`no chart ${id}`);
  return match[0];
}

describe('markdown report', () => {
  const md = renderMarkdown(fixtureResult());

  it('has provenance, the table header and a row per strategy', () => {
    expect(md).toContain('| strategy | scenario | valid | acked/attempted | lost | duplicates | corrupt | unacked lost | unacked at crash | faults fired/planned | acked/s | parquet/s | % of limit | ack p99 | lock wait p99 | lock compromised | fsyncs | bytes written | files in data |');
    for (const line of ['command:', 'machine:', 'codec: hyparquet · seed: 7', "calibration: 2902 fsync'd"]) expect(md).toContain(line);
    for (const strategy of ['realtime', 'realtime:lock=none', 'checkpoint-batch:interval=10', './evil&lt;script&gt;.js']) {
      expect(md).toMatch(new RegExp(`^\\| ${strategy.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\|`, 'm'));
    }
    expect(md).toContain('❌ FAIL (noLostAcked)');
    expect(md).toContain('❔ UNKNOWN');
  });

  it('lists the failing cells’ evidence and every error, with user text escaped', () => {
    expect(md).toContain('- lost: `w1-4`, `w1-5`, `w2-9`');
    expect(md).toContain('- error in writer-2 `E_EXIT`: exited with code 1: &lt;boom&gt; \\| see log');
    expect(md).not.toContain('<script>');
  });

  it('adds a workers column only for sweeps', () => {
    expect(md).not.toContain('| workers |');
    expect(renderMarkdown(sweepFixtureResult())).toContain('| strategy | scenario | workers | valid |');
  });

  it('matches the snapshot', () => {
    expect(md).toMatchSnapshot();
  });
});

describe('HTML report', () => {
  const result = fixtureResult();
  const html = renderHtml(result);

  it('is registered with the markdown report', () => {
    expect(formats.html(result)).toBe(html);
    expect(formats.md).toBe(renderMarkdown);
  });

  it('is self-contained: no URL, no src or href, no script', () => {
    expect(html).not.toMatch(/https?:\/\//);
    expect(html).not.toMatch(/\b(src|href)\s*=/i);
    expect(html).not.toMatch(/<script|<link|@import|url\(/i);
  });

  it('escapes user text', () => {
    expect(html).toContain('./evil&lt;script&gt;.js');
    expect(html).toContain('&lt;boom&gt;');
    expect(html).not.toContain('<boom>');
  });

  it('draws every chart with an id, a data-chart kind and the numbers of the result', () => {
    for (const [id, texts] of Object.entries(expectedChartTexts(result))) {
      const svg = chartSvg(html, id);
      expect(svg).toMatch(/data-chart="[\w-]+"/);
      for (const text of texts) expect(svg, `${id} shows ${text}`).toContain(text);
    }
    const ids = [...html.matchAll(/<svg id="([^"]+)"/g)].map((m) => m[1]);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('shows a verdict matrix of strategies × scenarios', () => {
    expect(html).toContain('<th>main-file-contention</th><th>buffer-crash</th><th>merge-race</th>');
    expect(html).toMatch(/class="card failed"[\s\S]*?FAIL \(noLostAcked\)/);
    expect(html).toMatch(/class="card anomalies"/);
    expect(html.match(/<td class="empty">not run<\/td>/g)?.length).toBe(4 * 3 - 4);
  });

  it('draws sweep and interval charts only when the result has them', () => {
    expect(html).not.toContain('chart-sweep');
    expect(html).not.toContain('chart-risk-interval');
    const sweep = renderHtml(sweepFixtureResult());
    expect(chartSvg(sweep, 'chart-sweep-throughput')).toContain('9.4');
    expect(chartSvg(sweep, 'chart-sweep-ack-p99')).toContain('2210.9');
    expect(chartSvg(sweep, 'chart-sweep-lock-p99')).toContain('951.6');
    const interval = chartSvg(sweep, 'chart-risk-interval');
    for (const text of ['checkpoint-batch × buffer-crash: at crash', '>19<', '>4<', '>9<', '>20<', '>5<']) expect(interval).toContain(text);
  });
});

describe('reports of results written before faults were recorded', () => {
  it('render without fault timelines', () => {
    const old = fixtureResult() as unknown as { config: Record<string, unknown>; cells: Record<string, unknown>[] };
    delete old.config.faults;
    for (const cell of old.cells) delete cell.faults;
    const html = renderHtml(old as unknown as RunResult);
    expect(html).toContain('id="chart-throughput"');
    expect(html).not.toContain('chart-faults');
    expect(html).toContain('faults none');
  });
});

describe('fault timeline', () => {
  const html = renderHtml(denseFaultsFixtureResult());
  const timeline = chartSvg(html, 'chart-faults-4');
  const markers = timeline.match(/<g class="marker">[\s\S]*?<\/g>/g)!;

  it('draws a skipped fault not at all, and says so under the chart', () => {
    expect(timeline).not.toContain('merger');
    expect(timeline).not.toContain('pause @ 691');
    expect(html).toContain('Skipped, not drawn: pause → merger (no such process in this cell).');
  });

  it('draws dense slow-io as a few counted markers, each with every event in its tooltip count', () => {
    const slow = markers.filter((m) => m.includes('slow-io'));
    expect(slow.length).toBeLessThan(40);
    expect(slow.some((m) => /slow-io ×\d+/.test(m))).toBe(true);
    const counted = slow.map((m) => Number(/<title>(\d+) × slow-io/.exec(m)?.[1] ?? 1));
    expect(counted.reduce((a, b) => a + b, 0)).toBe(150);
    // The kill among them keeps its own marker.
    expect(markers.some((m) => m.includes('kill @ 805'))).toBe(true);
  });
});

describe('niceTicks', () => {
  it('covers the maximum with round steps', () => {
    expect(niceTicks(465.12)).toEqual([0, 100, 200, 300, 400, 500]);
    expect(niceTicks(15.7)).toEqual([0, 5, 10, 15, 20]);
    expect(niceTicks(1)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(niceTicks(0)).toEqual([0, 1]);
    expect(niceTicks(23173, 8, 9397)).toEqual([8000, 10000, 12000, 14000, 16000, 18000, 20000, 22000, 24000]);
  });
});

describe('faults fired / planned', () => {
  it('every format shows how many planned faults fired and why the others did not', () => {
    // Arrange: the fixture's failing cell planned 4 faults; the io-error on writer-3 never fired.
    const result = fixtureResult();
    const why = 'writer-3 performed no rename operation that the fault hit in its first life';

    // Act
    const rendered = Object.fromEntries(Object.entries(formats).map(([name, render]) => [name, render(result, undefined as never)]));

    // Assert
    for (const [name, text] of Object.entries(rendered)) {
      if (name === 'json') expect(JSON.parse(text).cells[2].faults.outcomes[3]).toMatchObject({ fired: false, reason: why });
      else {
        expect(text, name).toMatch(/faults fired\/planned/);
        expect(text, name).toContain('3/4');
        expect(text, name).toContain(why);
      }
    }
  });
});
