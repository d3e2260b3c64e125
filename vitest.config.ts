import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // test/hazards/: measurements over many seeds (`npm run test:hazards`); test/slow/: the long end-to-end
    // matrices (`npm run test:slow`, which CI also runs). Both are too long for the suite.
    exclude: ['test/hazards/**', 'test/slow/**', '**/node_modules/**'],
    // Property tests: seeds printed on failure, FC_SEED / FC_PATH replay one (test/support/fast-check.ts).
    setupFiles: ['test/support/fast-check.ts'],
    // End-to-end tests spawn real processes; two files at a time is what 2 cores can take.
    maxWorkers: 2,
    testTimeout: 120_000,
    hookTimeout: 60_000,
  },
});
