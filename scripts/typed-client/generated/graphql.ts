/* eslint-disable */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { DocumentTypeDecoration } from '@graphql-typed-document-node/core';
/** Whether a topic is in the current clustering run. */
export type TopicStatus =
  /** The current clustering run found it. */
  | 'ACTIVE'
  /** It ended in an earlier run: see `successors` for where its articles went. */
  | 'RETIRED';

export type TopicFeedQueryVariables = Exact<{
  slug: string;
  first: number;
  after?: string | null | undefined;
}>;


export type TopicFeedQuery = { topic: { label: string, status: TopicStatus, articles: { totalCount: number, nodes: Array<{ id: string, title: string, excerpt: string, publishedAt: string | null, source: { name: string } | null }>, pageInfo: { hasNextPage: boolean, endCursor: string | null } } } | null };

export class TypedDocumentString<TResult, TVariables>
  extends String
  implements DocumentTypeDecoration<TResult, TVariables>
{
  __apiType?: NonNullable<DocumentTypeDecoration<TResult, TVariables>['__apiType']>;
  private value: string;
  public __meta__?: Record<string, any> | undefined;

  constructor(value: string, __meta__?: Record<string, any> | undefined) {
    super(value);
    this.value = value;
    this.__meta__ = __meta__;
  }

  override toString(): string & DocumentTypeDecoration<TResult, TVariables> {
    return this.value;
  }
}

export const TopicFeedDocument = new TypedDocumentString(`
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
    `) as unknown as TypedDocumentString<TopicFeedQuery, TopicFeedQueryVariables>;