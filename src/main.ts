/** Production entry point: config -> app -> listen; SIGINT/SIGTERM -> graceful stop. */
import { createAppOrExit } from './app.js';
import { loadConfigOrExit } from './config.js';

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  if (!config.synvo.baseUrl || !config.memsync.baseUrl) {
    console.error(
      'memgate: SYNVO_BASE_URL and MEMSYNC_BASE_URL are not both set. Set them for real upstreams, ' +
        'or run `npm start` to run on the embedded emulators.',
    );
    process.exit(1);
  }
  if (config.memsync.baseUrl && !/\/v\d+$/.test(new URL(config.memsync.baseUrl).pathname)) {
    console.warn(`memgate: MEMSYNC_BASE_URL has no version path; MemSync's reference base URL is https://api.memsync.ai/v1 (paths are appended to it)`);
  }
  const app = await createAppOrExit(config);
  let url: string;
  try {
    ({ url } = await app.start());
  } catch (error) {
    // A taken port or a bad HOST: say so in one line (no stack), release what was opened, exit 1.
    console.error(`memgate: cannot listen on ${config.host}:${config.port}: ${error instanceof Error ? error.message : String(error)}`);
    await app.stop().catch(() => {});
    process.exit(1);
  }
  console.log(`memgate: listening on ${url} (pid ${process.pid})`);

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`memgate: ${signal}, stopping`);
    app.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error('memgate: error while stopping', error);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

await main();
