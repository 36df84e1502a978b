import { createRedisEventTarget } from '@graphql-yoga/redis-event-target';
import { createPubSub, type PubSub } from 'graphql-yoga';
import type { Cluster, Redis } from 'ioredis';
import { decodeJson, encodeJson } from '../cache/json-codec.js';
import type { FileStatusSnapshot } from './live-state.js';
import type { SynvoEvent } from '../upstream/types.js';

/** A user forgotten on one instance, for every other to drop what it holds of the user. */
export interface ForgottenNotice {
  user: string;
  /** The instance that forgot the user (it has dropped its own state already). */
  origin: string;
}

/**
 * Topics of the live updates: a file's statuses by `user/fileId`, a user's new events by user, and
 * the users forgotten (one channel every instance listens on).
 */
export type LiveTopics = {
  fileStatus: [channel: string, snapshot: FileStatusSnapshot];
  events: [user: string, event: SynvoEvent];
  forgotten: [notice: ForgottenNotice];
};

/**
 * yoga's PubSub, plus `listen`: a callback for one topic and id, with no async iterator behind it.
 * A watch that only relays to its own subscribers uses it: a Repeater and a `for await` loop per
 * watched user would each hold a suspended generator, promises and closures for as long as it is idle.
 */
export interface LivePubSub extends PubSub<LiveTopics> {
  /** Calls `listener` with every payload published on `topic` for `id`, until the returned function is called. */
  listen<K extends keyof LiveTopics>(topic: K, id: LiveTopics[K][0], listener: (payload: LiveTopics[K][1]) => void): () => void;
}

/** yoga's PubSub on `target`, with `listen` on the same target (yoga names a topic with an id `topic:id`). */
function livePubSub(target: EventTarget): LivePubSub {
  return {
    ...createPubSub<LiveTopics>({ eventTarget: target as never }),
    listen(topic, id, listener) {
      const type = `${topic}:${id}`;
      const handler = (event: Event) => listener((event as CustomEvent).detail);
      target.addEventListener(type, handler);
      return () => target.removeEventListener(type, handler);
    },
  };
}

export interface RedisPubSubOptions {
  /** Publishes (may be shared with other work). */
  publisher: Redis | Cluster;
  /** Subscribes; a connection in subscriber mode can do nothing else, so it must be its own. */
  subscriber: Redis | Cluster;
  /** Prepended to every channel name. @default 'memgate:' */
  prefix?: string;
  /**
   * Sharded pub/sub (SPUBLISH/SSUBSCRIBE, Redis 7): on a Cluster a message goes to the shard that
   * owns its channel instead of to every node. The subscriber must be a Cluster client made with
   * `shardedSubscribers: true`. @default false
   */
  sharded?: boolean;
  /** Told about a publish or (un)subscribe Redis refused; it never fails the caller. @default ignored */
  onError?: (error: unknown) => void;
}

type EventTargetClients = Pick<Parameters<typeof createRedisEventTarget>[0], 'publishClient' | 'subscribeClient'>;

/**
 * The event target fires PUBLISH/SUBSCRIBE/UNSUBSCRIBE without awaiting them; one that fails (Redis
 * away, a Cluster master down, the gateway disconnecting) must not become an unhandled rejection.
 * Sharded, the same calls are SPUBLISH/SSUBSCRIBE/SUNSUBSCRIBE and messages arrive as `smessage`.
 */
function eventTargetClients(options: RedisPubSubOptions): EventTargetClients {
  const { publisher, subscriber, sharded = false } = options;
  const onError = options.onError ?? (() => {});
  const quiet = (sent: Promise<unknown>) => sent.catch((error: unknown) => (onError(error), 0));
  const clients = {
    publishClient: {
      publish: (channel: string, message: string) => quiet(sharded ? publisher.spublish(channel, message) : publisher.publish(channel, message)),
    },
    subscribeClient: {
      subscribe: (channel: string) => quiet(sharded ? subscriber.ssubscribe(channel) : subscriber.subscribe(channel)),
      unsubscribe: (channel: string) => quiet(sharded ? subscriber.sunsubscribe(channel) : subscriber.unsubscribe(channel)),
      on: (_event: 'message', listener: (channel: string, message: string) => void) => subscriber.on(sharded ? 'smessage' : 'message', listener),
    },
  };
  // The event target is typed against ioredis' Redis class; it calls only the four methods above.
  return clients as unknown as EventTargetClients;
}

/** In-process fan-out: one gateway instance. */
export function createMemoryPubSub(): LivePubSub {
  return livePubSub(new EventTarget());
}

/**
 * Fan-out through Redis pub/sub (@graphql-yoga/redis-event-target): an event published on one
 * gateway instance reaches the subscribers of every instance, on one Redis or a Cluster. Channels
 * carry the prefix; payloads keep their dates.
 */
export function createRedisPubSub(options: RedisPubSubOptions): LivePubSub {
  const prefix = `${options.prefix ?? 'memgate:'}live:`;
  const target = createRedisEventTarget<CustomEvent>({
    ...eventTargetClients(options),
    serializer: { stringify: encodeJson, parse: decodeJson },
  });
  // Redis channels are global to the server: prefix them so deployments (and tests) never meet.
  const prefixed: EventTarget = {
    addEventListener: (type, listener) => target.addEventListener(prefix + type, listener as EventListener),
    removeEventListener: (type, listener) => target.removeEventListener(prefix + type, listener as EventListener),
    dispatchEvent: (event) => target.dispatchEvent(new CustomEvent(prefix + event.type, { detail: (event as CustomEvent).detail })),
  };
  return livePubSub(prefixed);
}
