/** Setup file of every test file (vitest.config.ts): the hooks of test/support/after-each-test.ts. */
import { afterEach } from 'vitest';
import { runAfterEachTestHooks } from './after-each-test.js';

afterEach((context) => runAfterEachTestHooks(context));
