import { describe, expect, test } from 'vitest';
import { resolve } from 'node:path';
import { ConfigError, DEV_JWT_SECRET, DEV_KEYRING_SECRET, DEV_SERVICE_KEY, loadConfig, withUpstreams } from '../src/config.js';

function problemsOf(env: Record<string, string>): string {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).message;
  }
  throw new Error('expected loadConfig to throw');
}

const real = {
  SYNVO_BASE_URL: 'https://api.synvo.ai/',
  SYNVO_API_KEY: 'synvo-secret-value',
  MEMSYNC_BASE_URL: 'https://api.memsync.ai/v1',
  MEMSYNC_API_KEY: 'memsync-secret-value',
  MEMGATE_KEYRING_SECRET: 'keyring-secret-0123456789',
};

describe('loadConfig', () => {
  test('an empty environment gives the documented defaults on the emulators with development credentials', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ host: '127.0.0.1', port: 4000, nodeEnv: 'development', logLevel: 'info', emulated: true, redisUrl: null });
    expect(config.synvo).toEqual({ baseUrl: null, apiKey: 'synvo-dev-key', emulatorPort: 4010 });
    expect(config.memsync).toEqual({ baseUrl: null, apiKey: 'memsync-dev-key', emulatorPort: 4020, scoping: 'key', agentId: 'memgate' });
    expect(config.keyring).toEqual({ secret: DEV_KEYRING_SECRET, developmentSecret: true, dataDir: resolve('.memgate'), userKeysFile: null });
    expect(config.auth).toEqual({ jwtSecret: DEV_JWT_SECRET, jwksUrl: null, serviceKeys: [DEV_SERVICE_KEY], development: true });
  });

  test('uploads are limited to 100 MiB unless MEMGATE_MAX_UPLOAD_MB says otherwise', () => {
    expect(loadConfig({}).graph.maxUploadBytes).toBe(104_857_600);
    expect(loadConfig({ MEMGATE_MAX_UPLOAD_MB: '2' }).graph.maxUploadBytes).toBe(2 * 1024 * 1024);
  });

  test('the config is frozen, nested objects included', () => {
    const config = loadConfig({});
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.auth)).toBe(true);
    expect(Object.isFrozen(config.auth.serviceKeys)).toBe(true);
    expect(() => {
      (config as { port: number }).port = 1;
    }).toThrow(TypeError);
  });

  test('real upstreams with caller auth are read, trailing slashes dropped', () => {
    const config = loadConfig({ ...real, MEMGATE_SERVICE_KEYS: ' key-one-123 , key-two-456 ,', PORT: '8080', HOST: '0.0.0.0', NODE_ENV: 'production' });
    expect(config.synvo.baseUrl).toBe('https://api.synvo.ai');
    expect(config.memsync.baseUrl).toBe('https://api.memsync.ai/v1');
    expect(config.emulated).toBe(false);
    expect(config.production).toBe(true);
    expect(config.auth).toEqual({ jwtSecret: null, jwksUrl: null, serviceKeys: ['key-one-123', 'key-two-456'], development: false });
    expect(config.port).toBe(8080);
  });

  test('emulator ports may be 0 for any free port', () => {
    const config = loadConfig({ SYNVO_EMULATOR_PORT: '0', MEMSYNC_EMULATOR_PORT: '0', PORT: '0' });
    expect([config.port, config.synvo.emulatorPort, config.memsync.emulatorPort]).toEqual([0, 0, 0]);
  });

  test.each([
    ['PORT', { PORT: 'eighty' }],
    ['PORT', { PORT: '70000' }],
    ['NODE_ENV', { NODE_ENV: 'staging' }],
    ['LOG_LEVEL', { LOG_LEVEL: 'loud' }],
    ['SYNVO_BASE_URL', { SYNVO_BASE_URL: 'api.synvo.ai' }],
    ['MEMSYNC_BASE_URL', { MEMSYNC_BASE_URL: 'ftp://memsync.example' }],
    ['SYNVO_EMULATOR_PORT', { SYNVO_EMULATOR_PORT: '-1' }],
    ['MEMSYNC_EMULATOR_PORT', { MEMSYNC_EMULATOR_PORT: '4020.5' }],
    ['MEMGATE_JWT_SECRET', { MEMGATE_JWT_SECRET: 'short' }],
    ['MEMGATE_JWKS_URL', { MEMGATE_JWKS_URL: 'not a url' }],
    ['MEMGATE_SERVICE_KEYS', { MEMGATE_SERVICE_KEYS: 'tiny' }],
    ['REDIS_URL', { REDIS_URL: 'http://127.0.0.1:6379' }],
    ['MEMSYNC_SCOPING', { MEMSYNC_SCOPING: 'per-user' }],
    ['MEMSYNC_AGENT_ID', { MEMSYNC_AGENT_ID: 'my agent' }],
    ['MEMGATE_KEYRING_SECRET', { MEMGATE_KEYRING_SECRET: 'short' }],
  ])('a bad %s is refused with a message naming it', (name, env) => {
    const message = problemsOf(env);
    expect(message).toContain(name);
  });

  test('an empty value counts as unset', () => {
    expect(loadConfig({ HOST: '', PORT: '', SYNVO_BASE_URL: '' }).port).toBe(4000);
  });

  test('the message never repeats a rejected value, which may be a secret', () => {
    const message = problemsOf({ MEMGATE_JWT_SECRET: 'tooshort!', REDIS_URL: 'http://user:hunter2@redis' });
    expect(message).not.toContain('tooshort!');
    expect(message).not.toContain('hunter2');
  });

  test('an upstream URL carrying credentials is refused', () => {
    expect(problemsOf({ ...real, SYNVO_BASE_URL: 'https://user:pw@api.synvo.ai', MEMGATE_SERVICE_KEYS: 'key-one-123' })).toContain('SYNVO_BASE_URL');
  });

  test('an upstream base URL without its API key is refused, naming the key', () => {
    const message = problemsOf({ SYNVO_BASE_URL: 'https://api.synvo.ai', MEMGATE_SERVICE_KEYS: 'key-one-123' });
    expect(message).toContain('SYNVO_API_KEY');
  });

  test('a real upstream without caller authentication refuses to start and says why', () => {
    const message = problemsOf(real);
    expect(message).toMatch(/MEMGATE_JWT_SECRET.*MEMGATE_JWKS_URL.*MEMGATE_SERVICE_KEYS/);
    expect(message).toMatch(/refusing to start/);
  });

  test('one real upstream is enough to require caller authentication', () => {
    expect(problemsOf({ MEMSYNC_BASE_URL: real.MEMSYNC_BASE_URL, MEMSYNC_API_KEY: real.MEMSYNC_API_KEY })).toMatch(/refusing to start/);
  });

  test('a real MemSync needs MEMGATE_KEYRING_SECRET (per-user keys are the default), and no operator key', () => {
    const { MEMGATE_KEYRING_SECRET: _secret, MEMSYNC_API_KEY: _key, ...rest } = real;
    const message = problemsOf({ ...rest, MEMGATE_SERVICE_KEYS: 'key-one-123' });
    expect(message).toContain('MEMGATE_KEYRING_SECRET: required when MEMSYNC_BASE_URL is set');
    expect(message).not.toContain('MEMSYNC_API_KEY');
    const config = loadConfig({ ...rest, MEMGATE_KEYRING_SECRET: 'keyring-secret-0123456789', MEMGATE_SERVICE_KEYS: 'key-one-123', MEMGATE_DATA_DIR: '/var/lib/memgate' });
    expect(config.memsync).toMatchObject({ apiKey: '', scoping: 'key' });
    expect(config.keyring).toEqual({ secret: 'keyring-secret-0123456789', developmentSecret: false, dataDir: '/var/lib/memgate', userKeysFile: null });
  });

  test('MEMSYNC_SCOPING=user-param needs the operator key, and has no keyring', () => {
    const { MEMGATE_KEYRING_SECRET: _secret, MEMSYNC_API_KEY: _key, ...rest } = real;
    expect(problemsOf({ ...rest, MEMSYNC_SCOPING: 'user-param', MEMGATE_SERVICE_KEYS: 'key-one-123' })).toContain('MEMSYNC_API_KEY: required');
    const config = loadConfig({ ...rest, MEMSYNC_API_KEY: 'operator-key-123', MEMSYNC_SCOPING: 'user-param', MEMGATE_SERVICE_KEYS: 'key-one-123' });
    expect(config.memsync).toMatchObject({ apiKey: 'operator-key-123', scoping: 'user-param' });
    expect(config.keyring).toBeNull();
    expect(problemsOf({ ...rest, MEMSYNC_API_KEY: 'operator-key-123', MEMSYNC_SCOPING: 'user-param', MEMGATE_SERVICE_KEYS: 'key-one-123', MEMSYNC_USER_KEYS_FILE: 'keys.json' })).toContain(
      'MEMSYNC_USER_KEYS_FILE',
    );
  });

  test('a JWT secret and a JWKS URL together are refused', () => {
    expect(problemsOf({ MEMGATE_JWT_SECRET: 'x'.repeat(32), MEMGATE_JWKS_URL: 'https://idp.example/.well-known/jwks.json' })).toContain(
      'set one of them',
    );
  });

  test('configured caller auth on the emulators replaces the development credentials', () => {
    const config = loadConfig({ MEMGATE_SERVICE_KEYS: 'key-one-123' });
    expect(config.auth).toEqual({ jwtSecret: null, jwksUrl: null, serviceKeys: ['key-one-123'], development: false });
  });
});

describe('withUpstreams', () => {
  test('points a config at running upstreams and keeps it frozen', () => {
    const config = withUpstreams(loadConfig({}), { synvo: { baseUrl: 'http://127.0.0.1:5000/' } }, { port: 0 });
    expect(config.synvo.baseUrl).toBe('http://127.0.0.1:5000');
    expect(config.synvo.apiKey).toBe('synvo-dev-key');
    expect(config.memsync.baseUrl).toBeNull();
    expect(config.port).toBe(0);
    expect(Object.isFrozen(config.synvo)).toBe(true);
  });
});
