/**
 * graphql-ws on a `ws` WebSocketServer, in the shape of graphql-ws's own `useServer`
 * (`graphql-ws/use/ws`): it hands each socket to the transport-agnostic server (`makeServer`) and
 * keeps the link alive. Ours differs where a gateway needs it: errors go to the gateway's logger
 * instead of the console, a socket that breaks a `ws` rule (1009 too big, 1002 bad frame) is closed
 * by `ws` without noise, keep-alive terminates a peer that did not answer the previous ping, and
 * `dispose` gives clients a grace period to finish the close handshake.
 */
import { CloseCode, type Server as ProtocolServer } from 'graphql-ws';
import type { WebSocket, WebSocketServer } from 'ws';
import { closeReason } from './connection-auth.js';

/**
 * What each graphql-ws context carries besides the protocol state: the socket only. Not the
 * upgrade request (graphql-ws's own useServer keeps it): an idle subscription would hold its
 * IncomingMessage and raw headers (about 1.3 KiB) for nothing.
 */
export interface Extra {
  readonly socket: WebSocket;
}

export interface UseServerOptions {
  /** Interval of server pings; a peer that has not answered the previous one is terminated; 0: none. */
  keepAliveMs: number;
  /** Time `dispose()` gives clients to finish the close handshake before cutting them. */
  closeGraceMs: number;
  /** Hide internal error messages from close reasons. */
  production: boolean;
  logger: { error(...args: unknown[]): void; debug(...args: unknown[]): void };
}

export interface Disposable {
  dispose(): Promise<void>;
}

/** Pings the peer every `intervalMs`; one that did not answer the previous ping is cut. */
function keepAlive(socket: WebSocket, intervalMs: number): () => void {
  if (intervalMs <= 0) return () => {};
  let answered = true;
  socket.on('pong', () => {
    answered = true;
  });
  const pinger = setInterval(() => {
    if (!answered) return socket.terminate();
    answered = false;
    socket.ping();
  }, intervalMs);
  return () => clearInterval(pinger);
}

/** Closes every socket with 1001, stops accepting, and cuts those that do not finish in time. */
async function closeAll(wss: WebSocketServer, graceMs: number): Promise<void> {
  const sockets = [...wss.clients];
  for (const socket of sockets) socket.close(1001, 'Going away');
  await new Promise<void>((resolve) => wss.close(() => resolve()));
  const closed = (socket: WebSocket) =>
    socket.readyState === socket.CLOSED ? Promise.resolve() : new Promise<void>((resolve) => socket.once('close', () => resolve()));
  let timer: NodeJS.Timeout | undefined;
  const grace = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, graceMs);
  });
  await Promise.race([Promise.all(sockets.map(closed)), grace]);
  clearTimeout(timer);
  for (const socket of sockets) if (socket.readyState !== socket.CLOSED) socket.terminate();
}

export function useServer(
  server: ProtocolServer<Extra>,
  wss: WebSocketServer,
  options: UseServerOptions,
): Disposable {
  const { logger, production } = options;
  // ws re-emits the http server's errors; a failed listen is the starter's to report (one clear line).
  wss.on('error', (error: NodeJS.ErrnoException) => {
    if (error.syscall !== 'listen') logger.error(error);
  });
  wss.on('connection', (socket) => {
    // ws closes the socket itself on a protocol breach (1002, 1009): worth a debug line, no more.
    socket.on('error', (error) => logger.debug(`graphql-ws socket error: ${error.message}`));
    const stopPinging = keepAlive(socket, options.keepAliveMs);
    const closed = server.opened(
      {
        protocol: socket.protocol,
        send: (data) =>
          new Promise<void>((resolve, reject) => {
            if (socket.readyState !== socket.OPEN) return resolve();
            socket.send(data, (error) => (error ? reject(error) : resolve()));
          }),
        close: (code, reason) => socket.close(code, reason),
        onMessage: (handle) =>
          socket.on('message', async (data) => {
            try {
              // For a subscription this resolves only when the subscription ends.
              await handle(String(data));
            } catch (error) {
              logger.error(error);
              const message = error instanceof Error ? error.message : String(error);
              socket.close(CloseCode.InternalServerError, production ? 'Internal server error' : closeReason(message));
            }
          }),
      },
      { socket },
    );
    socket.once('close', (code, reason) => {
      stopPinging();
      void closed(code, String(reason));
    });
  });
  return { dispose: () => closeAll(wss, options.closeGraceMs) };
}
