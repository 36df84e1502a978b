/**
 * Hostile GraphQL multipart requests (uploads): broken framing, lying maps, prototype paths,
 * too many or too large files, truncated bodies, and file names and folders with control
 * characters or traversal. Each is refused with a code before anything reaches Synvo, the
 * connection stays usable, and the gateway serves others.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asService, expectRefused, startHostileGateway, type HostileGateway } from './support.js';

let gw: HostileGateway;
beforeAll(async () => {
  // The limit the big-file case runs into (MEMGATE_MAX_UPLOAD_MB; 100 MiB by default).
  gw = await startHostileGateway({ env: { MEMGATE_MAX_UPLOAD_MB: '20' } });
});
afterAll(async () => {
  await gw?.stop();
});

const UPLOAD = 'mutation U($file: File!, $path: String) { uploadFile(file: $file, user: "default", path: $path) { id name } }';
const BOUNDARY = 'hostile-boundary';

interface Part {
  name: string;
  value: string | Buffer;
  filename?: string;
  type?: string;
}

function multipartBody(parts: Part[], boundary = BOUNDARY, end = true): Buffer {
  const chunks: Buffer[] = [];
  for (const part of parts) {
    const disposition = `form-data; name="${part.name}"${part.filename !== undefined ? `; filename="${part.filename}"` : ''}`;
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: ${disposition}\r\n${part.type ? `Content-Type: ${part.type}\r\n` : ''}\r\n`, 'latin1'));
    chunks.push(Buffer.isBuffer(part.value) ? part.value : Buffer.from(part.value));
    chunks.push(Buffer.from('\r\n'));
  }
  if (end) chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return Buffer.concat(chunks);
}

const operations = (variables: Record<string, unknown> = { file: null }) => JSON.stringify({ query: UPLOAD, variables });
const map = JSON.stringify({ 0: ['variables.file'] });
const file = (filename: string, value: string | Buffer = 'hello world\n'): Part => ({ name: '0', filename, value, type: 'text/plain' });

async function upload(body: Buffer | string, contentType = `multipart/form-data; boundary=${BOUNDARY}`) {
  return gw.send({ headers: { ...asService, 'content-type': contentType, 'graphql-preflight': '1' }, body });
}

describe('hostile multipart requests', () => {
  it('refuses broken framing, lying maps and hostile file names with coded errors, calling Synvo never', async () => {
    gw.synvo.controls.resetCalls();
    const cases: Array<[string, Buffer | string, string?]> = [
      ['no boundary', 'x', 'multipart/form-data'],
      ['empty boundary', multipartBody([]), 'multipart/form-data; boundary='],
      ['wrong boundary', multipartBody([{ name: 'operations', value: operations() }], 'other')],
      ['empty body', ''],
      ['no operations', multipartBody([{ name: 'map', value: map }, file('a.txt')])],
      ['no map', multipartBody([{ name: 'operations', value: operations() }, file('a.txt')])],
      ['operations not JSON', multipartBody([{ name: 'operations', value: '{' }, { name: 'map', value: map }, file('a.txt')])],
      ['map not JSON', multipartBody([{ name: 'operations', value: operations() }, { name: 'map', value: '[' }, file('a.txt')])],
      ['map is an array', multipartBody([{ name: 'operations', value: operations() }, { name: 'map', value: '[]' }, file('a.txt')])],
      ['map names a missing part', multipartBody([{ name: 'operations', value: operations() }, { name: 'map', value: JSON.stringify({ 9: ['variables.file'] }) }, file('a.txt')])],
      ['map path into __proto__', multipartBody([{ name: 'operations', value: operations() }, { name: 'map', value: JSON.stringify({ 0: ['__proto__.polluted'] }) }, file('a.txt')])],
      ['map path to nothing', multipartBody([{ name: 'operations', value: operations() }, { name: 'map', value: JSON.stringify({ 0: ['variables.nope.deeper'] }) }, file('a.txt')])],
      ['map path not a list', multipartBody([{ name: 'operations', value: operations() }, { name: 'map', value: JSON.stringify({ 0: 'variables.file' }) }, file('a.txt')])],
      ['two files', multipartBody([{ name: 'operations', value: operations() }, { name: 'map', value: JSON.stringify({ 0: ['variables.file'], 1: ['variables.file'] }) }, file('a.txt'), { ...file('b.txt'), name: '1' }])],
      ['truncated body', multipartBody([{ name: 'operations', value: operations() }, { name: 'map', value: map }, file('a.txt')], BOUNDARY, false).subarray(0, 200)],
      ['a field too large', multipartBody([{ name: 'operations', value: 'x'.repeat(1_100_000) }, { name: 'map', value: map }])],
      ...['a\u0000b.txt', 'a\r\nb.txt', 'a\nb.txt', 'bell\u0007.txt', 'del\u007f.txt'].map((name): [string, Buffer] => [
        `file name ${JSON.stringify(name)}`,
        multipartBody([{ name: 'operations', value: operations() }, { name: 'map', value: map }, file(name)]),
      ]),
      ...['../x', 'x\u0000', 'relative', '/a/../../b', `/${'d'.repeat(1100)}`].map((path): [string, Buffer] => [
        `folder ${JSON.stringify(path)}`,
        multipartBody([{ name: 'operations', value: operations({ file: null, path }) }, { name: 'map', value: map }, file('a.txt')]),
      ]),
      ['no extension', multipartBody([{ name: 'operations', value: operations() }, { name: 'map', value: map }, file('noext')])],
      ['an executable', multipartBody([{ name: 'operations', value: operations() }, { name: 'map', value: map }, file('run.exe')])],
      ['empty file', multipartBody([{ name: 'operations', value: operations() }, { name: 'map', value: map }, file('a.txt', '')])],
    ];
    for (const [what, body, type] of cases) {
      const answer = await upload(body, type);
      const codes = expectRefused(answer, what);
      expect(codes.every((c) => ['BAD_USER_INPUT', 'BAD_REQUEST', 'GRAPHQL_VALIDATION_FAILED', 'REQUEST_ENTITY_TOO_LARGE'].includes(c)), `${what}: ${codes}`).toBe(true);
    }
    expect(gw.synvo.controls.calls().routes['upload']?.total ?? 0).toBe(0);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    await gw.expectServing();
  });

  it('refuses a file over 20 MiB with 413 as soon as it passes the limit, and the next request works', async () => {
    const big = Buffer.alloc(21 * 1024 * 1024, 0x61);
    const answer = await upload(multipartBody([{ name: 'operations', value: operations() }, { name: 'map', value: map }, file('big.txt', big)]));
    expect(answer.status).toBe(413);
    expectRefused(answer, 'big file');
    await gw.expectServing();
    gw.expectCleanLogs();
  });
});
