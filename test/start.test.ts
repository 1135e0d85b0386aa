/**
 * `npm start` on an empty database: migrations, seed, clustering, then the playground. And the
 * start-up failures an operator meets, each one line that says what to do.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, driverUnderTest, type TestDatabase } from './helpers/database.js';
import { startServerProcess } from './helpers/server-process.js';

const root = path.join(import.meta.dirname, '..');

describe(`npm start on an empty ${driverUnderTest} database`, () => {
  const port = 41_000 + Math.floor(Math.random() * 9_000);
  const dataDir = mkdtempSync(path.join(tmpdir(), 'news-start-'));
  let database: TestDatabase | undefined;
  let child: ReturnType<typeof spawn>;
  let output = '';

  beforeAll(async () => {
    if (driverUnderTest === 'postgres') database = await createTestDatabase();
    child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
      cwd: root,
      env: { ...process.env, PORT: String(port), DATA_DIR: dataDir, DATABASE_URL: database?.url ?? '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.on('data', (chunk) => (output += chunk));
    child.stderr?.on('data', (chunk) => (output += chunk));
    const deadline = Date.now() + 50_000;
    while (!output.includes('GraphiQL at')) {
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(`server did not start:\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  });

  afterAll(async () => {
    if (child && child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    await database?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('seeds, clusters and serves labelled topics', async () => {
    expect(output).toContain('stored 4 seed articles');
    const response = await fetch(`http://127.0.0.1:${port}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ topics { nodes { label size articles { nodes { title } } } } }' }),
    });
    const { data } = (await response.json()) as {
      data: { topics: { nodes: { label: string; size: number; articles: { nodes: { title: string }[] } }[] } };
    };
    const labels = data.topics.nodes.map((topic) => topic.label);
    expect(labels.some((label) => /North Korea|Kim Jong-un/.test(label))).toBe(true);
    expect(data.topics.nodes.reduce((sum, topic) => sum + topic.articles.nodes.length, 0)).toBe(4);
  });

  it('stops cleanly on SIGTERM', async () => {
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});

/** Runs a command of the project to its end: its exit code and everything it printed. */
function runToExit(args: string[], env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', ...args], {
      cwd: root,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout?.on('data', (chunk) => (output += chunk));
    child.stderr?.on('data', (chunk) => (output += chunk));
    const killer = setTimeout(() => child.kill('SIGKILL'), 50_000);
    child.once('exit', (code) => {
      clearTimeout(killer);
      resolve({ code, output });
    });
  });
}

/** The output's last line, and whether anything looks like a stack trace. */
function lastLine(output: string): string {
  expect(output).not.toMatch(/^\s+at /m);
  return output.trim().split('\n').at(-1) ?? '';
}

describe('start-up failures, each one line that says what to do', () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'news-start-fail-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));
  const pglite = { DATABASE_URL: '', DATA_DIR: dataDir };

  it('a port in use', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      const { code, output } = await runToExit(['src/server.ts'], { ...pglite, PORT: String(port) });
      expect(code).toBe(1);
      expect(lastLine(output)).toBe(
        `could not start: port ${port} is in use (another server running?); set PORT to another port`,
      );
    } finally {
      blocker.close();
    }
  });

  it('the embedded database held by another process: the server and the commands', async () => {
    const holder = await startServerProcess(pglite);
    try {
      const held = /^the embedded database in .* is in use by process \d+ \(is `npm start` running\?\)\. Stop it first/;
      const server = await runToExit(['src/server.ts'], { ...pglite, PORT: '0' });
      expect(server.code).toBe(1);
      expect(lastLine(server.output).replace('could not start: ', '')).toMatch(held);
      for (const command of ['scripts/seed.ts', 'scripts/cluster.ts']) {
        const { code, output } = await runToExit([command], pglite);
        expect(code).toBe(1);
        expect(output.trim().split('\n')).toHaveLength(1);
        expect(lastLine(output).replace('could not open the database: ', '')).toMatch(held);
      }
    } finally {
      await holder.stop();
    }
  });

  it('a PostgreSQL server that cannot be reached', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as { port: number }).port;
    await new Promise((resolve) => closed.close(resolve));
    const { code, output } = await runToExit(['src/server.ts'], {
      DATABASE_URL: `postgres://postgres@127.0.0.1:${port}/news`,
      PORT: '0',
    });
    expect(code).toBe(1);
    expect(lastLine(output)).toBe(
      `could not start: cannot reach the database (connect ECONNREFUSED 127.0.0.1:${port}): is PostgreSQL running, and is DATABASE_URL right?`,
    );
  });

  it('a configuration value it cannot read', async () => {
    const { code, output } = await runToExit(['src/server.ts'], { ...pglite, DATABASE_STATEMENT_TIMEOUT: 'soon' });
    expect(code).toBe(1);
    expect(lastLine(output)).toBe(
      'could not start: DATABASE_STATEMENT_TIMEOUT must be a duration such as 30d, 6h, 15m, 90s or 500ms, got "soon"',
    );
  });
});

describe.runIf(driverUnderTest === 'postgres')('npm start on a PostgreSQL server without the database', () => {
  const serverUrl = new URL(process.env.DATABASE_URL ?? 'postgres://localhost');
  const admin = postgres({
    host: serverUrl.hostname,
    port: Number(serverUrl.port || 5432),
    username: decodeURIComponent(serverUrl.username),
    password: decodeURIComponent(serverUrl.password),
    database: 'postgres',
    max: 1,
    onnotice: () => {},
  });
  const name = `news_test_missing_${randomBytes(4).toString('hex')}`;
  const role = `news_test_role_${randomBytes(4).toString('hex')}`;
  const urlOf = (database: string, user?: string, password?: string) => {
    const url = new URL(serverUrl);
    url.pathname = `/${database}`;
    if (user) url.username = user;
    if (password) url.password = password;
    return url.toString();
  };
  afterAll(async () => {
    await admin.unsafe(`drop database if exists ${name} with (force)`);
    await admin.unsafe(`drop role if exists ${role}`);
    await admin.end();
  });

  it('creates it, says so, and serves', async () => {
    const server = await startServerProcess({ DATABASE_URL: urlOf(name) });
    try {
      const host = `${serverUrl.hostname}:${serverUrl.port || 5432}`;
      expect(server.output()).toContain(`database "${name}" did not exist on ${host}: created it`);
      expect(server.output()).toContain('stored 4 seed articles');
      const [{ count }] = await admin`select count(*)::int as count from pg_database where datname = ${name}`;
      expect(count).toBe(1);
    } finally {
      expect(await server.stop()).toBe(0);
    }
  });

  it('says which command to run when its user may not create databases', async () => {
    const password = randomBytes(8).toString('hex');
    await admin.unsafe(`create role ${role} login nocreatedb password '${password}'`);
    const missing = `${name}_other`;
    const { code, output } = await runToExit(['src/server.ts'], { DATABASE_URL: urlOf(missing, role, password), PORT: '0' });
    expect(code).toBe(1);
    expect(lastLine(output)).toBe(
      `could not start: database "${missing}" does not exist on ${serverUrl.hostname}:${serverUrl.port || 5432} and could not be created ` +
        `(${role} may not create databases); create it as a user who may: ` +
        `createdb -h ${serverUrl.hostname} -p ${serverUrl.port || 5432} -O ${role} ${missing}`,
    );
  });
});
