/**
 * connectMemSync, disconnectMemSync and User.memsync through a real gateway in front of the real
 * MemSync emulator; the typed not-connected answers; and the operator's own MemSync key, configured
 * here as a valid account key, never used for a user.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MEMSYNC_SEED_KEYS } from '../../../emulators/memsync/index.js';
import { startWritesHarness, type Instance, type WritesHarness } from '../writes/harness.js';
import { ConnectMemSyncDocument, DisconnectMemSyncDocument, MemSyncViewDocument, RefreshDocument, StoreDocument } from './operations.js';

const MESSAGE = [{ role: 'USER', content: 'I grow tomatoes and basil on my balcony in Porto every summer.' }];

let h: WritesHarness;
let gw: Instance;
const unique = (name: string) => `${name}-${randomUUID().slice(0, 8)}`;

beforeAll(async () => {
  // The operator's key is alex's account key: any call made with it would show under `alex`.
  h = await startWritesHarness({ env: { MEMSYNC_API_KEY: MEMSYNC_SEED_KEYS.alex } });
  gw = h.instances[0]!;
});
afterAll(async () => {
  await h?.stop();
});

describe('a user with no MemSync key', () => {
  it('gets MemSyncNotConnected for the biography and MEMSYNC_NOT_CONNECTED on the other MemSync fields, with nothing sent to MemSync', async () => {
    const user = unique('stranger');
    h.memsync.controls.resetCalls();
    const view = await gw.post(MemSyncViewDocument, { user, q: 'anything' });
    expect(view.json.data.user).toEqual({
      name: user,
      memsync: { connected: false, connectedAt: null, keyHint: null },
      biography: { __typename: 'MemSyncNotConnected', message: expect.stringContaining('connectMemSync') },
      memories: null,
    });
    expect(view.json.errors).toEqual([
      expect.objectContaining({ path: ['user', 'memories'], extensions: { code: 'MEMSYNC_NOT_CONNECTED', service: 'memsync' } }),
    ]);

    const store = await gw.post(StoreDocument, { user, messages: MESSAGE });
    expect(store.json.errors[0].extensions).toEqual({ code: 'MEMSYNC_NOT_CONNECTED', service: 'memsync' });
    const refresh = await gw.post(RefreshDocument, { user });
    expect(refresh.json.data.refreshBiography).toEqual({ __typename: 'MemSyncNotConnected', message: expect.any(String) });

    // Not one call: not with the operator's key (alex's account), not with anybody's.
    expect(h.memsync.controls.calls().routes).toEqual({});
    expect(view.text + store.text + refresh.text).not.toContain(MEMSYNC_SEED_KEYS.alex);
  });
});

describe('connectMemSync', () => {
  it('checks the key with one MemSync call, keeps it, shows only its last 4 characters, and serves the account from then on', async () => {
    const user = unique('joiner');
    const { apiKey } = h.memsync.controls.createAccount(user);
    h.memsync.controls.resetCalls();
    const connected = await gw.post(ConnectMemSyncDocument, { apiKey, user });
    expect(connected.json.errors).toBeUndefined();
    expect(connected.json.data.connectMemSync).toEqual({ connected: true, connectedAt: expect.any(String), keyHint: apiKey.slice(-4) });
    expect(connected.text).not.toContain(apiKey);
    expect(h.memsync.controls.calls().routes).toEqual({ bio: { total: 1, byUser: { [user]: 1 } } });

    const stored = await gw.post(StoreDocument, { user, messages: MESSAGE, threadId: 'balcony-1', source: 'email' });
    expect(stored.json.data.storeMemories.count).toBe(1);
    const view = await gw.post(MemSyncViewDocument, { user, q: 'tomatoes on the balcony' });
    expect(view.json.errors).toBeUndefined();
    expect(view.json.data.user.memsync).toEqual(connected.json.data.connectMemSync);
    // MemSync's required store fields were sent: the agent (MEMSYNC_AGENT_ID's default), the thread and the source.
    expect(view.json.data.user.memories).toEqual([
      expect.objectContaining({ text: expect.stringContaining('tomatoes'), agentId: 'memgate', threadId: 'balcony-1', source: 'email' }),
    ]);
    expect(view.text).not.toContain(apiKey);
  });

  it('starts a new thread for every storeMemories without a threadId, with source chat', async () => {
    const user = unique('threads');
    await h.connectMemSync(user);
    await gw.post(StoreDocument, { user, messages: MESSAGE });
    await gw.post(StoreDocument, { user, messages: [{ role: 'USER', content: 'I swim in the Atlantic every morning before work in Porto.' }] });
    const memories = (await gw.post(MemSyncViewDocument, { user, q: 'Porto' })).json.data.user.memories as Array<{ threadId: string; source: string }>;
    expect(memories).toHaveLength(2);
    expect(memories[0]!.threadId).not.toBe(memories[1]!.threadId);
    expect(memories.map((m) => m.source)).toEqual(['chat', 'chat']);
  });

  it('refuses a key MemSync does not accept with BAD_USER_INPUT, storing nothing', async () => {
    const user = unique('typo');
    h.memsync.controls.resetCalls();
    const refused = await gw.post(ConnectMemSyncDocument, { apiKey: 'memsync-key-not-an-account', user });
    expect(refused.json.data).toBeNull();
    expect(refused.json.errors[0].extensions).toEqual({ code: 'BAD_USER_INPUT', argument: 'apiKey' });
    expect(refused.json.errors[0].message).toMatch(/does not accept this key/);
    expect(refused.text).not.toContain('memsync-key-not-an-account');
    expect(h.calls('memsync', 'bio')).toBe(1);
    expect((await gw.post(MemSyncViewDocument, { user, q: 'x' })).json.data.user.memsync.connected).toBe(false);
  });

  it.each([
    ['an empty key', '   ', /must not be empty/],
    ['a key with spaces', 'not a real key', /not a MemSync API key/],
    ['a key too short to be one', 'abc', /not a MemSync API key/],
  ])('refuses %s with BAD_USER_INPUT before calling MemSync', async (_name, apiKey, message) => {
    h.memsync.controls.resetCalls();
    const res = await gw.post(ConnectMemSyncDocument, { apiKey, user: unique('bad') });
    expect(res.json.errors[0]).toMatchObject({ message: expect.stringMatching(message), extensions: { code: 'BAD_USER_INPUT', argument: 'apiKey' } });
    expect(h.memsync.controls.calls().routes).toEqual({});
  });

  it('reports MemSync being down as UPSTREAM_UNAVAILABLE, not as a bad key, and stores nothing', async () => {
    const user = unique('outage');
    const { apiKey } = h.memsync.controls.createAccount(user);
    h.memsync.controls.addFault({ route: 'bio', kind: 'status', status: 503, body: { detail: 'down' } });
    try {
      const res = await gw.post(ConnectMemSyncDocument, { apiKey, user });
      expect(res.json.errors[0].extensions).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', service: 'memsync', upstreamStatus: 503 });
    } finally {
      h.memsync.controls.clearFaults();
    }
    expect((await gw.post(MemSyncViewDocument, { user, q: 'x' })).json.data.user.memsync.connected).toBe(false);
  });

  it('lets a JWT caller connect itself only (naming another user is FORBIDDEN)', async () => {
    const user = unique('self');
    const { apiKey } = h.memsync.controls.createAccount(user);
    const auth = { authorization: `Bearer ${await h.jwt(user)}` };
    const other = await gw.post(ConnectMemSyncDocument, { apiKey, user: 'alex' }, auth);
    expect(other.json.errors[0].extensions.code).toBe('FORBIDDEN');
    const own = await gw.post(ConnectMemSyncDocument, { apiKey }, auth);
    expect(own.json.data.connectMemSync).toMatchObject({ connected: true, keyHint: apiKey.slice(-4) });
    // A service key must say whose account it is.
    const anonymous = await gw.post(ConnectMemSyncDocument, { apiKey });
    expect(anonymous.json.errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'user' });
  });
});

describe('disconnectMemSync', () => {
  it('forgets the key: the cached biography and memories go with it, and nothing more reaches MemSync for the user', async () => {
    const user = unique('leaver');
    await h.connectMemSync(user);
    await gw.post(StoreDocument, { user, messages: MESSAGE });
    // Cached now (the harness runs with the read cache on).
    const before = await gw.post(MemSyncViewDocument, { user, q: 'tomatoes' });
    expect(before.json.data.user.memories).toHaveLength(1);

    const gone = await gw.post(DisconnectMemSyncDocument, { user });
    expect(gone.json.data.disconnectMemSync).toEqual({ connected: false, connectedAt: null, keyHint: null });
    h.memsync.controls.resetCalls();
    const after = await gw.post(MemSyncViewDocument, { user, q: 'tomatoes' });
    expect(after.json.data.user.biography.__typename).toBe('MemSyncNotConnected');
    expect(after.json.data.user.memories).toBeNull();
    expect(h.memsync.controls.calls().routes).toEqual({});
  });

  it('leaves a user who never connected not connected, and a JWT caller may only disconnect itself', async () => {
    expect((await gw.post(DisconnectMemSyncDocument, { user: unique('never') })).json.data.disconnectMemSync.connected).toBe(false);
    const auth = { authorization: `Bearer ${await h.jwt(unique('jwt'))}` };
    expect((await gw.post(DisconnectMemSyncDocument, { user: 'alex' }, auth)).json.errors[0].extensions.code).toBe('FORBIDDEN');
    expect((await gw.post(MemSyncViewDocument, { user: 'alex', q: 'x' })).json.data.user.memsync.connected).toBe(true);
  });
});

describe('storeMemories input MemSync would refuse', () => {
  it.each([
    ['a SYSTEM message', { messages: [{ role: 'SYSTEM', content: 'You are a helpful assistant.' }] }, 'messages[0].role'],
    ['a threadId with spaces', { messages: MESSAGE, threadId: 'my thread' }, 'threadId'],
    ['an empty source', { messages: MESSAGE, source: ' ' }, 'source'],
  ])('refuses %s with BAD_USER_INPUT before calling MemSync', async (_name, variables, argument) => {
    h.memsync.controls.resetCalls();
    const res = await gw.post(StoreDocument, { user: 'alex', ...variables });
    expect(res.json.errors[0].extensions).toEqual({ code: 'BAD_USER_INPUT', argument });
    expect(h.memsync.controls.calls().routes).toEqual({});
  });
});
