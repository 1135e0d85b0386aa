/**
 * `npm run build:server` (part of `npm run build`, which `npm ci` runs through `prepare`): the
 * server, the two operator commands and the two processes they start, each bundled by esbuild into
 * one JavaScript file under dist/ with the project's layout (dist/src/server.js,
 * dist/scripts/cluster.js, ...). Node then reads a handful of files at start-up instead of about
 * 700 modules of the project and its packages, which cost most of `npm start`'s first answer and
 * of `npm run cluster`'s whole command (D22).
 *
 * Left out of the bundles, loaded from node_modules as they are:
 *  - PGlite, which finds its WebAssembly and data files next to its own modules;
 *  - GraphiQL's page (9 MB), loaded only when a browser asks for the playground.
 * Type-checking stays `npm run typecheck`: esbuild only strips the types.
 */
import { rmSync } from 'node:fs';
import { build } from 'esbuild';
import { projectPath } from '../src/project-root.js';

const ENTRY_POINTS = [
  'src/server.ts',
  'src/jobs/cluster-worker.ts',
  'src/parallel/worker.ts',
  'scripts/seed.ts',
  'scripts/cluster.ts',
];

// What an earlier build wrote (module by module) would otherwise linger beside the bundles.
for (const folder of ['dist/src', 'dist/scripts']) rmSync(projectPath(folder), { recursive: true, force: true });

await build({
  absWorkingDir: projectPath('.'),
  entryPoints: ENTRY_POINTS,
  outbase: '.',
  outdir: 'dist',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // Packages that ship both forms give their ES modules, as node itself would load them.
  mainFields: ['module', 'main'],
  external: ['@electric-sql/pglite', '@graphql-yoga/render-graphiql'],
  // The CommonJS packages inside a bundle call require() for node's own modules.
  banner: {
    js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
  },
  sourcemap: 'linked',
  logLevel: 'warning',
});
