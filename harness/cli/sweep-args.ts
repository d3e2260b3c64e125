/** Command-line pieces of `sweep` and `recommend`: list-valued flags and swept strategy options. */
import { badValue } from '../sdk/errors.js';
import { RANKS, type Rank } from '../analyze/recommend.js';

/** Flags that name a strategy option under the seed's name. */
export const OPTION_ALIASES: Record<string, string> = { 'checkpoint-interval': 'interval' };

/** `--key value` / `--key=value` pairs beyond a command's flags: strategy options to sweep (aliases resolved), in the order given. */
export function strategyOptions(args: readonly string[]): [string, string[]][] {
  const options: [string, string[]][] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const match = /^--([A-Za-z][\w-]*)(?:=(.*))?$/.exec(arg);
    if (!match) throw badValue('E_USAGE', 'argument', arg, 'flags as --name value');
    const name = match[1]!;
    const value = match[2] ?? args[++i];
    if (value === undefined || (match[2] === undefined && value.startsWith('--'))) throw badValue('E_USAGE', `--${name}`, '', 'a value');
    options.push([OPTION_ALIASES[name] ?? name, value.split(',').map((v) => v.trim()).filter(Boolean)]);
  }
  return options;
}

export function parseWorkerList(raw: string): number[] {
  const values = raw.split(',').map((v) => v.trim());
  if (!values.every((v) => /^\d+$/.test(v) && Number(v) >= 1 && Number(v) <= 256)) {
    throw badValue('E_BAD_OPTION', '--workers', raw, 'a comma list of integers from 1 to 256');
  }
  return [...new Set(values.map(Number))];
}

export function parseCount(flag: string, raw: string | undefined, fallback: number, min = 1, max = 1000): number {
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw.trim()) || Number(raw) < min || Number(raw) > max) throw badValue('E_BAD_OPTION', flag, raw, `an integer from ${min} to ${max}`);
  return Number(raw);
}

/** `--rank`: the throughput recommend ranks on; records durable in Parquet per second unless asked. */
export function parseRank(raw: string | undefined): Rank {
  if (raw === undefined) return 'parquet';
  if (!(RANKS as readonly string[]).includes(raw)) throw badValue('E_BAD_OPTION', '--rank', raw, `one of: ${RANKS.join(', ')}`);
  return raw as Rank;
}

export function parseLimit(flag: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(n) || n < 0) throw badValue('E_BAD_OPTION', flag, raw, 'a number >= 0');
  return n;
}
