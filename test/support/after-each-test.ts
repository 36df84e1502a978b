/**
 * Hooks that test helpers run after every test (print the logs a harness kept back when the test
 * failed, screenshot a page). A helper module is evaluated once per test worker (vitest.config.ts:
 * `isolate: false`), so an `afterEach` it registered itself would reach only the first test file
 * that imported it; the hooks added here run after each test of every file, through the one
 * `afterEach` of test/support/setup.ts (a setup file: run again for each test file).
 */
import type { TestContext } from 'vitest';

type Hook = (context: TestContext) => void | Promise<void>;

const hooks = new Set<Hook>();

/** Runs `hook` after each test from now on, in every test file of this worker. */
export function afterEachTest(hook: Hook): void {
  hooks.add(hook);
}

export async function runAfterEachTestHooks(context: TestContext): Promise<void> {
  for (const hook of hooks) await hook(context);
}
