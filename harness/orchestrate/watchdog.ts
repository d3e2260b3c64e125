import { spawn, type ChildProcess } from 'node:child_process';
import { nodeEntry } from '../sdk/node-entry.js';

/**
 * The orchestrator's watchdog: one small process per orchestrator that is told, over its stdin, the pid
 * of every role process as it starts (`+pid`) and ends (`-pid`). When its stdin closes, the orchestrator
 * is gone, however it died (SIGKILL included): the watchdog resumes and kills every role still
 * listed. A role's own parent check cannot do that for a role that is SIGSTOPped: it never runs again.
 */
let watchdog: ChildProcess | undefined;

function start(): ChildProcess {
  const { entry, execArgv } = nodeEntry(import.meta.url, 'watchdog-main');
  const child = spawn(process.execPath, [...execArgv, entry, String(process.pid)], { stdio: ['pipe', 'ignore', 'ignore'] });
  // Neither the process nor its pipe may keep the orchestrator alive.
  child.unref();
  (child.stdin as unknown as { unref(): void }).unref();
  child.on('exit', () => {
    if (watchdog === child) watchdog = undefined;
  });
  return child;
}

/** `group`: the role leads a process group (a foreign strategy's), which is killed whole (`+g<pid>`). */
export function watchRole(pid: number, group = false): void {
  watchdog ??= start();
  watchdog.stdin?.write(`+${group ? 'g' : ''}${pid}\n`);
}

export function unwatchRole(pid: number): void {
  watchdog?.stdin?.write(`-${pid}\n`);
}
