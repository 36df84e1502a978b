import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPersistedDocuments, usePersistedDocuments } from '../../src/server/use-persisted-documents.js';
import { post, startPluginServer, type PluginServer } from './plugin-server.js';

const known = 'query Echo($text: String!) { echo(text: $text) }';
const knownHash = createHash('sha256').update(known).digest('hex');
const dir = mkdtempSync(join(tmpdir(), 'memgate-pd-'));
const manifestPath = join(dir, 'persisted-documents.json');
writeFileSync(manifestPath, JSON.stringify({ [knownHash]: known }));

describe('usePersistedDocuments in persisted-only mode', () => {
  let server: PluginServer;

  beforeAll(async () => {
    server = await startPluginServer({ plugins: [usePersistedDocuments({ documents: loadPersistedDocuments(manifestPath) })] });
  });
  afterAll(async () => {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs a known document sent as documentId', async () => {
    const res = await post(server.url, { documentId: `sha256:${knownHash}`, variables: { text: 'by id' } });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ data: { echo: 'by id' } });
  });

  it('runs a known document sent as extensions.persistedQuery.sha256Hash', async () => {
    const res = await post(server.url, {
      variables: { text: 'by hash' },
      extensions: { persistedQuery: { version: 1, sha256Hash: knownHash } },
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ data: { echo: 'by hash' } });
  });

  it('refuses an unknown document with 400 and PERSISTED_QUERY_NOT_FOUND', async () => {
    const res = await post(server.url, { documentId: 'sha256:' + '0'.repeat(64) });
    expect(res.status).toBe(400);
    expect(res.body.errors?.[0]?.extensions?.code).toBe('PERSISTED_QUERY_NOT_FOUND');
  });

  it('refuses a query text, even one in the manifest, with 400 and PERSISTED_QUERY_ONLY', async () => {
    const res = await post(server.url, { query: known, variables: { text: 'x' } });
    expect(res.status).toBe(400);
    expect(res.body.errors?.[0]?.extensions?.code).toBe('PERSISTED_QUERY_ONLY');
    expect(res.body.data).toBeUndefined();
  });

  it('refuses a request with neither a query nor an id with PERSISTED_QUERY_ID_REQUIRED', async () => {
    const res = await post(server.url, { variables: {} });
    expect(res.status).toBe(400);
    expect(res.body.errors?.[0]?.extensions?.code).toBe('PERSISTED_QUERY_ID_REQUIRED');
  });
});

describe('usePersistedDocuments alongside arbitrary queries', () => {
  let server: PluginServer;

  beforeAll(async () => {
    server = await startPluginServer({
      plugins: [usePersistedDocuments({ documents: new Map([[knownHash, known]]), persistedOnly: false })],
    });
  });
  afterAll(() => server.stop());

  it('runs both a query text and a known document id', async () => {
    expect((await post(server.url, { query: '{ echo(text: "free") }' })).body).toEqual({ data: { echo: 'free' } });
    expect((await post(server.url, { documentId: knownHash, variables: { text: 'id' } })).body).toEqual({ data: { echo: 'id' } });
  });
});

describe('loadPersistedDocuments', () => {
  it('names the file when the manifest is not a hash-to-document object', () => {
    const bad = join(mkdtempSync(join(tmpdir(), 'memgate-pd-')), 'bad.json');
    writeFileSync(bad, '[1,2]');
    expect(() => loadPersistedDocuments(bad)).toThrow(bad);
  });
});
