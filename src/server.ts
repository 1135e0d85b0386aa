/**
 * The HTTP service: GraphQL (with GraphiQL) at /graphql, the topic explorer at /, /health and
 * /ready, graceful shutdown;
 * it listens for the database's change notices and re-clusters by the configured policy. Run
 * directly (`npm start`), it applies migrations and, on an empty database, stores the seed
 * articles and clusters them, so a newcomer sees topics at once.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import { useResponseCache } from '@graphql-yoga/plugin-response-cache';
import { createYoga } from 'graphql-yoga';
import { type Config, loadConfig } from './config.js';
import { type Database, type DatabaseHandle, openConfiguredDatabase } from './db/client.js';
import { describeStartError } from './db/errors.js';
import { cachingRelationalPlans } from './db/plan-cache.js';
import { authenticate } from './graphql/auth.js';
import { requestErrorCodePlugin } from './graphql/client-input.js';
import { coalescePlugin } from './graphql/coalesce.js';
import { compressionPlugin } from './graphql/compression.js';
import { healthPlugin, metricsPlugin, readinessPlugin } from './graphql/endpoints.js';
import { createNewsEvents, listenForChanges } from './graphql/events.js';
import { exampleQuery } from './graphql/example-query.js';
import { type FeedQueryRunner, feedsPlugin } from './graphql/feeds.js';
import { type GraphQLContext, schema } from './graphql/index.js';
import { noIntrospectionPlugin } from './graphql/introspection.js';
import { armorPlugin, pageSizePlugin } from './graphql/limits.js';
import { cacheCountPlugin, createResponseCache, responseCacheKey, sharesAnswers } from './graphql/response-cache.js';
import { unavailablePlugin } from './graphql/unavailable.js';
import { explorerPlugin } from './http/explorer.js';
import { createRequestGate, REQUEST_TIMEOUT_MS } from './http/request-gate.js';
import { formatRunSummary } from './jobs/cli-format.js';
import { runClustering } from './jobs/cluster.js';
import { type ClusteringRunner, createClusteringRunner } from './jobs/cluster-runner.js';
import { createFeedPoller, type FeedPoller } from './jobs/feed-poller.js';
import { countArticles } from './jobs/import.js';
import { createReclusterScheduler, type ReclusterScheduler } from './jobs/recluster-scheduler.js';
import { seedPageArticles } from './jobs/seed.js';
import { projectPath } from './project-root.js';

/** /ready answers within this time even when the database hangs rather than refuses. */
const READY_TIMEOUT_MS = 2_000;

export interface AppOptions {
  /** The database, and its LISTEN for the change notices of every process on it. */
  database: Pick<DatabaseHandle, 'db' | 'listen'>;
  config: Pick<
    Config,
    'production' | 'apiToken' | 'responseCacheTtlMs' | 'responseCacheMaxBytes' | 'recluster' | 'http' | 'feeds'
  >;
  log?: (message: string) => void;
  /** Where the built explorer is (default dist/explorer/, written by `npm run build`). */
  explorerDirectory?: string;
}

export interface App {
  server: Server;
  clustering: ClusteringRunner;
  recluster: ReclusterScheduler;
  feeds: FeedPoller;
  /** Stops listening, polling and scheduling, and ends a run in progress (failed); the HTTP server is closed by its owner. */
  stop(): Promise<void>;
}

export async function createApp({
  database,
  config,
  log = console.log,
  explorerDirectory = projectPath('dist/explorer'),
}: AppOptions): Promise<App> {
  const { db } = database;
  const events = createNewsEvents();
  const clustering = createClusteringRunner(db, (runId, outcome) => {
    if (outcome instanceof Error) log(`clustering run ${runId} failed: ${outcome.message}`);
    else log(formatRunSummary(outcome));
    // Every server hears of the run through its change notice; this server's cache clears now.
    events.publish('dataChanged');
    scheduler.runEnded(!(outcome instanceof Error));
  });
  const scheduler = createReclusterScheduler({ db, runner: clustering, policy: config.recluster, log });
  const feeds = createFeedPoller({
    db,
    settings: config.feeds,
    log,
    // Every server hears of the articles through the import's change notice; this server's cache clears now.
    onImported: () => events.publish('dataChanged'),
  });
  const stopListening = await listenForChanges(database, events, () => scheduler.nudge(), log);
  const responseCache = createResponseCache(events, { maxBytes: config.responseCacheMaxBytes, ttlMs: config.responseCacheTtlMs });
  const gate = createRequestGate({ apiToken: config.apiToken, maxBodyBytesInFlight: config.http.maxBodyBytesInFlight });
  const { corsOrigins } = config.http;
  // A feed is read with a GraphQL query through this server's own endpoint: the same limits,
  // response cache, coalescing and outage errors as any client's. Feeds are public: no token.
  const runFeedQuery: FeedQueryRunner = async (query, variables, request) => {
    const response = await yoga.fetch(new URL('/graphql', request.url), {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ query, variables }),
    });
    return { status: response.status, result: await response.json() };
  };
  // Resolvers' relational queries of a shape seen before run prepared (db/plan-cache.ts).
  const graphqlDb = cachingRelationalPlans(db);
  const yoga = createYoga<Record<string, never>, GraphQLContext>({
    schema,
    context: ({ request }) => ({
      db: graphqlDb,
      auth: authenticate(request.headers.get('authorization'), config.apiToken),
      events,
      clustering,
      recluster: scheduler,
      feeds,
    }),
    graphiql: config.http.graphiql && { title: 'News topics', defaultQuery: exampleQuery },
    // The playground's page (9 MB of script) is loaded when it is first served, not at every start.
    renderGraphiQL: async (options) => (await import('@graphql-yoga/render-graphiql')).renderGraphiQL(options),
    // No CORS headers by default: only pages of this origin may read the answers. No cookies are
    // used (operators send a bearer token), so credentials are never allowed.
    // An origin not on the list gets no CORS headers at all: yoga would answer it
    // `Access-Control-Allow-Origin: null`, which a sandboxed page's `Origin: null` matches.
    cors: (request) => {
      if (corsOrigins === '*') return { origin: '*', credentials: false };
      const origin = request.headers.get('origin');
      return origin !== null && corsOrigins.includes(origin) ? { origin: corsOrigins, credentials: false } : false;
    },
    maskedErrors: config.production,
    // The gate (request-gate.ts) has already refused any body over its limit by its declared
    // length, which node's parser enforces; yoga's own limit would pipe every body through a
    // counting stream (an AbortController, a DOMException per request: 12% of a small query's CPU).
    maxRequestBodySize: false,
    landingPage: false,
    // Liveness is healthPlugin's, on the exact path /health. Yoga's own check cannot be turned off
    // and matches the end of the whole URL; no parsed URL ends in a space, so it never answers.
    healthCheckEndpoint: ' ',
    plugins: [
      compressionPlugin(),
      healthPlugin(),
      readinessPlugin(db, READY_TIMEOUT_MS),
      metricsPlugin(responseCache, config.apiToken),
      feedsPlugin(runFeedQuery),
      explorerPlugin(explorerDirectory),
      // Outage errors get their code before unexpected errors are masked.
      unavailablePlugin(log),
      armorPlugin(config.production),
      requestErrorCodePlugin(),
      pageSizePlugin(),
      ...(config.http.introspection ? [] : [noIntrospectionPlugin()]),
      // Before the cache: identical queries it has not answered yet run once.
      coalescePlugin(() => responseCache.generation),
      ...(config.responseCacheTtlMs > 0
        ? [
            useResponseCache({
              session: () => null,
              enabled: (request) => sharesAnswers(request),
              cache: responseCache,
              ttl: config.responseCacheTtlMs,
              buildResponseCacheKey: responseCacheKey(responseCache),
              // Every change of the data clears the whole cache (response-cache.ts), so no answer
              // is ever invalidated by the entities it holds: without id fields the plugin does
              // not add an id field to every object of every query (each one resolved), nor read
              // the entities of mutations' answers.
              idFields: [],
              invalidateViaMutation: false,
            }),
            cacheCountPlugin(responseCache),
          ]
        : []),
    ],
  });

  // The gate sees every request before yoga reads a body.
  const server = createServer({ requestTimeout: REQUEST_TIMEOUT_MS }, (req, res) => {
    if (gate.admit(req, res)) void yoga(req, res);
  });
  return {
    server,
    clustering,
    recluster: scheduler,
    feeds,
    stop: async () => {
      await feeds.stop();
      scheduler.stop();
      responseCache.stop();
      await clustering.stop();
      await stopListening();
    },
  };
}

/**
 * On an empty database: the seed articles and a first clustering run, before serving, so a
 * newcomer sees topics at once. (Articles without a run are clustered by the policy instead.)
 */
async function bootstrap(db: Database): Promise<void> {
  if ((await countArticles(db)) > 0) return;
  const seeded = await seedPageArticles(db);
  console.log(`empty database: stored ${seeded.inserted} seed articles`);
  console.log(formatRunSummary(await runClustering(db, { reason: 'first start on an empty database' })));
}

async function main(): Promise<void> {
  const config = loadConfig();
  const handle = await openConfiguredDatabase(config, { statementTimeoutMs: config.databaseStatementTimeoutMs });
  let app: App | undefined;
  try {
    await bootstrap(handle.db);
    app = await createApp({ database: handle, config });
    await listen(app.server, config.port);
  } catch (error) {
    await app?.stop();
    await handle.close();
    throw error;
  }
  const { server } = app;
  const where = config.databaseUrl ? 'PostgreSQL (DATABASE_URL)' : `embedded PGlite in ${config.dataDir}`;
  // The bound port: PORT=0 lets the system choose one.
  const { port } = app.server.address() as AddressInfo;
  console.log(
    `GraphQL and GraphiQL at http://localhost:${port}/graphql, the explorer at http://localhost:${port}/ (data: ${where})`,
  );

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: finishing in-flight requests`);
    // No new run from now on, and the one in progress stops (it is marked failed).
    const stopped = app.stop();
    // Stop accepting connections; in-flight requests finish, then the database closes.
    server.close(async () => {
      await stopped;
      await handle.close();
      process.exit(0);
    });
    server.closeIdleConnections();
    setTimeout(() => {
      server.closeAllConnections();
    }, 10_000).unref();
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

/** Listens on the port; a port that is taken fails with a line saying what to do. */
function listen(server: Server, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const failed = (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE')
        reject(new Error(`port ${port} is in use (another server running?); set PORT to another port`));
      else if (error.code === 'EACCES')
        reject(new Error(`port ${port} needs privileges this process lacks; set PORT to a port above 1023`));
      else reject(error);
    };
    server.once('error', failed);
    server.listen(port, () => {
      server.off('error', failed);
      resolve();
    });
  });
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    console.error(`could not start: ${describeStartError(error)}`);
    process.exit(1);
  });
}
