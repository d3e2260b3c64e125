import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';

const watchdogMain = resolve(import.meta.dirname, '../harness/orchestrate/watchdog-main.ts');
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/**
 * The middle process plays the orchestrator: it starts the watchdog, lists a role with it, hands the
 * write end of the watchdog's stdin to a long-lived holder (so stdin never ends), then SIGKILLs itself 100 ms later
 * — on a busy machine possibly before the watchdog (a tsx start) has run a line of its own.
 */
const orchestrator = `
const { spawn } = require('node:child_process');
const [watchdogMain, rolePid] = process.argv.slice(1);
const watchdog = spawn(process.execPath, ['--import', 'tsx', watchdogMain, String(process.pid)], { stdio: ['pipe', 'ignore', 'ignore'] });
const holder = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)'], { stdio: ['ignore', watchdog.stdin, 'ignore'], detached: true });
watchdog.stdin.write('+' + rolePid + '\\n');
console.log(JSON.stringify({ watchdog: watchdog.pid, holder: holder.pid }));
setTimeout(() => process.kill(process.pid, 'SIGKILL'), 100);
`;

describe('the watchdog', () => {
  it('kills the roles it lists when the orchestrator dies, even while another process keeps its stdin open', async () => {
    // Arrange: a stopped "role" (its command line names roles/main, as the watchdog checks).
    const role = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)', 'roles/main'], { stdio: 'ignore', detached: true });
    process.kill(role.pid!, 'SIGSTOP');
    let pids: { watchdog: number; holder: number } | undefined;
    try {
      // Act
      const middle = spawn(process.execPath, ['-e', orchestrator, watchdogMain, String(role.pid)], { stdio: ['ignore', 'pipe', 'inherit'], cwd: resolve(import.meta.dirname, '..') });
      let out = '';
      middle.stdout!.on('data', (chunk) => { out += chunk; });
      await new Promise((done) => middle.on('exit', done));
      pids = JSON.parse(out) as { watchdog: number; holder: number };

      // Assert: the holder still holds the pipe, yet the role and the watchdog are gone within seconds.
      for (let i = 0; i < 100 && (alive(role.pid!) || alive(pids.watchdog)); i++) await sleep(100);
      expect(alive(pids.holder)).toBe(true);
      expect({ role: alive(role.pid!), watchdog: alive(pids.watchdog) }).toEqual({ role: false, watchdog: false });
    } finally {
      for (const pid of [role.pid!, pids?.holder, pids?.watchdog]) if (pid && alive(pid)) process.kill(pid, 'SIGKILL');
    }
  }, 30_000);
});
