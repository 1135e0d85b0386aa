/**
 * Builds one migrated PGlite data folder per test run and hands its path to the suites: creating
 * a PGlite database takes seconds (initdb), loading a dump of a migrated one is much faster.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { openDatabase } from '../src/db/client.js';

declare module 'vitest' {
  export interface ProvidedContext {
    pgliteTemplate: string;
  }
}

export default async function setup(project: TestProject) {
  if (process.env.DATABASE_URL) {
    project.provide('pgliteTemplate', '');
    return;
  }
  const folder = mkdtempSync(path.join(tmpdir(), 'news-topics-test-'));
  const templateFile = path.join(folder, 'migrated.tar');
  const handle = await openDatabase({ dataDir: 'memory://' });
  await handle.migrate();
  const client = handle.db.$client as { dumpDataDir(compression: 'none'): Promise<Blob> };
  const dump = await client.dumpDataDir('none');
  writeFileSync(templateFile, Buffer.from(await dump.arrayBuffer()));
  await handle.close();
  project.provide('pgliteTemplate', templateFile);
  return () => rmSync(folder, { recursive: true, force: true });
}
