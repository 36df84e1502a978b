/**
 * Every live stream a user has open on this gateway instance (file statuses, new events, answers
 * being written), so that forgetting the user ends them all at once: each ends with a
 * `UserForgottenError` (FORBIDDEN, reason USER_FORGOTTEN, in src/server/upstream-errors.ts), which
 * the transports send as one last result before the end of the stream.
 */
import { Repeater } from 'graphql-yoga';

const USER_FORGOTTEN = Symbol.for('memgate.UserForgottenError');

/** The user was forgotten (`forgetUser`) while this stream was open. */
export class UserForgottenError extends Error {
  override readonly name = 'UserForgottenError';
  constructor(readonly user: string) {
    super(`The user "${user}" was forgotten (forgetUser): this subscription has ended`);
    Object.defineProperty(this, USER_FORGOTTEN, { value: true });
  }
}

/** The one identity check of the error (a brand, as for InputError and UpstreamError). */
export function isUserForgottenError(value: unknown): value is UserForgottenError {
  return typeof value === 'object' && value !== null && (value as { [USER_FORGOTTEN]?: unknown })[USER_FORGOTTEN] === true;
}

/** A stream's own stop (a Repeater's `stop`): forgetting the user calls it with UserForgottenError. */
export type StreamStop = (error: UserForgottenError) => unknown;

export class UserStreams {
  readonly #open = new Map<string, Set<StreamStop>>();

  /**
   * Registers an open stream of the user by its own stop, so that no wrapper stands between the
   * stream and its consumer (one less async-iterator layer per subscription). The stream removes it
   * with `delete` when it ends.
   */
  add(user: string, stop: StreamStop): void {
    const stops = this.#open.get(user);
    if (stops) stops.add(stop);
    else this.#open.set(user, new Set([stop]));
  }

  delete(user: string, stop: StreamStop): void {
    const stops = this.#open.get(user);
    if (stops?.delete(stop) && stops.size === 0) this.#open.delete(user);
  }

  /**
   * `source` until it ends, its consumer returns, or the user is forgotten (then it throws
   * UserForgottenError), for a source that is not a Repeater of its own (an answer being written).
   * The source is closed in the background either way: it may be parked on an upstream read.
   */
  follow<T>(user: string, source: AsyncIterable<T>): AsyncIterableIterator<T> {
    return new Repeater<T>(async (push, stop) => {
      const iterator = source[Symbol.asyncIterator]();
      this.add(user, stop);
      // One fresh promise per step, woken by the stop, rather than racing the long-lived stop promise.
      let stopped = false;
      let wake: ((value: null) => void) | null = null;
      void stop.then(() => {
        stopped = true;
        wake?.(null);
      });
      try {
        for (;;) {
          const step = await new Promise<IteratorResult<T> | null>((resolve, reject) => {
            if (stopped) return resolve(null);
            wake = resolve;
            iterator.next().then(resolve, reject);
          });
          if (step === null || step.done) break;
          await push(step.value);
        }
        stop();
      } catch (error) {
        stop(error);
      } finally {
        this.delete(user, stop);
        void Promise.resolve(iterator.return?.()).catch(() => {});
      }
    });
  }

  /** Ends every stream of the user on this instance with UserForgottenError; returns how many. */
  end(user: string): number {
    const stops = [...(this.#open.get(user) ?? [])];
    for (const stop of stops) stop(new UserForgottenError(user));
    return stops.length;
  }

  /** Streams open right now, of every user. */
  get size(): number {
    let open = 0;
    for (const stops of this.#open.values()) open += stops.size;
    return open;
  }
}
