/**
 * A typed client of the API in a few lines: the topic feed query, with its result and variable
 * types generated from schema.graphql by GraphQL Code Generator (generated/), sent with fetch.
 * Works the same in a browser (set CORS_ORIGINS on the server for another origin's pages).
 *
 *   npm run typed-client -- <topic slug> [server URL]
 */
import { pathToFileURL } from 'node:url';
import { graphql } from './generated/gql.js';
import type { TopicFeedQuery, TypedDocumentString } from './generated/graphql.js';

export const topicFeedQuery = graphql(`
  query TopicFeed($slug: String!, $first: Int!, $after: String) {
    topic(slug: $slug) {
      label
      status
      articles(first: $first, after: $after, orderBy: NEWEST) {
        totalCount
        nodes {
          id
          title
          excerpt(length: 200)
          publishedAt
          source {
            name
          }
        }
        pageInfo {
          hasNextPage
          endCursor
        }
      }
    }
  }
`);

/** One GraphQL request; its answer is typed by the document. Errors (any) are thrown. */
export async function request<Result, Variables>(
  endpoint: string,
  document: TypedDocumentString<Result, Variables>,
  variables: Variables,
): Promise<Result> {
  const response = await fetch(endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ query: document.toString(), variables }),
  });
  const answer = (await response.json()) as { data?: Result; errors?: { message: string }[] };
  if (answer.errors?.length || !answer.data) {
    throw new Error(answer.errors?.map((error) => error.message).join('; ') ?? `HTTP ${response.status}`);
  }
  return answer.data;
}

/** Every article of a topic's feed, newest first, page by page. */
export async function* topicFeed(endpoint: string, slug: string, pageSize = 20) {
  let after: string | null = null;
  do {
    const { topic }: TopicFeedQuery = await request(endpoint, topicFeedQuery, { slug, first: pageSize, after });
    if (!topic) throw new Error(`no topic has the slug "${slug}"`);
    yield* topic.articles.nodes;
    after = topic.articles.pageInfo.hasNextPage ? (topic.articles.pageInfo.endCursor ?? null) : null;
  } while (after !== null);
}

async function main(): Promise<void> {
  const [slug, server = 'http://localhost:4000'] = process.argv.slice(2);
  if (!slug) throw new Error('usage: npm run typed-client -- <topic slug> [server URL]');
  for await (const article of topicFeed(new URL('/graphql', server).toString(), slug)) {
    // `article` is typed: a misspelt field is a compile error, not an undefined at run time.
    const date = article.publishedAt?.slice(0, 10) ?? 'undated';
    console.log(`${date}  ${article.title}${article.source ? ` (${article.source.name})` : ''}`);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    console.error((error as Error).message);
    process.exit(1);
  });
}
