/**
 * Who is on a socket: the `connection_init` payload's `authorization` (`Bearer <JWT>`) or `apiKey`,
 * checked by the same authenticator as HTTP. The ack's payload names the caller (`{ user, expiresAt }`
 * for a JWT, so a front-end knows when to reconnect with a fresh token; `{ service: true }` for a
 * service key); bad credentials close the socket with 4403.
 */
import { GraphQLError } from 'graphql';
import { CloseCode, type ConnectionInitMessage, type Context } from 'graphql-ws';
import type { Caller } from '../../schema/context.js';
import type { Credentials } from '../auth.js';
import type { Extra } from './use-server.js';

export type InitPayload = NonNullable<ConnectionInitMessage['payload']>;
export type SocketContext = Context<InitPayload, Extra>;

/** What graphql-ws needs from the credential checker: the same one HTTP requests use. */
export interface WsAuthenticator {
  authenticate(credentials: Credentials): Promise<Caller>;
}

/** Close reasons are limited to 123 bytes by RFC 6455. */
export function closeReason(message: string): string {
  // 117 bytes, so that a multi-byte character cut in two (then U+FFFD, 3 bytes) still fits.
  return Buffer.byteLength(message) <= 123 ? message : `${Buffer.from(message).subarray(0, 117).toString()}...`;
}

export function credentialsOf(payload: InitPayload | undefined): Credentials {
  const text = (v: unknown) => (typeof v === 'string' && v.length > 0 ? v : undefined);
  return { authorization: text(payload?.['authorization']), apiKey: text(payload?.['apiKey']) };
}

/** graphql-ws `onConnect`: the ack payload, or false after closing with 4403. */
export function authenticateConnection(authenticator: WsAuthenticator) {
  return async (ctx: SocketContext): Promise<Record<string, unknown> | false> => {
    try {
      const caller = await authenticator.authenticate(credentialsOf(ctx.connectionParams));
      return caller.kind === 'user' ? { user: caller.name, expiresAt: caller.expiresAt?.toISOString() ?? null } : { service: true };
    } catch (error) {
      const message = error instanceof GraphQLError ? error.message : 'Forbidden';
      ctx.extra.socket.close(CloseCode.Forbidden, closeReason(`Forbidden: ${message}`));
      return false;
    }
  };
}
