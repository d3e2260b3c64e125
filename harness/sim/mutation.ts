import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Appender, IoHook, IoPort } from '../sdk/ports/io.js';
import type { SimFs } from './fs.js';

/**
 * Mutation testing of durability. A strategy's durability steps are the fsyncs it asks the I/O port for
 * (`writeFile`/`appendFile`/an appender's `append` with `fsync: true`, `fsyncFile`, `fsyncDir`). Each is
 * known by its call site, the line of strategy code that asks for it, found from the stack when the port
 * is called, so the sites are enumerated mechanically: whatever line asks for an fsync in a schedule is
 * a site (`DurabilityProbe.sites`), with no list to keep in step with the code.
 *
 * A mutant changes one site, everywhere it runs:
 * - `skip`: the fsync is not done (nor is its step taken);
 * - `late`: the fsync is done after the process's next I/O operation (or when the process ends), the
 *   reordering ALICE (Pillai et al., OSDI 2014) calls an ordering bug: a rename before the data's fsync,
 *   an ack before the fsync it rests on (a writer's next operation comes after its ack).
 * `sim` must find each mutant under the `posix` model (`npm run mutate`, docs/simulation.md), where the
 * unmutated strategy passes. The switch is `SimSetup.durability`, read in one place (`mutatedPort`, from
 * run-schedule's context), off unless set; the real I/O port knows nothing of it.
 */

export const MUTATION_KINDS = ['skip', 'late'] as const;
export type MutationKind = (typeof MUTATION_KINDS)[number];

export interface DurabilityMutation {
  /** A site as `DurabilityProbe.sites` names it: `path:line:column fsync-file|fsync-dir`. */
  site: string;
  kind: MutationKind;
}

/** What a schedule does with durability steps: counts every site it reaches, and applies at most one mutation. */
export interface DurabilityProbe {
  mutation?: DurabilityMutation;
  /** Filled as sites are reached: site → how many times it ran. */
  sites?: Map<string, number>;
}

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
/** Frames of the port and the simulation itself: the site is the first frame outside them. */
const PORT_FILES = [resolve(ROOT, 'harness/sim'), resolve(ROOT, 'harness/sdk/ports')];

/** The strategy line that called the port, relative to the project when inside it (`strategies/shared/main-file.ts:46:22`). */
export function callerSite(stack: string | undefined): string {
  for (const line of (stack ?? '').split('\n').slice(1)) {
    const where = /(?:\(|at )((?:file:\/\/)?\/[^():]+):(\d+):(\d+)\)?$/.exec(line.trim());
    if (!where) continue;
    const file = where[1]!.startsWith('file://') ? fileURLToPath(where[1]!) : where[1]!;
    if (PORT_FILES.some((dir) => file.startsWith(`${dir}/`)) || file.includes('/node_modules/')) continue;
    const shown = file.startsWith(`${ROOT}/`) ? relative(ROOT, file) : file;
    return `${shown}:${where[2]}:${where[3]}`;
  }
  return 'unknown';
}

function here(kind: 'fsync-file' | 'fsync-dir'): string {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 30;
  const stack = new Error().stack;
  Error.stackTraceLimit = limit;
  return `${callerSite(stack)} ${kind}`;
}

/**
 * The port one simulated process uses, with the probe applied. `settle` runs what a `late` mutant still
 * owes (called when the process's body ends). Without a probe the port is returned as it is.
 */
export function mutatedPort(port: IoPort, fs: SimFs, hook: IoHook, probe: DurabilityProbe | undefined): { io: IoPort; settle: () => Promise<void> } {
  if (!probe) return { io: port, settle: async () => {} };
  let owed: (() => Promise<void>)[] = [];
  const settle = async () => {
    const due = owed;
    owed = [];
    for (const run of due) await run();
  };
  /** What the mutation does to the fsync at `site`: 'do' it, or not now. */
  const decide = (site: string): 'do' | MutationKind => {
    probe.sites?.set(site, (probe.sites.get(site) ?? 0) + 1);
    return probe.mutation?.site === site ? probe.mutation.kind : 'do';
  };
  /** A late fsync of a file: by the file it was asked for (a handle), even if renamed meanwhile. */
  const owe = (path: string, run: () => void) => owed.push(async () => {
    await hook.before('fsync', path);
    port.counters.fsyncs++;
    run();
  });
  const oweFile = (path: string) => {
    const node = fs.node(path);
    owe(path, () => {
      if (node?.kind === 'file') fs.fsyncInode(node.inode);
    });
  };
  /** Runs one port operation, then what a late mutant deferred past it. */
  const then = async <T>(result: Promise<T>): Promise<T> => {
    try {
      return await result;
    } finally {
      await settle();
    }
  };
  const withFsync = <O extends { fsync?: boolean }>(path: string, options: O | undefined, run: (o: O | undefined) => Promise<void>): Promise<void> => {
    if (!options?.fsync) return then(run(options));
    const kind = decide(here('fsync-file'));
    if (kind === 'do') return then(run(options));
    return then(run({ ...options, fsync: false })).then(() => {
      if (kind === 'late') oweFile(path);
    });
  };
  const wrapAppender = (path: string, appender: Appender): Appender => ({
    append: (data, options) => withFsync(path, options, (o) => appender.append(data, o)),
    close: () => appender.close(),
  });
  const io: IoPort = {
    counters: port.counters,
    exists: (path) => then(port.exists(path)),
    readFile: (path) => then(port.readFile(path)),
    writeFile: (path, data, options) => withFsync(path, options, (o) => port.writeFile(path, data, o)),
    appendFile: (path, data, options) => withFsync(path, options, (o) => port.appendFile(path, data, o)),
    openAppender: async (path, options) => wrapAppender(path, await then(port.openAppender(path, options))),
    truncate: (path, length) => then(port.truncate(path, length)),
    rename: (from, to) => then(port.rename(from, to)),
    unlink: (path) => then(port.unlink(path)),
    readdir: (path) => then(port.readdir(path)),
    mkdir: (path) => then(port.mkdir(path)),
    fsyncDir(path) {
      const kind = decide(here('fsync-dir'));
      if (kind === 'do') return then(port.fsyncDir(path));
      if (kind === 'late') owe(path, () => fs.fsyncDir(path));
      return Promise.resolve();
    },
    fsyncFile(path) {
      const kind = decide(here('fsync-file'));
      if (kind === 'do') return then(port.fsyncFile(path));
      if (kind === 'late') oweFile(path);
      return Promise.resolve();
    },
    size: (path) => then(port.size(path)),
    point: (name) => port.point(name),
  };
  return { io, settle };
}
