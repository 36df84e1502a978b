/**
 * GraphiQL, served whole from the installed packages (no request leaves the machine): yoga's
 * GraphiQL build (`@graphql-yoga/render-graphiql`, scripts, styles and editor workers inlined) and
 * graphql-sse's browser client, which carries every operation GraphiQL runs (queries, `@defer`,
 * subscriptions) over SSE. It opens on the README's FullView query with the development
 * credentials in its headers, and its "Stream" panel shows a subscription's events as they come,
 * with the `token`s joined, so `Subscription.ask` visibly writes its answer.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as assets from '@graphql-yoga/render-graphiql/graphiql';
import type { GraphiQLOptions } from 'graphql-yoga';

export const FULL_VIEW_QUERY = `# The full user view: everything memgate knows about the signed-in user.
# Service keys: replace viewer with user(name: "alex") and use the X-Api-Key header.
query FullView {
  viewer {
    name
    profile {
      basicInfo { name age nationality languageSpoken }
      education { school degree major }
      work { company title workSkills }
      interest { books music sports }
      attributes { category subtopic values }
    }
    events(limit: 5) { type content time happenedAt mentionedAt }
    biography(format: SHORT) {
      __typename
      ... on Biography { text keyThemes generatedAt }
      ... on BiographyNotReady { suggestion currentMemoryCount }
    }
    memories(query: "work", limit: 5) { id text categories type createdAt }
    searchFiles(query: "notes") { id name path mimeType createdAt }
  }
}
`;

export interface GraphiQLSetup {
  /** A development JWT for the seed user `default`, preset as the Authorization header. @default null (no header preset) */
  devToken?: string | null;
  /** The development service key, mentioned in the default query's comments. @default null (not mentioned) */
  devServiceKey?: string | null;
}

export function graphiqlOptions({ devToken, devServiceKey }: GraphiQLSetup): GraphiQLOptions {
  const header = devServiceKey
    ? `# Development credentials: this JWT is for user "default"; the service key is "${devServiceKey}"\n` +
      `# (send it as {"X-Api-Key": "${devServiceKey}"} and ask for user(name: "alex")).\n`
    : '';
  return {
    title: 'memgate',
    defaultQuery: header + FULL_VIEW_QUERY,
    ...(devToken ? { headers: JSON.stringify({ Authorization: `Bearer ${devToken}` }, null, 2) } : {}),
    shouldPersistHeaders: false,
  };
}

/* The browser side: functions run in the page, serialised with `toString()` (they may use nothing
   from this module but each other, by name, and types). */

interface PageResult {
  data?: unknown;
  errors?: unknown;
  hasNext?: boolean;
}
interface PageStream {
  results: PageResult[];
  text: string;
  done: boolean;
}
interface PageWindow {
  graphqlSse: {
    createClient(o: Record<string, unknown>): { iterate(request: Record<string, unknown>): AsyncIterableIterator<PageResult> };
  };
  YogaGraphiQL: { renderYogaGraphiQL(root: Element, props: Record<string, unknown>): void };
  React: {
    createElement(type: unknown, props?: Record<string, unknown> | null, ...children: unknown[]): unknown;
    useSyncExternalStore<T>(subscribe: (cb: () => void) => () => void, get: () => T): T;
  };
}

/** In the page: the results of the latest operation, with the `token`s of its results joined. */
function createStreamStore() {
  let stream: PageStream = { results: [], text: '', done: true };
  const listeners = new Set<() => void>();
  const publish = (next: PageStream) => {
    stream = next;
    for (const listener of listeners) listener();
  };
  const tokensOf = (value: unknown): string[] => {
    if (Array.isArray(value)) return value.flatMap(tokensOf);
    if (!value || typeof value !== 'object') return [];
    return Object.entries(value).flatMap(([key, v]) => (key === 'token' && typeof v === 'string' ? [v] : tokensOf(v)));
  };
  return {
    get: () => stream,
    subscribe: (listener: () => void) => (listeners.add(listener), () => listeners.delete(listener)),
    /** Passes the results on, recording each. */
    async *recorded(results: AsyncIterableIterator<PageResult>): AsyncGenerator<PageResult> {
      publish({ results: [], text: '', done: false });
      try {
        for await (const result of results) {
          publish({ results: [...stream.results, result], text: stream.text + tokensOf(result.data).join(''), done: false });
          yield result;
        }
      } finally {
        publish({ ...stream, done: true });
      }
    },
  };
}

/** In the page: GraphiQL's "Stream" panel over the store (React is the one GraphiQL's build exposes). */
function createStreamPlugin(store: ReturnType<typeof createStreamStore>) {
  const { React } = window as unknown as PageWindow;
  const h = React.createElement;
  function StreamPanel() {
    const current = React.useSyncExternalStore(store.subscribe, store.get);
    const count = current.results.length;
    const status = current.done ? (count ? 'completed' : 'idle') : 'streaming…';
    const line = { whiteSpace: 'nowrap', overflow: 'hidden', textOverflow: 'ellipsis' };
    return h(
      'div',
      { className: 'memgate-stream', 'data-testid': 'memgate-stream' },
      h('div', { className: 'graphiql-doc-explorer-title' }, 'Stream'),
      h('p', null, `${count} result${count === 1 ? '' : 's'}, ${status}`),
      current.text ? h('pre', { 'data-testid': 'memgate-stream-text', style: { whiteSpace: 'pre-wrap' } }, current.text) : null,
      h(
        'ol',
        { style: { fontFamily: 'var(--font-family-mono)', fontSize: '12px', paddingLeft: '2.5em' }, start: Math.max(1, count - 49) },
        ...current.results.slice(-50).map((result, i) => h('li', { key: i, style: line }, JSON.stringify(result.data ?? result.errors))),
      ),
    );
  }
  const icon = () => h('svg', { viewBox: '0 0 24 24', width: 20, height: 20, fill: 'none', stroke: 'currentColor', strokeWidth: 1.5 }, h('path', { d: 'M3 6h18M3 12h12M3 18h6' }));
  return { title: 'Stream', icon, content: StreamPanel };
}

/** In the page: GraphiQL with graphql-sse carrying every operation, and the Stream panel open. */
function startGraphiQL(options: GraphiQLOptions & { endpoint: string }): void {
  const w = window as unknown as PageWindow;
  const store = createStreamStore();
  function fetcher(params: { query: string; variables?: unknown; operationName?: string | null }, opts?: { headers?: Record<string, string> }) {
    const client = w.graphqlSse.createClient({ url: options.endpoint, headers: opts?.headers ?? {}, credentials: 'same-origin', retryAttempts: 0 });
    const results = client.iterate({ query: params.query, variables: params.variables ?? {}, ...(params.operationName ? { operationName: params.operationName } : {}) });
    // GraphiQL's own schema fetch is not the user's operation: the panel keeps the last one.
    return params.operationName === 'IntrospectionQuery' ? results : store.recorded(results);
  }
  const streamPlugin = createStreamPlugin(store);
  const { endpoint: _endpoint, ...props } = options;
  w.YogaGraphiQL.renderYogaGraphiQL(document.querySelector('#root')!, {
    ...props,
    fetcher,
    plugins: [streamPlugin],
    visiblePlugin: streamPlugin,
    initialQuery: new URL(location.href).searchParams.get('query') ?? options.defaultQuery,
    initialHeaders: options.headers,
  });
}

let sseClient: string | undefined;
/** graphql-sse's browser build (UMD, global `graphqlSse`), read once from the installed package. */
function graphqlSseBrowserClient(): string {
  const entry = createRequire(import.meta.url).resolve('graphql-sse');
  sseClient ??= readFileSync(join(dirname(entry), '..', 'umd', 'graphql-sse.min.js'), 'utf8');
  return sseClient;
}

/** `</script` inside an inlined script would end it early. */
const inlineScript = (code: string) => code.replace(/<\/script/gi, '<\\/script');

/**
 * Yoga's `renderGraphiQL`: the whole page, about 9 MB of inlined assets, rendered once per set of
 * options (they do not change while the gateway runs).
 */
export function createGraphiQLRenderer(endpoint: string): (options: GraphiQLOptions) => string {
  const pages = new Map<string, string>();
  return (options) => {
    const key = JSON.stringify(options);
    let page = pages.get(key);
    if (!page) {
      const title = (options.title ?? 'GraphiQL').replace(/[<&"]/g, '');
      page = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <title>${title}</title>
    <link rel="icon" href="${assets.favicon}" />
    <style>${assets.css}</style>
  </head>
  <body id="body" class="no-focus-outline">
    <noscript>You need to enable JavaScript to run GraphiQL.</noscript>
    <div id="root"></div>
    <script>
      self.MonacoEnvironment = {
        globalAPI: false,
        getWorkerUrl: (() => {
          const blob = (code) => URL.createObjectURL(new Blob([code], { type: 'application/javascript' }));
          const workers = {
            editorWorkerService: blob(${inlineScript(JSON.stringify(assets.editorWorkerService))}),
            json: blob(${inlineScript(JSON.stringify(assets.jsonWorker))}),
            graphql: blob(${inlineScript(JSON.stringify(assets.graphqlWorker))}),
          };
          return (_moduleId, label) => workers[label];
        })(),
      };
    </script>
    <script>${inlineScript(assets.js)}</script>
    <script>${inlineScript(graphqlSseBrowserClient())}</script>
    <script>
      // tsx (npm start) compiles with esbuild's keepNames, whose helper the serialised function calls.
      var __name = (fn) => fn;
      ${inlineScript(createStreamStore.toString())}
      ${inlineScript(createStreamPlugin.toString())}
      (${inlineScript(startGraphiQL.toString())})(${inlineScript(JSON.stringify({ ...options, endpoint }))});</script>
  </body>
</html>`;
      pages.set(key, page);
    }
    return page;
  };
}
