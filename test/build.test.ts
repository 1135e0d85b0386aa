/**
 * The compiled build (dist/, what `npm start`, `npm run seed` and `npm run cluster` run): the
 * server answers, serves the playground, clusters in this process and in a child process, and the
 * commands run, all with plain node and no TypeScript loader. A broken build or a path that only
 * works from src/ fails here. dist/ is rebuilt first when a source is newer than it (`npm ci` built
 * it; a developer may have edited since).
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, driverUnderTest, type TestDatabase } from './helpers/database.js';

const root = path.join(import.meta.dirname, '..');
const TOKEN = 'build-test-token';

/**
 * The newest modification time among the server build's inputs (src/, the commands, the build script,
 * the lockfile). The explorer's sources are left out: test/explorer.test.ts rebuilds the explorer
 * when they change, and a rebuild here too could empty dist/explorer under that suite's browser.
 */
function newestSource(): number {
  const sources = readdirSync(path.join(root, 'src'), { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.ts') && !name.startsWith('explorer'))
    .map((name) => path.join(root, 'src', name));
  const others = ['scripts/seed.ts', 'scripts/cluster.ts', 'scripts/command.ts', 'scripts/build-server.ts', 'package-lock.json'];
  return Math.max(...[...sources, ...others.map((name) => path.join(root, name))].map((file) => statSync(file).mtimeMs));
}

function buildIfStale(): void {
  let built = 0;
  try {
    built = statSync(path.join(root, 'dist/src/server.js')).mtimeMs;
  } catch {
    // Not built yet.
  }
  // The server's half of `npm run build` (the explorer's half is test/explorer.test.ts's).
  if (built < newestSource()) execFileSync('npm', ['run', '--silent', 'build:server'], { cwd: root, stdio: 'pipe' });
}

/** Runs `node FILE ARGS` from dist/ to its end: its exit code and everything it printed. */
function runCompiled(
  file: string,
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(root, 'dist', file), ...args], {
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

describe(`the compiled build on ${driverUnderTest}`, () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'news-build-'));
  let database: TestDatabase | undefined;
  let env: Record<string, string>;
  let server: ChildProcess;
  let output = '';
  let url = '';

  async function graphql<T>(query: string, token?: string): Promise<{ data?: T; errors?: { message: string }[] }> {
    const response = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ query }),
    });
    return (await response.json()) as { data?: T; errors?: { message: string }[] };
  }

  beforeAll(async () => {
    buildIfStale();
    if (driverUnderTest === 'postgres') database = await createTestDatabase({ unmigrated: true });
    env = { DATA_DIR: dataDir, DATABASE_URL: database?.url ?? '', API_TOKEN: TOKEN, RECLUSTER: 'off' };
    server = spawn(process.execPath, [path.join(root, 'dist/src/server.js')], {
      cwd: root,
      env: { ...process.env, ...env, PORT: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    server.stdout?.on('data', (chunk) => (output += chunk));
    server.stderr?.on('data', (chunk) => (output += chunk));
    const deadline = Date.now() + 50_000;
    for (let port: string | undefined; port === undefined; ) {
      port = /GraphiQL at http:\/\/localhost:(\d+)\//.exec(output)?.[1];
      if (port) url = `http://127.0.0.1:${port}`;
      else if (Date.now() > deadline || server.exitCode !== null) throw new Error(`dist/src/server.js did not start:\n${output}`);
      else await new Promise((resolve) => setTimeout(resolve, 50));
    }
    // A rebuild takes esbuild a few seconds.
  }, 180_000);

  afterAll(async () => {
    if (server && server.exitCode === null) {
      const exited = new Promise((resolve) => server.once('exit', resolve));
      server.kill('SIGKILL');
      await exited;
    }
    await database?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('starts on an empty database: migrations, seed articles and a first run computed by the server itself', async () => {
    expect(output).toContain('stored 4 seed articles');
    expect((await fetch(`${url}/health`)).status).toBe(200);
    expect((await fetch(`${url}/ready`)).status).toBe(200);
    const { data } = await graphql<{ topics: { totalCount: number } }>('{ topics { totalCount } }');
    expect(data?.topics.totalCount).toBeGreaterThan(0);
  });

  it('serves the playground', async () => {
    const page = await fetch(`${url}/graphql`, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<title>News topics</title>');
  });

  it("computes an operator's run in a child process (dist/src/jobs/cluster-worker.js)", async () => {
    const started = await graphql<{ startClusteringRun: { id: string } }>('mutation { startClusteringRun(k: 2) { id } }', TOKEN);
    expect(started.errors).toBeUndefined();
    const id = started.data?.startClusteringRun.id;
    const deadline = Date.now() + 40_000;
    let current: string | undefined;
    while (current !== id && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      current = (await graphql<{ currentClusteringRun: { id: string } }>('{ currentClusteringRun { id } }')).data
        ?.currentClusteringRun.id;
    }
    expect(current, output).toBe(id);
  });

  it('stops on SIGTERM; then the seed and cluster commands run from dist/', async () => {
    const exited = new Promise<number | null>((resolve) => server.once('exit', (code) => resolve(code)));
    server.kill('SIGTERM');
    expect(await exited).toBe(0);

    const seeded = await runCompiled('scripts/seed.js', ['--no-cluster'], env);
    expect(seeded, seeded.output).toMatchObject({ code: 0 });
    expect(seeded.output).toContain('seed articles: 0 inserted, 4 already present');
    const clustered = await runCompiled('scripts/cluster.js', ['--k', '2'], env);
    expect(clustered, clustered.output).toMatchObject({ code: 0 });
    expect(clustered.output).toMatch(/stages: load \d+ ms/);
  });
});
