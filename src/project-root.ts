/**
 * Where the project's own files are (drizzle/, schema.graphql), whether this code runs as the
 * TypeScript of src/ (tsx, vitest) or as the JavaScript that `npm run build` writes to dist/src/.
 */
import { fileURLToPath } from 'node:url';

/** True when the TypeScript sources run (tsx, vitest); false for the build under dist/. */
export const runningSources = import.meta.url.endsWith('.ts');

/** The project's folder (with its trailing slash): src/.. for the sources, dist/src/../.. for the build. */
const root = new URL(runningSources ? '..' : '../..', import.meta.url);

/** The absolute path of `relative` (e.g. 'drizzle') in the project's folder. */
export function projectPath(relative: string): string {
  return fileURLToPath(new URL(relative, root));
}
