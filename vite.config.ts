/// <reference types="vitest/config" />
/**
 * One config for the page (dev, build, preview), the command-line tools and vitest.
 *
 * `vite build --mode cli` bundles the commands (src/cli, src/docs-gen/generate.ts, bench/main.ts) for Node into dist/cli/*.js,
 * everything inlined except `webgpu` (Dawn's native addon), so a bundle also runs
 * on a machine that has only that package (the lent GPU machine).
 */
import { defineConfig } from 'vite';

const cliEntries = { train: 'src/cli/train.ts', bench: 'bench/main.ts', docs: 'src/docs-gen/generate.ts', sweep: 'src/cli/sweep.ts' };

export default defineConfig(({ mode }) =>
  mode === 'cli'
    ? {
        build: {
          ssr: true,
          outDir: 'dist/cli',
          emptyOutDir: true,
          target: 'node20',
          minify: false,
          rolldownOptions: { input: cliEntries, output: { entryFileNames: '[name].js' } },
        },
        ssr: { noExternal: true, external: ['webgpu'] },
        logLevel: 'warn',
      }
    : {
        base: './',
        build: { outDir: 'dist/site', target: 'es2022' },
        test: {
          include: ['tests/**/*.test.ts'],
          reporters: ['default', './tests/support/summary-reporter.ts'],
          pool: 'forks',
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
);
