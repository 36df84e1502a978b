import { readFileSync } from 'node:fs';
import { parse, validate } from 'graphql';
import { describe, expect, test } from 'vitest';
import { schema } from '../../src/schema/index.js';
import { createGraphiQLRenderer, FULL_VIEW_QUERY, graphiqlOptions } from '../../src/server/graphiql.js';

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

describe('the GraphiQL page', () => {
  const page = createGraphiQLRenderer('/graphql')(graphiqlOptions({ devToken: 'a.b.c', devServiceKey: 'memgate-dev-key' }));

  test('loads nothing from elsewhere: no script, style or image is fetched from a URL', () => {
    expect(page).not.toMatch(/<script[^>]+src=/i);
    expect(page).not.toMatch(/<link[^>]+href="(https?:)?\/\//i);
    expect(page).toContain('renderYogaGraphiQL');
    expect(page).toContain('graphqlSse');
  });

  test('opens on the README query with the development JWT', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const readmeQuery = /```graphql\n(query FullView[\s\S]*?)```/.exec(readme)![1]!;
    expect(FULL_VIEW_QUERY).toContain(readmeQuery);
    expect(page).toContain(JSON.stringify(FULL_VIEW_QUERY).slice(1, 40));
    expect(page).toContain('Bearer a.b.c');
  });

  test('is rendered once per set of options', () => {
    const render = createGraphiQLRenderer('/graphql');
    const options = graphiqlOptions({});
    expect(render(options)).toBe(render({ ...options }));
  });
});
