import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT, exportJWK, generateKeyPair } from 'jose';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { AuthenticationError, createAuthenticator } from '../../src/server/auth.js';

const secret = 'unit-test-secret-0123456789abcdef';
const hs256 = (sub: string, exp = '5m') =>
  new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject(sub).setExpirationTime(exp).sign(new TextEncoder().encode(secret));

async function reasonOf(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AuthenticationError);
  const e = error as AuthenticationError;
  expect(e.extensions).toMatchObject({ code: 'UNAUTHENTICATED', http: { status: 401 } });
  return e.reason;
}

describe('authenticate with an HS256 secret and service keys', () => {
  const auth = createAuthenticator({ jwtSecret: secret, jwksUrl: null, serviceKeys: ['service-key-one', 'service-key-two'], development: false });

  test('a valid token gives a user caller named by its sub, with its expiry', async () => {
    const caller = await auth.authenticate({ authorization: `Bearer ${await hs256('alex')}` });
    expect(caller).toMatchObject({ kind: 'user', name: 'alex' });
    expect(caller.kind === 'user' && caller.expiresAt!.getTime()).toBeGreaterThan(Date.now());
  });

  test('the Bearer scheme is case-insensitive', async () => {
    expect(await auth.authenticate({ authorization: `bearer ${await hs256('alex')}` })).toMatchObject({ name: 'alex' });
  });

  test('each service key gives a service caller with a fingerprint that is not the key', async () => {
    const one = await auth.authenticate({ apiKey: 'service-key-one' });
    const two = await auth.authenticate({ apiKey: 'service-key-two' });
    expect(one.kind).toBe('service');
    expect(one.kind === 'service' && one.keyId).not.toContain('service-key');
    expect(one).not.toEqual(two);
  });

  test('a prefix or an extension of a service key is refused', async () => {
    expect(await reasonOf(auth.authenticate({ apiKey: 'service-key-on' }))).toBe('INVALID_API_KEY');
    expect(await reasonOf(auth.authenticate({ apiKey: 'service-key-one!' }))).toBe('INVALID_API_KEY');
  });

  test('missing credentials, a non-bearer header and a non-JWT are refused with their reasons', async () => {
    expect(await reasonOf(auth.authenticate({}))).toBe('MISSING_CREDENTIALS');
    expect(await reasonOf(auth.authenticate({ authorization: 'Token abc' }))).toBe('MALFORMED_TOKEN');
    expect(await reasonOf(auth.authenticate({ authorization: 'Bearer abc.def' }))).toBe('MALFORMED_TOKEN');
  });

  test('a token with a sub that is not a user name is refused', async () => {
    expect(await reasonOf(auth.authenticate({ authorization: `Bearer ${await hs256('a b')}` }))).toBe('INVALID_SUBJECT');
  });
});

describe('authenticate against a JWKS URL', () => {
  let server: Server;
  let jwksUrl: string;
  let privateKey: CryptoKey;
  let otherKey: CryptoKey;

  beforeAll(async () => {
    const pair = await generateKeyPair('RS256');
    privateKey = pair.privateKey;
    otherKey = (await generateKeyPair('RS256')).privateKey;
    const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
    server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ keys: [jwk] }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    jwksUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const rs256 = (key: CryptoKey, sub: string) =>
    new SignJWT({}).setProtectedHeader({ alg: 'RS256', kid: 'k1' }).setSubject(sub).setExpirationTime('5m').sign(key);

  test('a token signed by a key of the set is accepted', async () => {
    const auth = createAuthenticator({ jwtSecret: null, jwksUrl, serviceKeys: [], development: false });
    expect(await auth.authenticate({ authorization: `Bearer ${await rs256(privateKey, 'default')}` })).toMatchObject({
      kind: 'user',
      name: 'default',
    });
  });

  test('a token signed by another key is refused', async () => {
    const auth = createAuthenticator({ jwtSecret: null, jwksUrl, serviceKeys: [], development: false });
    expect(await reasonOf(auth.authenticate({ authorization: `Bearer ${await rs256(otherKey, 'default')}` }))).toBe('INVALID_TOKEN');
  });

  test('an HS256 token is refused when only the JWKS is configured', async () => {
    const auth = createAuthenticator({ jwtSecret: null, jwksUrl, serviceKeys: [], development: false });
    expect(await reasonOf(auth.authenticate({ authorization: `Bearer ${await hs256('default')}` }))).toBe('INVALID_TOKEN');
  });
});

describe('authenticate without JWT configuration', () => {
  test('a bearer token is refused with a hint to use a service key', async () => {
    const auth = createAuthenticator({ jwtSecret: null, jwksUrl: null, serviceKeys: ['service-key-one'], development: false });
    expect(await reasonOf(auth.authenticate({ authorization: `Bearer ${await hs256('alex')}` }))).toBe('JWT_NOT_CONFIGURED');
  });
});
