/**
 * CSRF prevention (yoga's plugin) with a stable code on its refusal: a request a browser could send
 * cross-site without a preflight (a GET, a form or multipart POST) must carry one of the headers
 * a plain form cannot set, else it is refused with HTTP 403 and `CSRF_PREVENTED`. JSON posts need
 * no header (their content type already forces a preflight).
 */
import { useCSRFPrevention } from '@graphql-yoga/plugin-csrf-prevention';
import { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';

/** Headers that prove a request did not come from a plain HTML form or a simple cross-site GET. */
export const CSRF_HEADERS: readonly string[] = [
  'x-graphql-yoga-csrf',
  'graphql-preflight',
  'apollo-require-preflight',
  'x-apollo-operation-name',
  'authorization',
  'x-api-key',
];

export interface CsrfPreventionOptions {
  /** Any one of these headers lets a request through. @default CSRF_HEADERS */
  requestHeaders?: readonly string[];
}

export function useCsrfPrevention(options: CsrfPreventionOptions = {}): Plugin {
  const headers = [...(options.requestHeaders ?? CSRF_HEADERS)];
  const inner = useCSRFPrevention({ requestHeaders: headers });
  return {
    onRequestParse(payload) {
      try {
        return inner.onRequestParse?.(payload);
      } catch {
        throw new GraphQLError(`Requests without a JSON body need one of these headers: ${headers.join(', ')}`, {
          extensions: { code: 'CSRF_PREVENTED', http: { status: 403 } },
        });
      }
    },
  };
}
