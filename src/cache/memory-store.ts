import { LRUCache } from 'lru-cache';
import type { CacheStore } from './cache-store.js';

export interface MemoryCacheStoreOptions {
  /** Most entries kept; the least recently used go first. @default 10000 */
  maxEntries?: number;
}

interface Entry {
  namespace: string;
  value: unknown;
}

const separator = '\u0000';

/** The in-process store (lru-cache): per-entry TTLs, bounded size, namespace invalidation. */
export function createMemoryCacheStore(options: MemoryCacheStoreOptions = {}): CacheStore {
  // Which keys each namespace holds, kept in step with the LRU through `dispose`.
  const index = new Map<string, Set<string>>();
  const entries = new LRUCache<string, Entry>({
    max: options.maxEntries ?? 10_000,
    dispose: (entry, key) => {
      const keys = index.get(entry.namespace);
      if (!keys) return;
      keys.delete(key);
      if (keys.size === 0) index.delete(entry.namespace);
    },
  });

  return {
    async get(namespace, field) {
      return entries.get(namespace + separator + field)?.value;
    },
    async set(namespace, field, value, ttlMs) {
      if (!(ttlMs > 0)) return;
      const key = namespace + separator + field;
      entries.set(key, { namespace, value }, { ttl: ttlMs });
      let keys = index.get(namespace);
      if (!keys) index.set(namespace, (keys = new Set()));
      keys.add(key);
    },
    async invalidate(namespaces) {
      for (const namespace of namespaces) {
        const keys = index.get(namespace);
        if (!keys) continue;
        for (const key of [...keys]) entries.delete(key);
        index.delete(namespace);
      }
    },
    async close() {
      entries.clear();
      index.clear();
    },
  };
}
