/**
 * What `npm start` runs, for the launcher and for tests that need the same thing in-process: the
 * emulators for every upstream without a base URL, the gateway on them, and in development the
 * front-end example at /demo.
 */
import { createApp, type App } from '../src/app.js';
import { withUpstreams, type Config } from '../src/config.js';
import { startEmbeddedEmulators } from './embedded-emulators.js';
import { EXAMPLE_WEB_PATH, useExampleWeb } from './example-web.js';

export interface DevServer {
  app: App;
  /** The GraphQL endpoint (GraphiQL in a browser). */
  url: string;
  /** The front-end example, when the development credentials are in use. */
  exampleUrl: string | null;
  /** Users whose MemSync keys are the embedded emulator's seed accounts (in the keyring). */
  linked: string[];
  stop(): Promise<void>;
}

/** Starts the emulators (logging one line each), then the gateway; on failure stops what started and rethrows. */
export async function startDevServer(config: Readonly<Config>, options: { log: (line: string) => void }): Promise<DevServer> {
  const emulators = await startEmbeddedEmulators(config, options);
  let app: App | undefined;
  try {
    const example = config.auth.development && config.auth.jwtSecret ? await useExampleWeb({ jwtSecret: config.auth.jwtSecret }) : null;
    app = await createApp(withUpstreams(config, emulators.upstreams), { plugins: example ? [example] : [] });
    const linked = await emulators.linkSeedAccounts(app.keyring);
    const { url } = await app.start();
    const running = app;
    return {
      app: running,
      url,
      exampleUrl: example ? new URL(EXAMPLE_WEB_PATH, url).toString() : null,
      linked,
      async stop() {
        await running.stop();
        await emulators.stop();
      },
    };
  } catch (error) {
    await Promise.allSettled([app?.stop(), emulators.stop()]);
    throw error;
  }
}
