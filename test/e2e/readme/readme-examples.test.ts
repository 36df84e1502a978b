/**
 * Every example in README.md, run as written against `npm start` on the emulators, in README order,
 * as one reader in one terminal would (shell variables such as TOKEN carry from block to block).
 *
 * The convention (README.md, "Examples that run"):
 * - ```sh blocks run in bash from the repository root; ```ts blocks run with `node --import tsx`
 *   with the shell's variables in their environment; ```graphql blocks run through the gateway as
 *   the seed user `default` (GraphiQL's development JWT), each of its operations in turn, without
 *   variables, unless it only defines types. Other
 *   languages are not run.
 * - The fixed addresses 127.0.0.1:4000 / 4010 / 4020 are rewritten to the ports `npm start` got
 *   (the test runs it on free ports).
 * - A block passes when it exits 0, prints something, and prints no GraphQL `"errors"`.
 * - An HTML comment right before a block refines that: `<!-- readme-test: expect "text" -->`
 *   (repeatable: each text must be in the output), `<!-- readme-test: errors-ok -->` (the example
 *   shows an error), `<!-- readme-test: service-key -->` (a graphql block run with the development
 *   service key instead of the JWT), or `<!-- readme-test: skip <reason> -->` for a block that cannot run here.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Kind, parse } from 'graphql';
import { DEV_SERVICE_KEY } from '../../../src/config.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { extractExamples, type Example } from '../../support/readme-examples.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const scratch = join(root, 'test/e2e/readme/.run');

const RUNNABLE = new Set(['sh', 'bash', 'ts', 'graphql']);
/** A graphql block is an operation to run, unless it only defines types (a schema excerpt). */
const isOperation = (code: string) => parse(code).definitions.some((d) => d.kind === Kind.OPERATION_DEFINITION);
const examples = extractExamples(readFileSync(join(root, 'README.md'), 'utf8')).filter(
  (e) => RUNNABLE.has(e.lang) && (e.lang !== 'graphql' || isOperation(e.code)),
);

let child: ChildProcess;
let output = '';
const ports = { gateway: '', synvo: '', memsync: '' };
let devToken = '';
let before: Set<string>;
const stateFile = join(scratch, 'shell-state');

beforeAll(async () => {
  rmSync(scratch, { recursive: true, force: true });
  mkdirSync(scratch, { recursive: true });
  before = new Set(readdirSync(root));
  child = spawn('npm', ['run', '--silent', 'start'], {
    cwd: root,
    env: { ...process.env, PORT: '0', SYNVO_EMULATOR_PORT: '0', MEMSYNC_EMULATOR_PORT: '0', LOG_LEVEL: 'warn', NODE_ENV: 'development' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
  const ready = /Synvo emulator\s+http:\/\/127\.0\.0\.1:(\d+)[\s\S]*MemSync emulator\s+http:\/\/127\.0\.0\.1:(\d+)[\s\S]*memgate gateway\s+http:\/\/127\.0\.0\.1:(\d+)[\s\S]*Authorization: Bearer (\S+)/;
  await new Promise<void>((resolve, reject) => {
    const look = () => {
      const m = ready.exec(output);
      if (!m) return;
      [ports.synvo, ports.memsync, ports.gateway, devToken] = [m[1]!, m[2]!, m[3]!, m[4]!];
      resolve();
    };
    child.stdout!.on('data', look);
    child.once('exit', (code) => reject(new Error(`npm start exited with ${code}:\n${output}`)));
  });
  writeFileSync(stateFile, '');
}, 60_000);

afterAll(async () => {
  if (child && child.exitCode === null) {
    child.kill('SIGTERM'); // npm forwards it to the gateway
    await once(child, 'exit');
  }
  // Files the examples made in the repository root (notes.txt ...), and the scratch directory.
  for (const entry of readdirSync(root)) if (!before.has(entry)) rmSync(join(root, entry), { recursive: true, force: true });
  rmSync(scratch, { recursive: true, force: true });
});

/** The block with the fixed ports of the README replaced by the ones this `npm start` got. */
const onThisRun = (code: string) =>
  code
    .replace(/(127\.0\.0\.1|localhost):4000\b/g, `127.0.0.1:${ports.gateway}`)
    .replace(/(127\.0\.0\.1|localhost):4010\b/g, `127.0.0.1:${ports.synvo}`)
    .replace(/(127\.0\.0\.1|localhost):4020\b/g, `127.0.0.1:${ports.memsync}`);

function run(command: string, args: string[], timeoutMs = 60_000): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    // A reader's terminal: no NODE_ENV (vitest sets it to test).
    const { NODE_ENV: _testEnv, ...env } = process.env;
    const p = spawn(command, args, { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    p.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => p.kill('SIGKILL'), timeoutMs);
    p.once('error', reject);
    p.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

async function runExample(example: Example, index: number): Promise<string> {
  const code = onThisRun(example.code);
  if (example.lang === 'graphql') {
    // Each operation of the block in turn (by name when there are several), without variables.
    const names = parse(code).definitions.flatMap((d) => (d.kind === Kind.OPERATION_DEFINITION ? [d.name?.value] : []));
    const answers: string[] = [];
    for (const operationName of names) {
      const res = await fetch(`http://127.0.0.1:${ports.gateway}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(example.serviceKey ? { 'x-api-key': DEV_SERVICE_KEY } : { authorization: `Bearer ${devToken}` }) },
        body: JSON.stringify({ query: code, ...(names.length > 1 ? { operationName } : {}) }),
      });
      answers.push(JSON.stringify(await res.json()));
    }
    return answers.join('\n');
  }
  // Shell blocks share one terminal's variables: each starts from what the previous ones set.
  const script =
    example.lang === 'ts'
      ? (() => {
          const file = join(scratch, `example-${index}.ts`);
          writeFileSync(file, code);
          return `set -a; . '${stateFile}'; exec node --import tsx '${file}'`;
        })()
      : `set -a; . '${stateFile}'; set -eo pipefail\n${code}\nexport -p > '${stateFile}'`;
  const { code: exit, stdout, stderr } = await run('bash', ['-c', script]);
  expect(exit, `exit status; stderr:\n${stderr}`).toBe(0);
  return stdout;
}

describe('README.md examples, run as written against npm start on the emulators', () => {
  it('finds the examples', () => {
    expect(examples.length).toBeGreaterThanOrEqual(5);
  });

  examples.forEach((example, index) => {
    const name = `line ${example.line} (${example.lang}): ${example.code.split('\n').find((l) => l.trim() && !l.startsWith('#'))?.slice(0, 70) ?? ''}`;
    it.skipIf(example.skip !== undefined)(name, async () => {
      const out = await runExample(example, index);
      expect(out.trim(), 'the example prints something').not.toBe('');
      if (!example.errorsOk) expect(out).not.toContain('"errors"');
      for (const text of example.expect) expect(out).toContain(text);
    });
  });
});
