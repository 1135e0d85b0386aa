/**
 * The peer: PostGraphile 5 (Amber preset) over the same database, served by node:http, with
 * /ready for the benchmark. Search is a small SQL function in the `bench_peer` schema, created
 * by the benchmark in its own database only (see peerSearchFunctionSql). Its NEWEST feed order
 * sorts on article_topics.published_sort, as ours does.
 *
 * DATABASE_URL=postgres://... PORT=4102 node --import tsx scripts/bench/peer-server.ts
 */
// Must load before PostGraphile (see the module).
import './promise-with-resolvers.js';
import { createServer } from 'node:http';
import { postgraphile } from 'postgraphile';
import { makePgService } from 'postgraphile/adaptors/pg';
import { grafserv } from 'postgraphile/grafserv/node';
import { PostGraphileAmberPreset } from 'postgraphile/presets/amber';
import { PEER_SCHEMA } from './peer-search.js';

async function main(): Promise<void> {
  const connectionString = process.env.DATABASE_URL;
  if (!connectionString) throw new Error('DATABASE_URL is required');
  const port = Number(process.env.PORT ?? 4102);
  const preset: GraphileConfig.Preset = {
    extends: [PostGraphileAmberPreset],
    // Lets the peer order similarities by score and editorial links by position (unindexed
    // columns), as the product does; the topic feed's order uses a real index either way.
    disablePlugins: ['PgIndexBehaviorsPlugin'],
    pgServices: [makePgService({ connectionString, schemas: ['public', PEER_SCHEMA], poolConfig: { max: 10 } })],
    grafserv: { graphiql: false, watch: false },
    grafast: { explain: false },
  };
  const pgl = postgraphile(preset);
  await pgl.getSchemaResult();
  const serv = pgl.createServ(grafserv);
  const graphqlHandler = serv.createHandler();
  const server = createServer((req, res) => {
    if (req.url === '/ready') {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ready"}');
      return;
    }
    graphqlHandler(req, res);
  });
  server.listen(port, '127.0.0.1', () => console.log(`PostGraphile peer at http://127.0.0.1:${port}/graphql`));
  const shutdown = () => {
    server.close();
    server.closeAllConnections();
    void Promise.resolve(pgl.release()).finally(() => process.exit(0));
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
}

main().catch((error: unknown) => {
  console.error(`peer server could not start: ${(error as Error).stack ?? String(error)}`);
  process.exit(1);
});
