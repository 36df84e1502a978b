import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSynvoEmulator } from '../../../emulators/synvo/index.js';
import type { RunningEmulator } from '../../../emulators/core/types.js';
import { get, uploadAndWait } from './synvo-client.js';

/** The example responses of shared/seeds/synvo-profile-and-events.txt, copied verbatim. */
const seedProfile = {
  "education": {
    "sub_topics": {
      "school": {
        "value": "Nanyang Technological University (NTU)"
      },
      "major": {
        "value": "Artificial Intelligence"
      }
    }
  },
  "psychological": {
    "sub_topics": {
      "values": {
        "value": "Values leadership and service in education, emphasises interactive learning, and places strong weight on financial literacy for better long-term decision-making."
      },
      "motivations": {
        "value": "Motivated by improving learning quality and gaining financial knowledge that supports accurate decisions."
      }
    }
  },
  "interest": {
    "sub_topics": {
      "sports": {
        "value": "Shows interest in self-care and wellness activities from event materials."
      },
      "books": {
        "value": "Reads technical and analytical material, such as neural network explanations and financial summaries."
      }
    }
  },
  "work": {
    "sub_topics": {
      "work_skills": {
        "value": "Shows familiarity with machine learning concepts and financial analysis principles."
      }
    }
  }
};

const seedEvents = [
  {
    "event_type": "personal",
    "content": "User uploaded Nanyang Technological University (NTU) Annual Report for 2024.",
    "happen_time": "2025-11-16T00:00:00",
    "mention_time": "2025-11-16T15:29:18.344000"
  },
  {
    "event_type": "personal",
    "content": "User uploaded a video lecture presented by Andrew Ng about neural networks.",
    "happen_time": "2025-11-16T00:00:00",
    "mention_time": "2025-11-16T15:31:00.890000"
  },
  {
    "event_type": "personal",
    "content": "User saved an audio lecture explaining operating profit margin.",
    "happen_time": "2025-11-16T00:00:00",
    "mention_time": "2025-11-16T15:32:40.555000"
  },
  {
    "event_type": "personal",
    "content": "User received an invitation for the October WellFest event at Nanyang Technological University.",
    "happen_time": "2025-10-23T00:00:00",
    "mention_time": "2025-11-16T15:34:06.326000"
  },
  {
    "event_type": "personal",
    "content": "User encouraged colleagues to join the WellFest event focused on self-care and well-being.",
    "happen_time": "2025-10-23T00:00:00",
    "mention_time": "2025-11-16T15:34:06.326000"
  },
  {
    "event_type": "financial",
    "content": "User plans to attend the October WellFest event on 23rd October 2025.",
    "happen_time": "2025-10-23T00:00:00",
    "mention_time": "2025-11-16T15:34:06.326000"
  }
];

function seedExamples() {
  return { profile: seedProfile, events: seedEvents };
}

describe('Synvo emulator: profile and events', () => {
  let emu: RunningEmulator;
  beforeAll(async () => {
    emu = await startSynvoEmulator({ processingDelayMs: 10 });
  });
  afterAll(() => emu.stop());
  beforeEach(() => emu.controls.reset());

  describe('GET /metadata/get_user_profile', () => {
    it('returns exactly the seed profile for the default sub-user', async () => {
      const res = await get(emu.url, '/metadata/get_user_profile/');
      expect(res.status).toBe(200);
      expect(res.body).toEqual(seedExamples().profile);
    });

    it('answers the same without the trailing slash and with sub_user_name=default', async () => {
      const a = await get(emu.url, '/metadata/get_user_profile');
      const b = await get(emu.url, '/metadata/get_user_profile/?sub_user_name=default');
      expect(a.body).toEqual(seedExamples().profile);
      expect(b.body).toEqual(a.body);
    });

    it("gives alex a profile extracted from alex's seed files, with Name capitalised", async () => {
      const res = await get(emu.url, '/metadata/get_user_profile?sub_user_name=alex');
      expect(res.status).toBe(200);
      expect(res.body.basic_info.sub_topics.Name).toEqual({ value: 'Alex' });
      expect(res.body.contact_info.sub_topics.city).toEqual({ value: 'San Francisco' });
      expect(res.body.work.sub_topics.title).toEqual({ value: 'Software Engineer' });
      expect(res.body.work.sub_topics.work_skills.value).toContain('Python');
      expect(res.body.interest.sub_topics.sports).toEqual({ value: 'Hiking' });
      expect(res.body.psychological.sub_topics.values.value).toContain('Sustainability');
      expect(res.body).not.toHaveProperty('education');
    });

    it('answers 404 User not found for a sub-user with no data', async () => {
      const res = await get(emu.url, '/metadata/get_user_profile?sub_user_name=newcomer');
      expect(res.status).toBe(404);
      expect(res.body).toMatchObject({ error: 'User not found', detail: expect.any(String) });
    });

    it('answers the alternate shape, several values as an array, under a shape fault', async () => {
      await uploadAndWait(emu.url, 'more.txt', 'Sports: Climbing\nCity: Oakland', { sub_user_name: 'alex' });
      emu.controls.addFault({ route: 'profile', kind: 'shape', variant: 'alternate', times: 1 });
      const alternate = await get(emu.url, '/metadata/get_user_profile?sub_user_name=alex');
      expect(alternate.body.basic_info).toEqual({ Name: 'Alex' });
      expect(alternate.body.interest.sports).toEqual(['Hiking', 'Climbing']);
      expect(alternate.body.contact_info.city).toEqual(['San Francisco', 'Oakland']);
      const standard = await get(emu.url, '/metadata/get_user_profile?sub_user_name=alex');
      expect(standard.body.interest.sub_topics.sports).toEqual({ value: 'Hiking; Climbing' });
    });

    it('answers {} for a sub-user whose files state no profile facts', async () => {
      await uploadAndWait(emu.url, 'sunset.jpg', 'jpeg bytes', { sub_user_name: 'pic' });
      const res = await get(emu.url, '/metadata/get_user_profile?sub_user_name=pic');
      expect(res.status).toBe(200);
      expect(res.body).toEqual({});
    });

    it("never shows one sub-user's profile facts to another", async () => {
      await uploadAndWait(emu.url, 'me.txt', 'Name: Zed Secret\nEmail: zed@example.com', { sub_user_name: 'zed' });
      const zed = await get(emu.url, '/metadata/get_user_profile?sub_user_name=zed');
      expect(zed.body.contact_info.sub_topics.email).toEqual({ value: 'zed@example.com' });
      for (const other of ['default', 'alex']) {
        const res = await get(emu.url, `/metadata/get_user_profile?sub_user_name=${other}`);
        expect(JSON.stringify(res.body)).not.toContain('zed');
      }
      expect((await get(emu.url, '/metadata/get_user_profile?sub_user_name=newcomer')).status).toBe(404);
    });
  });

  describe('GET /metadata/get_user_event', () => {
    it('returns exactly the six seed events for the default sub-user, with zone-less times', async () => {
      const res = await get(emu.url, '/metadata/get_user_event/');
      expect(res.status).toBe(200);
      expect(res.body).toEqual(seedExamples().events);
      expect(res.body[0].mention_time).toBe('2025-11-16T15:29:18.344000');
    });

    it('returns the most recent limit events in chronological order', async () => {
      const all = (await get(emu.url, '/metadata/get_user_event?limit=1000')).body;
      const res = await get(emu.url, '/metadata/get_user_event?limit=2');
      expect(res.body).toEqual(all.slice(-2));
    });

    it('windows on happen_time with start_time and end_time', async () => {
      const res = await get(emu.url, '/metadata/get_user_event?start_time=2025-10-01T00:00:00Z&end_time=2025-10-31T00:00:00Z');
      expect(res.body).toHaveLength(3);
      expect(res.body.every((e: { happen_time: string }) => e.happen_time === '2025-10-23T00:00:00')).toBe(true);
      const later = await get(emu.url, '/metadata/get_user_event?start_time=2025-11-01');
      expect(later.body.map((e: { content: string }) => e.content)).toEqual(seedExamples().events.slice(0, 3).map((e: { content: string }) => e.content));
    });

    it('windows on mention_time for an event without happen_time', async () => {
      const before = new Date(Date.now() - 1000).toISOString();
      await uploadAndWait(emu.url, 'plain.txt', 'Nothing dated here.', { sub_user_name: 'ann' });
      const inside = await get(emu.url, `/metadata/get_user_event?sub_user_name=ann&start_time=${before}`);
      expect(inside.body).toEqual([expect.objectContaining({ content: 'User uploaded plain.txt.', happen_time: null })]);
      expect(inside.body[0].mention_time).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}$/);
      const outside = await get(emu.url, `/metadata/get_user_event?sub_user_name=ann&end_time=${encodeURIComponent(before)}`);
      expect(outside.body).toEqual([]);
    });

    it.each([['0'], ['1001'], ['ten'], ['2.5'], ['-1']])('rejects limit=%s with 400', async (limit) => {
      const res = await get(emu.url, `/metadata/get_user_event?limit=${limit}`);
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ error: expect.any(String), detail: expect.stringContaining('limit') });
    });

    it.each([['start_time', 'yesterday'], ['end_time', '2025-13-45'], ['start_time', '2025-02-30T00:00:00'], ['end_time', '2025-02-29']])(
      'rejects an invalid %s (%s) with 400',
      async (name, value) => {
        const res = await get(emu.url, `/metadata/get_user_event?${name}=${value}`);
        expect(res.status).toBe(400);
        expect(res.body.detail).toContain(name);
      },
    );

    it('reads a zone offset, even one whose + arrived unencoded as a space', async () => {
      const encoded = await get(emu.url, `/metadata/get_user_event?start_time=${encodeURIComponent('2025-10-23T07:00:00+08:00')}&end_time=2025-10-23T00:00:00Z`);
      const unencoded = await get(emu.url, '/metadata/get_user_event?start_time=2025-10-23T07:00:00+08:00&end_time=2025-10-23T00:00:00Z');
      expect(encoded.body).toHaveLength(3);
      expect(unencoded.body).toEqual(encoded.body);
    });

    it('ignores unknown query parameters', async () => {
      const res = await get(emu.url, '/metadata/get_user_event?limit=1&colour=blue');
      expect(res.status).toBe(200);
      expect(res.body).toHaveLength(1);
    });

    it('answers 404 for a sub-user with no data', async () => {
      const res = await get(emu.url, '/metadata/get_user_event?sub_user_name=newcomer');
      expect(res.status).toBe(404);
      expect(res.body).toMatchObject({ error: 'User not found' });
    });

    it('answers {total_count, events} under a shape fault', async () => {
      emu.controls.addFault({ route: 'events', kind: 'shape', variant: 'alternate', times: 1 });
      const res = await get(emu.url, '/metadata/get_user_event?limit=4');
      expect(res.body).toEqual({ total_count: 4, events: seedExamples().events.slice(-4) });
      expect(Array.isArray((await get(emu.url, '/metadata/get_user_event')).body)).toBe(true);
    });

    it("derives alex's events from alex's seed files with the extraction rules", async () => {
      const res = await get(emu.url, '/metadata/get_user_event?sub_user_name=alex&limit=100');
      const contents = res.body.map((e: { content: string }) => e.content);
      expect(contents).toContain('User uploaded resume.txt.');
      expect(contents).toContain('User uploaded hiking-log.md.');
      const hike = res.body.find((e: { content: string }) => e.content.startsWith('Hiked the Dipsea Trail'));
      expect(hike).toMatchObject({ happen_time: '2025-10-12T00:00:00', mention_time: '2025-11-11T18:30:00.000000' });
      const resume = res.body.find((e: { content: string }) => e.content === 'User uploaded resume.txt.');
      expect(resume.event_type).toBe('professional');
    });

    it("never shows one sub-user's events to another", async () => {
      await uploadAndWait(emu.url, 'diary.txt', 'We met for dinner with friends on 2025-03-04.', { sub_user_name: 'zoe' });
      const zoe = await get(emu.url, '/metadata/get_user_event?sub_user_name=zoe');
      expect(zoe.body).toHaveLength(2);
      expect(zoe.body[1]).toMatchObject({ event_type: 'social', happen_time: '2025-03-04T00:00:00' });
      for (const other of ['default', 'alex']) {
        const res = await get(emu.url, `/metadata/get_user_event?sub_user_name=${other}&limit=1000`);
        expect(JSON.stringify(res.body)).not.toContain('diary.txt');
      }
      expect((await get(emu.url, '/metadata/get_user_event?sub_user_name=newcomer')).status).toBe(404);
    });
  });
});
