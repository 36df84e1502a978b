import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    // One graphql instance: Node loads graphql's CJS entry for yoga and graphql-tools, while Vite
    // would pick its `module` (.mjs) entry for our sources; two instances break `instanceof GraphQLError`
    // (yoga then masks every FORBIDDEN/BAD_USER_INPUT as INTERNAL_SERVER_ERROR under vitest only).
    alias: [{ find: /^graphql$/, replacement: fileURLToPath(new URL('./node_modules/graphql/index.js', import.meta.url)) }],
  },
  test: {
    pool: 'forks',
    // Test files share their worker's modules (graphql, yoga, the gateway's sources are imported once
    // per worker, not once per file: that was about 40 % of the run). Nothing in src/ keeps
    // per-process state a test could leak, tests never mock modules, and helpers that need a hook
    // after each test add it through test/support/after-each-test.ts.
    isolate: false,
    setupFiles: ['test/support/setup.ts'],
    // One worker per core (vitest's default leaves one core out): a test waits on sockets, child
    // processes and Chromium much of the time, and the gateway under test runs in its worker.
    maxWorkers: '100%',
    testTimeout: 30_000,
    hookTimeout: 30_000,
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['test/**/*.test.ts'], exclude: ['test/e2e/**', 'test/hostile/**', 'test/browser/**'] },
      },
      {
        extends: true,
        test: { name: 'e2e', include: ['test/e2e/**/*.test.ts'] },
      },
      {
        // Hostile requests on every transport (malformed, oversized, slow or abusive clients): `npx vitest run --project hostile`.
        extends: true,
        test: { name: 'hostile', include: ['test/hostile/**/*.test.ts'] },
      },
      {
        // Debian's Chromium through playwright-core (test/browser/support.ts).
        extends: true,
        test: { name: 'browser', include: ['test/browser/**/*.test.ts'] },
      },
    ],
  },
});
