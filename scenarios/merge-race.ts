import { defineScenario, windowPauseMs } from '../harness/sdk/scenario.js';

/**
 * Seed scenario 2: writers produce files while a merger (or consumer) lists, reads, merges and
 * cleans up on a short period. Default faults: slow writes (so files are caught half-written),
 * the merger killed in the middle of a merge, and the merger paused.
 */
export const mergeRace = defineScenario({
  name: 'merge-race',
  summary: 'Writers and a merger/consumer run concurrently on a short period (scenario 2 of the original analysis: the merge misses or half-reads a file).',
  risk: 'medium',
  // Long enough a writing phase for several merges to run beside the writers, around the merger's
  // 150 ms pause: since writers start together (the start barrier), 20 records at 10 ms took ~290 ms on
  // an idle machine, the pause covered half of it, and append-log's compactor folded only twice: its
  // crash at the 7th merge point never fired and the cell was rightly `unknown`. 20 ms leaves ~300 ms
  // of writing outside the pause.
  thinkMs: 20,
  backgroundRoles: ['merger', 'consumer'],
  faultsSummary: 'slow writes on every writer (30% of writes +5 ms); the merger crashes at the read of its 3rd fold (`merge:*-read`), the consumer at its 7th consume point (the 3rd fold or batch: the first ones race the writers); merger and consumer paused 150 ms at a seeded time (100–300 ms); the merger stopped at its first `merge:main-published` point (main published, inputs not yet deleted) until a writer has acked 2 more records (a file published after the merge listed), at most a third of the lock stale time (1.7 s by default); optional',
  defaultFaults: ({ random, lockStaleMs }) => [
    // A perturbation only: writers that never write through ctx.io (the queue's) are not hit, and need not be.
    { kind: 'slow-io', target: 'writers', op: 'write', path: '', probability: 0.3, delay: 5, optional: true },
    // Each strategy has a merger, a consumer or neither; whichever runs must be crashed and paused.
    // The merger crashes at its 3rd fold's read (before it publishes): counted over every merge point, a fold of
    // many inputs (the one the window below holds open gathers them) crashed among its deletions, and
    // whether the unmerged inputs went before the crash depended on their names.
    { kind: 'crash-point', target: 'merger', point: 'merge:*-read', nth: 3, optional: 'if-absent' },
    { kind: 'crash-point', target: 'consumer', point: 'consume:*', nth: 7, optional: 'if-absent' },
    { kind: 'pause', target: 'merger', at: Math.round(random.between(100, 300)), duration: 150, optional: 'if-absent' },
    { kind: 'pause', target: 'consumer', at: Math.round(random.between(100, 300)), duration: 150, optional: 'if-absent' },
    // The merge's race window held open: files published while the merger is stopped after publishing
    // main and before it cleans up are deleted unmerged by a merger that lists again (the seed's
    // scenario 2, on every seed). Held until one writer acks twice: its second file was written wholly
  // after the stop, so the merge never listed it. Optional: only incremental-file's merger has the point.
    { kind: 'pause', target: 'merger', point: 'merge:main-published', nth: 1, duration: windowPauseMs(lockStaleMs), until: { op: 'ack', count: 2 }, optional: true },
  ],
});
