import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';

describe('cache and live-update settings', () => {
  it('default to a 30 s cache of 10,000 entries, 1 s polling and the memgate: Redis prefix', () => {
    const config = loadConfig({});
    expect(config.cache).toEqual({ ttlMs: 30_000, maxEntries: 10_000 });
    expect(config.live).toEqual({ pollIntervalMs: 1_000, eventsPollIntervalMs: 5_000, eventsWindow: 200 });
    expect(config.redisPrefix).toBe('memgate:');
    expect(config.redisUrl).toBeNull();
  });

  it('read MEMGATE_CACHE_TTL_SECONDS, MEMGATE_CACHE_MAX_ENTRIES, MEMGATE_FILE_POLL_MS and MEMGATE_REDIS_PREFIX', () => {
    const config = loadConfig({
      MEMGATE_CACHE_TTL_SECONDS: '0.5',
      MEMGATE_CACHE_MAX_ENTRIES: '50',
      MEMGATE_FILE_POLL_MS: '250',
      MEMGATE_REDIS_PREFIX: 'tenant-a:',
      REDIS_URL: 'redis://127.0.0.1:6379',
    });
    expect(config.cache).toEqual({ ttlMs: 500, maxEntries: 50 });
    expect(config.live.pollIntervalMs).toBe(250);
    expect(config.redisPrefix).toBe('tenant-a:');
    expect(config.redisUrl).toBe('redis://127.0.0.1:6379');
  });

  it('read REDIS_CLUSTER_NODES as the seeds of a Redis Cluster, instead of REDIS_URL', () => {
    const config = loadConfig({ REDIS_CLUSTER_NODES: '127.0.0.1:7000, redis-b.internal:7001' });
    expect(config.redisClusterNodes).toEqual([{ host: '127.0.0.1', port: 7000 }, { host: 'redis-b.internal', port: 7001 }]);
    expect(config.redisUrl).toBeNull();
    expect(loadConfig({}).redisClusterNodes).toBeNull();
  });

  it('refuse cluster seeds that are not host:port, and both REDIS_URL and REDIS_CLUSTER_NODES at once', () => {
    expect(() => loadConfig({ REDIS_CLUSTER_NODES: 'redis://127.0.0.1:7000' })).toThrow(/REDIS_CLUSTER_NODES: must be comma-separated host:port/);
    expect(() => loadConfig({ REDIS_CLUSTER_NODES: '127.0.0.1:70000' })).toThrow(/REDIS_CLUSTER_NODES/);
    expect(() => loadConfig({ REDIS_CLUSTER_NODES: '127.0.0.1:7000', REDIS_URL: 'redis://127.0.0.1:6379' })).toThrow(/REDIS_URL, REDIS_CLUSTER_NODES: set one of them/);
  });

  it('names the variable of a bad value', () => {
    expect(() => loadConfig({ MEMGATE_CACHE_TTL_SECONDS: 'soon' })).toThrow(ConfigError);
    expect(() => loadConfig({ MEMGATE_CACHE_TTL_SECONDS: 'soon' })).toThrow(/MEMGATE_CACHE_TTL_SECONDS: must be a number of seconds/);
    expect(() => loadConfig({ MEMGATE_FILE_POLL_MS: '1' })).toThrow(/MEMGATE_FILE_POLL_MS: must be at least 10/);
    expect(() => loadConfig({ MEMGATE_REDIS_PREFIX: 'has space' })).toThrow(/MEMGATE_REDIS_PREFIX/);
  });
});
