/**
 * One gateway instance in its own process, for the several-processes test: configured from the
 * environment like a deployment, it reports its URL over IPC, answers `stats` requests with its
 * live-update counters, and stops when the parent disconnects.
 */
import { createApp } from '../../../src/app.js';
import { loadConfig } from '../../../src/config.js';

const app = await createApp(loadConfig(process.env));
const { url } = await app.start();
process.on('message', (message: { type?: string }) => {
  if (message.type === 'stats') process.send!({ type: 'stats', stats: app.state.live.stats() });
});
process.on('disconnect', () => {
  void app.stop().then(() => process.exit(0));
});
process.send!({ type: 'ready', url });
