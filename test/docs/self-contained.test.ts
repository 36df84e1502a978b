/**
 * The repository cites nothing outside itself: the upstreams' behaviour is written down in
 * emulators/README.md, and code, docs and OpenAPI descriptions point there, not at a document
 * a reader of this repository does not have.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
const tracked = execFileSync('git', ['ls-files'], { cwd: root, encoding: 'utf8' })
  .split('\n')
  .filter((path) => /\.(ts|md|json|graphql)$/.test(path) && !path.endsWith('package-lock.json') && !path.startsWith('test/docs/'));

describe('the repository', () => {
  it('names no document outside it (the upstream contract, the shared folder)', () => {
    const citing = tracked.filter((path) => /upstream-api\.md|\/work\/shared|\bshared\/(upstream|reference)/.test(readFileSync(join(root, path), 'utf8')));
    expect(citing).toEqual([]);
  });

  it("documents the upstreams' behaviour in the emulators' README", () => {
    const readme = readFileSync(join(root, 'emulators/README.md'), 'utf8');
    expect(readme).toContain("## The upstreams' behaviour");
    for (const endpoint of ['/metadata/get_user_profile/', '/ai/query', '/file/upload', '/profile/bio', '/memories/search']) expect(readme).toContain(endpoint);
  });
});
