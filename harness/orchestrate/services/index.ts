/** The services a cell's strategy declared: started (or reached) before its processes, stopped after. */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { redisDurabilities, type ServiceEndpoints, type ServiceNeeds } from '../../sdk/services.js';
import type { CellServiceInfo } from '../../result/result.js';
import { findRedisServer, requireServerVersion, requireUrlVersion, startRedis, useExistingRedis, type RedisService } from './redis-server.js';

export interface CellServices {
  /** What every process of the cell is given (before any per-process fault proxy). */
  endpoints: ServiceEndpoints;
  redis: RedisService | undefined;
  /** For the result: which backend, which server, which durability. */
  info: CellServiceInfo;
  stop(): Promise<void>;
}

/**
 * Fails before anything runs when a needed service cannot be had: no redis-server on PATH and no
 * --redis-url, or a Redis older than the backends need.
 */
export async function checkServicesAvailable(needs: ServiceNeeds, redisUrl: string | null): Promise<void> {
  if (!needs.redis) return;
  if (redisUrl) await requireUrlVersion(redisUrl);
  else requireServerVersion(findRedisServer());
}

export async function startServices(needs: ServiceNeeds, options: { stateDir: string; cellDir: string; redisUrl: string | null }): Promise<CellServices> {
  if (!needs.redis) return { endpoints: {}, redis: undefined, info: {}, stop: async () => {} };
  const { durability } = needs.redis;
  const redis = options.redisUrl ? await useExistingRedis(options.redisUrl, durability) : await startRedis(join(options.stateDir, 'redis'), durability);
  // Keys of one cell never meet another's, even on a shared server.
  const keyPrefix = `parquet-chaos:${createHash('sha256').update(options.cellDir).digest('hex').slice(0, 12)}:`;
  return {
    endpoints: { redis: { url: redis.url, keyPrefix, durability } },
    redis,
    info: { redis: { version: redis.version, managed: redis.managed, url: redis.url, durability, promise: redisDurabilities[durability].promise } },
    stop: () => redis.stop(),
  };
}
