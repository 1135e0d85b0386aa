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
    changes: r.many.topicChanges({ from: r.clusteringRuns.id, to: r.topicChanges.runId }),
    /** The versions of the topics the run found. */
    versions: r.many.topicChanges({ from: r.clusteringRuns.id, to: r.topicChanges.runId, where: { found: true } }),
  },
  topics: {
    latestRun: r.one.clusteringRuns({ from: r.topics.latestRunId, to: r.clusteringRuns.id, optional: false }),
    bornIn: r.one.clusteringRuns({ from: r.topics.bornRunId, to: r.clusteringRuns.id, optional: false }),
    memberships: r.many.articleTopics({ from: r.topics.id, to: r.articleTopics.topicId }),
    relations: r.many.topicRelations({ from: r.topics.id, to: r.topicRelations.topicId }),
    changes: r.many.topicChanges({ from: r.topics.id, to: r.topicChanges.topicId }),
    /** Where its articles went in the run that retired it (none while it is active). */
    successors: r.many.topicShares({
      from: [r.topics.retiredRunId, r.topics.id],
      to: [r.topicShares.runId, r.topicShares.fromTopicId],
    }),
  },
  topicChanges: {
    run: r.one.clusteringRuns({ from: r.topicChanges.runId, to: r.clusteringRuns.id, optional: false }),
    topic: r.one.topics({ from: r.topicChanges.topicId, to: r.topics.id, optional: false }),
    /** The earlier topics whose articles it took in this run. */
    sources: r.many.topicShares({
      from: [r.topicChanges.runId, r.topicChanges.topicId],
      to: [r.topicShares.runId, r.topicShares.toTopicId],
    }),
    /** Where its earlier articles went in this run. */
    targets: r.many.topicShares({
      from: [r.topicChanges.runId, r.topicChanges.topicId],
      to: [r.topicShares.runId, r.topicShares.fromTopicId],
    }),
  },
  topicShares: {
    fromTopic: r.one.topics({ from: r.topicShares.fromTopicId, to: r.topics.id, optional: false }),
    toTopic: r.one.topics({ from: r.topicShares.toTopicId, to: r.topics.id, optional: false }),
  },
  articleTopics: {
    article: r.one.articles({ from: r.articleTopics.articleId, to: r.articles.id, optional: false }),
    topic: r.one.topics({ from: r.articleTopics.topicId, to: r.topics.id, optional: false }),
  },
  topicRelations: {
    related: r.one.topics({ from: r.topicRelations.relatedTopicId, to: r.topics.id, optional: false }),
  },
}));
