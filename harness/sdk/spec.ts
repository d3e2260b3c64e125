import { badValue } from './errors.js';

/** A parsed `name:key=value,key=value` spec. `label` is the spec as written, used everywhere. */
export interface StrategySpec {
  label: string;
  /** A registered name, or a module path (starts with `.` or `/`) for a user plugin. */
  name: string;
  options: Record<string, string>;
}

const PAIR = /^([A-Za-z][\w-]*)=(.*)$/;

export function isPluginPath(name: string): boolean {
  return name.startsWith('.') || name.startsWith('/');
}

/**
 * Parses one spec. A plugin path may itself contain no ':'; options follow the first ':' after it.
 * `flag` names the option the text came from in error messages (fault lists share the syntax).
 */
export function parseStrategySpec(text: string, flag = '--strategy'): StrategySpec {
  const label = text.trim();
  const slash = label.lastIndexOf('/');
  const colon = label.indexOf(':', slash + 1);
  const name = colon === -1 ? label : label.slice(0, colon);
  if (!name) throw badValue('E_USAGE', flag, text, 'a name, optionally followed by :key=value,…');
  const options: Record<string, string> = {};
  if (colon !== -1) {
    for (const pair of label.slice(colon + 1).split(',')) {
      const match = PAIR.exec(pair.trim());
      if (!match) throw badValue('E_USAGE', flag, text, `options as key=value pairs after '${name}:' (got '${pair}')`);
      options[match[1]!] = match[2]!;
    }
  }
  return { label, name, options };
}

/**
 * Splits a `--strategy` list. Commas separate strategies and also option pairs, so a piece that looks
 * like `key=value` continues the spec before it: `realtime:lock=none,publish=inplace,queue` is two specs.
 */
export function splitStrategyList(list: string): string[] {
  const specs: string[] = [];
  for (const piece of list.split(',').map((p) => p.trim()).filter(Boolean)) {
    if (PAIR.test(piece) && specs.length > 0) specs[specs.length - 1] += `,${piece}`;
    else specs.push(piece);
  }
  return specs;
}
