import type { OptionSpec, StrategyDefinition } from '../../sdk/strategy.js';
import { strategies } from '../../../strategies/index.js';
import { scenarios } from '../../../scenarios/index.js';
import { formatNames } from '../../../reports/index.js';
import { IO_OPS } from '../../sdk/ports/io.js';
import type { CommandSpec } from '../command.js';
import { bundledManifests } from '../../foreign/bundled.js';
import { readManifest } from '../../foreign/manifest.js';
import { strategyFromManifest } from '../../foreign/adapter.js';
import { installHint, missingRequirements } from '../../foreign/requires.js';
import { assumedFor, assumptions } from '../../sdk/assumptions.js';

function describeGuarantees(definition: StrategyDefinition<object>): string {
  const defaults = Object.fromEntries(Object.entries(definition.options as Record<string, OptionSpec<unknown>>).map(([k, s]) => [k, s.default]));
  const g = definition.guarantees(defaults);
  const claimed = Object.entries(g).filter(([, v]) => v).map(([k]) => k);
  const assumed = assumedFor(definition.assumes?.(defaults) ?? [], g).map((name) => assumptions[name].says);
  return `${claimed.length ? claimed.join(', ') : 'none'}${assumed.length ? `, assuming ${assumed.join('; ')}` : ''}`;
}

/** A strategy's lines: summary, claims, options, roles, points. */
function describeStrategy(definition: StrategyDefinition<object>, lines: string[]): void {
  lines.push(`  ${definition.name} — ${definition.summary}`);
  lines.push(`    guarantees (default options): ${describeGuarantees(definition)}`);
  for (const [key, spec] of Object.entries(definition.options as Record<string, OptionSpec<unknown>>)) {
    lines.push(`    ${key}=${String(spec.default)}  (${spec.accepts}) ${spec.describe}`);
  }
  const roles = Object.keys(definition.roles ?? {});
  if (roles.length) lines.push(`    background roles: ${roles.join(', ')}`);
  if (definition.points) lines.push(`    crash points: ${definition.points.join(', ')}`);
}

/** The bundled foreign strategies (manifests), each with whether it can run on this machine. */
function foreignLines(): string[] {
  const lines = ['', 'Foreign strategies (writer protocol 1, docs/protocol.md; spec: name[:key=value,…] or ./path/to/manifest.json[:…]):'];
  const bundled = bundledManifests();
  if (bundled.size === 0) lines.push('  (none bundled)');
  for (const path of bundled.values()) {
    const info = { manifest: readManifest(path), path };
    describeStrategy(strategyFromManifest(info) as unknown as StrategyDefinition<object>, lines);
    const missing = missingRequirements(info);
    lines.push(`    runnable here: ${missing.length ? `no, needs ${missing.join('; ')} (install: ${installHint(info)})` : 'yes'}`);
  }
  return lines;
}

/** `parquet-chaos list`: strategies with options and guarantees, scenarios, report formats. */
export function listText(): string {
  const lines: string[] = ['Strategies (spec: name[:key=value,…]):'];
  for (const definition of Object.values(strategies) as StrategyDefinition<object>[]) {
    describeStrategy(definition, lines);
  }
  lines.push('  ./path/to/module.js[:key=value,…] — a user plugin implementing the strategy API (see docs/plugins.md)');
  lines.push(...foreignLines());
  lines.push('', 'Scenarios:');
  for (const s of Object.values(scenarios)) {
    lines.push(`  ${s.name} (risk in the original analysis: ${s.risk}) — ${s.summary}`);
    lines.push(`    default faults: ${s.faultsSummary}`);
  }
  lines.push('', 'Faults (--faults none | default | kind:key=value,…;kind:…):');
  lines.push('  targets: writer (one, seeded), writers (all), writer-N, merger, consumer; kill and pause also redis (a server the harness started)');
  lines.push('  kill:target=…,at=<ms>|afterAcks=<n>|afterAttempts=<n>   SIGKILL; writers restart per --restart retry|skip|none');
  lines.push('    target=redis: restarted on the same port and data folder after down=<ms> (default 500)');
  lines.push('    a progress trigger counts the target\'s own ledger, or of=writer-N\'s (default writer-0 for targets without one)');
  lines.push('  pause:target=…,<trigger>,duration=<ms>                  SIGSTOP, then SIGCONT');
  lines.push('  network faults between a process and its service, through a proxy per process:');
  lines.push('  latency:target=…,<trigger>,delay=<ms>[,duration=<ms>]   every byte held delay ms');
  lines.push('  drop:target=…,<trigger>                                 its connections reset (the client reconnects)');
  lines.push('  partition:target=…,<trigger>,duration=<ms>             nothing passes either way; held bytes delivered when it heals');
  lines.push('  slow-io:target=…,op=<op>|*,path=<substring>,probability=<0..1>,delay=<ms>');
  lines.push('  io-error:target=…,op=<op>,path=…,errno=EIO|ENOSPC,probability=<0..1>|nth=<n>');
  lines.push('  crash-point:target=…,point=<name>|<prefix>*|<op>,nth=<n>   the process SIGKILLs itself there (points: each strategy\'s crash points above)');
  lines.push('  a target or point no cell of the run has is refused before anything runs');
  lines.push(`  ops: ${IO_OPS.join(', ')}`);
  lines.push('', `Report formats: ${formatNames.join(', ')}`);
  return `${lines.join('\n')}\n`;
}

/** `parquet-chaos list`. */
export const list = {
  summary: 'list strategies (options, guarantees), scenarios, faults and report formats',
  flags: {},
  async run(_input, io) {
    io.out(listText());
    return 0;
  },
} satisfies CommandSpec;
