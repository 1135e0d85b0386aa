/**
 * A throw-away PostgreSQL database per benchmark run: created fresh, dropped at the end, so the
 * figures never depend on what an earlier run or a developer left behind.
 */
import postgres from 'postgres';

/** The server to benchmark against; the URL's database is only used to create and drop others. */
export const DEFAULT_ADMIN_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

export function adminUrl(): string {
  return process.env.BENCH_ADMIN_DATABASE_URL || DEFAULT_ADMIN_URL;
}

/** The admin URL with another database name. */
export function databaseUrl(admin: string, name: string): string {
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return url.toString();
}

function adminClient(admin: string) {
  return postgres(admin, { max: 1, onnotice: () => {}, connect_timeout: 5 });
}

/** Fails with a message that says what to do when the server cannot be reached. */
export async function checkReachable(admin: string): Promise<string> {
  const client = adminClient(admin);
  try {
    const [row] = await client<{ version: string }[]>`select current_setting('server_version') as version`;
    return row.version;
  } catch (error) {
    const where = new URL(admin);
    throw new Error(
      `PostgreSQL is not reachable at ${where.host} as ${where.username || 'the current user'} ` +
        `(${(error as Error).message}). Start it, or point BENCH_ADMIN_DATABASE_URL at a server ` +
        'whose user may create databases.',
    );
  } finally {
    await client.end({ timeout: 2 });
  }
}

export async function createDatabase(admin: string, name: string): Promise<string> {
  const client = adminClient(admin);
  try {
    await client.unsafe(`drop database if exists "${name}" with (force)`);
    await client.unsafe(`create database "${name}"`);
  } finally {
    await client.end({ timeout: 2 });
  }
  return databaseUrl(admin, name);
}

/** Drops the database even while servers still hold connections to it. */
export async function dropDatabase(admin: string, name: string): Promise<void> {
  const client = adminClient(admin);
  try {
    await client.unsafe(`drop database if exists "${name}" with (force)`);
  } finally {
    await client.end({ timeout: 2 });
  }
}
