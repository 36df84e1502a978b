/**
 * A small key-value store for cached upstream reads. Entries live in namespaces (one per user and
 * kind of read, e.g. `profile` of `alex`) so that a write can drop every entry of a namespace at
 * once, whatever the arguments of the cached reads were.
 */
export interface CacheStore {
  /** `undefined` on a miss or an expired entry. */
  get(namespace: string, field: string): Promise<unknown>;
  /** Stores `value` (plain data; `Date`s survive) for `ttlMs`. */
  set(namespace: string, field: string, value: unknown, ttlMs: number): Promise<void>;
  /** Drops every entry of these namespaces. */
  invalidate(namespaces: readonly string[]): Promise<void>;
  close(): Promise<void>;
}
