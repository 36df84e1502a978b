/**
 * The one error pipeline for every result the gateway emits: a single result, each payload of an
 * incremental (`@defer`/`@stream`) response over multipart or SSE, and each event of a
 * subscription over graphql-ws or SSE. yoga's `maskedErrors` (and envelop's `useMaskedErrors`)
 * only map `result.errors`; the errors in `incremental[].errors` (and `completed[].errors`) and an
 * error thrown by a subscription's source mid-stream would reach the client as the upstream's own
 * text, without a code. Here every one of them goes through the same `maskError`
 * (`upstream-errors.ts`), and an error thrown mid-stream becomes one last result carrying it, so
 * the client sees a coded error and then the end of the stream instead of a cut connection.
 */
import { GraphQLError } from 'graphql';
import { isAsyncIterable, type MaskError, type Plugin } from 'graphql-yoga';
import { GatewayStream } from './gateway-stream.js';

export interface ErrorPipelineOptions {
  /** Turns any error into the one the client sees (upstream errors mapped, the rest masked). */
  maskError: MaskError;
  /** The message of a masked error. @default 'Unexpected error.' */
  errorMessage?: string;
  /** Told about each error before it is changed (the original goes to the log, never to the client). @default none */
  onChanged?: (original: unknown) => void;
}

/** The parts of an (incremental) execution result that can carry errors. */
interface ResultWithErrors {
  errors?: readonly unknown[];
  incremental?: ReadonlyArray<{ errors?: readonly unknown[] }>;
  completed?: ReadonlyArray<{ errors?: readonly unknown[] }>;
  hasNext?: boolean;
}

export interface ErrorPipeline {
  /** One error as the client sees it: mapped or masked, and always with `extensions.code`. */
  toClientError(error: unknown): GraphQLError;
  /** The same result with every error in it (top level, incremental, completed) mapped. */
  mapResult<T>(result: T): T;
  /** The stream with every result mapped; an error thrown by the source becomes a last result. */
  mapStream<T>(source: AsyncIterable<T>): AsyncIterableIterator<T>;
}

/** One error as the client sees it: mapped or masked, and always with `extensions.code`. */
function createClientErrorMapper(options: ErrorPipelineOptions): (error: unknown) => GraphQLError {
  const message = options.errorMessage ?? 'Unexpected error.';
  const mapped = new WeakSet<GraphQLError>();
  return function toClientError(error: unknown): GraphQLError {
    if (error instanceof GraphQLError && mapped.has(error)) return error;
    let out = options.maskError(error, message);
    if (out !== error) options.onChanged?.(error);
    if (!(out instanceof GraphQLError)) {
      out = new GraphQLError(message, { extensions: { code: 'INTERNAL_SERVER_ERROR' } });
    }
    const result = out as GraphQLError;
    // graphql-js raises some errors of its own without a code (a null in a non-null field).
    if (typeof result.extensions['code'] !== 'string') {
      const coded = new GraphQLError(result.message, {
        nodes: result.nodes,
        source: result.source,
        positions: result.positions,
        path: result.path,
        extensions: { ...result.extensions, code: 'INTERNAL_SERVER_ERROR' },
      });
      mapped.add(coded);
      return coded;
    }
    mapped.add(result);
    return result;
  };
}

/** The same result with every error in it (top level, incremental, completed) mapped. */
function mapErrorsOfResult<T>(result: T, toClientError: (error: unknown) => GraphQLError): T {
  if (result === null || typeof result !== 'object') return result;
  const r = result as ResultWithErrors;
  if (!r.errors?.length && !r.incremental?.some((i) => i.errors?.length) && !r.completed?.some((c) => c.errors?.length)) {
    return result;
  }
  const mapList = (errors: readonly unknown[]) => errors.map(toClientError);
  const out: ResultWithErrors = { ...r };
  if (r.errors) out.errors = mapList(r.errors);
  if (r.incremental) out.incremental = r.incremental.map((i) => (i.errors ? { ...i, errors: mapList(i.errors) } : i));
  if (r.completed) out.completed = r.completed.map((c) => (c.errors ? { ...c, errors: mapList(c.errors) } : c));
  return out as T;
}

export function createErrorPipeline(options: ErrorPipelineOptions): ErrorPipeline {
  const toClientError = createClientErrorMapper(options);
  const mapResult = <T>(result: T): T => mapErrorsOfResult(result, toClientError);
  return {
    toClientError,
    mapResult,
    mapStream: <T>(source: AsyncIterable<T>) => GatewayStream.of(source).mapErrors(mapResult<T>, toClientError),
  };
}

/**
 * Maps every result of every operation (queries, mutations, `@defer`/`@stream` payloads,
 * subscription events, on every transport). Register it after the plugins that wrap results
 * (shutdown, token expiry), so that it wraps them in turn and sees what they throw.
 */
export function useErrorPipeline(pipeline: ErrorPipeline): Plugin {
  const onResult = ({ result, setResult }: { result: unknown; setResult: (result: never) => void }) => {
    setResult((isAsyncIterable(result) ? pipeline.mapStream(result) : pipeline.mapResult(result)) as never);
  };
  return {
    onExecute: () => ({ onExecuteDone: onResult }),
    onSubscribe: () => ({ onSubscribeResult: onResult }),
  };
}
