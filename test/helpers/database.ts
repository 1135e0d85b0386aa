/**
 * A fresh database for one suite: a PGlite copy of the migrated template, or, when DATABASE_URL
 * is set, a new database on that server, dropped afterwards.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from 'drizzle-orm';
import postgres from 'postgres';
import { inject } from 'vitest';
import { type DatabaseHandle, openDatabase } from '../../src/db/client.js';
import { importJsonlFile } from '../../src/jobs/import.js';
import { seedPageArticles } from '../../src/jobs/seed.js';

export const driverUnderTest = process.env.DATABASE_URL ? 'postgres' : 'pglite';

export interface TestDatabase extends DatabaseHandle {
  /** For postgres: the URL of the suite's own database (e.g. to start a server process on it). */
  url: string | undefined;
}

/** Statement counter for asserting how many SQL statements a request issues. */
export class StatementCounter implements Logger {
  statements: string[] = [];
  logQuery(query: string): void {
    this.statements.push(query);
  }
  reset(): void {
    this.statements = [];
  }
}

function adminUrl(url: string): string {
  const admin = new URL(url);
  admin.pathname = '/postgres';
  return admin.toString();
}

/** `unmigrated`: an empty database, for tests of the migrations themselves. */
export async function createTestDatabase(options: { logger?: Logger; unmigrated?: boolean } = {}): Promise<TestDatabase> {
  const serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) {
    const template = options.unmigrated ? undefined : new Blob([readFileSync(inject('pgliteTemplate'))]);
    const handle = await openDatabase({ dataDir: 'memory://', pgliteTemplate: template, logger: options.logger });
    return { ...handle, url: undefined };
  }
  const name = `news_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = postgres(adminUrl(serverUrl), { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const handle = await openDatabase({ databaseUrl: url.toString(), logger: options.logger });
  if (!options.unmigrated) await handle.migrate();
  return {
    ...handle,
    url: url.toString(),
    close: async () => {
      await handle.close();
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end();
    },
  };
}

/** The BBC sample of test/fixtures (198 distinct articles). */
export const bbcSample = path.join(import.meta.dirname, '..', 'fixtures', 'bbc-200.jsonl');

/** A fresh database holding the seed articles and the BBC sample: 202 articles. */
export async function createCorpusDatabase(options: { logger?: Logger } = {}): Promise<TestDatabase> {
  const handle = await createTestDatabase(options);
  await seedPageArticles(handle.db);
  await importJsonlFile(handle.db, bbcSample);
  return handle;
}
