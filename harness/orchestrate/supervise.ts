import { execa, type ResultPromise } from 'execa';
import { nodeEntry } from '../sdk/node-entry.js';
import type { RoleConfig } from './roles/config.js';
import { unwatchRole, watchRole } from './watchdog.js';

/**
 * How the orchestrator starts one of its entry points (`roles/main`, a bench child), given relative to
 * this folder without extension: compiled JS when running from dist/, else TypeScript via tsx.
 */
export function nodeCommand(entryBase: string): { file: string; args: string[] } {
  const { entry, execArgv } = nodeEntry(import.meta.url, entryBase);
  return { file: process.execPath, args: [...execArgv, entry] };
}

export type RoleProcess = ResultPromise<{ reject: false; stdin: 'ignore' | 'pipe'; cleanup: true }>;

/** Every child still running, so that Ctrl-C and cell timeouts can end them all. */
const live = new Set<RoleProcess>();

/** Starts a role; one behind the start barrier (`config.startBarrier`) gets a stdin to hear `go` on. */
export function spawnRole(config: RoleConfig): RoleProcess {
  const { file, args } = nodeCommand('roles/main');
  const child: RoleProcess = execa(file, [...args, JSON.stringify(config)], { reject: false, stdin: config.startBarrier ? 'pipe' : 'ignore', cleanup: true });
  live.add(child);
  const pid = child.pid;
  if (pid !== undefined) watchRole(pid);
  void child.finally(() => {
    live.delete(child);
    if (pid !== undefined) unwatchRole(pid);
  });
  return child;
}

/** Services (a cell's redis-server) to stop on Ctrl-C, each by its own stop function. */
const services = new Set<() => Promise<void>>();

/** Registers a running service's stop; returns the function that unregisters it. */
export function trackService(stop: () => Promise<void>): () => void {
  services.add(stop);
  return () => services.delete(stop);
}

export function liveProcessCount(): number {
  return live.size;
}

/** SIGCONT first, so that a paused child can act on the SIGKILL at once. */
export function killProcess(child: RoleProcess): void {
  child.kill('SIGCONT');
  child.kill('SIGKILL');
}

export async function killAll(): Promise<void> {
  const children = [...live];
  for (const child of children) killProcess(child);
  await Promise.allSettled([...children, ...[...services].map((stop) => stop())]);
}

/** Last lines of a child's stderr, for an error message. */
export function stderrTail(text: unknown, lines = 3): string {
  return String(text ?? '').trim().split('\n').slice(-lines).join(' | ');
}
