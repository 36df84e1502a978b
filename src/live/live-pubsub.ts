import { createRedisEventTarget } from '@graphql-yoga/redis-event-target';
import { createPubSub, type PubSub } from 'graphql-yoga';
import type { Redis } from 'ioredis';
import { decodeJson, encodeJson } from '../cache/json-codec.js';
import type { FileStatusSnapshot } from './live-state.js';
import type { SynvoEvent } from '../upstream/types.js';

/** Topics of the live updates: a file's statuses by `user/fileId`, a user's new events by user. */
export type LiveTopics = {
  fileStatus: [channel: string, snapshot: FileStatusSnapshot];
  events: [user: string, event: SynvoEvent];
};

export type LivePubSub = PubSub<LiveTopics>;

export interface RedisPubSubOptions {
  /** Publishes (may be shared with other work). */
  publisher: Redis;
  /** Subscribes; a connection in subscriber mode can do nothing else, so it must be its own. */
  subscriber: Redis;
  /** Prepended to every channel name. @default 'memgate:' */
  prefix?: string;
}

/**
 * The event target fires SUBSCRIBE/UNSUBSCRIBE without awaiting them; one that fails (a
 * subscription ending while the gateway disconnects from Redis) must not become an unhandled rejection.
 */
function quietSubscriptions(redis: Redis): Redis {
  return new Proxy(redis, {
    get(target, property, receiver) {
      if (property === 'subscribe' || property === 'unsubscribe') {
        return (...channels: string[]) => target[property](...channels).catch(() => 0);
      }
      const value: unknown = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

/** In-process fan-out: one gateway instance. */
export function createMemoryPubSub(): LivePubSub {
  return createPubSub<LiveTopics>();
}

/**
 * Fan-out through Redis pub/sub (@graphql-yoga/redis-event-target): an event published on one
 * gateway instance reaches the subscribers of every instance. Channels carry the prefix; payloads
 * keep their dates.
 */
export function createRedisPubSub(options: RedisPubSubOptions): LivePubSub {
  const prefix = `${options.prefix ?? 'memgate:'}live:`;
  const target = createRedisEventTarget<CustomEvent>({
    publishClient: options.publisher,
    subscribeClient: quietSubscriptions(options.subscriber),
    serializer: { stringify: encodeJson, parse: decodeJson },
  });
  // Redis channels are global to the server: prefix them so deployments (and tests) never meet.
  const prefixed: EventTarget = {
    addEventListener: (type, listener) => target.addEventListener(prefix + type, listener as EventListener),
    removeEventListener: (type, listener) => target.removeEventListener(prefix + type, listener as EventListener),
    dispatchEvent: (event) => target.dispatchEvent(new CustomEvent(prefix + event.type, { detail: (event as CustomEvent).detail })),
  };
  return createPubSub<LiveTopics>({ eventTarget: prefixed as never });
}
