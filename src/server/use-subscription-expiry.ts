/**
 * Ends every open subscription of an end user when the user's token expires: at the JWT's `exp`,
 * the subscription sends one last result holding an `UNAUTHENTICATED` error (reason
 * `EXPIRED_TOKEN`), its source is closed (aborting any upstream stream behind it) and it completes.
 * Works the same over graphql-ws and SSE, for every `Subscription` field. Service keys do not expire.
 */
import type { ExecutionResult } from 'graphql';
import { isAsyncIterable, type Plugin } from 'graphql-yoga';
import type { GraphContext } from '../schema/context.js';
import { AuthenticationError } from './auth.js';
import { GatewayStream } from './gateway-stream.js';

const expired = (): ExecutionResult => ({ errors: [new AuthenticationError('EXPIRED_TOKEN', 'The token has expired')] });

/** Ends end users' subscriptions at their token's expiry time with `UNAUTHENTICATED`. */
export function useSubscriptionExpiry(): Plugin<GraphContext> {
  return {
    onSubscribe({ args }) {
      const caller = (args.contextValue as Partial<GraphContext>).caller;
      const expiresAt = caller?.kind === 'user' ? caller.expiresAt : null;
      if (!expiresAt) return;
      return {
        onSubscribeResult({ result, setResult }) {
          if (isAsyncIterable(result)) setResult(GatewayStream.of(result).endAt(expiresAt, expired));
        },
      };
    },
  };
}
