import { defineStrategy } from '../../../sdk/strategy.js';

/**
 * Acks every record at once and saves nothing: the in-process twin of the foreign no-op writers in
 * this folder, so that `bench --parts protocol` can tell what writer protocol 1 itself costs.
 */
export default defineStrategy({
  name: 'ack-only',
  summary: 'bench only: acks every record at once, saves nothing (in-process)',
  options: {},
  guarantees: () => ({ noLostAcked: false, noDuplicates: false, noCorruption: false }),
  writer: () => ({ write: async (record) => [record.id] }),
});
