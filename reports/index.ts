import type { RunResult } from '../harness/result/result.js';
import type { Palette } from './format.js';
import { renderHtml } from './html.js';
import { renderMarkdown } from './markdown.js';
import { renderTable, type TableView } from './table.js';

/** A report format: a pure function of the result (the view matters to the terminal table only). */
export type Renderer = (result: RunResult, palette: Palette, view?: TableView) => string;

/** Every report format, by the name given to --format. */
export const formats = {
  table: renderTable,
  md: renderMarkdown,
  html: renderHtml,
  json: (result) => `${JSON.stringify(result, null, 2)}\n`,
} satisfies Record<string, Renderer>;

export type FormatName = keyof typeof formats;
export const formatNames = Object.keys(formats) as FormatName[];
