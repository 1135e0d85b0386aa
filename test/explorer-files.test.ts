/**
 * How the server serves the explorer's built files (src/http/explorer.ts), on a made-up build in a
 * temporary folder: every client route answers the page, assets have their type and a year's
 * cache, nothing outside the build is reachable, the paths of other endpoints stay free, and a
 * server whose explorer was not built says how to build it. (test/explorer.test.ts runs the real
 * build in a browser.)
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from './helpers/database.js';
import { startTestServer, type TestServer } from './helpers/server.js';

const PAGE = '<!doctype html><title>explorer</title>';

describe('the explorer’s files', () => {
  const folder = mkdtempSync(path.join(tmpdir(), 'news-explorer-files-'));
  const build = path.join(folder, 'explorer');
  let handle: TestDatabase;
  let server: TestServer;
  let unbuilt: TestServer;

  beforeAll(async () => {
    mkdirSync(path.join(build, 'assets'), { recursive: true });
    writeFileSync(path.join(build, 'index.html'), PAGE);
    writeFileSync(path.join(build, 'assets', 'index-abc123.js'), 'console.log(1);');
    writeFileSync(path.join(build, 'assets', 'index-abc123.css'), 'body{}');
    // Beside the build: must never be served.
    writeFileSync(path.join(folder, 'secret.js'), 'secret');
    handle = await createTestDatabase();
    server = await startTestServer(handle, { explorerDirectory: build });
    unbuilt = await startTestServer(handle, { explorerDirectory: path.join(folder, 'missing') });
  });
  afterAll(async () => {
    await server?.close();
    await unbuilt?.close();
    await handle?.close();
    rmSync(folder, { recursive: true, force: true });
  });

  it('answers the page at / and at every client route, revalidated each time', async () => {
    for (const route of ['/', '/topics/north-korea', '/articles/QXJ0aWNsZTox', '/search?q=korea', '/runs', '/runs/']) {
      const response = await fetch(`${server.url}${route}`);
      expect({ route, status: response.status, type: response.headers.get('content-type'), body: await response.text() }).toEqual(
        {
          route,
          status: 200,
          type: 'text/html; charset=utf-8',
          body: PAGE,
        },
      );
      expect(response.headers.get('cache-control')).toBe('no-cache');
    }
    const head = await fetch(`${server.url}/topics/x`, { method: 'HEAD' });
    expect({ status: head.status, body: await head.text() }).toEqual({ status: 200, body: '' });
  });

  it('serves the hashed assets with their type and a year’s cache', async () => {
    const script = await fetch(`${server.url}/assets/index-abc123.js`);
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(script.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(await script.text()).toBe('console.log(1);');
    const style = await fetch(`${server.url}/assets/index-abc123.css`);
    expect(style.headers.get('content-type')).toBe('text/css; charset=utf-8');
    expect((await fetch(`${server.url}/assets/index-missing.js`)).status).toBe(404);
  });

  it('reaches nothing outside the build', async () => {
    for (const attempt of ['/assets/..%2fsecret.js', '/assets/%2e%2e/secret.js', '/assets/../secret.js', '/assets/.hidden.js']) {
      const response = await fetch(`${server.url}${attempt}`);
      expect({ attempt, status: response.status }).toEqual({ attempt, status: 404 });
      expect(await response.text()).not.toContain('secret');
    }
  });

  it('leaves the other endpoints’ paths to them', async () => {
    // A topic's feeds and deeper paths are not client routes.
    for (const other of ['/topics/north-korea/feed.atom', '/topics/a/b', '/nowhere']) {
      const response = await fetch(`${server.url}${other}`);
      expect({ other, status: response.status }).toEqual({ other, status: 404 });
    }
    const graphql = await fetch(`${server.url}/graphql?query=${encodeURIComponent('{ __typename }')}`);
    expect(await graphql.json()).toEqual({ data: { __typename: 'Query' } });
    const playground = await fetch(`${server.url}/graphql`, { headers: { accept: 'text/html' } });
    expect(await playground.text()).toContain('GraphiQL');
    expect((await fetch(`${server.url}/health`)).status).toBe(200);
  });

  it('says how to build the explorer when it was not built', async () => {
    const response = await fetch(`${unbuilt.url}/`);
    expect(response.status).toBe(503);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await response.text()).toContain('npm run build');
    expect((await fetch(`${unbuilt.url}/health`)).status).toBe(200);
  });
});
