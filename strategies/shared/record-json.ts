import type { TestRecord } from '../../harness/sdk/records.js';

/** A record as queue text: JSON cannot hold the bigint `created_at`, so it travels as a decimal string. */
export function recordToJson(record: TestRecord): string {
  return JSON.stringify({ ...record, created_at: record.created_at.toString() });
}

export function recordFromJson(text: string): TestRecord {
  const parsed = JSON.parse(text) as Omit<TestRecord, 'created_at'> & { created_at: string };
  return { ...parsed, created_at: BigInt(parsed.created_at) };
}
