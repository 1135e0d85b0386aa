-- A topic's NEWEST feed in index order: each membership carries its article's NEWEST key
-- (publishedSortKey in src/graphql/schema/article-filter.ts), byte-ordered like the key.
ALTER TABLE "article_topics" ADD COLUMN "published_sort" text COLLATE "C" DEFAULT '' NOT NULL;--> statement-breakpoint
CREATE FUNCTION "article_topics_set_published_sort"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.published_sort := coalesce(
    (SELECT to_char(a.published_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') FROM articles a WHERE a.id = NEW.article_id),
    '');
  RETURN NEW;
END
$$;--> statement-breakpoint
CREATE TRIGGER "article_topics_published_sort" BEFORE INSERT ON "article_topics"
  FOR EACH ROW EXECUTE FUNCTION "article_topics_set_published_sort"();--> statement-breakpoint
UPDATE "article_topics" m SET "published_sort" = to_char(a.published_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')
  FROM "articles" a WHERE a.id = m.article_id AND a.published_at IS NOT NULL;--> statement-breakpoint
CREATE INDEX "article_topics_newest_idx" ON "article_topics" ("topic_id","run_id","published_sort" DESC,"article_id" DESC);
