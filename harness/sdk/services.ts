/**
 * Services a strategy may need beside files (a Redis server). A strategy declares what it needs; the
 * harness starts (or points at) the service for each cell and hands every process an endpoint in
 * `ctx.services`. Strategies never start or address a server themselves.
 */

/**
 * How Redis makes an accepted write durable, and what each setting honestly promises when Redis
 * itself dies. A SIGKILL of redis-server keeps the page cache; a power loss does not.
 */
export const redisDurabilities = {
  always: {
    config: ['--appendonly', 'yes', '--appendfsync', 'always'],
    survivesRedisKill: true,
    promise: 'AOF written and fsynced before Redis replies: an accepted entry survives a Redis kill and a power loss',
  },
  everysec: {
    config: ['--appendonly', 'yes', '--appendfsync', 'everysec'],
    survivesRedisKill: false,
    promise: 'AOF fsynced about once a second: a kill usually loses nothing, but while a slow fsync is in flight Redis delays its AOF write up to 2 s and still replies, so up to 2 s of accepted entries can be lost (a power loss: up to ~2 s)',
  },
  no: {
    config: ['--appendonly', 'no'],
    survivesRedisKill: false,
    promise: 'memory only (no AOF, no snapshots): a Redis kill loses every accepted entry not yet consumed',
  },
} as const satisfies Record<string, { config: readonly string[]; survivesRedisKill: boolean; promise: string }>;

export type RedisDurability = keyof typeof redisDurabilities;
export const redisDurabilityNames = Object.keys(redisDurabilities) as RedisDurability[];

export interface RedisNeed {
  durability: RedisDurability;
}

/** What a strategy asks the harness to provide for a cell. */
export interface ServiceNeeds {
  redis?: RedisNeed;
}

export interface RedisEndpoint {
  /** redis://127.0.0.1:PORT: the server, or this process's own fault proxy in front of it. */
  url: string;
  /** Prefix for every key of the cell, so cells can share a server given with --redis-url. */
  keyPrefix: string;
  durability: RedisDurability;
}

/** What the harness provides to a process: an endpoint per needed service. */
export interface ServiceEndpoints {
  redis?: RedisEndpoint;
}
