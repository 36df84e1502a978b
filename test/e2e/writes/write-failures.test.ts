import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { FaultSpec } from '../../../emulators/core/types.js';
import { startWritesHarness, type Instance, type WritesHarness } from './harness.js';

/** Each write, the upstream route it calls and a mutation the upstream accepts when no fault is armed. */
const writes: { write: string; service: 'synvo' | 'memsync'; route: string; mutation: string }[] = [
  { write: 'createFolder', service: 'synvo', route: 'createDir', mutation: `mutation { createFolder(path: "/archive", user: "default") { id } }` },
  { write: 'moveFile', service: 'synvo', route: 'fileMove', mutation: `mutation { moveFile(from: "/events/wellfest-invitation.txt", to: "/w.txt", user: "default") { id } }` },
  { write: 'addWebpage', service: 'synvo', route: 'webpage', mutation: `mutation { addWebpage(url: "http://127.0.0.1:9/page", user: "default") { id } }` },
  { write: 'updateMemory', service: 'memsync', route: 'memoryUpdate', mutation: `mutation { updateMemory(id: "mem_000014", importance: 0.9, user: "alex") { id } }` },
  { write: 'deleteMemories', service: 'memsync', route: 'memoriesBatchDelete', mutation: `mutation { deleteMemories(ids: ["mem_000013"], user: "alex") { deleted } }` },
  { write: 'updateBiography', service: 'memsync', route: 'bioUpdate', mutation: `mutation { updateBiography(text: "Alex builds ML tools.", manualOverride: true, user: "alex") { __typename } }` },
];

const faults: { name: string; fault: Omit<FaultSpec, 'route'>; code: string; upstreamStatus: number | undefined }[] = [
  { name: '429', fault: { kind: 'rateLimit', retryAfter: 7 }, code: 'RATE_LIMITED', upstreamStatus: 429 },
  { name: '500', fault: { kind: 'status', status: 500 }, code: 'UPSTREAM_UNAVAILABLE', upstreamStatus: 500 },
  { name: '503', fault: { kind: 'status', status: 503 }, code: 'UPSTREAM_UNAVAILABLE', upstreamStatus: 503 },
  // The connection dropped after the request reached the upstream: it may have been applied.
  { name: 'reset', fault: { kind: 'reset' }, code: 'UPSTREAM_UNAVAILABLE', upstreamStatus: undefined },
];

const cases = writes.flatMap((w) => faults.map((f) => ({ ...w, ...f })));

describe('a write failing upstream', () => {
  let h: WritesHarness;
  let gw: Instance;
  beforeAll(async () => {
    h = await startWritesHarness();
    gw = h.instances[0]!;
  });
  afterAll(() => h.stop());
  beforeEach(() => {
    h.synvo.controls.reset();
    h.memsync.controls.reset();
  });

  it.each(cases)('$write ($service $route) answered $name: $code, sent exactly once', async ({ service, route, mutation, fault, code, upstreamStatus }) => {
    (service === 'synvo' ? h.synvo : h.memsync).controls.addFault({ route, ...fault } as FaultSpec);
    const res = await gw.post(mutation);
    expect(res.json.errors).toHaveLength(1);
    expect(res.json.errors[0].extensions).toMatchObject({ code, service });
    expect(res.json.errors[0].extensions.upstreamStatus).toBe(upstreamStatus);
    if (code === 'RATE_LIMITED') expect(res.json.errors[0].extensions.retryAfter).toBe(7);
    expect(h.calls(service, route)).toBe(1);
  });

  it("maps MemSync's 422 on updateMemory (valid but cannot be processed) to BAD_USER_INPUT, sent once", async () => {
    h.memsync.controls.addFault({ route: 'memoryUpdate', kind: 'status', status: 422, body: { error: 'Unprocessable Entity', code: 'UNPROCESSABLE' }, times: 1 });
    const res = await gw.post(`mutation { updateMemory(id: "mem_000014", content: "User practices yoga.", user: "alex") { id } }`);
    expect(res.json.errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', service: 'memsync', upstreamStatus: 422 });
    expect(h.calls('memsync', 'memoryUpdate')).toBe(1);
  });

  it("maps Synvo's 409 on createFolder (a file is there) to CONFLICT, sent once", async () => {
    const res = await gw.post(`mutation { createFolder(path: "/events/wellfest-invitation.txt", user: "default") { id } }`);
    expect(res.json.errors[0].extensions).toMatchObject({ code: 'CONFLICT', service: 'synvo', upstreamStatus: 409 });
    expect(h.calls('synvo', 'createDir')).toBe(1);
  });
});
