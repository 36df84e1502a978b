/**
 * Graceful shutdown. `createShutdown()` holds the state every part consults; `useGracefulShutdown`
 * ends each open subscription (graphql-ws or SSE) with a last `SHUTTING_DOWN` error once shutdown
 * begins, and refuses new ones; `drainHttpServer` stops accepting connections, lets in-flight
 * requests finish within a timeout, then cuts what is left.
 *
 * The order (see src/app.ts `stop`): begin -> stop accepting -> subscriptions end with
 * SHUTTING_DOWN -> sockets closed with 1001 -> in-flight requests drained -> pools and Redis closed.
 */
import { setMaxListeners } from 'node:events';
import type { Server } from 'node:http';
import { GraphQLError, type ExecutionResult } from 'graphql';
import { isAsyncIterable, type Plugin } from 'graphql-yoga';
import { GatewayStream } from './gateway-stream.js';

export const SHUTTING_DOWN = 'SHUTTING_DOWN';

/** `SHUTTING_DOWN`, HTTP 503: the gateway is stopping; retry on another instance. */
export function shuttingDownError(): GraphQLError {
  return new GraphQLError('The gateway is shutting down; retry the operation', {
    extensions: { code: SHUTTING_DOWN, http: { status: 503 } },
  });
}

export interface Shutdown {
  /** Aborted when shutdown begins. */
  readonly signal: AbortSignal;
  readonly shuttingDown: boolean;
  /** Subscriptions open right now (both transports). */
  readonly openSubscriptions: number;
  begin(): void;
  /** Resolves once no subscription is open, or after `timeoutMs`. */
  subscriptionsEnded(timeoutMs: number): Promise<void>;
  /** @internal bookkeeping used by the plugin. */
  track(delta: 1 | -1): void;
}

export function createShutdown(): Shutdown {
  const controller = new AbortController();
  // Every open subscription listens on this one signal: thousands of listeners are expected, not a leak.
  setMaxListeners(0, controller.signal);
  let open = 0;
  const idleWaiters = new Set<() => void>();
  return {
    get signal() {
      return controller.signal;
    },
    get shuttingDown() {
      return controller.signal.aborted;
    },
    get openSubscriptions() {
      return open;
    },
    begin() {
      controller.abort();
    },
    track(delta) {
      open += delta;
      if (open === 0) for (const wake of idleWaiters) wake();
    },
    subscriptionsEnded(timeoutMs) {
      if (open === 0) return Promise.resolve();
      return new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          idleWaiters.delete(done);
          resolve();
        };
        const timer = setTimeout(done, timeoutMs);
        idleWaiters.add(done);
      });
    },
  };
}

/**
 * Wraps a subscription's stream: values pass through until `signal` aborts, then one final
 * result (the SHUTTING_DOWN error) and the end. `return()` never waits on the source, which may be
 * parked on an upstream read; the source is closed in the background.
 */
export function endOnAbort<T>(
  source: AsyncIterable<T>,
  signal: AbortSignal,
  final: () => T,
  onEnd: () => void,
): AsyncIterableIterator<T> {
  return GatewayStream.of(source).endOnAbort(signal, final, onEnd);
}

export interface GracefulShutdownOptions {
  /** The shutdown state (from `createShutdown`) whose `begin()` ends the subscriptions. */
  shutdown: Shutdown;
}

/** Ends open subscriptions with SHUTTING_DOWN when shutdown begins; refuses new ones after. */
export function useGracefulShutdown({ shutdown }: GracefulShutdownOptions): Plugin {
  return {
    onSubscribe({ setResultAndStopExecution }) {
      if (shutdown.shuttingDown) {
        setResultAndStopExecution({ errors: [shuttingDownError()] });
        return;
      }
      return {
        onSubscribeResult({ result, setResult }) {
          if (!isAsyncIterable(result)) return;
          shutdown.track(1);
          setResult(
            endOnAbort<ExecutionResult>(result, shutdown.signal, () => ({ errors: [shuttingDownError()] }), () => shutdown.track(-1)),
          );
        },
      };
    },
  };
}

export interface DrainOptions {
  /** Time in-flight requests have to finish before their connections are cut. @default 10000 */
  timeoutMs?: number;
  /** How often idle keep-alive connections are closed while draining. @default 50 */
  idleSweepMs?: number;
}

/**
 * Stops accepting connections and resolves once every connection has closed: idle keep-alive
 * connections at once, busy ones when their response is done, the rest after `timeoutMs`.
 * Resolves to the number of connections that had to be cut.
 */
export function drainHttpServer(server: Server, options: DrainOptions = {}): Promise<number> {
  return new Promise((resolve) => {
    let cut = 0;
    const sweep = setInterval(() => server.closeIdleConnections(), options.idleSweepMs ?? 50);
    const deadline = setTimeout(() => {
      server.getConnections((_error, count) => {
        cut = count;
        server.closeAllConnections();
      });
    }, options.timeoutMs ?? 10_000);
    server.close(() => {
      clearInterval(sweep);
      clearTimeout(deadline);
      resolve(cut);
    });
    server.closeIdleConnections();
  });
}
