/** `npm start` on an empty database: migrations, seed, clustering, then the playground. */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, driverUnderTest, type TestDatabase } from './helpers/database.js';

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
