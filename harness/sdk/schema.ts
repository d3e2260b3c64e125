import * as v from 'valibot';
import { badValue, type ChaosErrorCode } from './errors.js';

/**
 * Validation at a boundary: every file or message the harness reads (result JSON, config file, a role's
 * configuration, ledger lines, metrics snapshots, commit-log entries) is parsed with a valibot schema.
 * The schemas live beside their types, which are derived from them (`v.InferOutput`).
 */

/**
 * An object schema that accepts (and keeps) fields it does not know, typed with only the fields it
 * knows: a reader stays compatible with writers that add fields, and the TypeScript type has no index
 * signature (which would swallow typos and break Omit/Pick).
 */
export function looseFields<E extends v.ObjectEntries>(entries: E): v.ObjectSchema<E, undefined> {
  return v.looseObject(entries) as unknown as v.ObjectSchema<E, undefined>;
}

/**
 * A schema whose output is typed as `T`, a type owned elsewhere (e.g. the checker's Verdict): the known
 * fields are checked at run time, the type stays where the code that builds the value lives.
 */
export function typedAs<T>() {
  return <S extends v.GenericSchema>(schema: S): v.GenericSchema<v.InferInput<S>, T> => schema as unknown as v.GenericSchema<v.InferInput<S>, T>;
}

/** `cells[3].verdict.acked`: where in the input an issue is. */
export function issuePath(issue: v.BaseIssue<unknown>): string {
  return (issue.path ?? []).map((item) => (typeof item.key === 'number' ? `[${item.key}]` : `.${String(item.key)}`)).join('').replace(/^\./, '');
}

/**
 * Parses `input` with `schema`, or throws a ChaosError naming the first bad field as the option
 * (`<where>: <field>`), with the value found and what was expected.
 */
export function parseWith<S extends v.GenericSchema>(schema: S, input: unknown, where: string, code: ChaosErrorCode): v.InferOutput<S> {
  const parsed = v.safeParse(schema, input);
  if (parsed.success) return parsed.output;
  const issue = parsed.issues[0];
  const path = issuePath(issue);
  // A missing field's issue expects its key; say what is wrong instead.
  const expected = issue.input === undefined && path ? 'the field to be present (it is required)' : (issue.expected ?? issue.message);
  throw badValue(code, path ? `${where}: ${path}` : where, preview(issue.input), expected);
}

/** A value short enough for a message: whole objects and arrays are only named. */
function preview(input: unknown): unknown {
  if (input === undefined) return 'nothing';
  if (Array.isArray(input)) return `an array of ${input.length}`;
  if (input !== null && typeof input === 'object') return 'an object';
  return input;
}

/** The typed value, or undefined when `input` does not match (for readers that count bad lines). */
export function parseOrUndefined<S extends v.GenericSchema>(schema: S, input: unknown): v.InferOutput<S> | undefined {
  const parsed = v.safeParse(schema, input);
  return parsed.success ? parsed.output : undefined;
}
