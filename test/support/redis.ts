/**
 * The Redis every test that needs one talks to (shared by everyone's test runs on this machine, so
 * each test keeps to its own key prefix). `MEMGATE_TEST_REDIS_URL` points the suite elsewhere.
 */
export const TEST_REDIS_URL = process.env['MEMGATE_TEST_REDIS_URL'] ?? 'redis://127.0.0.1:6379';
