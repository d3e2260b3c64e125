import { defineScenario, windowPauseMs } from '../harness/sdk/scenario.js';

/**
 * Seed scenario 3: writers die while holding buffered or in-flight results. Default faults: two
 * writers killed after a seeded number of their own attempts (so the kill lands mid-run whatever the
 * machine's speed, with records in flight) and a third paused; resumed writers retry or skip per --restart.
 */
export const bufferCrash = defineScenario({
  name: 'buffer-crash',
  summary: 'Writers are killed (and one paused) mid-run, exposing buffered and in-flight data (scenario 3 of the original analysis).',
  risk: 'low',
  thinkMs: 1,
  backgroundRoles: ['merger', 'consumer'],
  faultsSummary: 'kill 2 writers after a seeded number of their attempts (2 .. records/2+1); pause another 200 ms; writers restart per --restart; each writer stopped at its first `shared-buffer:committed` point (a shared buffer drained to main, not yet emptied) until another process has appended to it (`shared-buffer:appended`), at most a third of the lock stale time (1.7 s by default), and the 2 killed writers held from their first attempt until another writer reaches that point, at most twice that (so that the paused writer drains and their appends land in its window); optional; the paused writer killed the 2nd time it has main open for writing (`main:writing`: an in-place save has just truncated it; optional)',
  defaultFaults: ({ random, workers, recordsPerWorker, lockStaleMs }) => {
    const victims = random.shuffle([...Array(workers).keys()]).slice(0, 3);
    const attempts = () => 2 + random.int(Math.max(1, Math.floor(recordsPerWorker / 2)));
    const [a, b, c] = victims;
    return [
      ...(a !== undefined ? [{ kind: 'kill' as const, target: `writer-${a}`, afterAttempts: attempts() }] : []),
      ...(b !== undefined ? [{ kind: 'kill' as const, target: `writer-${b}`, afterAttempts: attempts() }] : []),
      ...(c !== undefined ? [{ kind: 'pause' as const, target: `writer-${c}`, afterAttempts: attempts(), duration: 200 }] : []),
      // A shared buffer's race window held open: between a drain's commit to main and its truncate,
      // another writer appends and the truncate wipes it, acked (the seed's scenario 3's shared buffer,
      // on every seed). Held until another process has appended (`shared-buffer:appended`). Optional:
      // only a shared buffer has the point, and a writer may never be the one that drains.
      { kind: 'pause' as const, target: 'writers', point: 'shared-buffer:committed', nth: 1, duration: windowPauseMs(lockStaleMs), until: { op: 'point' as const, point: 'shared-buffer:appended', count: 1 as const }, optional: true as const },
      // The append that stop waits for, made certain: the other writers append, then wait for the drain's
      // lock, and may all have appended before the drain read the buffer; and a drainer restarted after a
      // kill carries no stop. So the two writers killed above are held from their first attempt (before
      // appending anything, before their kills) until another process reaches `shared-buffer:committed`:
      // writer c, whose first life lasts, appends alone, drains, and is stopped in the window above; the
      // held writers then append inside it. Skipped for a strategy without the point.
      ...(c !== undefined ? [a!, b!].map((w) => ({ kind: 'pause' as const, target: `writer-${w}`, afterAttempts: 1, duration: 2 * windowPauseMs(lockStaleMs), until: { op: 'point' as const, point: 'shared-buffer:committed', count: 1 as const }, optional: true as const })) : []),
      // An in-place save's window, on every seed: a kill after attempts mostly finds the victim waiting
      // for the lock, seldom inside its write. Writer c (only paused above, so its first life, the one
      // in-process faults act in, is whole) dies the 2nd time it opens main for writing: by then its
      // first save is in main, so an in-place save leaves acked rows truncated away; an atomic one
      // leaves a temp file. Optional: only strategies that mark the point reach it, and a writer that
      // commits main once (a checkpoint as large as its records) never reaches it twice.
      ...(c !== undefined ? [{ kind: 'kill' as const, target: `writer-${c}`, point: 'main:writing', nth: 2, optional: true as const }] : []),
    ];
  },
});
