import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { request } from 'undici';
import { afterAll, describe, expect, it } from 'vitest';

interface Launched {
  child: ChildProcess;
  output: () => string;
  synvo: string;
  memsync: string;
  pid: number;
}

/** Runs `npm run emulators` (or its command without npm) with both ports at 0 and waits for the printed URLs. */
async function launch(viaNpm = true): Promise<Launched> {
  const [command, args] = viaNpm ? ['npm', ['run', '--silent', 'emulators']] : [process.execPath, ['--import', 'tsx', 'emulators/main.ts']];
  const child = spawn(command, args, {
    cwd: process.cwd(),
    env: { ...process.env, SYNVO_EMULATOR_PORT: '0', MEMSYNC_EMULATOR_PORT: '0', HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const ready = /Synvo emulator\s+(http:\/\/\S+)[\s\S]*MemSync emulator\s+(http:\/\/\S+)[\s\S]*pid (\d+);/;
  await new Promise<void>((resolve, reject) => {
    const check = () => {
      if (ready.test(out)) resolve();
    };
    child.stdout!.on('data', check);
    child.once('exit', (code) => reject(new Error(`launcher exited early (${code}): ${out}`)));
  });
  const [, synvo, memsync, pid] = ready.exec(out)!;
  return { child, output: () => out, synvo: synvo!, memsync: memsync!, pid: Number(pid) };
}

async function getJson(url: string, key: string) {
  const res = await request(url, { headers: { 'x-api-key': key } });
  return { status: res.statusCode, body: (await res.body.json()) as any };
}

describe.concurrent('npm run emulators (emulators/main.ts)', () => {
  const children: ChildProcess[] = [];
  afterAll(() => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM'); // npm forwards it; a SIGKILL would orphan the emulators
  });

  it('serves seed data from both emulators and exits 0 on SIGTERM', async () => {
    const run = await launch();
    children.push(run.child);
    expect(run.output()).toContain('synvo-dev-key');
    expect(run.output()).toContain('memsync-dev-key');

    const profile = await getJson(`${run.synvo}/metadata/get_user_profile/`, 'synvo-dev-key');
    expect(profile.status).toBe(200);
    expect(JSON.stringify(profile.body)).toContain('Nanyang Technological University');

    const bio = await getJson(`${run.memsync}/v1/profile/bio?user_id=alex`, 'memsync-dev-key');
    expect(bio.status).toBe(200);
    expect(bio.body.bio).toContain('Sarah Johnson');

    const controls = await request(`${run.memsync}/__emulator/calls`);
    expect(((await controls.body.json()) as any).routes.bio.total).toBe(1);

    // The printed controls URL answers with what the control API offers.
    const printed = /Controls: (\S+)/.exec(run.output())![1]!;
    const index = await request(printed);
    expect(index.statusCode).toBe(200);
    const offered = (await index.body.json()) as any;
    expect(offered.emulator).toBe('synvo');
    expect(Object.keys(offered.controls)).toContain('POST /__emulator/reset');
    expect(offered.routes.profile).toMatch(/^GET \/metadata\/get_user_profile/);

    const exited = once(run.child, 'exit');
    process.kill(run.pid, 'SIGTERM');
    const [code] = await exited;
    expect(code).toBe(0);
    expect(run.output()).toContain('SIGTERM: stopping the emulators');
    await expect(request(`${run.memsync}/openapi.json`)).rejects.toThrow();
  });

  it('exits 0 on SIGINT as well', async () => {
    const run = await launch(false);
    children.push(run.child);
    const exited = once(run.child, 'exit');
    process.kill(run.pid, 'SIGINT');
    const [code] = await exited;
    expect(code).toBe(0);
  });

  it('refuses a port that is not a number, naming the variable', async () => {
    const child = spawn('npm', ['run', '--silent', 'emulators'], {
      cwd: process.cwd(),
      env: { ...process.env, SYNVO_EMULATOR_PORT: 'forty', MEMSYNC_EMULATOR_PORT: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    let err = '';
    child.stderr!.on('data', (chunk: Buffer) => (err += chunk.toString()));
    const [code] = await once(child, 'exit');
    expect(code).toBe(1);
    expect(err).toContain('SYNVO_EMULATOR_PORT');
  });
});
