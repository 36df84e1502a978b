/**
 * The MemSync client: one method per endpoint of the contract (shared/upstream-api.md), on its
 * own transport (pool, bulkhead, breaker). The user name travels as `user_id` (query parameter
 * for GET, body field for POST), never in a path or a header.
 */
import { InputRejected, type UpstreamError } from '../errors.js';
import { createUpstreamTransport, type UpstreamRequest } from '../transport.js';
import type {
  Bio,
  BioQuery,
  MemSyncClient,
  MemorySearchResult,
  StoreMemoriesResult,
  UpstreamClientConfig,
} from '../types.js';
import { BIO_FORMATS, BIO_STYLES, MESSAGE_ROLES, USER_NAME, isValidUserName } from '../vocabulary.js';
import { readBio, readMemorySearch, readStoredMemories } from './schemas.js';

const ROLES: readonly string[] = MESSAGE_ROLES;

export function createMemSyncClient(config: UpstreamClientConfig): MemSyncClient {
  const transport = createUpstreamTransport('memsync', config.baseUrl, config.apiKey, config.options);

  const rejectInput = (endpoint: string, message: string): UpstreamError => transport.coerce(new InputRejected(message), endpoint);
  const checkUser = (endpoint: string, user: string) => {
    if (!isValidUserName(user)) throw rejectInput(endpoint, USER_NAME.message);
  };

  return {
    service: 'memsync',

    async getBio(user, query: BioQuery = {}, opts): Promise<Bio> {
      // A refresh has an endpoint name of its own: its 429 means the regeneration cooldown.
      const endpoint = query.refresh ? 'bioRefresh' : 'bio';
      checkUser(endpoint, user);
      if (query.format !== undefined && !BIO_FORMATS.includes(query.format)) throw rejectInput(endpoint, `format must be one of ${BIO_FORMATS.join(', ')}`);
      if (query.style !== undefined && !BIO_STYLES.includes(query.style)) throw rejectInput(endpoint, `style must be one of ${BIO_STYLES.join(', ')}`);
      const req: UpstreamRequest = {
        endpoint,
        method: 'GET',
        path: '/v1/profile/bio',
        query: {
          user_id: user,
          format: query.format,
          style: query.style,
          refresh: query.refresh ? 'true' : undefined,
          exclude_categories: query.excludeCategories?.length ? query.excludeCategories.join(',') : undefined,
        },
        // A refresh regenerates (and starts a cooldown): replayed only if it never got there.
        retry: query.refresh ? 'unsent' : 'safe',
        ownNotFound: (body) => body.upstreamCode === 'BIO_NOT_FOUND',
        signal: opts?.signal,
      };
      // 404 BIO_NOT_FOUND is thrown as NOT_FOUND with details.suggestion and details.currentMemoryCount.
      return transport.requestJson(req, (res) => readBio(res.body));
    },

    async storeMemories(user, input, opts): Promise<StoreMemoriesResult> {
      checkUser('memories', user);
      const messages = input?.messages;
      if (!Array.isArray(messages) || messages.length === 0) throw rejectInput('memories', 'messages must not be empty');
      messages.forEach((m, i) => {
        if (!m || !ROLES.includes(m.role) || typeof m.content !== 'string') {
          throw rejectInput('memories', `messages[${i}] must have a role (user, assistant, system) and a string content`);
        }
      });
      return transport.requestJson(
        {
          endpoint: 'memories',
          method: 'POST',
          path: '/v1/memories',
          json: {
            messages: messages.map((m) => ({ role: m.role, content: m.content })),
            user_id: user,
            agent_id: input.agentId,
            thread_id: input.threadId,
            source: input.source,
            metadata: input.metadata,
          },
          // A memory write is replayed only when it provably never reached MemSync.
          retry: 'unsent',
          signal: opts?.signal,
        },
        (res) => readStoredMemories(res.body),
      );
    },

    async searchMemories(user, query, opts): Promise<MemorySearchResult> {
      checkUser('memoriesSearch', user);
      if (typeof query?.query !== 'string' || query.query.trim() === '') throw rejectInput('memoriesSearch', 'query must not be empty');
      const limit = query.limit ?? 10;
      if (!Number.isInteger(limit) || limit < 1 || limit > 100) throw rejectInput('memoriesSearch', 'limit must be an integer from 1 to 100');
      return transport.requestJson(
        {
          endpoint: 'memoriesSearch',
          method: 'POST',
          path: '/v1/memories/search',
          json: {
            query: query.query,
            user_id: user,
            limit,
            categories: query.categories?.length ? query.categories : undefined,
            rerank: query.rerank,
            include_bio: query.includeBio,
          },
          // A POST is replayed only when it provably never reached MemSync (issue 4's rule), even a read-only one.
          retry: 'unsent',
          acceptStatuses: [404],
          ownNotFound: (body) => body.upstreamCode === 'NO_MEMORIES_FOUND',
          signal: opts?.signal,
        },
        (res) => (res.status === 404 ? { userBio: null, memories: [] } : readMemorySearch(res.body)),
      );
    },

    close: () => transport.close(),
  };
}
