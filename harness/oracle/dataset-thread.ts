/**
 * A checker thread (see dataset-threads.ts): judges files from the queue it shares with the others
 * until none is left, and posts each result, its ids transferred rather than copied.
 */
import { readFileSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { judgeFile, type Generation } from './dataset-file.js';

/** Files to judge, shared by threads: each takes the next by adding 1 to `next` (one Int32, shared memory). */
export interface FileQueue {
  files: { name: string; path: string }[];
  next: SharedArrayBuffer;
}

const { queue, generation } = workerData as { queue: FileQueue; generation: Generation | undefined };
const counter = new Int32Array(queue.next);
for (let i = Atomics.add(counter, 0, 1); i < queue.files.length; i = Atomics.add(counter, 0, 1)) {
  const { name, path } = queue.files[i]!;
  const judged = await judgeFile({ name, bytes: readFileSync(path) }, generation);
  parentPort!.postMessage({ i, judged }, [judged.keys.buffer as ArrayBuffer]);
}
