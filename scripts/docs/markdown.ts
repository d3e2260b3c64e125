/** Markdown helpers shared by the generated docs pages. */

/** A Markdown table; pipes inside cells are escaped, line breaks become spaces. */
export function table(head: readonly string[], rows: readonly (readonly string[])[]): string {
  const cell = (c: string) => c.replace(/\|/g, '\\|').replace(/\n/g, ' ');
  return [head, head.map(() => '---'), ...rows].map((r) => `| ${r.map(cell).join(' | ')} |`).join('\n');
}

/** The notice atop every generated page: where it comes from, how to regenerate it. */
export function generatedNotice(source: string): string {
  return `<!-- Generated from ${source} by \`npm run docs\`; test/readme.test.ts fails when this page drifts from the code. Do not edit by hand. -->`;
}
