/**
 * The explorer's build: `npm run build` writes it to dist/explorer/, which the server serves at /.
 * Everything is bundled (no CDN, no web font), so the page asks nothing of any other host.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/',
  // Preact's automatic JSX runtime, as src/explorer/tsconfig.json declares it for the type check.
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: fileURLToPath(new URL('../../dist/explorer', import.meta.url)),
    emptyOutDir: true,
    // Small enough to inline nothing: every asset is a file with a hashed name, cached for a year.
    assetsInlineLimit: 0,
    reportCompressedSize: false,
  },
  server: {
    // `npx vite src/explorer` during development: the API of a server started with `npm run dev`.
    proxy: { '/graphql': 'http://localhost:4000' },
  },
});
