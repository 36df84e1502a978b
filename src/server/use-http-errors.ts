/**
 * HTTP-level refusals, made as clear as GraphQL ones:
 * - a request yoga's parsers choke on (a GET whose `variables` or `extensions` is not JSON, a
 *   form body that is not one) is 400 `BAD_REQUEST`, not a 500, and nothing of it is echoed;
 * - every 4xx yoga answers without a body (415 unsupported content type, 406 nothing acceptable,
 *   404 ...) gets a GraphQL-over-HTTP error body with `extensions.code`, its headers kept;
 * - a response to a request whose body was not read to its end (refused early: 401, 413, a
 *   malformed multipart stream) closes the connection (`Connection: close`): the unread rest of
 *   the body would otherwise be parsed as the next request on a kept-alive connection, which then
 *   hangs until a timeout resets it;
 * - `answerClientErrors(server)`: what Node's HTTP parser refuses before the gateway sees a request
 *   (431 headers too large, 400 malformed request line) is answered with the same kind of body.
 */
import type { IncomingMessage, Server } from 'node:http';
import type { Socket } from 'node:net';
import { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';

/** The code and message of each body-less status. */
const statusErrors: Record<number, { code: string; message: string }> = {
  400: { code: 'BAD_REQUEST', message: 'Malformed HTTP request' },
  404: { code: 'NOT_FOUND', message: 'Nothing here: GraphQL is served on the GraphQL endpoint' },
  405: { code: 'METHOD_NOT_ALLOWED', message: 'GraphQL is served over GET and POST' },
  406: {
    code: 'NOT_ACCEPTABLE',
    message:
      'None of the accepted media types can carry this result: accept application/graphql-response+json or application/json ' +
      '(single results), text/event-stream or multipart/mixed (subscriptions and @defer/@stream)',
  },
  408: { code: 'REQUEST_TIMEOUT', message: 'The request was not received in time' },
  413: { code: 'REQUEST_ENTITY_TOO_LARGE', message: 'Request body too large' },
  415: {
    code: 'UNSUPPORTED_MEDIA_TYPE',
    message: 'Unsupported Content-Type: send application/json (or multipart/form-data for uploads, per the GraphQL multipart request spec)',
  },
  431: { code: 'REQUEST_HEADER_FIELDS_TOO_LARGE', message: 'Request headers too large' },
};

/** A GraphQL-over-HTTP error body for `status`. */
export function errorBody(status: number): string {
  const known = statusErrors[status] ?? { code: status >= 500 ? 'INTERNAL_SERVER_ERROR' : 'BAD_REQUEST', message: `HTTP ${status}` };
  return JSON.stringify({ errors: [{ message: known.message, extensions: { code: known.code } }] });
}

interface NodeServerContext {
  req?: IncomingMessage;
}

const isAbort = (error: unknown) => error instanceof Error && (error.name === 'AbortError' || error.name === 'TimeoutError');

function malformed(request: Request): GraphQLError {
  const message =
    request.method === 'GET'
      ? 'Malformed request: the "variables" and "extensions" query parameters must be JSON objects'
      : 'Malformed request body';
  return new GraphQLError(message, { extensions: { code: 'BAD_REQUEST', http: { status: 400 } } });
}

/** Register after every plugin that picks a request parser: it wraps the one picked. */
export function useHttpErrors(): Plugin {
  return {
    onRequestParse({ requestParser, setRequestParser }) {
      if (!requestParser) return;
      setRequestParser(async (request) => {
        try {
          return await requestParser(request);
        } catch (error) {
          if (error instanceof GraphQLError || isAbort(error)) throw error;
          throw malformed(request);
        }
      });
    },
    onResponse({ response, serverContext, setResponse, fetchAPI }) {
      const req = (serverContext as NodeServerContext | undefined)?.req;
      const unread = req !== undefined && !req.complete;
      const bodyless = response.status >= 400 && response.status < 500 && response.body === null;
      if (!unread && !bodyless) return;
      const headers = new fetchAPI.Headers(response.headers);
      if (unread) headers.set('connection', 'close');
      if (bodyless) {
        headers.set('content-type', 'application/json; charset=utf-8');
        setResponse(new fetchAPI.Response(errorBody(response.status), { status: response.status, statusText: response.statusText, headers }));
        return;
      }
      setResponse(new fetchAPI.Response(response.body, { status: response.status, statusText: response.statusText, headers }));
    },
  };
}

/** Node's own refusals (before any request reaches yoga), with a GraphQL error body, then close. */
export function answerClientErrors(server: Server): void {
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Socket) => {
    if (!socket.writable || (error.code === 'ECONNRESET' && socket.destroyed)) {
      socket.destroy();
      return;
    }
    const status = error.code === 'HPE_HEADER_OVERFLOW' ? 431 : error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
    const body = errorBody(status);
    const reason = { 400: 'Bad Request', 408: 'Request Timeout', 431: 'Request Header Fields Too Large' }[status];
    socket.end(
      `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  });
}
