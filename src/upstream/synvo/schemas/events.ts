/** The events response, in either shape (a bare array or `{ events }`); zone-less times are UTC. */
import { z } from 'zod';
import { nullableUtcDate, parseResponse, utcDate } from '../../response-schema.js';
import type { SynvoEvent } from '../types.js';

const event = z
  .object({
    event_type: z.string(),
    content: z.string(),
    happen_time: nullableUtcDate,
    mention_time: utcDate,
  })
  .passthrough();

export const eventsArrayResponse = z.array(event);
export const eventsObjectResponse = z.object({ total_count: z.number().optional(), events: z.array(event) }).passthrough();

export function readEvents(body: unknown): SynvoEvent[] {
  const raw = Array.isArray(body) ? parseResponse(eventsArrayResponse, body, 'events') : parseResponse(eventsObjectResponse, body).events;
  const events = raw.map((e) => ({
    type: e.event_type.trim().toLowerCase(),
    content: e.content,
    happenTime: e.happen_time,
    mentionTime: e.mention_time,
  }));
  // Chronological by the time the window applies to; stable, so the upstream's ties keep their order.
  const when = (e: SynvoEvent) => (e.happenTime ?? e.mentionTime).getTime();
  return events.sort((a, b) => when(a) - when(b));
}
