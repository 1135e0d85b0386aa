/**
 * Builds one migrated PGlite data folder per test run and hands its path to the suites: creating
 * a PGlite database takes seconds (initdb), loading a dump of a migrated one is much faster.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { drizzle } from 'drizzle-orm/pglite';
import { migrate } from 'drizzle-orm/pglite/migrator';
import type { TestProject } from 'vitest/node';
import { migrationsFolder } from '../src/db/client.js';

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
  const client = await PGlite.create('memory://');
  await migrate(drizzle({ client }), { migrationsFolder });
  const dump = await client.dumpDataDir('none');
  writeFileSync(templateFile, Buffer.from(await dump.arrayBuffer()));
  await client.close();
  project.provide('pgliteTemplate', templateFile);
  return () => rmSync(folder, { recursive: true, force: true });
}
