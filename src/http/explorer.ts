/**
 * The topic explorer's files, as a yoga plugin: the single-page app that `npm run build` writes to
 * dist/explorer/ (sources in src/explorer/). Its pages (`/`, `/topics/SLUG`, `/articles/ID`,
 * `/search`, `/runs`) all answer index.html and the app routes in the browser; its hashed assets
 * under `/assets/` are cached for a year, since a new build gives them new names. Nothing else is
 * answered here: `/graphql`, `/health` and any other path (a topic's feed, `/topics/SLUG/feed.atom`)
 * go on to the plugins after this one. Files are read when asked for, so the start reads none.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Plugin } from 'graphql-yoga';

/** The explorer's client routes: each one path segment deep, so `/topics/x/feed.atom` is not one. */
const PAGE = /^\/(?:topics\/[^/]+|articles\/[^/]+|search|runs)?\/?$/;
/** A built asset's name: one path segment of safe characters, not starting with a dot (no `..`). */
const ASSET = /^\/assets\/([A-Za-z0-9_-][A-Za-z0-9_.-]*)$/;

const CONTENT_TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
  '.map': 'application/json',
};

const NOT_BUILT = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>News topics</title></head>
<body><main><h1>The explorer is not built</h1>
<p>Run <code>npm run build</code> (or <code>npm ci</code>, which runs it) and reload this page.
The GraphQL API and its playground are at <a href="/graphql">/graphql</a>.</p></main></body></html>
`;

function isMissing(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR';
}

type Answer = { body: BodyInit; status: number; headers: Record<string, string> };

const HTML = 'text/html; charset=utf-8';

async function page(directory: string): Promise<Answer> {
  try {
    const html = await readFile(path.join(directory, 'index.html'));
    // Always revalidated: it names the current build's assets.
    return { body: new Uint8Array(html), status: 200, headers: { 'content-type': HTML, 'cache-control': 'no-cache' } };
  } catch (error) {
    if (!isMissing(error)) throw error;
    return { body: NOT_BUILT, status: 503, headers: { 'content-type': HTML, 'cache-control': 'no-store' } };
  }
}

async function asset(directory: string, name: string): Promise<Answer> {
  const type = CONTENT_TYPES[path.extname(name)];
  try {
    if (type !== undefined) {
      const content = await readFile(path.join(directory, 'assets', name));
      return {
        body: new Uint8Array(content),
        status: 200,
        headers: {
          'content-type': type,
          'cache-control': 'public, max-age=31536000, immutable',
          'x-content-type-options': 'nosniff',
        },
      };
    }
  } catch (error) {
    if (!isMissing(error)) throw error;
  }
  return {
    body: 'not found\n',
    status: 404,
    headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' },
  };
}

/** Serves the explorer built in `directory` (dist/explorer). */
export function explorerPlugin(directory: string): Plugin {
  return {
    // Synchronous for every other request: a GraphQL request does not wait on this plugin.
    onRequest({ request, url, endResponse, fetchAPI }) {
      if (request.method !== 'GET' && request.method !== 'HEAD') return;
      const name = ASSET.exec(url.pathname)?.[1];
      const answer = PAGE.test(url.pathname) ? page(directory) : name !== undefined ? asset(directory, name) : undefined;
      if (answer === undefined) return;
      const head = request.method === 'HEAD';
      return answer.then(({ body, status, headers }) =>
        endResponse(new fetchAPI.Response(head ? null : body, { status, headers })),
      );
    },
  };
}
