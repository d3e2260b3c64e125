import { ChaosError } from '../sdk/errors.js';

function describe(value: unknown): string {
  if (Array.isArray(value)) return `an array holding ${JSON.stringify(value.slice(0, 3)).slice(0, 80)}${value.length > 3 ? '…' : ''}`;
  const text = typeof value === 'string' ? JSON.stringify(value) : String(value);
  return `${typeof value} ${text.slice(0, 40)}`;
}

/**
 * What a strategy's write/flush/close resolved with, checked against the API's contract: an array of
 * ids it was handed in this process. Anything else (a bare string, whose characters would each be
 * "acked"; an id never handed over) is the strategy's error, never an ack.
 */
export function checkAcks(returned: unknown, handed: ReadonlySet<string>, call: string): string[] {
  const fail = (what: string) => new ChaosError('E_STRATEGY_CONTRACT', `${call} resolved with ${what}, expected an array of the ids it was handed`, {
    option: call, value: returned, expected: 'an array of ids handed to write() in this process',
  });
  if (!Array.isArray(returned)) throw fail(describe(returned));
  for (const id of returned) {
    if (typeof id !== 'string') throw fail(`${describe(returned)} (a ${typeof id} among the ids)`);
    if (!handed.has(id)) throw fail(`id '${id}', which was never handed to write() in this process`);
  }
  return returned as string[];
}
