import { print } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProfileOnlyDocument } from '../../gql/graphql.js';
import { asService, startGateway, type Gateway } from './harness.js';

/** The hash the codegen client preset embedded in the typed document (and wrote to the manifest). */
const hashOf = (document: unknown) => (document as { __meta__: { hash: string } }).__meta__.hash;

describe('a persisted-only gateway on the codegen manifest', () => {
  let gw: Gateway;

  beforeAll(async () => {
    gw = await startGateway({
      env: { MEMGATE_PERSISTED_ONLY: 'true', MEMGATE_PERSISTED_DOCUMENTS: 'test/gql/persisted-documents.json' },
    });
  });
  afterAll(() => gw.stop());

  it('runs a known document sent by its documentId', async () => {
    const res = await gw.post({ documentId: hashOf(ProfileOnlyDocument), variables: { name: 'default' } }, asService);
    expect(res.status).toBe(200);
    expect(res.json.errors).toBeUndefined();
    expect(res.json.data.user.name).toBe('default');
  });

  it('runs a known document sent as an APQ hash', async () => {
    const sha256Hash = hashOf(ProfileOnlyDocument).replace(/^sha256:/, '');
    const res = await gw.post({ variables: { name: 'alex' }, extensions: { persistedQuery: { version: 1, sha256Hash } } }, asService);
    expect(res.status).toBe(200);
    expect(res.json.data.user.name).toBe('alex');
  });

  it('refuses an unknown document with 400 and PERSISTED_QUERY_NOT_FOUND, calling no upstream', async () => {
    gw.synvo.controls.resetCalls();
    const res = await gw.post({ documentId: `sha256:${'ab'.repeat(32)}`, variables: { name: 'default' } }, asService);
    expect(res.status).toBe(400);
    expect(res.json.errors[0].extensions.code).toBe('PERSISTED_QUERY_NOT_FOUND');
    expect(Object.keys(gw.synvo.controls.calls().routes)).toHaveLength(0);
  });

  it('refuses a query text, even that of a known document, with 400 and PERSISTED_QUERY_ONLY', async () => {
    const res = await gw.post({ query: print(ProfileOnlyDocument), variables: { name: 'default' } }, asService);
    expect(res.status).toBe(400);
    expect(res.json.errors[0].extensions.code).toBe('PERSISTED_QUERY_ONLY');
  });
});
