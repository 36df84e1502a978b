/**
 * Workload (d): one answer stream, timed from the request to the first token and over the tokens.
 * Direct: Synvo's SSE (`POST /ai/query`, streaming=true) read with undici and eventsource-parser.
 * memgate: `Subscription.ask` over graphql-ws on a connection opened beforehand.
 */
import { performance } from 'node:perf_hooks';
import { createParser } from 'eventsource-parser';
import { createClient, type Client } from 'graphql-ws';
import { Agent, FormData, request } from 'undici';
import WebSocket from 'ws';

export interface StreamTiming {
  /** ms from the request to the first token. */
  ttft: number;
  tokens: number;
  /** Tokens a second after the first one. */
  tokensPerSec: number;
}

function timing(start: number, first: number, last: number, tokens: number): StreamTiming {
  return { ttft: first - start, tokens, tokensPerSec: tokens > 1 && last > first ? ((tokens - 1) * 1000) / (last - first) : Number.NaN };
}

export function createDirectStreamer(synvoUrl: string, apiKey: string) {
  const dispatcher = new Agent({ keepAliveTimeout: 30_000 });
  return {
    async ask(user: string, question: string): Promise<StreamTiming> {
      const form = new FormData();
      form.set('payload', JSON.stringify({ messages: [{ role: 'user', content: [{ type: 'text', text: question }] }] }));
      form.set('sub_user_name', user);
      form.set('streaming', 'true');
      const start = performance.now();
      const res = await request(`${synvoUrl}/ai/query`, { method: 'POST', body: form, headers: { 'x-api-key': apiKey }, dispatcher });
      if (res.statusCode !== 200) throw new Error(`direct stream: HTTP ${res.statusCode} ${await res.body.text()}`);
      let first = 0;
      let last = 0;
      let tokens = 0;
      const parser = createParser({
        onEvent(event) {
          const msg = JSON.parse(event.data) as { type: string; content?: string };
          if (msg.type !== 'token') return;
          last = performance.now();
          if (tokens++ === 0) first = last;
        },
      });
      for await (const chunk of res.body) parser.feed(chunk.toString());
      return timing(start, first, last, tokens);
    },
    close: () => dispatcher.close(),
  };
}

export async function createMemgateStreamer(wsUrl: string, apiKey: string) {
  const client: Client = createClient({ url: wsUrl, webSocketImpl: WebSocket, connectionParams: { apiKey }, lazy: false, retryAttempts: 0 });
  await new Promise<void>((resolve, reject) => {
    const offOk = client.on('connected', () => { offOk(); offErr(); resolve(); });
    const offErr = client.on('error', (err) => { offOk(); offErr(); reject(err instanceof Error ? err : new Error('graphql-ws connection failed')); });
  });
  return {
    async ask(user: string, question: string): Promise<StreamTiming> {
      const start = performance.now();
      let first = 0;
      let last = 0;
      let tokens = 0;
      const it = client.iterate<{ ask: { token: string } }>({
        query: 'subscription Ask($q: String!, $u: String) { ask(question: $q, user: $u) { token } }',
        variables: { q: question, u: user },
      });
      for await (const result of it) {
        if (result.errors?.length) throw new Error(`memgate stream: ${JSON.stringify(result.errors).slice(0, 300)}`);
        if (!result.data?.ask.token) continue;
        last = performance.now();
        if (tokens++ === 0) first = last;
      }
      return timing(start, first, last, tokens);
    },
    close: () => client.dispose(),
  };
}
