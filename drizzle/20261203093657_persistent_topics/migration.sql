CREATE TYPE "membership_origin" AS ENUM('clustered', 'placed', 'carried');--> statement-breakpoint
CREATE TYPE "topic_change_kind" AS ENUM('born', 'continued', 'merged', 'split', 'retired');--> statement-breakpoint
CREATE TABLE "topic_changes" (
	"run_id" integer,
	"topic_id" integer,
	"kind" "topic_change_kind" NOT NULL,
	"found" boolean NOT NULL,
	"position" integer,
	"label" text NOT NULL,
	"keywords" jsonb NOT NULL,
	"size" integer NOT NULL,
	"centroid" bytea,
	CONSTRAINT "topic_changes_pkey" PRIMARY KEY("run_id","topic_id")
);
--> statement-breakpoint
CREATE TABLE "topic_shares" (
	"run_id" integer,
	"from_topic_id" integer,
	"to_topic_id" integer,
	"articles" integer NOT NULL,
	"share" real NOT NULL,
	CONSTRAINT "topic_shares_pkey" PRIMARY KEY("run_id","from_topic_id","to_topic_id")
);
--> statement-breakpoint
-- Upgrading a database clustered before topics lived across runs: the current run's topics become
-- the first persistent topics (same ids and slugs, born in that run); the topics, memberships,
-- similarities and models of older runs are dropped, as pruning would have done.
DELETE FROM "topics" WHERE "run_id" IS DISTINCT FROM (SELECT "id" FROM "clustering_runs" WHERE "is_current");--> statement-breakpoint
DELETE FROM "article_similarities" WHERE "run_id" IS DISTINCT FROM (SELECT "id" FROM "clustering_runs" WHERE "is_current");--> statement-breakpoint
DELETE FROM "run_models" WHERE "run_id" IS DISTINCT FROM (SELECT "id" FROM "clustering_runs" WHERE "is_current");--> statement-breakpoint
ALTER TABLE "topics" DROP CONSTRAINT "topics_run_id_clustering_runs_id_fkey";--> statement-breakpoint
DROP INDEX "article_topics_article_idx";--> statement-breakpoint
DROP INDEX "topics_run_slug";--> statement-breakpoint
DROP INDEX "topics_run_position";--> statement-breakpoint
ALTER TABLE "article_topics" ADD COLUMN "origin" "membership_origin" DEFAULT 'clustered'::"membership_origin" NOT NULL;--> statement-breakpoint
-- Articles stored after their run started were placed by its model, not clustered.
UPDATE "article_topics" SET "origin" = 'placed' FROM "articles", "clustering_runs"
  WHERE "articles"."id" = "article_topics"."article_id" AND "clustering_runs"."id" = "article_topics"."run_id"
    AND "articles"."created_at" > "clustering_runs"."started_at";--> statement-breakpoint
ALTER TABLE "clustering_runs" ADD COLUMN "reason" text;--> statement-breakpoint
ALTER TABLE "clustering_runs" ADD COLUMN "window_start" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "clustering_runs" ADD COLUMN "superseded_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "clustering_runs" ADD COLUMN "pruned_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "topic_relations" ADD COLUMN "run_id" integer;--> statement-breakpoint
UPDATE "topic_relations" SET "run_id" = "topics"."run_id" FROM "topics" WHERE "topics"."id" = "topic_relations"."topic_id";--> statement-breakpoint
ALTER TABLE "topics" ADD COLUMN "born_run_id" integer;--> statement-breakpoint
ALTER TABLE "topics" ADD COLUMN "born_at" timestamp with time zone DEFAULT now() NOT NULL;--> statement-breakpoint
ALTER TABLE "topics" ADD COLUMN "latest_run_id" integer;--> statement-breakpoint
ALTER TABLE "topics" ADD COLUMN "retired_run_id" integer;--> statement-breakpoint
ALTER TABLE "topics" ADD COLUMN "retired_at" timestamp with time zone;--> statement-breakpoint
UPDATE "topics" SET "born_run_id" = "topics"."run_id", "latest_run_id" = "topics"."run_id",
  "born_at" = coalesce("clustering_runs"."finished_at", "clustering_runs"."started_at")
  FROM "clustering_runs" WHERE "clustering_runs"."id" = "topics"."run_id";--> statement-breakpoint
INSERT INTO "topic_changes" ("run_id", "topic_id", "kind", "found", "position", "label", "keywords", "size", "centroid")
  SELECT "topics"."run_id", "topics"."id", 'born', true, "topics"."position", "topics"."label", "topics"."keywords", "topics"."size",
    substring("run_models"."centroids" from "topics"."position" * "run_models"."dimensions" * 4 + 1 for "run_models"."dimensions" * 4)
  FROM "topics" LEFT JOIN "run_models" ON "run_models"."run_id" = "topics"."run_id";--> statement-breakpoint
UPDATE "clustering_runs" SET "superseded_at" = coalesce("finished_at", now()), "pruned_at" = now()
  WHERE "status" = 'succeeded' AND NOT "is_current";--> statement-breakpoint
ALTER TABLE "topics" ALTER COLUMN "born_run_id" SET NOT NULL;--> statement-breakpoint
ALTER TABLE "topics" ALTER COLUMN "latest_run_id" SET NOT NULL;--> statement-breakpoint
ALTER TABLE "topic_relations" ALTER COLUMN "run_id" SET NOT NULL;--> statement-breakpoint
ALTER TABLE "topics" DROP COLUMN "run_id";--> statement-breakpoint
ALTER TABLE "topics" DROP COLUMN "position";--> statement-breakpoint
ALTER TABLE "article_topics" DROP CONSTRAINT "article_topics_pkey";--> statement-breakpoint
ALTER TABLE "article_topics" ADD PRIMARY KEY ("run_id","article_id","topic_id");--> statement-breakpoint
ALTER TABLE "topic_relations" DROP CONSTRAINT "topic_relations_pkey";--> statement-breakpoint
ALTER TABLE "topic_relations" ADD PRIMARY KEY ("run_id","topic_id","related_topic_id");--> statement-breakpoint
DROP INDEX "article_topics_feed_idx";--> statement-breakpoint
CREATE INDEX "article_topics_feed_idx" ON "article_topics" ("topic_id","run_id","score" DESC,"article_id");--> statement-breakpoint
ALTER TABLE "topics" ADD CONSTRAINT "topics_slug_key" UNIQUE("slug");--> statement-breakpoint
CREATE INDEX "articles_created_idx" ON "articles" ("created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "topic_changes_run_position" ON "topic_changes" ("run_id","position");--> statement-breakpoint
CREATE INDEX "topic_changes_topic_idx" ON "topic_changes" ("topic_id","run_id");--> statement-breakpoint
CREATE INDEX "topic_shares_to_idx" ON "topic_shares" ("run_id","to_topic_id");--> statement-breakpoint
ALTER TABLE "topic_changes" ADD CONSTRAINT "topic_changes_run_id_clustering_runs_id_fkey" FOREIGN KEY ("run_id") REFERENCES "clustering_runs"("id") ON DELETE CASCADE;--> statement-breakpoint
ALTER TABLE "topic_changes" ADD CONSTRAINT "topic_changes_topic_id_topics_id_fkey" FOREIGN KEY ("topic_id") REFERENCES "topics"("id") ON DELETE CASCADE;--> statement-breakpoint
ALTER TABLE "topic_relations" ADD CONSTRAINT "topic_relations_run_id_clustering_runs_id_fkey" FOREIGN KEY ("run_id") REFERENCES "clustering_runs"("id") ON DELETE CASCADE;--> statement-breakpoint
ALTER TABLE "topic_shares" ADD CONSTRAINT "topic_shares_run_id_clustering_runs_id_fkey" FOREIGN KEY ("run_id") REFERENCES "clustering_runs"("id") ON DELETE CASCADE;--> statement-breakpoint
ALTER TABLE "topic_shares" ADD CONSTRAINT "topic_shares_from_topic_id_topics_id_fkey" FOREIGN KEY ("from_topic_id") REFERENCES "topics"("id") ON DELETE CASCADE;--> statement-breakpoint
ALTER TABLE "topic_shares" ADD CONSTRAINT "topic_shares_to_topic_id_topics_id_fkey" FOREIGN KEY ("to_topic_id") REFERENCES "topics"("id") ON DELETE CASCADE;--> statement-breakpoint
ALTER TABLE "topics" ADD CONSTRAINT "topics_born_run_id_clustering_runs_id_fkey" FOREIGN KEY ("born_run_id") REFERENCES "clustering_runs"("id");--> statement-breakpoint
ALTER TABLE "topics" ADD CONSTRAINT "topics_latest_run_id_clustering_runs_id_fkey" FOREIGN KEY ("latest_run_id") REFERENCES "clustering_runs"("id");--> statement-breakpoint
ALTER TABLE "topics" ADD CONSTRAINT "topics_retired_run_id_clustering_runs_id_fkey" FOREIGN KEY ("retired_run_id") REFERENCES "clustering_runs"("id");