import { GraphQLError } from 'graphql';
import { Repeater } from 'graphql-yoga';
import { describe, expect, it } from 'vitest';
import { eventually } from '../support/eventually.js';
import { createErrorPipeline } from '../../src/server/use-error-pipeline.js';
import { createMaskError } from '../../src/server/upstream-errors.js';
import { UpstreamError } from '../../src/upstream/errors.js';

const pipeline = createErrorPipeline({ maskError: createMaskError({ development: false }) });
const upstream = () =>
  new UpstreamError('memsync bio: upstream answered 503: db-7.internal down', { code: 'UPSTREAM_UNAVAILABLE', service: 'memsync', endpoint: 'bio', status: 503 });
const located = (error: Error) => new GraphQLError(error.message, { path: ['viewer', 'biography'], originalError: error });

describe('the error pipeline', () => {
  it('maps the errors of each incremental and completed entry, not only the top-level ones', () => {
    const result = pipeline.mapResult({
      incremental: [{ data: { biography: null }, path: ['viewer'], errors: [located(upstream())] }],
      completed: [{ id: '0', errors: [located(upstream())] }],
      hasNext: false,
    });
    for (const error of [...result.incremental[0]!.errors, ...result.completed[0]!.errors]) {
      expect(error.toJSON()).toMatchObject({ path: ['viewer', 'biography'], extensions: { code: 'UPSTREAM_UNAVAILABLE', service: 'memsync', upstreamStatus: 503 } });
      expect(error.message).not.toContain('internal');
    }
  });

  it('gives a code to an error graphql-js raised without one', () => {
    const error = pipeline.toClientError(new GraphQLError('Cannot return null for non-nullable field User.name.'));
    expect(error.extensions['code']).toBe('INTERNAL_SERVER_ERROR');
    expect(error.message).toBe('Cannot return null for non-nullable field User.name.');
  });

  it('turns an error thrown mid-stream into one last result, then ends', async () => {
    const source = new Repeater<{ data: number }>(async (push, stop) => {
      await push({ data: 1 });
      stop(upstream());
    });
    const seen: unknown[] = [];
    for await (const value of pipeline.mapStream(source)) seen.push(value);
    expect(seen[0]).toEqual({ data: 1 });
    expect(seen).toHaveLength(2);
    expect((seen[1] as { errors: GraphQLError[] }).errors[0]!.extensions).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', service: 'memsync' });
  });

  it('returns at once while the source waits for its next value, and closes the source', async () => {
    let closed = false;
    const source = new Repeater<number>(async (_push, stop) => {
      await stop;
      closed = true;
    });
    const stream = pipeline.mapStream(source);
    const pending = stream.next();
    await stream.return!();
    // Closed in the background: return() never waits on a source parked on an upstream read.
    await eventually(() => closed, 'the source closed');
    await expect(pending).resolves.toMatchObject({ done: true });
  });
});
