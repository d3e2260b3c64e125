import { readFileSync } from 'node:fs';
import * as v from 'valibot';
import { badValue, ChaosError } from '../sdk/errors.js';
import { parseWith } from '../sdk/schema.js';
import { choice, decimal, integer, type Guarantees, type OptionSchema, type OptionSpec } from '../sdk/strategy.js';

/**
 * A foreign strategy's manifest (JSON): the command of each role it has, its options, the guarantees
 * it claims, its crash points and what it needs. `npm run schema` publishes the schema below as
 * schema/strategy-manifest.schema.json; docs/protocol.md explains every field.
 */
export const MANIFEST_VERSION = 1;

const describe = v.pipe(v.string(), v.minLength(1));
const range = v.strictObject({ min: v.optional(v.number()), max: v.optional(v.number()) });

const OptionEntrySchema = v.union([
  v.strictObject({ choices: v.pipe(v.array(v.pipe(v.string(), v.minLength(1))), v.minLength(1)), default: v.string(), describe }),
  v.strictObject({ integer: range, default: v.pipe(v.number(), v.integer()), describe }),
  v.strictObject({ number: range, default: v.number(), describe }),
  v.strictObject({ boolean: v.literal(true), default: v.boolean(), describe }),
  v.strictObject({ string: v.literal(true), default: v.string(), describe }),
]);
export type ManifestOption = v.InferOutput<typeof OptionEntrySchema>;
export type OptionValue = string | number | boolean;

const claims = {
  noLostAcked: v.optional(v.boolean()),
  noDuplicates: v.optional(v.boolean()),
  noCorruption: v.optional(v.boolean()),
};

const RoleSchema = v.strictObject({
  /** argv: the program and its arguments, run with the manifest's folder as the working directory. */
  command: v.pipe(v.array(v.pipe(v.string(), v.minLength(1))), v.minLength(1)),
  /** Extra environment variables for this role's process. */
  env: v.optional(v.record(v.string(), v.string())),
});

const positiveMs = v.pipe(v.number(), v.integer(), v.minValue(1));

export const ManifestSchema = v.strictObject({
  manifest: v.literal(MANIFEST_VERSION),
  /** The strategy's name: its label in results, and how a bundled manifest is referred to. */
  name: v.pipe(v.string(), v.regex(/^[a-z][a-z0-9-]*$/, 'lower-case letters, digits and dashes, starting with a letter')),
  summary: describe,
  roles: v.strictObject({ writer: RoleSchema, merger: v.optional(RoleSchema), consumer: v.optional(RoleSchema), finalize: v.optional(RoleSchema) }),
  options: v.optional(v.record(v.pipe(v.string(), v.regex(/^[A-Za-z][\w-]*$/)), OptionEntrySchema), {}),
  guarantees: v.strictObject({
    default: v.strictObject({ noLostAcked: v.boolean(), noDuplicates: v.boolean(), noCorruption: v.boolean() }),
    /** Overrides, in order, for option values: every listed option must have the given value. */
    when: v.optional(v.array(v.strictObject({ options: v.record(v.string(), v.union([v.string(), v.number(), v.boolean()])), ...claims })), []),
  }),
  /** Crash points the strategy's processes may mark (`point` messages). */
  points: v.optional(v.array(v.pipe(v.string(), v.minLength(1))), []),
  requires: v.optional(v.strictObject({
    /** A version constraint such as `>=3.9`. */
    python3: v.optional(v.pipe(v.string(), v.regex(/^>=\d+(\.\d+){0,2}$/, 'a constraint such as >=3.9'))),
    /** Python modules that must import. */
    modules: v.optional(v.array(v.pipe(v.string(), v.regex(/^[A-Za-z_][\w.]*$/)))),
    /** What to tell a user who lacks them (default: pip install the modules). */
    install: v.optional(v.string()),
  })),
  deadlines: v.optional(v.strictObject({ initMs: v.optional(positiveMs), recordMs: v.optional(positiveMs), stopMs: v.optional(positiveMs) }), {}),
});
export type Manifest = v.InferOutput<typeof ManifestSchema>;

export const DEFAULT_DEADLINES = { initMs: 10_000, recordMs: 30_000, stopMs: 10_000 };

export function deadlines(manifest: Manifest): typeof DEFAULT_DEADLINES {
  return { ...DEFAULT_DEADLINES, ...manifest.deadlines };
}

function optionSpec(entry: ManifestOption): OptionSpec<OptionValue> {
  if ('choices' in entry) return choice(entry.choices, entry.default, entry.describe);
  if ('integer' in entry) return integer(entry.default, entry.describe, entry.integer.min ?? Number.MIN_SAFE_INTEGER, entry.integer.max ?? Number.MAX_SAFE_INTEGER);
  if ('number' in entry) return decimal(entry.default, entry.describe, entry.number.min ?? -Number.MAX_VALUE, entry.number.max ?? Number.MAX_VALUE);
  if ('boolean' in entry) {
    return { default: entry.default, describe: entry.describe, accepts: 'true or false', parse: (raw) => (raw === 'true' ? true : raw === 'false' ? false : undefined) };
  }
  return { default: entry.default, describe: entry.describe, accepts: 'any text', parse: (raw) => raw };
}

export function manifestOptions(manifest: Manifest): OptionSchema<Record<string, OptionValue>> {
  return Object.fromEntries(Object.entries(manifest.options).map(([key, entry]) => [key, optionSpec(entry)]));
}

/** The default claims, overridden by every `when` whose option values all hold. */
export function manifestGuarantees(manifest: Manifest, options: Record<string, OptionValue>): Guarantees {
  let claimed: Guarantees = { ...manifest.guarantees.default };
  for (const { options: when, ...override } of manifest.guarantees.when) {
    if (Object.entries(when).every(([key, value]) => options[key] === value)) claimed = { ...claimed, ...override };
  }
  return claimed;
}

/** What valibot cannot say: defaults inside their own ranges, `when` naming real options with values they accept. */
function checkConsistency(manifest: Manifest, path: string): void {
  const bad = (field: string, value: unknown, expected: string) => badValue('E_PLUGIN', `manifest ${path}: ${field}`, value, expected);
  const specs = manifestOptions(manifest);
  for (const [key, spec] of Object.entries(specs)) {
    if (spec.parse(String(spec.default)) === undefined) throw bad(`options.${key}.default`, spec.default, spec.accepts);
  }
  for (const [i, clause] of manifest.guarantees.when.entries()) {
    for (const [key, value] of Object.entries(clause.options)) {
      const spec = specs[key];
      if (!spec) throw bad(`guarantees.when[${i}].options`, key, `one of the manifest's options: ${Object.keys(specs).join(', ') || '(none)'}`);
      if (spec.parse(String(value)) !== value) throw bad(`guarantees.when[${i}].options.${key}`, value, spec.accepts);
    }
  }
}

/** Reads and validates a manifest file; every problem is an E_PLUGIN error naming the file and the field. */
export function readManifest(path: string): Manifest {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (cause) {
    throw new ChaosError('E_PLUGIN', `manifest ${path} is not readable JSON: ${(cause as Error).message}`, {
      option: '--strategy', value: path, expected: 'a JSON strategy manifest (docs/protocol.md)', cause,
    });
  }
  const manifest = parseWith(ManifestSchema, json, `manifest ${path}`, 'E_PLUGIN');
  checkConsistency(manifest, path);
  return manifest;
}
