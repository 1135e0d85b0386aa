import { defineRelations } from 'drizzle-orm';
import * as schema from './schema.js';

export const relations = defineRelations(schema, (r) => ({
  sources: {
    articles: r.many.articles({ from: r.sources.id, to: r.articles.sourceId }),
  },
  articles: {
    source: r.one.sources({ from: r.articles.sourceId, to: r.sources.id }),
    memberships: r.many.articleTopics({ from: r.articles.id, to: r.articleTopics.articleId }),
    editorialLinks: r.many.editorialLinks({ from: r.articles.id, to: r.editorialLinks.fromArticleId }),
    similarities: r.many.articleSimilarities({ from: r.articles.id, to: r.articleSimilarities.articleId }),
  },
  editorialLinks: {
    target: r.one.articles({ from: r.editorialLinks.toArticleId, to: r.articles.id, optional: false }),
  },
  articleSimilarities: {
    similar: r.one.articles({ from: r.articleSimilarities.similarArticleId, to: r.articles.id, optional: false }),
  },
  clusteringRuns: {
    topics: r.many.topics({ from: r.clusteringRuns.id, to: r.topics.runId }),
  },
  topics: {
    run: r.one.clusteringRuns({ from: r.topics.runId, to: r.clusteringRuns.id, optional: false }),
    memberships: r.many.articleTopics({ from: r.topics.id, to: r.articleTopics.topicId }),
    relations: r.many.topicRelations({ from: r.topics.id, to: r.topicRelations.topicId }),
  },
  articleTopics: {
    article: r.one.articles({ from: r.articleTopics.articleId, to: r.articles.id, optional: false }),
    topic: r.one.topics({ from: r.articleTopics.topicId, to: r.topics.id, optional: false }),
  },
  topicRelations: {
    related: r.one.topics({ from: r.topicRelations.relatedTopicId, to: r.topics.id, optional: false }),
  },
}));
