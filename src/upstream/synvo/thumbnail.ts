/** `getThumbnail`: image bytes, not JSON, read from the stream and bounded; Synvo's own 404 is "no thumbnail". */
import { HttpStatusFailure, ResponseShapeError, readErrorBody, type ErrorBodyInfo, type UpstreamError } from '../errors.js';
import type { OpenStream, UpstreamTransport } from '../transport/index.js';
import type { CallOptions, Thumbnail } from '../types.js';

/** The largest thumbnail the client reads; a bigger body is UPSTREAM_BAD_RESPONSE. */
export const MAX_THUMBNAIL_BYTES = 1024 * 1024;

async function readBounded(body: OpenStream['body']): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += (chunk as Buffer).length;
    if (size > MAX_THUMBNAIL_BYTES) throw new ResponseShapeError(`body: a thumbnail larger than ${MAX_THUMBNAIL_BYTES} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function readImage(bytes: Buffer, status: number, contentType: string, ownNotFound: (body: ErrorBodyInfo) => boolean): Thumbnail | null {
  if (status === 404) {
    let body: unknown;
    try {
      body = JSON.parse(bytes.toString('utf8'));
    } catch {
      body = bytes.toString('utf8').slice(0, 200);
    }
    // Synvo's own 404 (no such file, or a type without thumbnails) is "no thumbnail"; any other is a wrong URL.
    if (!ownNotFound(readErrorBody(body))) throw new HttpStatusFailure(404, {}, body, true);
    return null;
  }
  const mimeType = contentType.split(';')[0]!.trim().toLowerCase();
  if (!/^image\/(png|jpeg|gif|webp)$/.test(mimeType)) {
    throw new ResponseShapeError(`content-type: expected an image, received ${JSON.stringify(contentType || 'none')}`);
  }
  if (bytes.length === 0) throw new ResponseShapeError('body: an empty thumbnail');
  return { mimeType, bytes: new Uint8Array(bytes) };
}

export async function getThumbnail(
  transport: UpstreamTransport,
  query: { user: string; fileId: string; maxSize: number },
  ownNotFound: (body: ErrorBodyInfo) => boolean,
  opts?: CallOptions,
): Promise<Thumbnail | null> {
  const signal = opts?.signal;
  const stream = await transport.openStream({
    endpoint: 'thumbnail',
    method: 'GET',
    path: '/file/thumbnail',
    query: { file_id: query.fileId, max_size: query.maxSize, sub_user_name: query.user },
    retry: 'safe',
    accept: 'image/png, image/jpeg, application/json',
    acceptStatuses: [404],
    signal,
  });
  let errorCode: UpstreamError['code'] | undefined;
  try {
    return readImage(await readBounded(stream.body), stream.status, stream.contentType, ownNotFound);
  } catch (error) {
    const coerced = transport.coerce(error, 'thumbnail', signal);
    errorCode = coerced.code;
    throw coerced;
  } finally {
    transport.finishStream(stream, { endpoint: 'thumbnail', method: 'GET' }, errorCode);
  }
}
