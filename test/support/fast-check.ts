import fc from 'fast-check';

/**
 * Every property test's fast-check settings (a vitest setup file). A failure prints the seed and the
 * shrink path with the counterexample; run the same case again with
 * `FC_SEED=<seed> FC_PATH=<path> npx vitest run <file> -t '<test name>'`. FC_RUNS raises the number of runs.
 */
const seed = process.env.FC_SEED;
const path = process.env.FC_PATH;
const runs = process.env.FC_RUNS;

fc.configureGlobal({
  ...(seed !== undefined && seed !== '' ? { seed: Number(seed) } : {}),
  ...(path !== undefined && path !== '' ? { path } : {}),
  ...(runs !== undefined && runs !== '' ? { numRuns: Number(runs) } : {}),
  verbose: fc.VerbosityLevel.Verbose,
});
