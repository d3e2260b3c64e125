import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generatedPages } from '../scripts/docs/pages.js';
import { helpText } from '../scripts/docs/commands-page.js';
import { faultFields } from '../scripts/docs/registry-pages.js';
import { commands } from '../harness/cli/commands/index.js';
import { RECORD_COLUMNS } from '../harness/sdk/records.js';
import { LedgerEntrySchema } from '../harness/oracle/ledger.js';
import { CellResultSchema, RunResultSchema } from '../harness/result/result.js';
import { strategyNames } from '../strategies/index.js';
import { scenarios } from '../scenarios/index.js';
import { faultKindNames } from '../harness/sdk/faults.js';

const root = resolve(import.meta.dirname, '..');
const read = (path: string) => readFileSync(join(root, path), 'utf8');

/** Relative links of a Markdown file (not URLs, not anchors alone), as paths from the project's root. */
function localLinks(path: string): string[] {
  return [...read(path).matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)]
    .map((m) => m[1]!)
    .filter((target) => !/^[a-z]+:/.test(target))
    .map((target) => join(dirname(path), target));
}

describe('the docs match the code', () => {
  it('holds every generated page as `npm run docs` writes it (commands, strategies, scenarios, faults, results)', async () => {
    for (const [name, text] of Object.entries(await generatedPages())) {
      expect(read(`docs/${name}`), `docs/${name} is stale: run npm run docs`).toBe(text);
    }
  }, 60_000);

  it('lists every command of the table with its --help output', async () => {
    const page = read('docs/commands.md');
    expect(Object.keys(commands)).toEqual(expect.arrayContaining(['merge', 'calibrate-gate']));
    for (const name of Object.keys(commands)) expect(page).toContain((await helpText([name, '--help'])).trimEnd());
  }, 60_000);

  it('reads the fault fields from the parser (a known field is listed, a made-up one is not)', () => {
    expect(faultFields('kill')).toEqual(expect.arrayContaining(['target', 'afterAcks', 'point', 'down']));
    expect(faultFields('slow-io')).not.toContain('afterAcks');
  });

  it('plugins.md holds the example plugin as the file the tests run, every record field and every ledger op', () => {
    const page = read('docs/plugins.md');
    expect(page).toContain(read('test/fixtures/per-writer-file.js'));
    for (const column of RECORD_COLUMNS) expect(page).toMatch(new RegExp(`^\\| \`${column}\` \\|`, 'm'));
    for (const option of LedgerEntrySchema.options) expect(page).toContain(`{"op":"${option.entries.op.literal}"`);
  });

  it('result-schema.md describes every field of the result and of a cell that the schema defines', () => {
    const rows = read('docs/result-schema.md').split('\n').filter((l) => l.startsWith('| `')).map((l) => l.split(' | ')[0]!);
    for (const field of [...Object.keys(RunResultSchema.entries), ...Object.keys(CellResultSchema.entries)]) {
      expect(rows.some((row) => row.includes(`\`${field}\``) || row.includes(`\`${field}.`) || row.includes(`\`${field}[`)), field).toBe(true);
    }
  });

  it('the README\'s "What is compared" table names every strategy, scenario and fault kind, and nothing else', () => {
    const readme = read('README.md');
    const table = readme.slice(readme.indexOf('## What is compared'), readme.indexOf('## A strategy of your own'));
    const row = (name: string) => table.split('\n').find((l) => l.startsWith(`| ${name} |`)) ?? '';
    const named = (line: string) => [...line.matchAll(/`([a-z][a-z-]*)(?::[^`]*)?`/g)].map((m) => m[1]!);
    expect(new Set(named(row('strategies')))).toEqual(new Set(strategyNames));
    expect(new Set(named(row('scenarios')))).toEqual(new Set(Object.keys(scenarios)));
    expect(new Set(named(row('faults')))).toEqual(new Set(faultKindNames));
  });

  it('README and docs pages link only to files that exist', () => {
    const pages = ['README.md', ...readdirSync(join(root, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];
    const missing = pages.flatMap((page) => localLinks(page).filter((target) => !existsSync(join(root, target))).map((t) => `${page} → ${t}`));
    expect(missing).toEqual([]);
  });

  it('README and docs pages link only to headings that exist (GitHub\'s anchors)', () => {
    const slug = (heading: string) => heading.trim().toLowerCase().replace(/[^\p{L}\p{N}\s-]/gu, '').replace(/\s/g, '-');
    const anchors = (path: string) => new Set([...read(path).matchAll(/^#+ (.+)$/gm)].map((m) => slug(m[1]!)));
    const pages = ['README.md', ...readdirSync(join(root, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];
    const broken = pages.flatMap((page) => [...read(page).matchAll(/\]\(([^)\s]*)#([^)\s]+)\)/g)].flatMap((m) => {
      const target = m[1] ? join(dirname(page), m[1]) : page;
      return existsSync(join(root, target)) && target.endsWith('.md') && !anchors(target).has(m[2]!) ? [`${page} → ${target}#${m[2]}`] : [];
    }));
    expect(broken).toEqual([]);
  });

  it('keeps the README front page short', () => {
    expect(read('README.md').split('\n').length).toBeLessThanOrEqual(300);
  });
});


describe('the README\'s measured figures', () => {
  it('the pandas sweep table is the kept result JSON\'s acked/s, cell by cell', () => {
    const readme = readFileSync(resolve(import.meta.dirname, '../README.md'), 'utf8');
    const result = JSON.parse(readFileSync(resolve(import.meta.dirname, '../docs/results/sweep-pandas-checkpoint.json'), 'utf8')) as { cells: { strategy: string; workers: number; throughput: { ackedPerSec: number }; verdict: { lost: number } }[] };
    const rowStrategy: Record<string, string> = {
      'checkpoint interval 1': 'pandas-checkpoint:interval=1', 'checkpoint interval 5': 'pandas-checkpoint:interval=5',
      'checkpoint interval 20': 'pandas-checkpoint:interval=20', 'real-time save': 'pandas-realtime',
    };
    const rows = readme.split('\n').filter((line) => Object.keys(rowStrategy).some((label) => line.startsWith(`| ${label} |`)));
    expect(rows).toHaveLength(4);
    for (const row of rows) {
      const [label, ...figures] = row.split('|').slice(1, -1).map((s) => s.trim());
      const shown = figures.map((f) => Number(/^[\d.]+/.exec(f)![0]));
      const measured = [5, 10, 20].map((w) => result.cells.find((c) => c.strategy === rowStrategy[label!] && c.workers === w)!.throughput.ackedPerSec.toFixed(1));
      expect(shown.map((n) => n.toFixed(1))).toEqual(measured);
    }
    expect(result.cells.every((c) => c.verdict.lost === 0)).toBe(true);
  });
});
