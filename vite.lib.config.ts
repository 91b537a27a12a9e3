/**
 * The library build (`npm run build:lib`): src/index.ts and src/index-node.ts bundled as ES modules into
 * dist/lib/ (index.js, node.js and the chunks they share), the WGSL inlined as strings, so the package runs
 * without Vite's `?raw`. ES2022 runs on Node 20 and on every browser that has WebGPU. Dawn (`webgpu`) and
 * Node's built-ins stay imports; only the `node` entry reaches them. The declarations come from
 * tsconfig.lib.json, written into dist/lib/types/ after this build (which empties dist/lib first).
 */
import { defineConfig } from 'vite';

export default defineConfig({
  publicDir: false,
  build: {
    outDir: 'dist/lib',
    emptyOutDir: true,
    target: 'es2022',
    minify: false,
    lib: {
      entry: { index: 'src/index.ts', node: 'src/index-node.ts' },
      formats: ['es'],
      fileName: (_format, name) => `${name}.js`,
    },
    rolldownOptions: { external: ['webgpu', /^node:/] },
  },
  logLevel: 'warn',
});
