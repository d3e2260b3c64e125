/**
 * The watchdog process (see watchdog.ts): keeps the set of live role pids it is told on stdin; when
 * stdin ends (the orchestrator died), sends each still-running role SIGCONT then SIGKILL, and exits.
 */
import { readFileSync } from 'node:fs';

const pids = new Set<number>();
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
    const pid = Number(line.slice(1));
    if (line.startsWith('+')) pids.add(pid);
    else pids.delete(pid);
  }
});
process.stdin.on('end', () => {
  for (const pid of pids) {
    if (!isRole(pid)) continue;
    try {
      process.kill(pid, 'SIGCONT');
      process.kill(pid, 'SIGKILL');
    } catch {
      // Ended in between.
    }
  }
  process.exit(0);
});
