/**
 * The HTTP service: GraphQL (with GraphiQL) at /graphql, /health and /ready, graceful shutdown.
 * Run directly (`npm start`), it applies migrations and, on an empty database, stores the seed
 * articles and clusters them, so a newcomer sees topics at once.
 */
import { createServer, type Server } from 'node:http';
import { pathToFileURL } from 'node:url';
import { renderGraphiQL } from '@graphql-yoga/render-graphiql';
import { sql } from 'drizzle-orm';
import { createYoga } from 'graphql-yoga';
import { type Config, loadConfig } from './config.js';
import { type Database, openConfiguredDatabase } from './db/client.js';
import { exampleQuery } from './graphql/example-query.js';
import { type GraphQLContext, schema } from './graphql/index.js';
import { formatRunSummary } from './jobs/cli-format.js';
import { runClustering } from './jobs/cluster.js';
import { countArticles } from './jobs/import.js';
import { seedPageArticles } from './jobs/seed.js';

export interface AppOptions {
  db: Database;
  config: Pick<Config, 'production'>;
}

export function createApp({ db, config }: AppOptions): Server {
  const yoga = createYoga<Record<string, never>, GraphQLContext>({
    schema,
    context: () => ({ db }),
    graphiql: { title: 'News topics', defaultQuery: exampleQuery },
    renderGraphiQL,
    maskedErrors: config.production,
    landingPage: false,
  });

  return createServer(async (req, res) => {
    const path = req.url?.split('?')[0];
    if (path === '/health') {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
      return;
    }
    if (path === '/ready') {
      try {
        await db.execute(sql`select 1`);
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ready"}');
      } catch (error) {
        res
          .writeHead(503, { 'content-type': 'application/json' })
          .end(JSON.stringify({ status: 'unavailable', reason: (error as Error).message }));
      }
      return;
    }
    if (path === '/') {
      res.writeHead(302, { location: '/graphql' }).end();
      return;
    }
    return yoga(req, res);
  });
}

/** On an empty database: the seed articles and a first clustering run. */
async function bootstrap(db: Database): Promise<void> {
  if ((await countArticles(db)) > 0) return;
  const seeded = await seedPageArticles(db);
  console.log(`empty database: stored ${seeded.inserted} seed articles`);
  console.log(formatRunSummary(await runClustering(db)));
}

async function main(): Promise<void> {
  const config = loadConfig();
  const handle = await openConfiguredDatabase(config);
  await bootstrap(handle.db);
  const server = createApp({ db: handle.db, config });
  server.listen(config.port, () => {
    const where = config.databaseUrl ? 'PostgreSQL (DATABASE_URL)' : `embedded PGlite in ${config.dataDir}`;
    console.log(`GraphQL and GraphiQL at http://localhost:${config.port}/graphql (data: ${where})`);
  });

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: finishing in-flight requests`);
    // Stop accepting connections; in-flight requests finish, then the database closes.
    server.close(async () => {
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

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    console.error(`could not start: ${(error as Error).message}`);
    process.exit(1);
  });
}
