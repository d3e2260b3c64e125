import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ledgerNames, schemaEntry } from '../oracle/ledger.js';
import type { CellError } from '../result/result.js';

/** Distinct messages kept per writer: enough to see what went wrong, few enough to read. */
const MESSAGES_PER_WRITER = 3;

/**
 * What each writer's strategy threw, from the ledgers' `fail` lines: per writer, its first few distinct
 * messages with how many writes threw each. A write that throws is not acked, so the checker already
 * accounts for it; these are reported so that a strategy's own error is seen where the user looks (the
 * cell's errors, the table's notes), not left in the ledger alone.
 */
export function writeFailures(ledgerDir: string): CellError[] {
  const errors: CellError[] = [];
  for (const name of ledgerNames(ledgerDir)) {
    const counts = new Map<string, number>();
    for (const line of readFileSync(join(ledgerDir, name), 'utf8').split('\n')) {
      if (!line.includes('"fail"')) continue;
      const entry = schemaEntry(line);
      if (entry?.op === 'fail') counts.set(entry.error, (counts.get(entry.error) ?? 0) + 1);
    }
    const writer = name.replace(/\.jsonl$/, '');
    const total = [...counts.values()].reduce((a, b) => a + b, 0);
    for (const [message, n] of [...counts].slice(0, MESSAGES_PER_WRITER)) {
      errors.push({ source: writer, code: 'E_WRITE_FAILED', message: `write() threw on ${n} record${n === 1 ? '' : 's'}: ${message}` });
    }
    if (counts.size > MESSAGES_PER_WRITER) {
      const shown = [...counts.values()].slice(0, MESSAGES_PER_WRITER).reduce((a, b) => a + b, 0);
      errors.push({ source: writer, code: 'E_WRITE_FAILED', message: `write() threw on ${total - shown} more records with ${counts.size - MESSAGES_PER_WRITER} other messages (the ledger's fail lines hold them all)` });
    }
  }
  return errors;
}
