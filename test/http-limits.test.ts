/**
 * What hostile or careless clients and foreign web pages meet at the HTTP edge: body limits by
 * caller, the cap on bodies in flight, the byte-bounded response cache, request coalescing, the
 * content types a POST may have, CORS, and the GraphiQL / introspection switches.
 */
import { connect } from 'node:net';
import { sql } from 'drizzle-orm';
import { createSchema, createYoga } from 'graphql-yoga';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { articles } from '../src/db/schema.js';
import { coalescePlugin } from '../src/graphql/coalesce.js';
import { createNewsEvents } from '../src/graphql/events.js';
import { createByteBoundedCache, createResponseCache, responseCacheKey } from '../src/graphql/response-cache.js';
import { ANONYMOUS_BODY_BYTES, OPERATOR_BODY_BYTES } from '../src/http/request-gate.js';
import { runClustering } from '../src/jobs/cluster.js';
import { createCorpusDatabase, StatementCounter, type TestDatabase } from './helpers/database.js';
import { startTestServer, type TestServer } from './helpers/server.js';

const TOKEN = 'http-limits-token';

interface GraphQLBody {
  data?: Record<string, unknown> | null;
  errors?: { message: string; extensions?: { code?: string } }[];
}

/** A JSON request body of exactly `bytes` bytes: a small query padded with an unused variable. */
function paddedBody(bytes: number, query = '{ __typename }'): string {
  const empty = JSON.stringify({ query, variables: { pad: '' } });
  return JSON.stringify({ query, variables: { pad: 'x'.repeat(bytes - empty.length) } });
}

async function post(url: string, body: string, headers: Record<string, string> = {}) {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: (text ? JSON.parse(text) : {}) as GraphQLBody };
}

/** Sends the headers and the first part of a POST, and returns a function that sends the rest and reads the answer. */
function startSlowPost(url: string, body: string): Promise<{ finish(): Promise<string> }> {
  const { port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), '127.0.0.1', () => {
      socket.write(
        `POST /graphql HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n`,
      );
      socket.write(body.slice(0, 100));
      let answer = '';
      socket.on('data', (chunk) => (answer += chunk));
      const ended = new Promise<string>((done) => socket.on('close', () => done(answer)));
      resolve({
        finish: () => {
          socket.write(body.slice(100));
          return ended;
        },
      });
    });
    socket.on('error', reject);
  });
}

/**
 * POSTs the same body on `count` connections, holding back each one's last byte until all the
 * rest has arrived, so the server gets them at the same moment. Resolves once all are sent, with
 * the answers' bodies to come.
 */
async function postTogether(url: string, body: string, count: number): Promise<{ answers: Promise<string[]> }> {
  const { port } = new URL(url);
  const request = `POST /graphql HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`;
  const sockets = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<ReturnType<typeof connect>>((resolve, reject) => {
          const socket = connect(Number(port), '127.0.0.1', () => resolve(socket));
          socket.on('error', reject);
        }),
    ),
  );
  const answers = sockets.map((socket) => {
    let answer = '';
    socket.on('data', (chunk) => (answer += chunk));
    return new Promise<string>((resolve) => socket.on('close', () => resolve(answer.slice(answer.indexOf('\r\n\r\n') + 4))));
  });
  for (const socket of sockets) socket.write(request.slice(0, -1));
  await new Promise((resolve) => setTimeout(resolve, 200));
  for (const socket of sockets) socket.write(request.slice(-1));
  return { answers: Promise.all(answers) };
}

describe('the byte-bounded response cache', () => {
  const result = (text: string) => ({ data: { text } });
  const bytesOf = (text: string) => Buffer.byteLength(JSON.stringify(result(text)));

  it('evicts the least recently used answers by the bytes of their JSON, never holding more than its bound', () => {
    const entry = bytesOf('a'.repeat(100));
    const cache = createByteBoundedCache({ maxBytes: entry * 3 });
    for (const key of ['a', 'b', 'c']) cache.set(key, result(key.repeat(100)), [], 60_000);
    expect(cache.size).toBe(3);
    expect(cache.bytes).toBe(entry * 3);
    // 'a' is used again, so 'b' is now the least recently used.
    expect(cache.get('a')).toEqual(result('a'.repeat(100)));
    cache.set('d', result('d'.repeat(100)), [], 60_000);
    expect(cache.get('b')).toBeNull();
    expect(cache.get('a')).not.toBeNull();
    expect(cache.size).toBe(3);
    // One large answer takes the room of two small ones.
    cache.set('big', result('x'.repeat(entry * 2 - bytesOf(''))), [], 60_000);
    expect(cache.bytes).toBeLessThanOrEqual(entry * 3);
    expect([...['a', 'c', 'd'].map((key) => cache.get(key) !== null)].filter(Boolean)).toHaveLength(1);
    // An answer larger than the whole cache is not kept, and evicts nothing.
    const before = cache.bytes;
    cache.set('huge', result('h'.repeat(entry * 4)), [], 60_000);
    expect(cache.get('huge')).toBeNull();
    expect(cache.bytes).toBe(before);
    cache.stop();
    expect(cache.bytes).toBe(0);
  });

  it('gives back each answer as a new object, and drops expired answers when swept', () => {
    let time = 0;
    const cache = createByteBoundedCache({ maxBytes: 10_000, now: () => time });
    cache.set('short', result('s'), [], 1_000);
    cache.set('long', result('l'), [], 5_000);
    const hit = cache.get('short') as { data: { text: string } };
    hit.data.text = 'changed by a client';
    expect(cache.get('short')).toEqual(result('s'));
    time = 2_000;
    cache.sweep();
    expect(cache.size).toBe(1);
    expect(cache.bytes).toBe(bytesOf('l'));
    time = 6_000;
    expect(cache.get('long')).toBeNull();
    expect(cache.bytes).toBe(0);
  });

  it('is cleared whole when the data changes', async () => {
    const events = createNewsEvents();
    const cache = createResponseCache(events, { maxBytes: 10_000, ttlMs: 60_000 });
    cache.set('q', result('answer'), [], 60_000);
    await new Promise((resolve) => setTimeout(resolve, 10));
    events.publish('dataChanged');
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(cache.get('q')).toBeNull();
    expect(cache.bytes).toBe(0);
    cache.stop();
  });

  it('keys answers by the data’s generation, so an execution begun before a change is never served after it', async () => {
    const events = createNewsEvents();
    const cache = createResponseCache(events, { maxBytes: 10_000, ttlMs: 60_000 });
    const keyOf = responseCacheKey(cache);
    const request = {
      documentString: '{ topics { totalCount } }',
      variableValues: {},
      operationName: null,
      sessionId: null,
      context: {},
    };
    const begun = await keyOf({ ...request, request: new Request('http://yoga/graphql') });
    events.publish('dataChanged');
    await new Promise((resolve) => setTimeout(resolve, 10));
    // The execution begun before the change stores its answer under its own key.
    cache.set(begun, result('before the change'), [], 60_000);
    const after = await keyOf({ ...request, request: new Request('http://yoga/graphql') });
    expect(after).not.toBe(begun);
    expect(cache.get(after)).toBeNull();
    cache.stop();
  });
});

describe('request coalescing', () => {
  it('runs identical concurrent queries once, and never shares mutations or different variables', async () => {
    let calls = 0;
    let generation = 0;
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    const yoga = createYoga({
      schema: createSchema({
        typeDefs: 'type Query { slow(n: Int): Int } type Mutation { bump: Int }',
        resolvers: {
          Query: {
            slow: async (_root: unknown, { n }: { n: number }) => {
              calls++;
              await held;
              return n;
            },
          },
          Mutation: {
            bump: async () => {
              calls++;
              await held;
              return calls;
            },
          },
        },
      }),
      plugins: [coalescePlugin(() => generation)],
    });
    const send = (query: string, variables?: Record<string, unknown>) =>
      yoga.fetch('http://yoga/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query, variables }),
      });
    const same = Array.from({ length: 20 }, () => send('query ($n: Int) { slow(n: $n) }', { n: 1 }));
    const other = send('query ($n: Int) { slow(n: $n) }', { n: 2 });
    const mutations = [send('mutation { bump }'), send('mutation { bump }')];
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(calls).toBe(1 + 1 + 2);
    // After a data change, the same query does not join the execution that began before it.
    generation++;
    const afterChange = send('query ($n: Int) { slow(n: $n) }', { n: 1 });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(calls).toBe(5);
    release();
    await afterChange;
    const answers = await Promise.all(same.map(async (response) => (await response).json()));
    expect(answers).toEqual(Array.from({ length: 20 }, () => ({ data: { slow: 1 } })));
    expect(await (await other).json()).toEqual({ data: { slow: 2 } });
    await Promise.all(mutations);
    // Once answered (and the turn in which it was answered is over), the same query runs again:
    // coalescing is not a cache.
    await new Promise((resolve) => setImmediate(resolve));
    await send('query ($n: Int) { slow(n: $n) }', { n: 1 });
    expect(calls).toBe(6);
  });
});

describe('loading the HTTP settings', () => {
  it('reads CORS_ORIGINS, GRAPHIQL, INTROSPECTION, RESPONSE_CACHE_MAX_BYTES and MAX_BODY_BYTES_IN_FLIGHT, and refuses bad values', () => {
    expect(loadConfig({}).http).toEqual({
      maxBodyBytesInFlight: 32 * 1024 * 1024,
      corsOrigins: [],
      graphiql: true,
      introspection: true,
    });
    expect(loadConfig({}).responseCacheMaxBytes).toBe(32 * 1024 * 1024);
    const config = loadConfig({
      CORS_ORIGINS: 'https://news.example, http://localhost:3000/',
      GRAPHIQL: 'off',
      INTROSPECTION: 'off',
      RESPONSE_CACHE_MAX_BYTES: '8MB',
      MAX_BODY_BYTES_IN_FLIGHT: '512kb',
    });
    expect(config.http).toEqual({
      maxBodyBytesInFlight: 512 * 1024,
      corsOrigins: ['https://news.example', 'http://localhost:3000'],
      graphiql: false,
      introspection: false,
    });
    expect(config.responseCacheMaxBytes).toBe(8 * 1024 * 1024);
    expect(loadConfig({ CORS_ORIGINS: '*' }).http.corsOrigins).toBe('*');
    expect(() => loadConfig({ CORS_ORIGINS: '*, https://a.example' })).toThrow(/CORS_ORIGINS/);
    expect(() => loadConfig({ CORS_ORIGINS: 'https://a.example/path' })).toThrow(/no path/);
    expect(() => loadConfig({ GRAPHIQL: 'no' })).toThrow(/GRAPHIQL must be "on" or "off"/);
    expect(() => loadConfig({ RESPONSE_CACHE_MAX_BYTES: 'lots' })).toThrow(/RESPONSE_CACHE_MAX_BYTES/);
  });
});

describe('the HTTP edge of the server', () => {
  const counter = new StatementCounter();
  let handle: TestDatabase;
  let server: TestServer;

  beforeAll(async () => {
    handle = await createCorpusDatabase({ logger: counter });
    await runClustering(handle.db, { k: 2 });
    server = await startTestServer(handle, { apiToken: TOKEN });
  });
  afterAll(async () => {
    await server?.close();
    await handle?.close();
  });

  it('refuses an anonymous body over the small limit with 413 and a code, and takes an operator’s large import', async () => {
    const small = await post(server.url, paddedBody(ANONYMOUS_BODY_BYTES));
    expect(small.status).toBe(200);
    expect(small.body).toEqual({ data: { __typename: 'Query' } });
    for (const headers of [{}, { authorization: 'Bearer not-the-token' }] as Record<string, string>[]) {
      const large = await post(server.url, paddedBody(ANONYMOUS_BODY_BYTES + 1), headers);
      expect(large.status).toBe(413);
      expect(large.body.errors?.[0].extensions?.code).toBe('PAYLOAD_TOO_LARGE');
      expect(large.body.errors?.[0].message).toMatch(/64 KB.*operator token/);
    }
    const tooLargeForOperators = await post(server.url, paddedBody(OPERATOR_BODY_BYTES + 1), {
      authorization: `Bearer ${TOKEN}`,
    });
    expect(tooLargeForOperators.status).toBe(413);

    const before = await handle.db.$count(articles);
    const input = Array.from({ length: 1_000 }, (_, i) => ({
      title: `Bulk import story ${i}`,
      body: `Story ${i} of the bulk import. ${'Words that make the body a kilobyte long. '.repeat(24)}`,
    }));
    const body = JSON.stringify({
      query: 'mutation ($input: [ArticleInput!]!) { importArticles(input: $input) { created rejected } }',
      variables: { input },
    });
    expect(Buffer.byteLength(body)).toBeGreaterThan(ANONYMOUS_BODY_BYTES * 10);
    const anonymous = await post(server.url, body);
    expect(anonymous.status).toBe(413);
    const imported = await post(server.url, body, { authorization: `Bearer ${TOKEN}` });
    expect(imported.body).toEqual({ data: { importArticles: { created: 1_000, rejected: 0 } } });
    expect(await handle.db.$count(articles)).toBe(before + 1_000);
  }, 60_000);

  it('answers 503 with Retry-After while too many body bytes are arriving, and takes requests again afterwards', async () => {
    const capped = await startTestServer(handle, { apiToken: TOKEN, http: { maxBodyBytesInFlight: 100_000 } });
    try {
      const slow = await startSlowPost(capped.url, paddedBody(60_000));
      await new Promise((resolve) => setTimeout(resolve, 200));
      const refused = await post(capped.url, paddedBody(50_000));
      expect(refused.status).toBe(503);
      expect(refused.headers.get('retry-after')).toBe('1');
      expect(refused.body.errors?.[0].extensions?.code).toBe('UNAVAILABLE');
      // An operator's request is not held to the anonymous allowance.
      expect((await post(capped.url, paddedBody(50_000), { authorization: `Bearer ${TOKEN}` })).status).toBe(200);
      // A body that fits beside the one arriving is taken.
      expect((await post(capped.url, paddedBody(30_000))).status).toBe(200);
      const answer = await slow.finish();
      expect(answer).toMatch(/^HTTP\/1\.1 200/);
      expect(answer).toContain('{"data":{"__typename":"Query"}}');
      expect((await post(capped.url, paddedBody(50_000))).status).toBe(200);
    } finally {
      await capped.close();
    }
  });

  it('executes N concurrent identical queries once, with the cache on and off', async () => {
    const feed = '{ topics(first: 5) { nodes { label articles(first: 10) { nodes { title source { name } } } } } }';
    counter.reset();
    await post(server.url, JSON.stringify({ query: feed }));
    const once = counter.statements.length;
    expect(once).toBeGreaterThan(0);

    const cached = await startTestServer(handle, { responseCacheTtlMs: 60_000 });
    try {
      for (const target of [server, cached]) {
        // The topics are locked while the requests arrive, so the first one's query waits: PGlite
        // runs in this process and would otherwise finish one query before the server has read
        // the next request, and PostgreSQL could run a late one after the first has finished.
        let release = () => {};
        const busy = handle.db.transaction(async (tx) => {
          await tx.execute(sql`lock table topics in access exclusive mode`);
          await new Promise<void>((resolve) => (release = resolve));
        });
        await new Promise((resolve) => setTimeout(resolve, 50));
        counter.reset();
        const sent = await postTogether(target.url, JSON.stringify({ query: feed }), 30);
        await new Promise((resolve) => setTimeout(resolve, 200));
        release();
        await busy;
        const answers = await sent.answers;
        expect(new Set(answers).size).toBe(1);
        expect(answers[0]).toContain('{"data":{"topics":');
        expect(counter.statements.length).toBe(once);
      }
      // The cached server answers the next ones from memory.
      counter.reset();
      await post(cached.url, JSON.stringify({ query: feed }));
      expect(counter.statements).toEqual([]);
    } finally {
      await cached.close();
    }
  });

  it('takes only JSON POSTs: form, multipart, application/graphql and text bodies get 415 and write nothing', async () => {
    const before = await handle.db.$count(articles);
    const mutation = 'mutation { importArticles(input: [{ title: "Cross-site", body: "Should not be stored." }]) { created } }';
    const form = new FormData();
    form.set('operations', JSON.stringify({ query: mutation }));
    form.set('map', '{}');
    const bodies: [string, RequestInit][] = [
      ['form-urlencoded', { body: new URLSearchParams({ query: mutation }) }],
      ['multipart', { body: form }],
      ['application/graphql', { body: mutation, headers: { 'content-type': 'application/graphql' } }],
      ['text/plain', { body: JSON.stringify({ query: mutation }), headers: { 'content-type': 'text/plain' } }],
      ['no content type', { body: new Blob([JSON.stringify({ query: mutation })]) }],
    ];
    for (const [name, init] of bodies) {
      const response = await fetch(`${server.url}/graphql`, {
        method: 'POST',
        ...init,
        headers: { authorization: `Bearer ${TOKEN}`, ...(init.headers as Record<string, string> | undefined) },
      });
      const body = (await response.json()) as GraphQLBody;
      expect({ name, status: response.status, code: body.errors?.[0].extensions?.code }).toEqual({
        name,
        status: 415,
        code: 'UNSUPPORTED_MEDIA_TYPE',
      });
    }
    // GET never runs a mutation.
    const viaGet = await fetch(`${server.url}/graphql?query=${encodeURIComponent(mutation)}`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(viaGet.status).toBe(405);
    expect(await handle.db.$count(articles)).toBe(before);
    // JSON with a charset, and GET for a query, are served.
    const json = await post(server.url, JSON.stringify({ query: '{ sources { totalCount } }' }), {
      'content-type': 'application/json; charset=utf-8',
    });
    expect(json.status).toBe(200);
    const get = await fetch(`${server.url}/graphql?query=${encodeURIComponent('{ sources { totalCount } }')}`);
    expect(get.status).toBe(200);
  });

  it('sends no CORS headers to a foreign origin by default, and those CORS_ORIGINS allows, without credentials', async () => {
    const ask = async (url: string, origin: string) => {
      const preflight = await fetch(`${url}/graphql`, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
      });
      const actual = await fetch(`${url}/graphql`, {
        method: 'POST',
        headers: { origin, 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ __typename }' }),
      });
      return {
        preflight: preflight.headers.get('access-control-allow-origin'),
        allowOrigin: actual.headers.get('access-control-allow-origin'),
        credentials: actual.headers.get('access-control-allow-credentials'),
      };
    };
    expect(await ask(server.url, 'https://evil.example')).toEqual({ preflight: null, allowOrigin: null, credentials: null });

    const listed = await startTestServer(handle, { http: { corsOrigins: ['https://news.example', 'https://app.example'] } });
    const any = await startTestServer(handle, { http: { corsOrigins: '*' } });
    try {
      expect(await ask(listed.url, 'https://news.example')).toEqual({
        preflight: 'https://news.example',
        allowOrigin: 'https://news.example',
        credentials: null,
      });
      // An unlisted origin gets no CORS headers (not `null`, which a sandboxed page's `Origin: null` would match).
      expect(await ask(listed.url, 'https://evil.example')).toEqual({ preflight: null, allowOrigin: null, credentials: null });
      expect(await ask(listed.url, 'null')).toEqual({ preflight: null, allowOrigin: null, credentials: null });
      expect(await ask(any.url, 'https://anyone.example')).toEqual({
        preflight: 'https://anyone.example',
        allowOrigin: 'https://anyone.example',
        credentials: null,
      });
    } finally {
      await listed.close();
      await any.close();
    }
  });

  it('turns GraphiQL and introspection off with their switches, and keeps both on by default', async () => {
    const introspection = JSON.stringify({ query: '{ __schema { queryType { name } } __type(name: "Topic") { name } }' });
    const page = await fetch(`${server.url}/graphql`, { headers: { accept: 'text/html' } });
    expect(await page.text()).toContain('GraphiQL');
    expect((await post(server.url, introspection)).body).toEqual({
      data: { __schema: { queryType: { name: 'Query' } }, __type: { name: 'Topic' } },
    });

    const closed = await startTestServer(handle, { http: { graphiql: false, introspection: false } });
    try {
      const noPage = await fetch(`${closed.url}/graphql`, { headers: { accept: 'text/html' } });
      expect(await noPage.text()).not.toContain('GraphiQL');
      const refused = await post(closed.url, introspection);
      expect(refused.body.data).toBeUndefined();
      expect(refused.body.errors?.map((error) => error.extensions?.code)).toEqual(['FORBIDDEN', 'FORBIDDEN']);
      expect(refused.body.errors?.[0].message).toContain('INTROSPECTION=off');
      expect(
        (await post(closed.url, JSON.stringify({ query: '{ __typename sources { totalCount } }' }))).body.errors,
      ).toBeUndefined();
    } finally {
      await closed.close();
    }
  });
});
