/**
 * A process that takes a lock and holds it until killed: `node --import tsx hold-lock.ts DIR BACKEND STALE_MS`.
 * Prints `held` once it holds the lock.
 */
import { realClock } from '../../harness/sdk/ports/clock.js';
import { createLockPort } from '../../harness/sdk/ports/lock.js';
import type { LockBackendName } from '../../harness/sdk/ports/locks/index.js';

const [dir, backend, staleMs] = process.argv.slice(2);
const port = createLockPort({ dir: dir!, staleMs: Number(staleMs), defaultTimeoutMs: 60_000 }, realClock);
await port.acquire('main', { backend: backend as LockBackendName });
process.stdout.write('held\n');
setInterval(() => {}, 1000);
