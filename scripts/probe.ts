/**
 * `npm run probe [-- --write] [--synvo-user <name>] [--processing-timeout <seconds>] [--webpage-url <url>]`: calls
 * each upstream endpoint once with real keys and prints, for each, its status and whether its
 * answer is what emulators/README.md ("The upstreams' behaviour") says (shape, envelope, scoping). Exit 1 when any differs.
 *
 * Environment: SYNVO_BASE_URL + SYNVO_API_KEY (the Synvo account), MEMSYNC_BASE_URL (with its /v1)
 * + MEMSYNC_PROBE_API_KEY (one MemSync user's own key). Either upstream may be left out. Read-only
 * unless --write: then files, a folder and a web page (--webpage-url, default https://example.com/)
 * go to a fresh Synvo sub-user, and memories of the probe's own to the MemSync account; the files
 * and memories are deleted at the end.
 */
import { ConfigError, loadProbeConfig } from '../src/config.js';
import { formatProbeTable, runProbe } from '../src/probe/probe.js';

const args = process.argv.slice(2);
const flag = (name: string) => args.includes(name);
const value = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const known = new Set(['--write', '--synvo-user', '--processing-timeout', '--webpage-url']);
const unknown = args.filter((a, i) => a.startsWith('--') && !known.has(a) && !(i > 0 && known.has(args[i - 1]!)));
if (unknown.length > 0 || flag('--help')) {
  console.error('usage: npm run probe [-- --write] [--synvo-user <name>] [--processing-timeout <seconds>] [--webpage-url <url>]');
  process.exit(2);
}

let config: ReturnType<typeof loadProbeConfig>;
try {
  config = loadProbeConfig(process.env);
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(`probe: ${error.message}`);
  process.exit(2);
}
const timeout = Number(value('--processing-timeout') ?? 180);
if (!Number.isFinite(timeout) || timeout <= 0) {
  console.error('probe: --processing-timeout must be a number of seconds');
  process.exit(2);
}

const write = flag('--write');
console.log(`memgate upstream probe (${write ? 'with --write: files, a folder and a web page of a fresh Synvo sub-user, MemSync memories of its own; all deleted after' : 'read-only'})\n`);
const rows = await runProbe({
  ...(config.synvo ? { synvo: { ...config.synvo, user: value('--synvo-user') ?? 'default' } } : {}),
  ...(config.memsync ? { memsync: config.memsync } : {}),
  write,
  ...(value('--webpage-url') ? { webpageUrl: value('--webpage-url')! } : {}),
  processingTimeoutMs: timeout * 1000,
});
console.log(formatProbeTable(rows));
process.exit(rows.some((r) => r.verdict === 'differs') ? 1 : 0);
