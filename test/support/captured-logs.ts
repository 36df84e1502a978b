/**
 * Log lines of gateways started in-process by a test harness, kept out of the test output: a test
 * that fails gets the lines written while it ran printed after it, a passing one prints nothing.
 */
import { PassThrough } from 'node:stream';
import { afterEachTest } from './after-each-test.js';

const live = new Set<{ take(): string }>();

afterEachTest((context) => {
  const lines = [...live].map((capture) => capture.take()).join('');
  if (context.task.result?.state === 'fail' && lines) process.stderr.write(`\n--- gateway logs during "${context.task.name}" ---\n${lines}`);
});

/** A log destination (pino writes JSON lines to it) whose lines are printed only for a failed test. */
export function captureLogs(): { destination: PassThrough; stop(): void } {
  const destination = new PassThrough();
  let buffered = '';
  destination.on('data', (chunk: Buffer) => (buffered += chunk.toString()));
  const capture = {
    take() {
      const text = buffered;
      buffered = '';
      return text;
    },
  };
  live.add(capture);
  return { destination, stop: () => live.delete(capture) };
}
