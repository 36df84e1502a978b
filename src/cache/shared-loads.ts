/**
 * Loads shared by every concurrent identical read: the first caller starts one, later callers join
 * it, and each may leave when its own signal aborts. The load itself is aborted (through the
 * signal it was given) only once every caller waiting on it has gone; a caller without a signal
 * keeps it to the end.
 */

/** One upstream load shared by every concurrent identical read. */
interface Flight {
  promise: Promise<unknown>;
  /** Callers still waiting that could still abort; a caller without a signal pins the load. */
  abortable: number;
  pinned: boolean;
  /** Aborts the load and forgets it, so later reads start afresh. */
  abandon(reason: unknown): void;
}

/** Waits for a shared load on behalf of one caller, leaving (and maybe aborting the load) when its signal aborts. */
function waitFor<T>(flight: Flight, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) {
    flight.pinned = true;
    return flight.promise as Promise<T>;
  }
  flight.abortable += 1;
  return new Promise<T>((resolve, reject) => {
    const leave = () => {
      flight.abortable -= 1;
      if (flight.abortable === 0 && !flight.pinned) flight.abandon(signal.reason);
      reject(signal.reason);
    };
    if (signal.aborted) return leave();
    signal.addEventListener('abort', leave, { once: true });
    flight.promise.then(
      (value) => {
        signal.removeEventListener('abort', leave);
        resolve(value as T);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', leave);
        reject(error);
      },
    );
  });
}

export interface SharedLoads {
  /** Joins the load pending under `key` on behalf of a caller; undefined when there is none. */
  join<T>(key: string, signal: AbortSignal | undefined): Promise<T> | undefined;
  /** Starts a load under `key` that later callers can join, and waits for it on behalf of this one. */
  start<T>(key: string, load: (signal: AbortSignal) => Promise<T>, signal: AbortSignal | undefined): Promise<T>;
  /** Forgets the pending loads whose key starts with one of these prefixes: later reads start afresh. */
  forget(prefixes: readonly string[]): void;
}

export function createSharedLoads(): SharedLoads {
  const inFlight = new Map<string, Flight>();
  return {
    join<T>(key: string, signal: AbortSignal | undefined) {
      const pending = inFlight.get(key);
      return pending ? waitFor<T>(pending, signal) : undefined;
    },
    async start<T>(key: string, load: (signal: AbortSignal) => Promise<T>, signal: AbortSignal | undefined) {
      const controller = new AbortController();
      const promise = load(controller.signal);
      const flight: Flight = {
        promise,
        abortable: 0,
        pinned: false,
        abandon(reason) {
          if (inFlight.get(key) === flight) inFlight.delete(key);
          controller.abort(reason);
        },
      };
      inFlight.set(key, flight);
      // Nobody may be left to observe a failure once every caller has gone.
      promise.catch(() => {});
      try {
        return await waitFor<T>(flight, signal);
      } finally {
        void promise.finally(() => {
          if (inFlight.get(key) === flight) inFlight.delete(key);
        }).catch(() => {});
      }
    },
    forget(prefixes) {
      for (const key of [...inFlight.keys()]) {
        if (prefixes.some((prefix) => key.startsWith(prefix))) inFlight.delete(key);
      }
    },
  };
}
