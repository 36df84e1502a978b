/**
 * The MemSync client: one method per endpoint of MemSync as emulators/README.md describes it, on its
 * own transport (pool, bulkhead, breaker). Paths are relative to the configured base URL, which
 * carries MemSync's `/v1`. The methods live by resource group (`memories.ts`, `profile.ts`), on
 * what `scope.ts` gives them: whose key a call carries and the checks made before it is sent.
 */
import { createUpstreamTransport } from '../transport/index.js';
import type { MemSyncClient, MemSyncClientConfig } from '../types.js';
import { deleteMemories, listMemories, searchMemories, storeMemories, updateMemory } from './memories.js';
import { checkApiKey, getBio, getProfile, updateBio } from './profile.js';
import { createMemSyncCall } from './scope.js';

export function createMemSyncClient(config: MemSyncClientConfig): MemSyncClient {
  const scoping = config.scoping ?? 'key';
  const operatorKey = scoping === 'user-param' ? (config.apiKey ?? '') : '';
  const transport = createUpstreamTransport('memsync', config.baseUrl, operatorKey, config.options);
  const call = createMemSyncCall({ transport, scoping, keyOf: config.keyOf ?? (async () => null), agentId: config.agentId ?? 'memgate' });
  return {
    service: 'memsync',
    getBio: (user, query, opts) => getBio(call, user, query, opts),
    storeMemories: (user, input, opts) => storeMemories(call, user, input, opts),
    searchMemories: (user, query, opts) => searchMemories(call, user, query, opts),
    getProfile: (user, query, opts) => getProfile(call, user, query, opts),
    listMemories: (user, query, opts) => listMemories(call, user, query, opts),
    updateMemory: (user, id, update, opts) => updateMemory(call, user, id, update, opts),
    deleteMemories: (user, ids, opts) => deleteMemories(call, user, ids, opts),
    updateBio: (user, input, opts) => updateBio(call, user, input, opts),
    checkApiKey: (apiKey, opts) => checkApiKey(call, apiKey, opts),
    close: () => transport.close(),
  };
}
