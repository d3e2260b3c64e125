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
/** Children that lead their own process group (`config.processGroup`): signalled as a group. */
const groupLeaders = new WeakSet<RoleProcess>();

/** Sends a signal to a role process, or to its whole group when it leads one; a process already gone is no error. */
function signalRole(child: RoleProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(groupLeaders.has(child) ? -child.pid : child.pid, signal);
  } catch {
    // Ended in between.
  }
}

/**
 * Starts a role; one behind the start barrier (`config.startBarrier`) gets a stdin to hear `go` on. A
 * role with `processGroup` is started in a group of its own (`detached`: Ctrl-C at the terminal then
 * reaches the orchestrator only, which kills the group), and when it ends, whatever is left in its group
 * (a foreign child whose role process died) is killed.
 */
export function spawnRole(config: RoleConfig): RoleProcess {
  const { file, args } = nodeCommand('roles/main');
  const group = config.processGroup === true;
  const child: RoleProcess = execa(file, [...args, JSON.stringify(config)], { reject: false, stdin: config.startBarrier ? 'pipe' : 'ignore', cleanup: true, detached: group });
  live.add(child);
  if (group) groupLeaders.add(child);
  const pid = child.pid;
  if (pid !== undefined) watchRole(pid, group);
  void child.finally(() => {
    // Until here the group cannot be gone and its id reused: its leader was not reaped yet.
    if (group) signalRole(child, 'SIGKILL');
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
  signalRole(child, 'SIGCONT');
  signalRole(child, 'SIGKILL');
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
