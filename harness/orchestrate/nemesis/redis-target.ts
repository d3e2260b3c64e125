import type { FaultEvent, KillFault } from '../../sdk/faults.js';
import type { RedisService } from '../services/redis-server.js';
import type { FaultableProcess } from './nemesis.js';

const DEFAULT_DOWN_MS = 500;

/**
 * The cell's redis-server as a nemesis target: paused like any process; killed with SIGKILL and
 * restarted on the same port and data folder after the fault's `down` time, so that what it
 * recovers is exactly what its durability setting kept.
 */
export class RedisTarget implements FaultableProcess {
  readonly name = 'redis';
  restarts = 0;
  private restarting: Promise<void> = Promise.resolve();
  private wake: (() => void) | undefined;

  constructor(
    private readonly redis: RedisService,
    private readonly log: (event: Omit<FaultEvent, 'at'>) => void,
    private readonly onError: (message: string) => void,
  ) {}

  pid(): number | undefined {
    return this.redis.pid();
  }

  kill(fault: KillFault): void {
    const previous = this.restarting;
    this.restarting = (async () => {
      await previous;
      await this.redis.kill();
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, fault.down ?? DEFAULT_DOWN_MS);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = undefined;
      try {
        await this.redis.restart();
        this.restarts++;
        this.log({ kind: 'restart', target: this.name, pid: this.redis.pid(), action: `restart #${this.restarts}`, detail: 'same port and data folder' });
      } catch (error) {
        this.onError(`redis-server did not come back after a kill: ${(error as Error).message}`);
      }
    })();
  }

  /** Healing: a server still down is restarted now; resolves once it serves again. */
  async settle(): Promise<void> {
    this.wake?.();
    await this.restarting;
  }
}
