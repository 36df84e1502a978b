/**
 * Authentication before anything else is done with a request: the caller is checked from the
 * headers as soon as yoga starts to parse the request, so an unauthenticated or wrongly
 * authenticated request is answered 401 (`UNAUTHENTICATED`) before its body is read and before any
 * document is parsed, validated or cached. Nobody without credentials can fill the document
 * caches or probe the schema (`Cannot query field ...`). The caller found here is the one the
 * context is built with (`callerOf`), so each request's token is verified once.
 */
import type { Plugin } from 'graphql-yoga';
import type { Caller } from '../schema/context.js';
import type { Authenticator } from './auth.js';

export interface Authentication {
  /** The yoga plugin. */
  plugin: Plugin;
  /** The caller of an HTTP request (verified once), or the one its headers name (graphql-ws operations). */
  callerOf(request: Request): Promise<Caller>;
}

const credentialsOf = (request: Request) => ({
  authorization: request.headers.get('authorization'),
  apiKey: request.headers.get('x-api-key'),
});

export function createAuthentication(authenticator: Authenticator): Authentication {
  const callers = new WeakMap<Request, Caller>();
  return {
    plugin: {
      async onRequestParse({ request }) {
        // Throws AuthenticationError (401 with a GraphQL error body); the body is never read.
        callers.set(request, await authenticator.authenticate(credentialsOf(request)));
      },
    },
    async callerOf(request) {
      return callers.get(request) ?? authenticator.authenticate(credentialsOf(request));
    },
  };
}
