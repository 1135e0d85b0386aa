/** Stores the articles of the page the product was created from, with its editorial links. */
import { inArray } from 'drizzle-orm';
import type { Database } from '../db/client.js';
import { articles, editorialLinks } from '../db/schema.js';
import { seedArticles, seedEditorialLinks } from '../seed/articles.js';
import { type ArticleInput, type ValidArticle, validateArticle } from './article-input.js';
import { storeArticles } from './import.js';

export interface SeedSummary {
  inserted: number;
  alreadyPresent: number;
}

export async function seedPageArticles(db: Database): Promise<SeedSummary> {
  const inputs: readonly ArticleInput[] = seedArticles;
  const valid: ValidArticle[] = inputs.map((input) => {
    const result = validateArticle(input);
    if (!result.ok) throw new Error(`seed article ${input.externalId} is invalid: ${result.reason}`);
    return result.article;
  });
  const { outcomes, rejections } = await storeArticles(db, valid);
  if (rejections.length > 0) {
    const { index, reason } = rejections[0];
    throw new Error(`seed article ${seedArticles[index].externalId} was not stored: ${reason}`);
  }

  const externalIds = seedEditorialLinks.flatMap((link) => [link.from, ...link.to]);
  const rows = await db
    .select({ id: articles.id, externalId: articles.externalId })
    .from(articles)
    .where(inArray(articles.externalId, externalIds));
  const idOf = new Map(rows.map((row) => [row.externalId, row.id]));
  const links = seedEditorialLinks.flatMap((link) =>
    link.to.flatMap((to, position) => {
      const fromArticleId = idOf.get(link.from);
      const toArticleId = idOf.get(to);
      return fromArticleId && toArticleId ? [{ fromArticleId, toArticleId, position }] : [];
    }),
  );
  if (links.length > 0) await db.insert(editorialLinks).values(links).onConflictDoNothing();

  return {
    inserted: outcomes.filter((outcome) => outcome === 'created').length,
    alreadyPresent: outcomes.filter((outcome) => outcome === 'duplicate').length,
  };
}
