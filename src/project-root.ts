/**
 * Where the project's own files are (drizzle/, schema.graphql, the build), whether this code runs
 * as the TypeScript of src/ (tsx, vitest) or as the bundles that `npm run build` writes to dist/.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** True when the TypeScript sources run (tsx, vitest); false for the build under dist/. */
export const runningSources = import.meta.url.endsWith('.ts');

/**
 * The project's folder (with its trailing slash): the nearest folder above this module that holds
 * package.json. In the build this module is part of a bundle that can sit at any depth of dist/
 * (dist/src/server.js, dist/src/parallel/worker.js), so its own place says nothing.
 */
const root = findRoot(new URL('.', import.meta.url));

function findRoot(start: URL): URL {
  for (let folder = start; ; ) {
    if (existsSync(new URL('package.json', folder))) return folder;
    const parent = new URL('..', folder);
    if (parent.href === folder.href) throw new Error(`no package.json above ${fileURLToPath(start)}`);
    folder = parent;
  }
}

/** The absolute path of `relative` (e.g. 'drizzle') in the project's folder. */
export function projectPath(relative: string): string {
  return fileURLToPath(new URL(relative, root));
}

/**
 * The module a worker thread or child process runs, by its source without the extension
 * ('src/parallel/worker'): the TypeScript itself for the sources, its bundle under dist/ for the build.
 */
export function entryModule(source: string): URL {
  return new URL(runningSources ? `${source}.ts` : `dist/${source}.js`, root);
}
