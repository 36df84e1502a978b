/**
 * MemSync answers by API key, so a gateway serving many users must use each user's own key. Two
 * users connected with two keys never see each other's memories or biography, through every
 * MemSync-backed field and mutation (biography, memories, storeMemories, refreshBiography), with
 * the read cache on and off, on one instance and on two instances sharing Redis. There is no
 * MemSync-backed subscription (ask, fileStatus and events are Synvo's).
 */
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { startWritesHarness, type WritesHarness, type WritesHarnessOptions } from '../writes/harness.js';
import { MemSyncViewDocument, RefreshDocument, StoreDocument, ViewerMemSyncDocument } from './operations.js';

const PIANO = [
  'I play jazz piano in small clubs around Lisbon on most Friday evenings with my friends.',
  'I work as a payments engineer at Initech, building card systems for banks across Europe.',
  'I am learning Japanese with a private tutor twice a week because I plan to live in Kyoto.',
  'I run half marathons every spring and train with my running club along the river each morning.',
  'I have been married to my partner Sam for six years and we share two curious cats at home.',
  'I save money every month for a small apartment near the sea, following a strict budget plan.',
].map((content) => ({ role: 'USER', content }));

const BEES = [
  'I keep honey bees on the roof of my apartment building in Brooklyn and sell the honey locally.',
  'I work as a pediatric nurse at a children hospital in Queens, mostly on the night shift.',
  'I study marine biology in the evenings because I want to work on coral reef restoration.',
  'I cycle across the Brooklyn Bridge to work every day, even in the middle of the winter.',
  'I am close to my grandmother Rosa, who taught me to bake bread every Sunday morning.',
  'I pay off my student loans early by cooking at home and avoiding expensive restaurants.',
].map((content) => ({ role: 'USER', content }));

const modes: Array<[string, WritesHarnessOptions]> = [
  ['one instance, cache on', { instances: 1 }],
  ['one instance, cache off', { instances: 1, env: { MEMGATE_CACHE_TTL_SECONDS: '0' } }],
  ['two instances on Redis, cache on', { instances: 2, redis: true }],
  ['two instances on Redis, cache off', { instances: 2, redis: true, env: { MEMGATE_CACHE_TTL_SECONDS: '0' } }],
];

let h: WritesHarness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

describe.each(modes)('%s', (_mode, options) => {
  it('two users connected with two MemSync keys never see each other\'s memories or biography', async () => {
    h = await startWritesHarness(options);
    const harness = h;
    const last = harness.instances.length - 1;
    const run = randomUUID().slice(0, 8);
    const pianist = `pianist-${run}`;
    const beekeeper = `beekeeper-${run}`;
    // Each connects through a different instance when there are two (the keyring is shared in Redis).
    await harness.connectMemSync(pianist, 0);
    await harness.connectMemSync(beekeeper, last);

    // Both read first (empty), so a cache that mixed users up would now hold the wrong answer.
    for (const gw of harness.instances) {
      for (const user of [pianist, beekeeper]) {
        const empty = await gw.post(MemSyncViewDocument, { user, q: 'hobbies' });
        expect(empty.json.errors).toBeUndefined();
        expect(empty.json.data.user.memories).toEqual([]);
        expect(empty.json.data.user.biography).toEqual({ __typename: 'BiographyNotReady', currentMemoryCount: 0 });
      }
    }

    const storedPiano = await harness.instances[0]!.post(StoreDocument, { user: pianist, messages: PIANO });
    const storedBees = await harness.instances[last]!.post(StoreDocument, { user: beekeeper, messages: BEES });
    expect(storedPiano.json.errors).toBeUndefined();
    expect(storedBees.json.errors).toBeUndefined();
    const ids = {
      [pianist]: new Set<string>(storedPiano.json.data.storeMemories.memories.map((m: { id: string }) => m.id)),
      [beekeeper]: new Set<string>(storedBees.json.data.storeMemories.memories.map((m: { id: string }) => m.id)),
    };
    expect(ids[pianist]!.size).toBeGreaterThanOrEqual(5);
    expect(ids[beekeeper]!.size).toBeGreaterThanOrEqual(5);

    const own = { [pianist]: /piano|Lisbon/, [beekeeper]: /bees|Brooklyn/ };
    const foreign = { [pianist]: /bees|Brooklyn|nurse|Rosa/, [beekeeper]: /piano|Lisbon|Initech|Kyoto/ };
    for (const gw of harness.instances) {
      for (const user of [pianist, beekeeper]) {
        // The same queries for both users (one cache key apart from the user), each about one of them.
        for (const q of ['keeping bees on a roof in Brooklyn', 'playing jazz piano in Lisbon']) {
          const view = await gw.post(MemSyncViewDocument, { user, q });
          expect(view.json.errors).toBeUndefined();
          const memories = view.json.data.user.memories as Array<{ id: string; text: string }>;
          if (own[user]!.test(q)) expect(memories.length).toBeGreaterThan(0);
          for (const m of memories) {
            expect(ids[user]!.has(m.id)).toBe(true);
            expect(m.text).not.toMatch(foreign[user]!);
          }
          const bio = view.json.data.user.biography;
          expect(bio.__typename).toBe('Biography');
          expect(bio.text).toMatch(own[user]!);
          expect(bio.text).not.toMatch(foreign[user]!);
        }
      }
      // A JWT caller sees its own account through viewer, whatever it asks for.
      const viewer = await gw.post(ViewerMemSyncDocument, { q: 'keeping bees on a roof in Brooklyn' }, { authorization: `Bearer ${await harness.jwt(pianist)}` });
      expect(viewer.json.errors).toBeUndefined();
      expect(viewer.json.data.viewer.memories.every((m: { id: string }) => ids[pianist]!.has(m.id))).toBe(true);
      expect(viewer.json.data.viewer.biography.text).toMatch(/piano/);
    }

    // A refresh regenerates each user's own biography only.
    const refreshed = await harness.instances[last]!.post(RefreshDocument, { user: beekeeper });
    expect(refreshed.json.data.refreshBiography.__typename).toBe('Biography');
    expect(refreshed.json.data.refreshBiography.text).toMatch(/bees/);
    expect(refreshed.json.data.refreshBiography.text).not.toMatch(foreign[beekeeper]!);

    // MemSync saw each account only for its own user's calls; no seed account was touched.
    const routes = harness.memsync.controls.calls().routes;
    for (const route of Object.values(routes)) {
      for (const account of Object.keys(route.byUser)) expect([pianist, beekeeper]).toContain(account);
    }
    expect(harness.calls('memsync', 'memories', pianist)).toBe(1);
    expect(harness.calls('memsync', 'memories', beekeeper)).toBe(1);
  });
});
