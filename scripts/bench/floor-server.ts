/**
 * The floor: the least a server can do to answer the benchmark's three operations with the same
 * JSON as our GraphQL API. node:http, one prepared SQL statement per request through postgres.js
 * (same driver and pool size as the product), no GraphQL. It takes POST bodies of the form
 * { "operationName": "TopicFeed" | "ArticlePage" | "Search", "variables": { ... } } with the
 * same variables (global ids) as the product's queries. TopicFeed also takes `first` (default
 * 20), `offset` (default 0) and `orderBy` (RELEVANCE, the default, or NEWEST): the page a cursor
 * of ours points to, by its position.
 *
 * DATABASE_URL=postgres://... PORT=4101 node --import tsx scripts/bench/floor-server.ts
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import postgres from 'postgres';

const connectionString = process.env.DATABASE_URL;
if (!connectionString) {
  console.error('DATABASE_URL is required');
  process.exit(1);
}
const port = Number(process.env.PORT ?? 4101);
const sql = postgres(connectionString, { max: 10, onnotice: () => {} });

/** Pothos relay ids: base64 of "Type:id". */
function databaseId(globalId: unknown, typename: string): number | null {
  if (typeof globalId !== 'string') return null;
  const [type, id] = Buffer.from(globalId, 'base64').toString('utf8').split(':');
  const value = Number(id);
  return type === typename && Number.isSafeInteger(value) ? value : null;
}

function globalId(typename: string, id: number): string {
  return Buffer.from(`${typename}:${id}`).toString('base64');
}

interface FeedRow {
  label: string;
  score: number | null;
  articleId: number | null;
  title: string | null;
  sourceName: string | null;
}

const MAX_FEED_PAGE = 100;

/** One page of a topic's feed in our order: best fit first (then article id), as ever. */
function relevanceFeed(topicId: number, first: number, offset: number) {
  return sql<FeedRow[]>`
    select t.label, m.score, a.id as "articleId", a.title, s.name as "sourceName"
    from topics t
    left join lateral (
      select score, article_id from article_topics
      where topic_id = t.id and run_id = (select id from clustering_runs where is_current)
      order by score desc, article_id asc limit ${first} offset ${offset}
    ) m on true
    left join articles a on a.id = m.article_id
    left join sources s on s.id = a.source_id
    where t.id = ${topicId}
    order by m.score desc, m.article_id asc`;
}

/** ... or most recently published first, undated last, ties (and undated ones) by article id, newest first. */
function newestFeed(topicId: number, first: number, offset: number) {
  return sql<FeedRow[]>`
    select t.label, m.score, a.id as "articleId", a.title, s.name as "sourceName"
    from topics t
    left join lateral (
      select at.score, at.article_id, p.published_at
      from article_topics at join articles p on p.id = at.article_id
      where at.topic_id = t.id and at.run_id = (select id from clustering_runs where is_current)
      order by p.published_at desc nulls last, at.article_id desc limit ${first} offset ${offset}
    ) m on true
    left join articles a on a.id = m.article_id
    left join sources s on s.id = a.source_id
    where t.id = ${topicId}
    order by m.published_at desc nulls last, m.article_id desc`;
}

async function topicFeed(variables: Record<string, unknown>) {
  const topicId = databaseId(variables.id, 'Topic');
  if (topicId === null) return { topic: null };
  const first = Number.isSafeInteger(variables.first) ? Math.min(MAX_FEED_PAGE, Math.max(0, variables.first as number)) : 20;
  const offset = Number.isSafeInteger(variables.offset) ? Math.max(0, variables.offset as number) : 0;
  const rows = await (variables.orderBy === 'NEWEST' ? newestFeed : relevanceFeed)(topicId, first, offset);
  if (rows.length === 0) return { topic: null };
  return {
    topic: {
      label: rows[0].label,
      articles: {
        edges: rows
          .filter((row) => row.articleId !== null)
          .map((row) => ({
            score: row.score,
            node: {
              id: globalId('Article', row.articleId as number),
              title: row.title,
              source: row.sourceName === null ? null : { name: row.sourceName },
            },
          })),
      },
    },
  };
}

interface ArticleRow {
  title: string;
  body: string;
  topics: { score: number; topic: { label: string } }[];
  related: { kind: 'EDITORIAL' | 'SIMILAR'; score: number | null; article: { title: string } }[];
}

async function articlePage(variables: Record<string, unknown>) {
  const articleId = databaseId(variables.id, 'Article');
  if (articleId === null) return { article: null };
  // Editorial links first (by position), then the 5 most similar articles not already linked;
  // equal scores by the other side's id, as ours.
  const [row] = await sql<ArticleRow[]>`
    with current_run as (select id from clustering_runs where is_current)
    select a.title, a.body,
      (select coalesce(json_agg(json_build_object('score', m.score, 'topic', json_build_object('label', t.label))
                                order by m.score desc, m.topic_id), '[]'::json)
         from article_topics m join topics t on t.id = m.topic_id
         where m.article_id = a.id and m.run_id = (select id from current_run)) as topics,
      (select coalesce(json_agg(r.item order by r.rank), '[]'::json) from (
         (select json_build_object('kind', 'EDITORIAL', 'score', null, 'article', json_build_object('title', b.title)) as item,
                 row_number() over (order by l.position) as rank
            from editorial_links l join articles b on b.id = l.to_article_id
            where l.from_article_id = a.id)
         union all
         (select json_build_object('kind', 'SIMILAR', 'score', s.score, 'article', json_build_object('title', b.title)),
                 1000000 + row_number() over (order by s.score desc, s.similar_article_id)
            from article_similarities s join articles b on b.id = s.similar_article_id
            where s.article_id = a.id and s.run_id = (select id from current_run)
              and not exists (select 1 from editorial_links l
                              where l.from_article_id = a.id and l.to_article_id = s.similar_article_id)
            order by s.score desc, s.similar_article_id limit 5)
       ) r) as related
    from articles a where a.id = ${articleId}`;
  if (!row) return { article: null };
  return { article: { title: row.title, body: row.body, topics: row.topics, relatedArticles: row.related } };
}

interface SearchRow {
  title: string;
  snippet: string;
}

async function search(variables: Record<string, unknown>) {
  const q = typeof variables.q === 'string' ? variables.q : '';
  // Same match, rank and headline options as the product's articles(filter: { search }).
  const rows = await sql<SearchRow[]>`
    select a.title,
      ts_headline('english', a.title || '. ' || a.body, websearch_to_tsquery('english', ${q}),
        'MaxFragments=2, MaxWords=30, MinWords=12, FragmentDelimiter=" … "') as snippet
    from articles a
    where a.search_vector @@ websearch_to_tsquery('english', ${q})
    order by ts_rank_cd(a.search_vector, websearch_to_tsquery('english', ${q}), 32) desc, a.id desc
    limit 10`;
  return { articles: { edges: rows.map((row) => ({ snippet: row.snippet, node: { title: row.title } })) } };
}

const operations: Record<string, (variables: Record<string, unknown>) => Promise<unknown>> = {
  TopicFeed: topicFeed,
  ArticlePage: articlePage,
  Search: search,
};

function send(res: ServerResponse, status: number, payload: unknown): void {
  const body = JSON.stringify(payload);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }).end(body);
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

const server = createServer(async (req, res) => {
  if (req.url === '/ready') {
    try {
      await sql`select 1`;
      send(res, 200, { status: 'ready' });
    } catch (error) {
      send(res, 503, { status: 'unavailable', reason: (error as Error).message });
    }
    return;
  }
  if (req.method !== 'POST') {
    send(res, 405, { errors: [{ message: 'POST only' }] });
    return;
  }
  try {
    const request = JSON.parse(await readBody(req)) as { operationName?: string; variables?: Record<string, unknown> };
    const operation = operations[request.operationName ?? ''];
    if (!operation) {
      send(res, 400, { errors: [{ message: `unknown operation ${request.operationName}` }] });
      return;
    }
    send(res, 200, { data: await operation(request.variables ?? {}) });
  } catch (error) {
    send(res, 500, { errors: [{ message: (error as Error).message }] });
  }
});

server.listen(port, '127.0.0.1', () => console.log(`floor server at http://127.0.0.1:${port}`));

const shutdown = () => {
  server.close();
  server.closeAllConnections();
  void sql.end({ timeout: 2 }).finally(() => process.exit(0));
};
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
