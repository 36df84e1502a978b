import {
  getNamedType,
  getNullableType,
  isEnumType,
  isInputObjectType,
  isLeafType,
  isListType,
  isNonNullType,
  type GraphQLInputType,
} from 'graphql';
import { SignJWT, UnsecuredJWT } from 'jose';
import { request } from 'undici';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import {
  AskDocument,
  EventsDocument,
  FileDocument,
  FullViewDocument,
  MemoriesDocument,
  SearchFilesDocument,
  UserNameDocument,
  UsersProfilesDocument,
  ViewerNameDocument,
} from './operations.js';
import { schema } from '../../../src/schema/index.js';
import {
  JWT_SECRET,
  MEMSYNC_CANARY_KEY,
  SYNVO_CANARY_KEY,
  callsOf,
  startGraphHarness,
  type GraphHarness,
} from './harness.js';

let h: GraphHarness;
beforeAll(async () => {
  h = await startGraphHarness();
});
afterAll(async () => {
  await h?.stop();
});
beforeEach(() => h.resetUpstreams());

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

async function expectUnauthenticated(headers: Record<string, string>, reason: string) {
  const res = await h.execute(ViewerNameDocument, {}, headers);
  expect(res.status).toBe(401);
  expect(res.data ?? null).toBeNull();
  expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason });
  expect(callsOf(h.synvo)).toEqual({});
}

describe('who may call', () => {
  test('a request without credentials is UNAUTHENTICATED with HTTP 401', async () => {
    await expectUnauthenticated({}, 'MISSING_CREDENTIALS');
  });

  test('a malformed bearer token is UNAUTHENTICATED', async () => {
    await expectUnauthenticated(bearer('not-a-jwt'), 'MALFORMED_TOKEN');
    await expectUnauthenticated({ authorization: 'Basic dXNlcjpwYXNz' }, 'MALFORMED_TOKEN');
  });

  test('a token signed with another secret is UNAUTHENTICATED', async () => {
    await expectUnauthenticated(bearer(await h.jwt('default', { secret: 'another-secret-0123456789abcdef' })), 'INVALID_TOKEN');
  });

  test('an unsigned (alg none) token is UNAUTHENTICATED', async () => {
    const token = new UnsecuredJWT({}).setSubject('default').setExpirationTime('10m').encode();
    await expectUnauthenticated(bearer(token), 'INVALID_TOKEN');
  });

  test('an expired token is UNAUTHENTICATED', async () => {
    await expectUnauthenticated(bearer(await h.jwt('default', { expiresIn: -60 })), 'EXPIRED_TOKEN');
  });

  test('a token without an expiry is UNAUTHENTICATED', async () => {
    const token = await new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject('default').sign(new TextEncoder().encode(JWT_SECRET));
    await expectUnauthenticated(bearer(token), 'INVALID_TOKEN');
  });

  test('a token whose subject is not a valid user name is UNAUTHENTICATED', async () => {
    await expectUnauthenticated(bearer(await h.jwt('../etc/passwd')), 'INVALID_SUBJECT');
  });

  test('an unknown service key is UNAUTHENTICATED', async () => {
    await expectUnauthenticated({ 'x-api-key': 'not-the-service-key' }, 'INVALID_API_KEY');
  });

  test('a valid JWT sees its own user through viewer and user(name)', async () => {
    const headers = bearer(await h.jwt('alex'));
    expect((await h.execute(ViewerNameDocument, {}, headers)).data).toEqual({ viewer: { name: 'alex' } });
    expect((await h.execute(UserNameDocument, { name: 'alex' }, headers)).data).toEqual({ user: { name: 'alex' } });
  });

  test('a service key asking for viewer gets a clear FORBIDDEN error', async () => {
    const res = await h.execute(ViewerNameDocument, {});
    expect(res.errors?.[0]?.extensions?.['code']).toBe('FORBIDDEN');
    expect(res.errors?.[0]?.message).toMatch(/user\(name/);
  });
});

describe('a JWT caller cannot reach another user', () => {
  test('through user(name)', async () => {
    const res = await h.execute(FullViewDocument, { name: 'alex' }, bearer(await h.jwt('default')));
    expect(res.data).toBeNull();
    expect(res.errors).toHaveLength(1);
    expect(res.errors?.[0]?.extensions?.['code']).toBe('FORBIDDEN');
    expect(callsOf(h.synvo)).toEqual({});
    expect(callsOf(h.memsync)).toEqual({});
  });

  test('through users(names), even mixed with its own name', async () => {
    const res = await h.execute(UsersProfilesDocument, { names: ['default', 'alex'] }, bearer(await h.jwt('default')));
    expect(res.data).toBeNull();
    expect(res.errors?.[0]?.extensions?.['code']).toBe('FORBIDDEN');
    expect(callsOf(h.synvo)).toEqual({});
  });

  test('through the user argument of a subscription', async () => {
    const res = await request(h.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...bearer(await h.jwt('default')) },
      body: JSON.stringify({ query: 'subscription { ask(question: "hi", user: "alex") { token } }' }),
    });
    const text = await res.body.text();
    expect(text).toContain('"code":"FORBIDDEN"');
    expect(callsOf(h.synvo)).toEqual({});
  });

  test('through a name that differs only in case', async () => {
    const res = await h.execute(UserNameDocument, { name: 'Default' }, bearer(await h.jwt('default')));
    expect(res.errors?.[0]?.extensions?.['code']).toBe('FORBIDDEN');
  });
});

describe('every root field that names a user', () => {
  // Walks the schema, so a field added later is checked too: for each Query, Mutation and
  // Subscription field with a user-naming argument, a JWT caller naming another user.
  const USER_ARGS = new Set(['name', 'names', 'user']);
  const sample = (type: GraphQLInputType): string => {
    if (isNonNullType(type)) return sample(type.ofType);
    if (isListType(type)) return `[${sample(type.ofType)}]`;
    if (isEnumType(type)) return type.getValues()[0]!.name;
    if (isInputObjectType(type)) {
      const required = Object.values(type.getFields()).filter((f) => isNonNullType(f.type));
      return `{ ${required.map((f) => `${f.name}: ${sample(f.type)}`).join(', ')} }`;
    }
    if (type.name === 'Int' || type.name === 'Float') return '1';
    if (type.name === 'Boolean') return 'true';
    if (type.name === 'DateTime') return '"2025-01-01T00:00:00Z"';
    if (type.name === 'File') return '$file';
    return '"x1"';
  };
  const cases = (['Query', 'Mutation', 'Subscription'] as const).flatMap((root) => {
    const type = root === 'Query' ? schema.getQueryType() : root === 'Mutation' ? schema.getMutationType() : schema.getSubscriptionType();
    return Object.values(type?.getFields() ?? {}).flatMap((field) => {
      // `user` wins where a field has it: addWebpage's `name` is a file name.
      const userArg = field.args.find((a) => a.name === 'user') ?? field.args.find((a) => USER_ARGS.has(a.name));
      if (!userArg) return [];
      const args = field.args
        .filter((a) => a === userArg || isNonNullType(a.type))
        .map((a) => `${a.name}: ${a === userArg ? (isListType(getNullableType(a.type)) ? '["default", "alex"]' : '"alex"') : sample(a.type)}`);
      const returns = getNamedType(field.type);
      const selection = isLeafType(returns) ? '' : ' { __typename }';
      const usesFile = args.some((a) => a.includes('$file'));
      const operation = `${root.toLowerCase()}${usesFile ? '($file: File!)' : ''} { ${field.name}(${args.join(', ')})${selection} }`;
      return [{ label: `${root}.${field.name}(${userArg.name})`, operation, usesFile, subscription: root === 'Subscription' }];
    });
  });

  test('are found by walking the schema: user, users, the mutations and the subscriptions', () => {
    expect(cases.map((c) => c.label)).toEqual(
      expect.arrayContaining(['Query.user(name)', 'Query.users(names)', 'Mutation.uploadFile(user)', 'Mutation.storeMemories(user)', 'Subscription.ask(user)']),
    );
  });

  test.each(cases)('$label is FORBIDDEN to a JWT caller naming another user, without an upstream call', async ({ operation, usesFile, subscription }) => {
    const headers = bearer(await h.jwt('default'));
    let text: string;
    if (usesFile) {
      const form = new FormData();
      form.set('operations', JSON.stringify({ query: operation, variables: { file: null } }));
      form.set('map', JSON.stringify({ 0: ['variables.file'] }));
      form.set('0', new File(['hello'], 'hello.txt', { type: 'text/plain' }));
      text = await (await fetch(h.url, { method: 'POST', headers, body: form })).text();
    } else if (subscription) {
      const res = await request(h.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...headers },
        body: JSON.stringify({ query: operation }),
      });
      text = await res.body.text();
    } else {
      text = (await h.post({ query: operation }, headers)).text;
    }
    expect(text).toContain('"code":"FORBIDDEN"');
    expect(callsOf(h.synvo)).toEqual({});
    expect(callsOf(h.memsync)).toEqual({});
  });
});

describe('bad user names', () => {
  test.each([
    ['with a space', 'bad name'],
    ['with a slash', 'a/b'],
    ['empty', ''],
    ['of 129 characters', 'a'.repeat(129)],
  ])('a name %s is BAD_USER_INPUT naming the argument', async (_label, name) => {
    const res = await h.execute(UserNameDocument, { name });
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'name' });
    expect(callsOf(h.synvo)).toEqual({});
  });

  test('one bad name in users(names) is BAD_USER_INPUT naming names', async () => {
    const res = await h.execute(UsersProfilesDocument, { names: ['alex', 'no way'] });
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'names' });
  });

  test('more than 100 distinct names in users(names) is BAD_USER_INPUT, without an upstream call', async () => {
    const names = Array.from({ length: 101 }, (_, i) => `user${i}`);
    const res = await h.execute(UsersProfilesDocument, { names });
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'names' });
    expect(callsOf(h.synvo)).toEqual({});
  });

  test('a name of 128 allowed characters is accepted', async () => {
    const name = `a.b_c@d-${'x'.repeat(120)}`;
    const res = await h.execute(UserNameDocument, { name });
    expect(res.errors).toBeUndefined();
    expect(res.data).toEqual({ user: { name } });
  });
});

describe('bad arguments', () => {
  const cases: [string, () => Promise<{ errors?: readonly { extensions?: Record<string, unknown> }[] | undefined }>, string][] = [
    ['events(limit: 0)', () => h.execute(EventsDocument, { name: 'default', limit: 0 }), 'limit'],
    ['events(limit: 1001)', () => h.execute(EventsDocument, { name: 'default', limit: 1001 }), 'limit'],
    ['events with since after until', () => h.execute(EventsDocument, { name: 'default', since: '2025-12-01T00:00:00Z', until: '2025-01-01T00:00:00Z' }), 'since'],
    ['events(types: [])', () => h.execute(EventsDocument, { name: 'default', types: [] }), 'types'],
    ['memories with an empty query', () => h.execute(MemoriesDocument, { name: 'default', query: '   ' }), 'query'],
    ['memories(limit: 101)', () => h.execute(MemoriesDocument, { name: 'default', query: 'work', limit: 101 }), 'limit'],
    ['searchFiles with an empty query', () => h.execute(SearchFilesDocument, { name: 'default', query: '' }), 'query'],
    ['ask with an empty question', () => h.execute(AskDocument, { name: 'default', question: ' ' }), 'question'],
    ['file with an empty id', () => h.execute(FileDocument, { name: 'default', id: '' }), 'id'],
  ];
  test.each(cases)('%s is BAD_USER_INPUT naming the argument, without an upstream call', async (_label, run, argument) => {
    const res = await run();
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument });
    expect(callsOf(h.synvo)).toEqual({});
    expect(callsOf(h.memsync)).toEqual({});
  });

  test('a DateTime that is not ISO 8601 is BAD_USER_INPUT', async () => {
    const res = await h.execute(EventsDocument, { name: 'default', since: 'last tuesday' });
    expect(res.errors?.[0]?.extensions?.['code']).toBe('BAD_USER_INPUT');
    expect(res.errors?.[0]?.message).toMatch(/since/);
  });

  test.each(['2025-02-30', '2025-02-29T12:00:00Z', '2025-11-16T24:00:00Z', '2025-11-16T10:00:00+25:00'])(
    'a DateTime naming a moment that does not exist (%s) is BAD_USER_INPUT, not rolled over to another day',
    async (since) => {
      const res = await h.execute(EventsDocument, { name: 'default', since });
      expect(res.data ?? null).toBeNull();
      expect(res.errors?.[0]?.extensions?.['code']).toBe('BAD_USER_INPUT');
      expect(res.errors?.[0]?.message).toContain(since);
      expect(callsOf(h.synvo)).toEqual({});
    },
  );

  test.each([
    ['missing', 'query($n: String!) { user(name: $n) { name } }', {}, 'n'],
    ['of the wrong type', 'query($n: String!) { user(name: $n) { name } }', { n: 5 }, 'n'],
    ['with an unknown enum value', 'query($t: [EventType!]) { user(name: "default") { events(types: $t) { type } } }', { t: ['NOPE'] }, 't'],
    ['with a DateTime that is not ISO 8601', 'query($s: DateTime) { user(name: "default") { events(since: $s) { type } } }', { s: 'yesterday' }, 's'],
  ])('a variable %s is BAD_USER_INPUT naming the variable, without an upstream call', async (_label, query, variables, variable) => {
    const res = await h.post({ query, variables }, { 'x-api-key': 'graph-test-service-key' });
    expect(res.status).toBe(400);
    expect(res.json.data).toBeUndefined();
    expect(res.json.errors).toHaveLength(1);
    expect(res.json.errors[0].extensions).toEqual({ code: 'BAD_USER_INPUT', variable });
    expect(callsOf(h.synvo)).toEqual({});
  });

  test('a bad argument nulls only its own field', async () => {
    const res = await h.post({
      query: 'query { user(name: "default") { profile { education { school } } events(limit: 0) { content } } }',
    }, { 'x-api-key': 'graph-test-service-key' });
    expect(res.json.data.user.profile.education.school).toBe('Nanyang Technological University (NTU)');
    expect(res.json.data.user.events).toBeNull();
    expect(res.json.errors).toHaveLength(1);
  });
});

describe('upstream API keys', () => {
  test('never appear in a response, an error or the GraphiQL page', async () => {
    h.synvo.controls.addFault({ route: 'events', kind: 'status', status: 400, body: { error: `invalid key ${SYNVO_CANARY_KEY}`, code: 'BAD' } });
    h.memsync.controls.addFault({ route: 'bio', kind: 'status', status: 500, body: { error: { code: 'X', message: MEMSYNC_CANARY_KEY } } });
    const bodies = [
      (await h.execute(FullViewDocument, { name: 'default' })).text,
      (await h.execute(FullViewDocument, { name: 'default' }, {})).text,
      (await h.post({ query: '{ nope }' }, { 'x-api-key': 'graph-test-service-key' })).text,
      await (await request(h.url, { headers: { accept: 'text/html' } })).body.text(),
    ];
    for (const body of bodies) {
      expect(body).not.toContain(SYNVO_CANARY_KEY);
      expect(body).not.toContain(MEMSYNC_CANARY_KEY);
      expect(body).not.toContain('CANARY');
    }
  });
});
