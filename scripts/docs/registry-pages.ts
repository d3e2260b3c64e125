/** docs/strategies.md, docs/scenarios.md and docs/faults.md, generated from the registries. */
import { strategies } from '../../strategies/index.js';
import { scenarios } from '../../scenarios/index.js';
import type { Guarantees, OptionSpec, StrategyDefinition } from '../../harness/sdk/strategy.js';
import { assumedFor, assumptions } from '../../harness/sdk/assumptions.js';
import type { ScenarioDefinition } from '../../harness/sdk/scenario.js';
import { faultKinds, type FaultKind } from '../../harness/sdk/faults.js';
import { ChaosError } from '../../harness/sdk/errors.js';
import { IO_OPS } from '../../harness/sdk/ports/io.js';
import { scenarioTableMarkdown } from '../../harness/orchestrate/scenario-table.js';
import { generatedNotice, table } from './markdown.js';

type Options = Record<string, OptionSpec<unknown>>;

const claimed = (g: Guarantees) => {
  const names = Object.entries(g).filter(([, v]) => v).map(([k]) => `\`${k}\``);
  return names.length ? names.join(', ') : 'none';
};

/** The values a choice option accepts (`one of: a, b`), each checked by the option's own parser. */
function choices(spec: OptionSpec<unknown>): string[] {
  const match = /^one of: (.*)$/.exec(spec.accepts);
  return match ? match[1]!.split(', ').filter((v) => spec.parse(v) !== undefined) : [];
}

/** What the claims rest on with `options` (sdk/assumptions.ts), as a clause after them; empty when nothing. */
const assumed = (definition: StrategyDefinition<object>, options: object) => {
  const names = assumedFor(definition.assumes?.(options as never) ?? [], definition.guarantees(options as never));
  return names.length ? `, assuming ${names.map((name) => assumptions[name].says).join('; ')}` : '';
};

/** Each non-default value of each choice option, with what the strategy then claims. */
function variantRows(definition: StrategyDefinition<object>): string[][] {
  const options = definition.options as Options;
  const defaults = Object.fromEntries(Object.entries(options).map(([k, s]) => [k, s.default]));
  return Object.entries(options).flatMap(([key, spec]) => choices(spec).filter((v) => v !== spec.default).map((value) => {
    const options = { ...defaults, [key]: spec.parse(value) };
    return [`\`${definition.name}:${key}=${value}\``, `${claimed(definition.guarantees(options as never))}${assumed(definition, options)}`];
  }));
}

function strategySection(definition: StrategyDefinition<object>): string {
  const options = definition.options as Options;
  const defaults = Object.fromEntries(Object.entries(options).map(([k, s]) => [k, s.default]));
  const parts = [`## \`${definition.name}\`\n\n${definition.summary}\n\nClaims with its default options: ${claimed(definition.guarantees(defaults as never))}${assumed(definition, defaults)}.`];
  const optionRows = Object.entries(options).map(([key, spec]) => [`\`${key}\``, `\`${String(spec.default)}\``, spec.accepts, spec.describe]);
  if (optionRows.length) parts.push(table(['option', 'default', 'accepts', 'meaning'], optionRows));
  const variants = variantRows(definition);
  if (variants.length) parts.push(`Each other value of a choice option, and what the strategy then claims:\n\n${table(['spec', 'claims'], variants)}`);
  const roles = Object.keys(definition.roles ?? {});
  parts.push(`Background roles: ${roles.length ? roles.join(', ') : 'none'}. Crash points (for \`crash-point\` and point triggers): ${definition.points?.map((p) => `\`${p}\``).join(', ') ?? 'not declared'}.`);
  return parts.join('\n\n');
}

export function strategiesPage(): string {
  const all = Object.values(strategies) as StrategyDefinition<object>[];
  return `# Strategies

${generatedNotice('the strategy registry, strategies/index.ts')}

A strategy is named by a spec, \`name:key=value,key=value\`, which is also its label everywhere
(\`realtime:lock=none\`); several specs are separated by commas. \`parquet-chaos list\` prints the same
facts. A guarantee a strategy does not claim is not a failure when it breaks: the verdict reads
\`lost (expected: unsafe)\`. Your own strategy is a plugin: see [plugins.md](plugins.md).

${table(['strategy', 'what it does', 'claims (default options)'], all.map((d) => [`[\`${d.name}\`](#${d.name})`, d.summary, claimed(d.guarantees(Object.fromEntries(Object.entries(d.options as Options).map(([k, s]) => [k, s.default])) as never))]))}

${all.map(strategySection).join('\n\n')}
`;
}

export function scenariosPage(): string {
  const all = Object.values(scenarios) as ScenarioDefinition[];
  return `# Scenarios

${generatedNotice('the scenario registry, scenarios/index.ts')}

A scenario is a topology (which background roles run beside the writers), a think time between a
writer's records, and a default fault schedule drawn from the seed. ${all.filter((s) => s.inDefaultRun !== false).map((s) => `\`${s.name}\``).join(', ')} run by default
(the three of [the original analysis](../README.md#the-original-analysis)); the others run when named with \`--scenario\`.
\`--faults none\` runs a scenario without its faults, \`--faults 'kind:…'\` with others ([faults.md](faults.md)).

A fault marked \`optional=true\` may go unfired; \`optional=if-absent\` only when its target is not part
of the cell (a merger fault for a strategy without a merger). Any other planned fault that does not
fire makes the cell \`unknown\`, never a pass.

${scenarioTableMarkdown()}

Risk as rated by the original analysis: ${all.map((s) => `\`${s.name}\` ${s.risk}`).join(', ')}.
`;
}

/** Plain words for each fault kind; the fields come from the parser itself. */
const FAULT_EFFECT = {
  kill: 'SIGKILL from the nemesis (with a point trigger, the target kills itself there). A killed writer restarts per `--restart`; a killed merger or consumer restarts; `target=redis` restarts the cell\'s redis-server after `down` ms on the same data folder',
  pause: 'SIGSTOP, then SIGCONT after `duration` ms (with a point trigger the target stops itself there and the nemesis resumes it); `until=acks:<n>` or `until=attempts:<n>` holds it until one other writer\'s ledger has `n` more such lines than at the stop, `until=point:<pattern>` until another process (in its first life) reaches a matching point, `duration` then its cap (the fault log says whether the progress or the cap ended it)',
  latency: 'the target\'s proxy to its service holds every chunk `delay` ms each way, for `duration` ms (default: the rest of the cell)',
  drop: 'the target\'s proxy resets its open connections (the client reconnects)',
  partition: 'nothing passes the target\'s proxy either way for `duration` ms; what was held is delivered when it heals',
  'slow-io': 'the target\'s I/O port delays matching operations (`op`, `path` substring) by `delay` ms with `probability`',
  'io-error': 'the target\'s I/O port fails a matching operation with `errno` (EIO or ENOSPC), by `probability` or at the `nth` match; a strategy must not ack it',
  'crash-point': 'the target SIGKILLs itself at the `nth` time it reaches `point`: a named point such as `publish:temp-written`, a pattern such as `merge:*` (`*` stands for any characters), or an I/O op name',
  'power-loss': 'the machine loses power (target: the whole cell, on crashfs): every process is SIGKILLed at once, data/ and state/ keep one state the persistence `model` allows (`state=seeded` or `harshest`), are remounted, and processes restart per `--restart`; needs FUSE (docs/power-loss.md)',
} satisfies Record<FaultKind, string>;

/** The fields a kind accepts, as its parser lists them when given one it does not know. */
export function faultFields(kind: FaultKind): string[] {
  try {
    (faultKinds[kind] as (raw: Record<string, string>) => unknown)({ 'no-such-field': '' });
  } catch (error) {
    if (error instanceof ChaosError && error.expected?.startsWith('one of: ')) return error.expected.slice('one of: '.length).split(', ');
    throw error;
  }
  throw new Error(`fault kind ${kind} accepted an unknown field`);
}

export function faultsPage(): string {
  const rows = (Object.keys(faultKinds) as FaultKind[]).map((kind) => [`\`${kind}\``, faultFields(kind).map((f) => `\`${f}\``).join(', '), FAULT_EFFECT[kind]]);
  return `# Faults

${generatedNotice('the fault parser, harness/sdk/faults.ts')}

Faults are data: \`--faults 'kind:key=value,…;kind:…'\`, e.g.
\`--faults 'kill:target=writer-2,afterAcks=7;pause:target=merger,at=300,duration=2500'\`; \`--faults none\`
runs none, \`--faults default\` (the default) each scenario's own ([scenarios.md](scenarios.md)). An unknown
kind or field is refused before anything runs, with the list of valid ones, and so is a target or point
that no cell of the run has.

${table(['kind', 'fields', 'what happens'], rows)}

**Targets**: \`writer\` (one, chosen from the seed), \`writers\` (all), \`writer-N\`, \`merger\`, \`consumer\`;
\`kill\` and \`pause\` also \`redis\`, the server the harness started for the cell (never one given with
\`--redis-url\`).

**Triggers** (one per fault, for kinds that take one): \`at=<ms>\` after the writers start (a target that is
between two lives then, crashed by another fault and restarting, is hit in its next life); \`afterAcks=<n>\` or
\`afterAttempts=<n>\`, counted in the target's own ledger, or in \`of=writer-N\`'s (writer-0's for a target
without a ledger): the writer whose ledger reaches the count stops itself right after that line until the
nemesis has acted, so the fault lands at the same ledger line however busy the machine is; \`point=<name>[,nth=<n>]\`, a point the target reaches (\`lock:acquired\`, \`main:read\`:
while it holds the main lock), where the target stops or kills itself. Network faults (\`latency\`, \`drop\`,
\`partition\`) need a strategy that uses a service: each process then reaches it through its own loopback
proxy, which the nemesis controls.

**Every fault is healed before the final check**: paused processes are resumed, injected I/O faults apply
to a process's first life only, killed writers restart per \`--restart retry|skip|none\` (default \`retry\`:
ids attempted but never acked are attempted again, which is how at-least-once duplicates appear), killed
mergers and consumers restart, then \`finalize\` runs in a fresh process. A planned fault that did not fire
makes the cell \`unknown\` (unless it is marked \`optional\`), with the reason. Each cell writes
\`faults.jsonl\` (what was done, to which process, when, what it hit), which the result JSON carries.

**What a seed reproduces.** \`--seed\` fixes every random choice: record contents, which writers are hit,
after how many acks, when pauses start, which I/O operations a probabilistic fault hits. It cannot fix the
interleaving of real processes on a real kernel, so tests assert properties that hold for every
interleaving. For exact replay, and for a power loss, use [the simulation](simulation.md).

I/O operations (\`op=\`): ${IO_OPS.map((o) => `\`${o}\``).join(', ')}.
`;
}
