/**
 * Responses are compressed for clients that accept gzip or deflate, as they arrive on the wire
 * (node:http, which does not decompress by itself): the GraphiQL page, large answers and feeds;
 * never a small answer, never for a client that does not ask, and never an event stream, whose
 * events must arrive one by one as they happen.
 */
import { type IncomingHttpHeaders, request } from 'node:http';
import { gunzipSync, inflateSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MIN_COMPRESSED_BYTES } from '../src/graphql/compression.js';
import { runClustering } from '../src/jobs/cluster.js';
import { createCorpusDatabase, type TestDatabase } from './helpers/database.js';
import { startTestServer, type TestServer } from './helpers/server.js';

interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

const BIG_QUERY = '{ topics { nodes { label articles(first: 50) { nodes { title excerpt } } } } }';

describe('compressed responses', () => {
  let handle: TestDatabase;
  let server: TestServer;

  function raw(path: string, headers: Record<string, string>, body?: string): Promise<RawResponse> {
    return new Promise((resolve, reject) => {
      const outgoing = request(
        `${server.url}${path}`,
        {
          method: body === undefined ? 'GET' : 'POST',
          headers: body === undefined ? headers : { ...headers, 'content-length': String(Buffer.byteLength(body)) },
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () =>
            resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks) }),
          );
          response.on('error', reject);
        },
      );
      outgoing.on('error', reject);
      outgoing.end(body);
    });
  }

  const graphql = (query: string, headers: Record<string, string> = {}) =>
    raw('/graphql', { 'content-type': 'application/json', accept: 'application/json', ...headers }, JSON.stringify({ query }));

  beforeAll(async () => {
    handle = await createCorpusDatabase();
    await runClustering(handle.db, { k: 5, seed: 3 });
    server = await startTestServer(handle);
  });
  afterAll(async () => {
    await server?.close();
    await handle?.close();
  });

  it('sends the GraphiQL page compressed only to a client that accepts it', async () => {
    const plain = await raw('/graphql', { accept: 'text/html' });
    expect(plain.status).toBe(200);
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.headers.vary).toContain('Accept-Encoding');
    const gzip = await raw('/graphql', { accept: 'text/html', 'accept-encoding': 'gzip, deflate, br' });
    expect(gzip.headers['content-encoding']).toBe('gzip');
    expect(gzip.headers.vary).toContain('Accept-Encoding');
    expect(gunzipSync(gzip.body).equals(plain.body)).toBe(true);
    const deflate = await raw('/graphql', { accept: 'text/html', 'accept-encoding': 'deflate' });
    expect(deflate.headers['content-encoding']).toBe('deflate');
    expect(inflateSync(deflate.body).equals(plain.body)).toBe(true);
    // The page is megabytes of script; compressed, a fraction of it.
    expect(plain.body.length).toBeGreaterThan(1_000_000);
    expect(gzip.body.length).toBeLessThan(plain.body.length / 3);
  });

  it('compresses a large GraphQL answer, and answers a client that does not accept compression as before', async () => {
    const plain = await graphql(BIG_QUERY);
    expect(plain.status).toBe(200);
    expect(plain.headers['content-encoding']).toBeUndefined();
    const answer = JSON.parse(plain.body.toString('utf8')) as { data: { topics: { nodes: unknown[] } } };
    expect(answer.data.topics.nodes.length).toBe(5);
    expect(plain.body.length).toBeGreaterThan(MIN_COMPRESSED_BYTES);

    const gzip = await graphql(BIG_QUERY, { 'accept-encoding': 'gzip' });
    expect(gzip.headers['content-encoding']).toBe('gzip');
    expect(JSON.parse(gunzipSync(gzip.body).toString('utf8'))).toEqual(answer);
    // A refused coding is not used.
    const refused = await graphql(BIG_QUERY, { 'accept-encoding': 'gzip;q=0' });
    expect(refused.headers['content-encoding']).toBeUndefined();
  });

  it('sends a small answer as it is', async () => {
    const small = await graphql('{ __typename }', { 'accept-encoding': 'gzip' });
    expect(small.headers['content-encoding']).toBeUndefined();
    expect(JSON.parse(small.body.toString('utf8'))).toEqual({ data: { __typename: 'Query' } });
  });

  it('compresses feeds, and a conditional GET still gets 304', async () => {
    const topics = await server.query<{ topics: { nodes: { slug: string }[] } }>('{ topics { nodes { slug } } }');
    const path = `/topics/${topics.data!.topics.nodes[0].slug}/feed.atom`;
    const plain = await raw(path, {});
    const gzip = await raw(path, { 'accept-encoding': 'gzip' });
    expect(gzip.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gzip.body).equals(plain.body)).toBe(true);
    expect(gzip.headers.etag).toBe(plain.headers.etag);
    const notModified = await raw(path, { 'accept-encoding': 'gzip', 'if-none-match': String(gzip.headers.etag) });
    expect(notModified.status).toBe(304);
    expect(notModified.body.length).toBe(0);
  });

  it('never compresses an event stream: each event arrives when it happens', async () => {
    const body = JSON.stringify({ query: 'subscription { clusteringRunFinished { id status } }' });
    let received = '';
    let notify: (() => void) | undefined;
    const stream = await new Promise<{ headers: IncomingHttpHeaders; close: () => void }>((resolve, reject) => {
      const outgoing = request(
        `${server.url}/graphql`,
        {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            accept: 'text/event-stream',
            'accept-encoding': 'gzip, deflate',
            'content-length': String(Buffer.byteLength(body)),
          },
        },
        (response) => {
          response.setEncoding('utf8');
          response.on('data', (chunk: string) => {
            received += chunk;
            notify?.();
          });
          resolve({ headers: response.headers, close: () => outgoing.destroy() });
        },
      );
      outgoing.on('error', (error) => {
        if (!received) reject(error);
      });
      outgoing.end(body);
    });
    const events = () => received.split('"clusteringRunFinished"').length - 1;
    const waitForEvents = (count: number) =>
      new Promise<void>((resolve) => {
        notify = () => {
          if (events() >= count) resolve();
        };
        notify();
      });
    try {
      expect(stream.headers['content-type']).toMatch(/^text\/event-stream/);
      // Yoga marks its event streams `Content-Encoding: none`; nothing compresses them.
      expect([undefined, 'none']).toContain(stream.headers['content-encoding']);
      // The subscription is live once the server has it; a run's notice reaches it then.
      await new Promise((resolve) => setTimeout(resolve, 200));
      await runClustering(handle.db, { k: 5, seed: 4 });
      await waitForEvents(1);
      expect(events()).toBe(1);
      expect(received).toContain('event: next');
      await runClustering(handle.db, { k: 5, seed: 5 });
      await waitForEvents(2);
      expect(events()).toBe(2);
    } finally {
      stream.close();
    }
  });
});
