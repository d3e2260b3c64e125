import { defineConfig } from 'vitest/config';
import base from './vitest.config.js';

/** `npm run test:hazards`: every unsafe built-in variant under its scenario on 20 seeds (minutes, not seconds). */
export default defineConfig({
  test: { ...base.test, include: ['test/hazards/**/*.test.ts'], exclude: ['**/node_modules/**'] },
});
