/**
 * The gateway's yoga server, from the parts the composition root built: the plugins in their
 * order, the schema, and the context built fresh per request. Usable on its own through
 * `yoga.fetch()`; `http-server.ts` mounts it on a listener.
 */
import { useDeferStream } from '@graphql-yoga/plugin-defer-stream';
import { createYoga, type MaskError, type Plugin, type YogaServerInstance } from 'graphql-yoga';
import { DEV_SERVICE_KEY, type Config } from '../config.js';
import type { MemoryDomain } from '../memory/index.js';
import type { GraphContext } from '../schema/context.js';
import { schema } from '../schema/index.js';
import { createGraphContext } from './context.js';
import type { DocumentCaches } from './document-cache.js';
import { createGraphiQLRenderer, graphiqlOptions } from './graphiql.js';
import { createServerPlugins, type ServerPluginOptions, type ServerPluginParts } from './plugins.js';
import type { Authentication } from './use-authentication.js';
import { useErrorPipeline, type ErrorPipeline } from './use-error-pipeline.js';
import { useHttpErrors } from './use-http-errors.js';
import { useMultipartUploads } from './use-multipart-uploads.js';
import { useSSEHeartbeat } from './use-sse-heartbeat.js';
import { useSubscriptionExpiry } from './use-subscription-expiry.js';

export const GRAPHQL_PATH = '/graphql';

export type GatewayYoga = YogaServerInstance<Record<string, unknown>, GraphContext>;

export interface GatewayYogaParts extends ServerPluginParts {
  config: Readonly<Config>;
  /** Who is calling, checked before a body is read. */
  authentication: Authentication;
  /** The domain layer each request's context gets its `memory` from. */
  memory: MemoryDomain;
  documents: DocumentCaches;
  /** A development JWT GraphiQL offers, when the development credentials are in use. */
  devToken: string | null;
  maskError: MaskError;
  /** The one error mapping of every result on every transport. */
  errors: ErrorPipeline;
}

export interface GatewayYogaOptions {
  /** More yoga plugins, before the gateway's own. @default [] */
  plugins?: Plugin[];
  /** Limits and rate-limit overrides. @default {} */
  production?: ServerPluginOptions;
  /** Longest silence on an SSE response before a `:` heartbeat. @default 12000 */
  sseHeartbeatMs?: number;
}

function gatewayPlugins(parts: GatewayYogaParts, options: GatewayYogaOptions): Plugin<GraphContext>[] {
  const { config } = parts;
  return [
    // First: the paths they answer (a page, a dev endpoint) end before the GraphQL pipeline.
    ...((options.plugins ?? []) as Plugin<GraphContext>[]),
    ...(createServerPlugins(config, parts, options.production) as Plugin<GraphContext>[]),
    // After CSRF prevention and the declared-length check (headers only, like it).
    parts.authentication.plugin as Plugin<GraphContext>,
    useDeferStream() as Plugin<GraphContext>,
    useSSEHeartbeat({ intervalMs: options.sseHeartbeatMs ?? 12_000 }),
    useSubscriptionExpiry(),
    useMultipartUploads({ maxFileSize: config.graph.maxUploadBytes }),
    // Last, so it wraps every other plugin's streams and sees what they throw.
    useErrorPipeline(parts.errors) as Plugin<GraphContext>,
    // After every plugin that picks a request parser, so it wraps the one picked.
    useHttpErrors() as Plugin<GraphContext>,
  ];
}

export function createGatewayYoga(parts: GatewayYogaParts, options: GatewayYogaOptions = {}): GatewayYoga {
  const { config, devToken, authentication, memory } = parts;
  return createYoga<Record<string, unknown>, GraphContext>({
    schema,
    graphqlEndpoint: GRAPHQL_PATH,
    landingPage: false,
    graphiql: !config.ops.graphiql ? false : graphiqlOptions({ devToken, devServiceKey: config.auth.development ? DEV_SERVICE_KEY : null }),
    // GraphiQL from the installed packages, not a CDN: it works offline.
    renderGraphiQL: createGraphiQLRenderer(GRAPHQL_PATH),
    maskedErrors: { maskError: parts.maskError },
    logging: parts.observability.yogaLogger,
    plugins: gatewayPlugins(parts, options),
    // Bodies are bounded by our own plugins: useLimits (JSON, any body of unknown length) and
    // useMultipartUploads (each part). Yoga's limit would pipe every body through one more
    // TransformStream and Request (about 6 % of the CPU on a one-field query, bench/).
    maxRequestBodySize: false,
    parserAndValidationCache: { documentCache: parts.documents.documentCache, errorCache: parts.documents.errorCache },
    context: async ({ request }) => {
      const caller = await authentication.callerOf(request);
      return createGraphContext({ caller, memory: memory.forRequest(request.signal), signal: request.signal, maxUsers: config.graph.maxUsers });
    },
  });
}
