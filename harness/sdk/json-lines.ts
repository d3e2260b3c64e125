/**
 * The one reader of JSON-lines files (ledgers, fault logs): each non-blank line is parsed and handed to
 * `accept`, which returns the typed value or undefined to reject it. A line that is not JSON or is
 * rejected counts as bad and is skipped, so one torn or foreign line never hides the rest.
 */
export function parseJsonLines<T>(text: string, accept: (value: unknown) => T | undefined): { values: T[]; badLines: number } {
  const values: T[] = [];
  let badLines = 0;
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      badLines++;
      continue;
    }
    const value = accept(parsed);
    if (value === undefined) badLines++;
    else values.push(value);
  }
  return { values, badLines };
}
