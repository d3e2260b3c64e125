import type { OptionSpec, StrategyDefinition } from '../../strategies/api.js';
import { strategies } from '../../strategies/index.js';
import { scenarios } from '../../scenarios/index.js';
import { formatNames } from '../../reports/index.js';

function describeGuarantees(definition: StrategyDefinition<object>): string {
  const defaults = Object.fromEntries(Object.entries(definition.options as Record<string, OptionSpec<unknown>>).map(([k, s]) => [k, s.default]));
  const g = definition.guarantees(defaults);
  const claimed = Object.entries(g).filter(([, v]) => v).map(([k]) => k);
  return claimed.length ? claimed.join(', ') : 'none';
}

/** `parquet-chaos list`: strategies with options and guarantees, scenarios, report formats. */
export function listText(): string {
  const lines: string[] = ['Strategies (spec: name[:key=value,…]):'];
  for (const definition of Object.values(strategies) as StrategyDefinition<object>[]) {
    lines.push(`  ${definition.name} — ${definition.summary}`);
    lines.push(`    guarantees (default options): ${describeGuarantees(definition)}`);
    for (const [key, spec] of Object.entries(definition.options as Record<string, OptionSpec<unknown>>)) {
      lines.push(`    ${key}=${String(spec.default)}  (${spec.accepts}) ${spec.describe}`);
    }
    const roles = Object.keys(definition.roles ?? {});
    if (roles.length) lines.push(`    background roles: ${roles.join(', ')}`);
  }
  lines.push('  ./path/to/module.js[:key=value,…] — a user plugin implementing the strategy API (see README)');
  lines.push('', 'Scenarios:');
  for (const s of Object.values(scenarios)) lines.push(`  ${s.name} (seed risk: ${s.risk}) — ${s.summary}`);
  lines.push('', `Report formats: ${formatNames.join(', ')}`);
  return `${lines.join('\n')}\n`;
}
