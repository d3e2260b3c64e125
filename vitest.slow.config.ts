import { defineConfig, mergeConfig } from 'vitest/config';
import base from './vitest.config.js';

/**
 * `npm run test:slow`: the long end-to-end matrices on real processes (tens of seconds to minutes a file),
 * kept out of `npm test` so that it stays a few minutes on 2 cores. CI (`.ci/run`) runs both.
 */
export default mergeConfig(base, defineConfig({
  test: { include: ['test/slow/**/*.test.ts'], exclude: ['**/node_modules/**'] },
}));
