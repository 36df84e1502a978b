/** What an operation of one request stands on: the shared parts, the request's loaders and its signal. */
import type { Loaders } from './loaders.js';
import type { MemoryDeps } from './user-memory.js';

export interface Operation {
  deps: MemoryDeps;
  load: Loaders;
  signal: AbortSignal;
}
