/** Names shared by the bench runner and its server processes. */

/** The `X-Api-Key` the load generator uses against memgate (a trusted back-end may name any user). */
export const BENCH_SERVICE_KEY = 'bench-service-key';
/** Users named so get the seed user `alex`'s data from the bench emulators (servers/emulators.ts). */
export const BENCH_USER_PREFIX = 'bench-';
