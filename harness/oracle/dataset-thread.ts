/**
 * A checker thread (see dataset-threads.ts): judges files from the queue it shares with the others
 * until none is left, and posts each result, its ids transferred rather than copied.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { judgeFile, readDatasetFile, type Generation } from './dataset-file.js';

/** Files to judge, shared by threads: each takes the next by adding 1 to `next` (one Int32, shared memory). */
export interface FileQueue {
  files: { name: string; path: string; regular: boolean }[];
  next: SharedArrayBuffer;
}

const { queue, generation } = workerData as { queue: FileQueue; generation: Generation | undefined };
const counter = new Int32Array(queue.next);
for (let i = Atomics.add(counter, 0, 1); i < queue.files.length; i = Atomics.add(counter, 0, 1)) {
  const { name, path, regular } = queue.files[i]!;
  const judged = await judgeFile({ name, bytes: readDatasetFile(path, regular) }, generation);
  parentPort!.postMessage({ i, judged }, [judged.keys.buffer as ArrayBuffer]);
}
