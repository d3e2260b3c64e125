import { defineConfig } from 'vitest/config';
import base from './vitest.config.js';

/**
 * `npm run test:slow`: the long end-to-end matrices on real processes (tens of seconds to minutes a file),
 * kept out of `npm test` so that it stays a few minutes on 2 cores. CI (`.ci/run`) runs both. The base's
 * settings are spread rather than merged: mergeConfig would append to its exclude list, which names test/slow/.
 */
export default defineConfig({
  test: { ...base.test, include: ['test/slow/**/*.test.ts'], exclude: ['**/node_modules/**'] },
});
