/**
 * Runs a tool's operation through the gateway's own yoga pipeline (`yoga.fetch`, no socket), with
 * the MCP caller's credentials, exactly as a front-end's request would run: queries and mutations
 * as one JSON response, subscriptions over SSE (graphql-sse's distinct connections), each result
 * handed to `onResult` as it comes. Aborting `signal` ends the request (and its upstream calls).
 */
import type { ExecutionResult, GraphQLFormattedError } from 'graphql';
import { createParser } from 'eventsource-parser';
import type { Credentials } from '../server/auth.js';

/** What yoga offers that this needs: its fetch. */
export interface FetchesGraphQL {
  fetch(input: string, init: RequestInit): Response | Promise<Response>;
}

export interface GraphQLRequest {
  /** The persisted document: sent as its id when the gateway runs persisted documents, else as text. */
  document: string;
  documentId: string;
  operationName: string;
  variables: Record<string, unknown>;
  subscription: boolean;
}

export interface ExecuteOptions {
  yoga: FetchesGraphQL;
  /** The GraphQL endpoint's path. */
  path: string;
  /** Send `documentId` instead of the query text (the persisted-documents plugin is on). */
  persisted: boolean;
  credentials: Credentials;
  signal?: AbortSignal;
  /** Each result of a subscription as it comes (not called for queries and mutations). */
  onResult?: (result: FormattedResult) => void | Promise<void>;
}

export type FormattedResult = Omit<ExecutionResult, 'errors'> & { errors?: readonly GraphQLFormattedError[] };

/** The HTTP status and the results of one operation; for a subscription, its results in order. */
export interface Executed {
  status: number;
  results: FormattedResult[];
}

function headersFor(credentials: Credentials, accept: string): Record<string, string> {
  const headers: Record<string, string> = { 'content-type': 'application/json', accept };
  if (credentials.authorization) headers['authorization'] = credentials.authorization;
  if (credentials.apiKey) headers['x-api-key'] = credentials.apiKey;
  return headers;
}

async function readSse(response: Response, onResult: ExecuteOptions['onResult']): Promise<FormattedResult[]> {
  const results: FormattedResult[] = [];
  const pending: FormattedResult[] = [];
  const parser = createParser({
    onEvent(event) {
      if (event.event === 'next' || (event.event === undefined && event.data)) pending.push(JSON.parse(event.data) as FormattedResult);
    },
  });
  const decoder = new TextDecoder();
  const reader = response.body!.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (value) parser.feed(decoder.decode(value, { stream: true }));
    for (const result of pending.splice(0)) {
      results.push(result);
      await onResult?.(result);
    }
    if (done) break;
  }
  return results;
}

export async function executeOperation(request: GraphQLRequest, options: ExecuteOptions): Promise<Executed> {
  const body = options.persisted
    ? { documentId: request.documentId, operationName: request.operationName, variables: request.variables }
    : { query: request.document, operationName: request.operationName, variables: request.variables };
  const accept = request.subscription ? 'text/event-stream' : 'application/graphql-response+json, application/json';
  const response = await options.yoga.fetch(`http://memgate${options.path}`, {
    method: 'POST',
    headers: headersFor(options.credentials, accept),
    body: JSON.stringify(body),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  const type = response.headers.get('content-type') ?? '';
  if (type.includes('text/event-stream')) return { status: response.status, results: await readSse(response, options.onResult) };
  const text = await response.text();
  let parsed: FormattedResult;
  try {
    parsed = JSON.parse(text) as FormattedResult;
  } catch {
    parsed = { errors: [{ message: `The gateway answered HTTP ${response.status} without a GraphQL result`, extensions: { code: 'INTERNAL_SERVER_ERROR' } }] };
  }
  return { status: response.status, results: [parsed] };
}
