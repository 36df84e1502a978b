/**
 * Caller authentication, shared by HTTP requests and graphql-ws `connection_init`:
 * `authenticate({ authorization, apiKey })` returns the caller or throws an AuthenticationError.
 * End users: `Authorization: Bearer <JWT>` (HS256 with MEMGATE_JWT_SECRET, or a JWKS URL), `sub` is
 * the user's name. Trusted back-ends: `X-Api-Key` from MEMGATE_SERVICE_KEYS (constant-time compare).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { GraphQLError } from 'graphql';
import { createRemoteJWKSet, errors as joseErrors, jwtVerify, type JWTVerifyGetKey } from 'jose';
import type { AuthConfig } from '../config.js';
import type { Caller } from '../schema/context.js';
import { isValidUserName } from '../memory/input-rules.js';

export type AuthenticationReason =
  | 'MISSING_CREDENTIALS'
  | 'MALFORMED_TOKEN'
  | 'INVALID_TOKEN'
  | 'EXPIRED_TOKEN'
  | 'INVALID_SUBJECT'
  | 'INVALID_API_KEY'
  | 'JWT_NOT_CONFIGURED';

/** `UNAUTHENTICATED`, HTTP 401. `reason` says which check failed (safe to show). */
export class AuthenticationError extends GraphQLError {
  constructor(
    readonly reason: AuthenticationReason,
    message: string,
  ) {
    super(message, { extensions: { code: 'UNAUTHENTICATED', reason, http: { status: 401 } } });
    this.name = 'AuthenticationError';
  }
}

export interface Credentials {
  /** The `Authorization` header (or graphql-ws payload field): `Bearer <JWT>`. */
  authorization?: string | null | undefined;
  /** The `X-Api-Key` header (or graphql-ws payload field). */
  apiKey?: string | null | undefined;
}

export interface Authenticator {
  authenticate(credentials: Credentials): Promise<Caller>;
}

const sha256 = (value: string) => createHash('sha256').update(value).digest();

export function createAuthenticator(auth: AuthConfig): Authenticator {
  // Hash both sides so the compare is constant-time regardless of the presented key's length.
  const serviceKeys = auth.serviceKeys.map((key) => ({ digest: sha256(key), id: sha256(key).toString('hex').slice(0, 8) }));
  let key: Uint8Array | JWTVerifyGetKey | null = null;
  if (auth.jwksUrl) key = createRemoteJWKSet(new URL(auth.jwksUrl));
  else if (auth.jwtSecret) key = new TextEncoder().encode(auth.jwtSecret);
  const algorithms = auth.jwksUrl ? ['RS256', 'RS384', 'RS512', 'PS256', 'ES256', 'ES384', 'EdDSA'] : ['HS256'];

  async function verifyJwt(token: string): Promise<Caller> {
    if (!key) throw new AuthenticationError('JWT_NOT_CONFIGURED', 'This gateway does not accept bearer tokens; use X-Api-Key');
    if (!/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/.test(token)) {
      throw new AuthenticationError('MALFORMED_TOKEN', 'The bearer token is not a JWT');
    }
    try {
      const { payload } =
        typeof key === 'function'
          ? await jwtVerify(token, key, { algorithms, requiredClaims: ['sub', 'exp'] })
          : await jwtVerify(token, key, { algorithms, requiredClaims: ['sub', 'exp'] });
      const sub = payload.sub;
      if (typeof sub !== 'string' || !isValidUserName(sub)) {
        throw new AuthenticationError('INVALID_SUBJECT', 'The token subject is not a valid user name');
      }
      return { kind: 'user', name: sub, expiresAt: typeof payload.exp === 'number' ? new Date(payload.exp * 1000) : null };
    } catch (error) {
      if (error instanceof AuthenticationError) throw error;
      if (error instanceof joseErrors.JWTExpired) throw new AuthenticationError('EXPIRED_TOKEN', 'The token has expired');
      if (error instanceof joseErrors.JWSInvalid || error instanceof joseErrors.JWTInvalid) {
        throw new AuthenticationError('MALFORMED_TOKEN', 'The bearer token is not a valid JWT');
      }
      throw new AuthenticationError('INVALID_TOKEN', 'The token could not be verified');
    }
  }

  function verifyApiKey(presented: string): Caller {
    const digest = sha256(presented);
    let match: string | null = null;
    for (const k of serviceKeys) if (timingSafeEqual(digest, k.digest)) match = k.id;
    if (!match) throw new AuthenticationError('INVALID_API_KEY', 'The API key is not valid');
    return { kind: 'service', keyId: match };
  }

  return {
    async authenticate({ authorization, apiKey }) {
      if (apiKey) return verifyApiKey(apiKey);
      if (authorization) {
        const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
        if (!match?.[1]) throw new AuthenticationError('MALFORMED_TOKEN', 'The Authorization header must be "Bearer <JWT>"');
        return verifyJwt(match[1]);
      }
      throw new AuthenticationError(
        'MISSING_CREDENTIALS',
        'Authentication required: send "Authorization: Bearer <JWT>" or "X-Api-Key: <service key>"',
      );
    },
  };
}
