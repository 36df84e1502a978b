/**
 * What every MemSync call stands on: whose memory it is about and the checks made before anything
 * is sent. With `scoping: 'key'` (the default) every call is made with the MemSync API key of that
 * user (`keyOf`), and a user without one gets NOT_CONNECTED with nothing sent; never the
 * operator's key, never another user's. With `scoping: 'user-param'` the operator's key is sent
 * with the user as `user_id` (query parameter for GET, body field for POST).
 */
import { UpstreamError } from '../errors.js';
import { inputChecks, type InputChecks } from '../input-checks.js';
import type { UpstreamRequest, UpstreamTransport } from '../transport/index.js';
import type { MemSyncScoping } from '../types.js';
import { BIO_FORMATS, BIO_STYLES, MEMORY_CATEGORY_NAMES, MEMORY_ID, type BioFormat, type BioStyle } from '../vocabulary.js';

/** Who a request is for: the key to send, and the `user_id` to add in user-param mode. */
export interface Scope {
  apiKey?: string;
  userId?: string;
}

/** A transport, the checks, and the scope of each user: what the method groups are given. */
export interface MemSyncCall {
  readonly transport: UpstreamTransport;
  readonly check: MemSyncChecks;
  /** The `agent_id` stored with memories when the caller names none. */
  readonly agentId: string;
  /** Checks the user name and finds the user's scope; NOT_CONNECTED when the user has no key. */
  scopeOf(endpoint: string, user: string): Promise<Scope>;
  /** The request with the user's key, or with `user_id` in user-param mode. */
  withScope(req: UpstreamRequest, scope: Scope): UpstreamRequest;
}

/** MemSync's own checks besides the shared ones. */
export interface MemSyncChecks extends InputChecks {
  /** A memory id goes into a path, as a file id does: the same rule. */
  memoryId(endpoint: string, id: string): void;
  category(endpoint: string, category: string | undefined): void;
  formatStyle(endpoint: string, format: BioFormat | undefined, style: BioStyle | undefined): void;
}

function memsyncChecks(check: InputChecks): MemSyncChecks {
  return {
    ...check,
    memoryId(endpoint, id) {
      if (!MEMORY_ID.pattern.test(id)) throw check.reject(endpoint, `memory id ${MEMORY_ID.message}`);
    },
    category: (endpoint, category) => check.oneOf(endpoint, 'category', category, MEMORY_CATEGORY_NAMES),
    formatStyle(endpoint, format, style) {
      check.oneOf(endpoint, 'format', format, BIO_FORMATS);
      check.oneOf(endpoint, 'style', style, BIO_STYLES);
    },
  };
}

export interface MemSyncCallOptions {
  transport: UpstreamTransport;
  scoping: MemSyncScoping;
  keyOf: (user: string) => Promise<string | null>;
  agentId: string;
}

export function createMemSyncCall({ transport, scoping, keyOf, agentId }: MemSyncCallOptions): MemSyncCall {
  const check = memsyncChecks(inputChecks(transport));
  return {
    transport,
    check,
    agentId,
    async scopeOf(endpoint, user) {
      check.user(endpoint, user);
      if (scoping === 'user-param') return { userId: user };
      const apiKey = await keyOf(user);
      if (!apiKey) {
        throw new UpstreamError(`memsync ${endpoint}: the user has not connected a MemSync account`, { code: 'NOT_CONNECTED', service: 'memsync', endpoint });
      }
      return { apiKey };
    },
    withScope(req, scope) {
      const scoped: UpstreamRequest = scope.apiKey ? { ...req, apiKey: scope.apiKey } : { ...req };
      if (scope.userId !== undefined) {
        if (req.method === 'GET') scoped.query = { ...req.query, user_id: scope.userId };
        else scoped.json = { ...(req.json as Record<string, unknown>), user_id: scope.userId };
      }
      return scoped;
    },
  };
}
