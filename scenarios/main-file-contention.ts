import { defineScenario } from './api.js';

/** Seed scenario 1: many writers, one destination, highest write rate. */
export const mainFileContention = defineScenario({
  name: 'main-file-contention',
  summary: 'All writers save into one main file as fast as they can (seed scenario 1: B overwrites A\'s update).',
  risk: 'high',
  thinkMs: 0,
  backgroundRoles: ['merger', 'consumer'],
});
