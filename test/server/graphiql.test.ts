import { parse, validate } from 'graphql';
import { describe, expect, test } from 'vitest';
import { schema } from '../../src/schema/index.js';
import { FULL_VIEW_QUERY, graphiqlOptions } from '../../src/server/graphiql.js';

describe('GraphiQL defaults', () => {
  test('the example query is valid against the schema', () => {
    expect(validate(schema, parse(FULL_VIEW_QUERY))).toEqual([]);
  });

  test('the development JWT is preset as the Authorization header and the service key is mentioned', () => {
    const options = graphiqlOptions({ devToken: 'a.b.c', devServiceKey: 'memgate-dev-key' });
    expect(JSON.parse(options.headers!)).toEqual({ Authorization: 'Bearer a.b.c' });
    expect(options.defaultQuery).toContain('memgate-dev-key');
    expect(validate(schema, parse(options.defaultQuery!))).toEqual([]);
  });

  test('without development credentials no header is preset', () => {
    const options = graphiqlOptions({});
    expect(options.headers).toBeUndefined();
    expect(options.defaultQuery).not.toContain('memgate-dev-key');
  });
});
