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
  faultsSummary: 'kill 2 writers after a seeded number of their attempts (2 .. records/2+1); pause another 200 ms; writers restart per --restart; each writer stopped at its first `shared-buffer:committed` point (a shared buffer drained to main, not yet emptied) until another writer has attempted a record (it appends, then waits for the lock), at most a third of the lock stale time (1.7 s by default); optional; the paused writer killed the 2nd time it has main open for writing (`main:writing`: an in-place save has just truncated it; optional)',
  defaultFaults: ({ random, workers, recordsPerWorker, lockStaleMs }) => {
    const victims = random.shuffle([...Array(workers).keys()]).slice(0, 3);
    const attempts = () => 2 + random.int(Math.max(1, Math.floor(recordsPerWorker / 2)));
    const [a, b, c] = victims;
    return [
      ...(a !== undefined ? [{ kind: 'kill' as const, target: `writer-${a}`, afterAttempts: attempts() }] : []),
      ...(b !== undefined ? [{ kind: 'kill' as const, target: `writer-${b}`, afterAttempts: attempts() }] : []),
      ...(c !== undefined ? [{ kind: 'pause' as const, target: `writer-${c}`, afterAttempts: attempts(), duration: 200 }] : []),
      // A shared buffer's race window held open: between a drain's commit to main and its truncate,
      // the other writers append (each then waits for the main lock to drain in turn) and the truncate
      // wipes them, acked (the seed's scenario 3's shared buffer, on every seed). Optional: only a
      // shared buffer has the point, and a writer may never be the one that drains. Held until another
      // writer attempts a record: it appends and then waits for the lock, so no later ledger line can
      // show the append; the attempt line comes right before it.
      { kind: 'pause' as const, target: 'writers', point: 'shared-buffer:committed', nth: 1, duration: windowPauseMs(lockStaleMs), until: { op: 'attempt' as const, count: 1 }, optional: true as const },
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
