/**
 * Reading a cell's dataset on every core: a few threads (node:worker_threads) read and judge its
 * Parquet files while the main thread reads the ledgers. Each takes the next file from a counter they
 * share, so a slow file holds up no one. Results come back in any order and are handed over in file
 * order, so that ids get the slots and the evidence the order of a sequential read.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker, type WorkerOptions } from 'node:worker_threads';
import { nodeEntry } from '../sdk/node-entry.js';
import type { Generation, JudgedFile } from './dataset-file.js';
import type { FileQueue } from './dataset-thread.js';

/** More threads than this would cost more memory (a heap each) than the checker has to spare. */
const MAX_THREADS = 4;
/** Below this much Parquet, starting threads costs more than it saves: the files are read on the main thread. */
const THREADED_BYTES = 4 << 20;
const MIB = 1 << 20;

/**
 * How many threads to judge files of these sizes with: a core each but the main thread's, which reads
 * the ledgers meanwhile; 0 (the main thread alone) for a small dataset or a single core. A thread more
 * than the cores costs more than it gives: on two cores, two threads of a small heap each (within the
 * memory goal) used more CPU than one with room for a file's rows, for no shorter check — measured on
 * a loaded machine (load 18–60), where extra threads cost CPU of their own, so partly GC, partly load.
 */
export function threadsFor(fileBytes: readonly number[], cores = availableParallelism()): number {
  const total = fileBytes.reduce((sum, n) => sum + n, 0);
  if (total < THREADED_BYTES || cores < 2) return 0;
  return Math.min(MAX_THREADS, cores - 1, fileBytes.length);
}

/** A thread's heap bounds, in MiB. */
export interface ThreadHeap {
  maxYoungGenerationSizeMb: number;
  maxOldGenerationSizeMb: number;
}

/**
 * A thread's heap limits. Judging allocates fast and keeps one file's rows, and V8 grows an idle heap's
 * generations long before it collects: bounded, the threads keep the process within the checker's
 * memory goal (< 200 MiB on a million records). The young generation holds a file's decoded rows
 * (a value object each, ~5 MiB for 10,000 records): in 4 MiB they were all copied to the old one and
 * collected there, file after file, which cost a third of the thread's time. The old generation's bound
 * grows with the largest file, which a thread holds decoded at once; a thread that still runs out
 * fails its files over to the main thread (see checker.ts).
 */
function heapLimits(files: { bytes: number }[]): ThreadHeap {
  const largest = Math.max(0, ...files.map((file) => file.bytes));
  return { maxYoungGenerationSizeMb: 32, maxOldGenerationSizeMb: 64 + 8 * Math.ceil(largest / MIB) };
}

/** tsx's ESM API module (its package's own export), resolved from the harness. */
function tsxEsmApi(): string {
  const manifest = createRequire(import.meta.url).resolve('tsx/package.json');
  const exports = (JSON.parse(readFileSync(manifest, 'utf8')) as { exports: Record<string, { import: { default: string } }> }).exports;
  return pathToFileURL(join(dirname(manifest), exports['./esm/api']!.import.default)).href;
}

/**
 * A thread running `dataset-thread`. From source, the thread registers tsx itself first: tsx's
 * `--import` entry registers its hooks on the main thread only.
 */
function startThread(options: WorkerOptions): Worker {
  const { entry, execArgv } = nodeEntry(import.meta.url, 'dataset-thread');
  if (execArgv.length === 0) return new Worker(entry, options);
  return new Worker(`import(${JSON.stringify(tsxEsmApi())}).then((tsx) => tsx.register()).then(() => import(${JSON.stringify(pathToFileURL(entry).href)}))`, { ...options, eval: true });
}

/**
 * Starts `threads` threads judging `files`, each within `heap`: `judged` gives every file's result in
 * file order, or fails with the first thread's error (the others are then stopped); `stop` ends them all.
 */
export function judgeFilesInThreads(
  files: { name: string; path: string; bytes: number; regular?: boolean }[], generation: Generation | undefined, threads: number, heap = heapLimits(files),
): { judged: Promise<JudgedFile[]>; stop(): void } {
  const queue: FileQueue = { files: files.map(({ name, path, regular }) => ({ name, path, regular: regular ?? true })), next: new SharedArrayBuffer(4) };
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
      const worker = startThread({ workerData: { queue, generation }, resourceLimits: heap });
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
