/**
 * Composes the Hive Gateway contender's supergraph from the emulators' own OpenAPI documents,
 * read at bench time (`GET /openapi.json`), the way GraphQL Mesh Compose does it: one OpenAPI
 * subgraph per upstream (@omnigraph/openapi), composed with @graphql-mesh/fusion-composition.
 * The upstream API keys go in as operation headers: they stay in the gateway, as in memgate.
 */
import { composeSubgraphs } from '@graphql-mesh/fusion-composition';
import { loadNonExecutableGraphQLSchemaFromOpenAPI } from '@omnigraph/openapi';

export interface HiveUpstream {
  /** Subgraph name, e.g. `Synvo`. */
  name: string;
  /** Base URL of the upstream (the emulator), no trailing slash. */
  url: string;
  apiKey: string;
}

export async function composeSupergraph(upstreams: readonly HiveUpstream[]): Promise<string> {
  const subgraphs = await Promise.all(
    upstreams.map(async (u) => ({
      name: u.name,
      url: u.url,
      schema: await loadNonExecutableGraphQLSchemaFromOpenAPI(u.name, {
        source: `${u.url}/openapi.json`,
        endpoint: u.url,
        operationHeaders: { 'X-API-Key': u.apiKey },
        cwd: process.cwd(),
      }),
    })),
  );
  const result = composeSubgraphs(subgraphs);
  if (result.errors?.length) throw new AggregateError(result.errors, `Hive composition failed: ${result.errors.map((e) => e.message).join('; ')}`);
  return result.supergraphSdl;
}
