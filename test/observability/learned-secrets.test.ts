import { describe, expect, it } from 'vitest';
import { LearnedSecrets } from '../../src/observability/learned-secrets.js';
import { createScrubber, REDACTED } from '../../src/observability/logger.js';

describe('the log scrubber with learned secrets', () => {
  it('replaces every learned key wherever it stands, the longest first, and leaves the rest', () => {
    const learned = new LearnedSecrets();
    learned.learn('msk-alpha-0123456789');
    learned.learn('msk-alpha-0123456789-long');
    learned.learn('short');
    const scrub = createScrubber([], learned);
    expect(scrub('a msk-alpha-0123456789-long b msk-alpha-0123456789,c short msk-alpha-x')).toBe(
      `a ${REDACTED} b ${REDACTED},c short msk-alpha-x`,
    );
    expect(learned.size).toBe(2);
  });

  it('forgets the least recent keys beyond its bound', () => {
    const learned = new LearnedSecrets({ max: 2 });
    for (const key of ['key-one-000000', 'key-two-000000', 'key-three-0000']) learned.learn(key);
    expect(learned.scrub('key-one-000000 key-two-000000 key-three-0000', 'X')).toBe('key-one-000000 X X');
  });

  it('redacts the value of an API key header or field written as text, whoever the key belongs to', () => {
    const scrub = createScrubber([]);
    expect(scrub('sent X-API-Key: plain-string-key-42 to MemSync')).toBe(`sent X-API-Key: ${REDACTED} to MemSync`);
    expect(scrub('{"msg":"body {\\"api_key\\":\\"abcdefgh1234\\"}"}')).toBe(`{"msg":"body {\\"api_key\\":\\"${REDACTED}\\"}"}`);
    expect(scrub('url?api_key=abcdefgh1234&x=1')).toBe(`url?api_key=${REDACTED}&x=1`);
    // Words after a field named like one are not keys.
    expect(scrub('Invalid argument "apiKey": must not be empty')).toBe('Invalid argument "apiKey": must not be empty');
  });
});
