/**
 * The watchdog process (see watchdog.ts): keeps the set of live role pids it is told on stdin; when
 * stdin ends or its parent changes (the orchestrator died), sends each still-running role (its whole process group, for one that
 * leads a group) SIGCONT then SIGKILL, and exits.
 */
import { readFileSync } from 'node:fs';

/** Each live role's pid, and whether it leads a process group (killed whole). */
const pids = new Map<number, boolean>();
let pending = '';

/** Still one of our roles (and not a reused pid)? */
function isRole(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('roles/main');
  } catch {
    return false;
  }
}

// Ctrl-C reaches the whole foreground group: the orchestrator handles it; the watchdog waits for its end.
process.on('SIGINT', () => {});
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk: string) => {
  const lines = (pending + chunk).split('\n');
  pending = lines.pop() ?? '';
  for (const line of lines) {
    const group = line.startsWith('+g');
    const pid = Number(line.slice(group ? 2 : 1));
    if (line.startsWith('+')) pids.set(pid, group);
    else pids.delete(pid);
  }
});
/** Every still-running role (its whole group, for one that leads a group) continued, then killed. */
function killRoles(): never {
  for (const [pid, group] of pids) {
    if (!isRole(pid)) continue;
    try {
      process.kill(group ? -pid : pid, 'SIGCONT');
      process.kill(group ? -pid : pid, 'SIGKILL');
    } catch {
      // Ended in between.
    }
  }
  process.exit(0);
}

process.stdin.on('end', killRoles);
// Also when the orchestrator is gone but stdin stays open (another process still holds the pipe's
// write end): the watchdog is re-parented, so a parent other than the orchestrator means it died. The
// orchestrator names its pid (argv): a watchdog that starts late on a busy machine, after the
// orchestrator died, is already re-parented and would otherwise take the new parent for its own.
const parent = Number(process.argv[2] ?? process.ppid);
setInterval(() => {
  if (process.ppid !== parent) killRoles();
}, 1000).unref();
