import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'vite';
import { beforeAll, describe, expect, it } from 'vitest';

/** The static site must work offline: nothing it loads may come from another host. */
describe('npm run build (the static page)', () => {
  const out = 'dist/site';
  beforeAll(async () => {
    await build({ logLevel: 'silent' });
  });

  it('writes index.html and its assets, referencing no other host', () => {
    const files = [join(out, 'index.html'), ...readdirSync(join(out, 'assets')).map((f) => join(out, 'assets', f))];
    expect(files.some((f) => f.endsWith('.js'))).toBe(true);
    for (const f of files) {
      const text = readFileSync(f, 'utf8');
      // src/href/url()/import of an absolute http(s) or protocol-relative address
      const remote = text.match(
        /(?:src|href)\s*=\s*["']?(?:https?:)?\/\/[^"'\s>]+|url\(\s*["']?(?:https?:)?\/\/[^)]+\)|import\s*\(?\s*["'](?:https?:)?\/\//g,
      );
      expect(remote, `${f} loads from another host`).toBeNull();
    }
  });
});
