/**
 * Workload (e): idle subscriptions, one per graphql-ws connection (one browser tab each), to measure
 * what each costs the gateway in memory.
 */
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';

export interface OpenSubscriptions {
  /** Subscriptions that ended or failed while they were meant to stay open. */
  failures(): string[];
  close(): Promise<void>;
}

export async function openIdleSubscriptions(opts: {
  wsUrl: string;
  apiKey: string;
  count: number;
  query: string;
  variables(i: number): Record<string, unknown>;
}): Promise<OpenSubscriptions> {
  const clients: Client[] = [];
  const failures: string[] = [];
  const unsubscribes: Array<() => void> = [];
  const batch = 50;
  for (let i = 0; i < opts.count; i += batch) {
    const connected: Promise<void>[] = [];
    for (let j = i; j < Math.min(opts.count, i + batch); j++) {
      const client = createClient({ url: opts.wsUrl, webSocketImpl: WebSocket, connectionParams: { apiKey: opts.apiKey }, lazy: false, retryAttempts: 0 });
      clients.push(client);
      connected.push(new Promise<void>((resolve, reject) => {
        client.on('connected', () => resolve());
        client.on('error', () => reject(new Error(`subscription client ${j} could not connect`)));
      }));
      unsubscribes.push(client.subscribe({ query: opts.query, variables: opts.variables(j) }, {
        next: (r) => { if (r.errors?.length) failures.push(JSON.stringify(r.errors).slice(0, 200)); },
        error: (err) => failures.push(err instanceof Error ? err.message : JSON.stringify(err).slice(0, 200)),
        complete: () => {},
      }));
    }
    await Promise.all(connected);
  }
  return {
    failures: () => failures,
    async close() {
      for (const u of unsubscribes) u();
      await Promise.all(clients.map((c) => c.dispose()));
    },
  };
}
