/**
 * One hand-written async iterator for everything the gateway does to a subscription's stream:
 * metrics counting, the end on shutdown, the end at the token's expiry and the error pipeline's
 * mapping. Each of those used to be its own wrapper parked on `next()` (about 1 KiB per idle
 * subscription each); here the plugins add their part to the same object (`GatewayStream.of`
 * wraps a stream once and hands back the same wrapper to the next plugin).
 *
 * What the client sees does not depend on the plugins' order: a final result (shutdown, expiry)
 * or an error thrown by the source goes through the error mapping like every value, and the
 * observers (metrics) see each value as the client gets it. `return()` never waits on the source,
 * which may be parked on an upstream read; the source is closed in the background.
 */

type Step<T> = IteratorResult<T> | null;

const OPEN = 0;
/** A last value (final result or mapped error) is out; the next call ends the stream. */
const LAST_SENT = 1;
const FINISHED = 2;

const DONE: IteratorReturnResult<undefined> = Object.freeze({ done: true, value: undefined });

const isAbortError = (error: unknown) =>
  error instanceof Error && (error.name === 'AbortError' || error.name === 'TimeoutError');

/** setTimeout's longest delay; longer waits are chained. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export class GatewayStream<T> implements AsyncIterableIterator<T> {
  /** The stream's wrapper: `source` itself when it already is one. */
  static of<T>(source: AsyncIterable<T>): GatewayStream<T> {
    return source instanceof GatewayStream ? (source as GatewayStream<T>) : new GatewayStream(source);
  }

  private readonly iterator: AsyncIterator<T>;
  private state: number = OPEN;
  private sourceClosed = false;
  private incremental = false;
  /** The final value to send instead of waiting on the source (shutdown or expiry). */
  private ending = null as (() => unknown) | null;
  /** Wakes the pending `next()`; one fresh promise per step, so nothing piles up on a long stream. */
  private wake: ((step: null) => void) | null = null;
  private mapResult: ((result: T) => T) | null = null;
  private toError: ((error: unknown) => unknown) | null = null;
  private observers: Array<(result: T) => void> | null = null;
  private endHandlers: Array<() => void> | null = null;
  private signal: AbortSignal | null = null;
  private onAbort: (() => void) | null = null;
  private timer: NodeJS.Timeout | undefined = undefined;

  private constructor(source: AsyncIterable<T>) {
    this.iterator = source[Symbol.asyncIterator]();
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  /** Ends the stream with `final()` (then the end) once `signal` aborts. */
  endOnAbort(signal: AbortSignal, final: () => unknown, onEnd: () => void): this {
    this.onEnd(onEnd);
    if (signal.aborted) return this.endWith(final);
    this.signal = signal;
    this.onAbort = () => this.endWith(final);
    signal.addEventListener('abort', this.onAbort, { once: true });
    return this;
  }

  /** Ends the stream with `final()` (then the end) at `when`. */
  endAt(when: Date, final: () => unknown): this {
    const arm = () => {
      const remaining = when.getTime() - Date.now();
      if (remaining <= 0) this.endWith(final);
      else this.timer = setTimeout(arm, Math.min(remaining, MAX_TIMER_MS));
    };
    arm();
    return this;
  }

  /** Maps every value; an error thrown by the source becomes one last value carrying `toError(error)`. */
  mapErrors(mapResult: (result: T) => T, toError: (error: unknown) => unknown): this {
    this.mapResult = mapResult;
    this.toError = toError;
    return this;
  }

  /** Calls `onValue` with each value as the client gets it and `onEnd` once when the stream ends. */
  observe(onValue: (result: T) => void, onEnd: () => void): this {
    (this.observers ??= []).push(onValue);
    return this.onEnd(onEnd);
  }

  async next(): Promise<IteratorResult<T>> {
    if (this.state !== OPEN) {
      this.finish();
      return DONE;
    }
    if (this.ending) return this.sendLast(this.ending());
    let step: Step<T>;
    try {
      step = await new Promise<Step<T>>((resolve, reject) => {
        this.wake = resolve;
        this.iterator.next().then(resolve, reject);
      });
    } catch (error) {
      this.wake = null;
      this.sourceClosed = true;
      if (this.isFinished()) return DONE;
      if (!this.toError || isAbortError(error)) {
        this.finish();
        throw error;
      }
      return this.sendLast({ errors: [this.toError(error)], ...(this.incremental ? { hasNext: false } : {}) });
    }
    this.wake = null;
    if (this.isFinished()) return DONE;
    if (step === null) return this.sendLast(this.takeEnding());
    if (step.done) {
      this.sourceClosed = true;
      this.finish();
      return DONE;
    }
    if ((step.value as { hasNext?: boolean } | null)?.hasNext !== undefined) this.incremental = true;
    return this.send(step.value);
  }

  async return(): Promise<IteratorResult<T>> {
    this.finish();
    return DONE;
  }

  async throw(error?: unknown): Promise<IteratorResult<T>> {
    this.finish();
    throw error;
  }

  // Methods rather than field reads: the compiler keeps a field's narrowing across an `await`.
  private isFinished(): boolean {
    return this.state === FINISHED;
  }

  private takeEnding(): unknown {
    return this.ending?.();
  }

  private onEnd(handler: () => void): this {
    (this.endHandlers ??= []).push(handler);
    return this;
  }

  private endWith(final: () => unknown): this {
    if (this.state === OPEN && !this.ending) {
      this.ending = final;
      this.wake?.(null);
    }
    return this;
  }

  private send(value: T): IteratorResult<T> {
    const out = this.mapResult ? this.mapResult(value) : value;
    if (this.observers) for (const observe of this.observers) observe(out);
    return { done: false, value: out };
  }

  /** One last value; the source is closed now and the stream ends on the next call. */
  private sendLast(value: unknown): IteratorResult<T> {
    this.state = LAST_SENT;
    this.release();
    this.closeSource();
    return this.send(value as T);
  }

  private release() {
    if (this.onAbort) this.signal?.removeEventListener('abort', this.onAbort);
    this.onAbort = null;
    this.signal = null;
    clearTimeout(this.timer);
    this.ending = null;
    this.wake = null;
  }

  private closeSource() {
    if (this.sourceClosed) return;
    this.sourceClosed = true;
    Promise.resolve(this.iterator.return?.()).catch(() => {});
  }

  private finish() {
    if (this.state === FINISHED) return;
    this.state = FINISHED;
    // A pending next() ends now rather than when the (maybe parked) source answers.
    const wake = this.wake;
    this.release();
    wake?.(null);
    this.closeSource();
    const handlers = this.endHandlers;
    this.endHandlers = null;
    if (handlers) for (const handler of handlers) handler();
  }
}
