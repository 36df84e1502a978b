/**
 * Ends every open subscription of an end user when the user's token expires: at the JWT's `exp`,
 * the subscription sends one last result holding an `UNAUTHENTICATED` error (reason
 * `EXPIRED_TOKEN`), its source is closed (aborting any upstream stream behind it) and it completes.
 * Works the same over graphql-ws and SSE, for every `Subscription` field. Service keys do not expire.
 */
import type { ExecutionResult } from 'graphql';
import { isAsyncIterable, Repeater, type Plugin } from 'graphql-yoga';
import type { GraphContext } from '../schema/context.js';
import { AuthenticationError } from './auth.js';

/** setTimeout's longest delay; longer waits are chained. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Calls `callback` at `at`; returns a function that cancels it. */
function at(when: Date, callback: () => void): () => void {
  let timer: NodeJS.Timeout | undefined;
  const arm = () => {
    const remaining = when.getTime() - Date.now();
    if (remaining <= 0) return callback();
    timer = setTimeout(arm, Math.min(remaining, MAX_TIMER_MS));
  };
  arm();
  return () => clearTimeout(timer);
}

function endAt<T>(source: AsyncIterable<T>, expiresAt: Date): AsyncIterable<T | ExecutionResult> {
  return new Repeater<T | ExecutionResult>(async (push, stop) => {
    const iterator = source[Symbol.asyncIterator]();
    let ending: 'stopped' | 'expired' | null = null;
    // Wakes the pending wait below. One fresh promise per value, rather than racing long-lived
    // promises, so nothing accumulates on a subscription that lives for thousands of events.
    let wake = () => {};
    const end = (why: 'stopped' | 'expired') => {
      ending ??= why;
      wake();
    };
    void stop.then(() => end('stopped'));
    const cancelTimer = at(expiresAt, () => end('expired'));
    try {
      while (!ending) {
        const next = await new Promise<IteratorResult<T> | null>((resolve, reject) => {
          wake = () => resolve(null);
          iterator.next().then(resolve, reject);
        });
        if (next === null || next.done || ending) break;
        await push(next.value);
      }
      if (ending === 'expired') await push({ errors: [new AuthenticationError('EXPIRED_TOKEN', 'The token has expired')] });
      stop();
    } catch (error) {
      stop(error);
    } finally {
      cancelTimer();
      // Not awaited: a source busy in an await finishes its own way once its upstream is aborted.
      void Promise.resolve(iterator.return?.()).catch(() => {});
    }
  });
}

/** Ends end users' subscriptions at their token's expiry time with `UNAUTHENTICATED`. */
export function useSubscriptionExpiry(): Plugin<GraphContext> {
  return {
    onSubscribe({ args }) {
      const caller = (args.contextValue as Partial<GraphContext>).caller;
      const expiresAt = caller?.kind === 'user' ? caller.expiresAt : null;
      if (!expiresAt) return;
      return {
        onSubscribeResult({ result, setResult }) {
          if (isAsyncIterable(result)) setResult(endAt(result, expiresAt) as typeof result);
        },
      };
    },
  };
}
