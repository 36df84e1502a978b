/**
 * Contender (3): Hive Gateway (@graphql-hive/gateway runtime) over a supergraph composed from the
 * emulators' OpenAPI documents at start (bench/hive/compose.ts), served by node:http like memgate.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createGatewayRuntime } from '@graphql-hive/gateway';
import { composeSupergraph } from '../hive/compose.js';
import { serveChild } from '../lib/serve-child.js';

await serveChild(async () => {
  const supergraph = await composeSupergraph([
    { name: 'Synvo', url: process.env.BENCH_SYNVO_URL!, apiKey: process.env.BENCH_SYNVO_KEY ?? 'synvo-dev-key' },
    { name: 'MemSync', url: process.env.BENCH_MEMSYNC_URL!, apiKey: process.env.BENCH_MEMSYNC_KEY ?? 'memsync-dev-key' },
  ]);
  const gateway = createGatewayRuntime({ supergraph, logging: false, graphiql: false });
  const server = createServer(gateway);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    info: { url: `http://127.0.0.1:${port}/graphql`, supergraph },
    stop: async () => {
      await new Promise<void>((resolve) => { server.close(() => resolve()); server.closeAllConnections(); });
      await gateway.dispose();
    },
  };
});
