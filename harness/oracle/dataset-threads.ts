/**
 * Reading a cell's dataset on every core: a few threads (node:worker_threads) read and judge its
 * Parquet files, taking the next file from a shared counter, while the main thread reads the ledgers.
 * Each thread has a heap of its own, so the pool is small; results come back in any order and are
 * handed over in file order, so that ids get the slots and the evidence the order of a sequential read.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { nodeEntry } from '../sdk/node-entry.js';
import type { Generation, JudgedFile } from './dataset-file.js';
import type { ThreadData } from './dataset-thread.js';

/** More threads than this would cost more memory (a heap each) than the checker has to spare. */
const MAX_THREADS = 4;
/** Below this much Parquet, starting threads costs more than it saves: the files are read on the main thread. */
const THREADED_BYTES = 4 << 20;

/** How many threads to judge files of these sizes with: 0 (the main thread) for a small dataset. */
export function threadsFor(fileBytes: readonly number[]): number {
  const total = fileBytes.reduce((sum, n) => sum + n, 0);
  if (total < THREADED_BYTES || fileBytes.length < 2) return 0;
  return Math.min(MAX_THREADS, availableParallelism(), fileBytes.length);
}

/**
 * Starts `threads` threads judging `files`: `judged` gives every file's result in file order, or fails
 * with the first thread's error (the others are then stopped); `stop` ends them all.
 */
export function judgeFilesInThreads(files: { name: string; path: string }[], generation: Generation | undefined, threads: number): { judged: Promise<JudgedFile[]>; stop(): void } {
  const { entry, execArgv } = nodeEntry(import.meta.url, 'dataset-thread');
  const data: ThreadData = { files, generation, next: new SharedArrayBuffer(4) };
  const results: JudgedFile[] = new Array(files.length);
  const workers: Worker[] = [];
  const stop = () => {
    for (const worker of workers) void worker.terminate();
  };
  const judged = new Promise<JudgedFile[]>((resolve, reject) => {
    let running = threads;
    const fail = (error: unknown) => {
      stop();
      reject(error);
    };
    for (let t = 0; t < threads; t++) {
      const worker = new Worker(entry, { workerData: data, execArgv });
      workers.push(worker);
      worker.on('message', (message: { i: number; judged: JudgedFile }) => {
        results[message.i] = message.judged;
      });
      worker.on('error', fail);
      worker.on('exit', (code) => {
        if (code !== 0) fail(new Error(`a checker thread exited with code ${code}`));
        else if (--running === 0) resolve(results);
      });
    }
  });
  return { judged, stop };
}
