/** `User.events` and `Event`: what Synvo learnt happened in the user's life. */
import type { SynvoEvent } from '../../upstream/types.js';
import { builder } from '../builder.js';
import { inputRules } from '../../memory/index.js';
import { EventTypeEnum } from './enums.js';
import { UserType } from './user.js';

export const EventObject = builder.objectRef<SynvoEvent>('Event').implement({
  description: "Something Synvo learnt about the user's life from their files.",
  fields: (t) => ({
    type: t.field({
      type: EventTypeEnum,
      description: 'What the event is about (OTHER for a type this gateway does not know).',
      resolve: (e) => (inputRules.KNOWN_EVENT_TYPES.has(e.type) ? (e.type as 'personal') : 'other'),
    }),
    content: t.exposeString('content', { description: 'What happened, in words.' }),
    happenedAt: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'When it happened, if known.',
      resolve: (e) => e.happenTime,
    }),
    mentionedAt: t.field({
      type: 'DateTime',
      description: 'When the user mentioned it (when the file was processed).',
      resolve: (e) => e.mentionTime,
    }),
    time: t.field({
      type: 'DateTime',
      description: 'happenedAt when known, else mentionedAt: the time the `since`/`until` window applies to.',
      resolve: (e) => e.happenTime ?? e.mentionTime,
    }),
  }),
});

builder.objectField(UserType, 'events', (t) =>
  t.field({
    type: [EventObject],
    nullable: true,
    description: "The user's most recent events from Synvo, oldest first.",
    args: {
      limit: t.arg.int({ defaultValue: 10, description: 'How many of the most recent events to return: 1 to 1000.' }),
      since: t.arg({ type: 'DateTime', description: 'Only events at or after this time (see Event.time).' }),
      until: t.arg({ type: 'DateTime', description: 'Only events at or before this time (see Event.time).' }),
      types: t.arg({
        type: [EventTypeEnum],
        description: 'Only events of these types (omit for every type). Synvo cannot filter by type, so the gateway filters its 1000 most recent events.',
      }),
    },
    resolve: (user, args, ctx) => ctx.memory.events(user.name, args),
  }),
);
