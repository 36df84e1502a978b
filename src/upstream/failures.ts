/** The raw failures the clients and the transport raise before coercion, and the sanitised cause. */

/** The sanitised stand-in for a raw failure: a name, a code and a redacted message, nothing else. */
export class UpstreamCause extends Error {
  override readonly name: string;
  declare readonly code?: string;
  constructor(name: string, message: string, code?: string, stack?: string) {
    super(message);
    this.name = name;
    if (code !== undefined) (this as { code?: string }).code = code;
    this.stack = stack ?? `${name}: ${message}`;
  }
}

/** An upstream answer with a status the call did not accept. */
export class HttpStatusFailure {
  constructor(
    readonly status: number,
    readonly headers: Record<string, string | string[] | undefined>,
    /** The parsed JSON body, or the raw text when it was not JSON. */
    readonly body: unknown,
    /**
     * Set when the answer is not the endpoint's own error: a 404 without the contract's body
     * (a wrong base URL or path) is not "no data", it is UPSTREAM_BAD_RESPONSE.
     */
    readonly foreign404 = false,
  ) {}
}

/** A response body that does not fit its schema; the message names the field. */
export class ResponseShapeError extends Error {
  override readonly name = 'ResponseShapeError';
}

/** An answer stream that went silent for longer than the idle timeout. */
export class StreamIdleTimeout extends Error {
  override readonly name = 'StreamIdleTimeout';
}

/** An `error` event inside an answer stream, `{"type":"error","error","code"}`. */
export class StreamErrorEvent extends Error {
  override readonly name = 'StreamErrorEvent';
  constructor(message: string, readonly upstreamCode?: string) {
    super(message);
  }
}

/** Our own refusal of a call's input before anything is sent (user name, file id, limit). */
export class InputRejected extends Error {
  override readonly name = 'InputRejected';
}

