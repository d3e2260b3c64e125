/**
 * A checker thread (see dataset-threads.ts): takes the next file to judge from a counter shared by all
 * threads, judges it, and posts the compact result, its ids transferred rather than copied.
 */
import { readFileSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { judgeFile, type Generation } from './dataset-file.js';

export interface ThreadData {
  files: { name: string; path: string }[];
  generation: Generation | undefined;
  /** One Int32: the index of the next file to take. */
  next: SharedArrayBuffer;
}

const { files, generation, next } = workerData as ThreadData;
const counter = new Int32Array(next);
for (let i = Atomics.add(counter, 0, 1); i < files.length; i = Atomics.add(counter, 0, 1)) {
  const { name, path } = files[i]!;
  const judged = await judgeFile({ name, bytes: readFileSync(path) }, generation);
  parentPort!.postMessage({ i, judged }, [judged.keys.buffer as ArrayBuffer]);
}
