import { execFileSync } from 'node:child_process';

/** Processes whose command line mentions `needle` (e.g. a run folder): none may outlive a run. */
export function processesMentioning(needle: string): string[] {
  const out = execFileSync('ps', ['-eo', 'pid,args'], { encoding: 'utf8' });
  return out.split('\n').filter((line) => line.includes(needle) && !line.includes('ps -eo'));
}
