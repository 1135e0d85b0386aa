CREATE TYPE "clustering_run_status" AS ENUM('running', 'succeeded', 'failed');--> statement-breakpoint
CREATE TABLE "article_similarities" (
	"run_id" integer,
	"article_id" integer,
	"similar_article_id" integer,
	"score" real NOT NULL,
	CONSTRAINT "article_similarities_pkey" PRIMARY KEY("run_id","article_id","similar_article_id")
);
--> statement-breakpoint
CREATE TABLE "article_topics" (
	"run_id" integer NOT NULL,
	"article_id" integer,
	"topic_id" integer,
	"score" real NOT NULL,
	"weak" boolean DEFAULT false NOT NULL,
	CONSTRAINT "article_topics_pkey" PRIMARY KEY("topic_id","article_id")
);
--> statement-breakpoint
CREATE TABLE "articles" (
	"id" serial PRIMARY KEY,
	"external_id" text UNIQUE,
	"title" text NOT NULL,
	"body" text NOT NULL,
	"url" text,
	"source_id" integer,
	"published_at" timestamp with time zone,
	"content_hash" text NOT NULL UNIQUE,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"search_vector" tsvector GENERATED ALWAYS AS (setweight(to_tsvector('english', title), 'A') || setweight(to_tsvector('english', body), 'B')) STORED NOT NULL
);
--> statement-breakpoint
CREATE TABLE "clustering_runs" (
	"id" serial PRIMARY KEY,
	"status" "clustering_run_status" DEFAULT 'running'::"clustering_run_status" NOT NULL,
	"is_current" boolean DEFAULT false NOT NULL,
	"requested_k" integer,
	"seed" integer NOT NULL,
	"k" integer,
	"article_count" integer,
	"parameters" jsonb,
	"k_selection" jsonb,
	"quality" jsonb,
	"timings" jsonb,
	"error" text,
	"owner" text,
	"heartbeat_at" timestamp with time zone DEFAULT now() NOT NULL,
	"started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "editorial_links" (
	"from_article_id" integer,
	"to_article_id" integer,
	"position" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "editorial_links_pkey" PRIMARY KEY("from_article_id","to_article_id")
);
--> statement-breakpoint
CREATE TABLE "run_models" (
	"run_id" integer PRIMARY KEY,
	"vocabulary" jsonb NOT NULL,
	"dimensions" integer NOT NULL,
	"weak_threshold" double precision NOT NULL,
	"idf" bytea NOT NULL,
	"components" bytea NOT NULL,
	"centroids" bytea NOT NULL
);
--> statement-breakpoint
CREATE TABLE "sources" (
	"id" serial PRIMARY KEY,
	"name" text NOT NULL UNIQUE,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "topic_relations" (
	"topic_id" integer,
	"related_topic_id" integer,
	"score" real NOT NULL,
	CONSTRAINT "topic_relations_pkey" PRIMARY KEY("topic_id","related_topic_id")
);
--> statement-breakpoint
CREATE TABLE "topics" (
	"id" serial PRIMARY KEY,
	"run_id" integer NOT NULL,
	"position" integer NOT NULL,
	"label" text NOT NULL,
	"slug" text NOT NULL,
	"keywords" jsonb NOT NULL,
	"size" integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX "article_topics_article_idx" ON "article_topics" ("article_id","run_id");--> statement-breakpoint
CREATE INDEX "article_topics_feed_idx" ON "article_topics" ("score" DESC,"article_id");--> statement-breakpoint
CREATE INDEX "articles_source_idx" ON "articles" ("source_id");--> statement-breakpoint
CREATE INDEX "articles_published_idx" ON "articles" ("published_at","id");--> statement-breakpoint
CREATE INDEX "articles_search_idx" ON "articles" USING gin ("search_vector");--> statement-breakpoint
CREATE UNIQUE INDEX "clustering_runs_one_current" ON "clustering_runs" ("is_current") WHERE "is_current";--> statement-breakpoint
CREATE UNIQUE INDEX "clustering_runs_one_running" ON "clustering_runs" ("status") WHERE "status" = 'running';--> statement-breakpoint
CREATE UNIQUE INDEX "topics_run_slug" ON "topics" ("run_id","slug");--> statement-breakpoint
CREATE UNIQUE INDEX "topics_run_position" ON "topics" ("run_id","position");--> statement-breakpoint
ALTER TABLE "article_similarities" ADD CONSTRAINT "article_similarities_run_id_clustering_runs_id_fkey" FOREIGN KEY ("run_id") REFERENCES "clustering_runs"("id") ON DELETE CASCADE;--> statement-breakpoint
ALTER TABLE "article_similarities" ADD CONSTRAINT "article_similarities_article_id_articles_id_fkey" FOREIGN KEY ("article_id") REFERENCES "articles"("id") ON DELETE CASCADE;--> statement-breakpoint
ALTER TABLE "article_similarities" ADD CONSTRAINT "article_similarities_similar_article_id_articles_id_fkey" FOREIGN KEY ("similar_article_id") REFERENCES "articles"("id") ON DELETE CASCADE;--> statement-breakpoint
ALTER TABLE "article_topics" ADD CONSTRAINT "article_topics_run_id_clustering_runs_id_fkey" FOREIGN KEY ("run_id") REFERENCES "clustering_runs"("id") ON DELETE CASCADE;--> statement-breakpoint
ALTER TABLE "article_topics" ADD CONSTRAINT "article_topics_article_id_articles_id_fkey" FOREIGN KEY ("article_id") REFERENCES "articles"("id") ON DELETE CASCADE;--> statement-breakpoint
ALTER TABLE "article_topics" ADD CONSTRAINT "article_topics_topic_id_topics_id_fkey" FOREIGN KEY ("topic_id") REFERENCES "topics"("id") ON DELETE CASCADE;--> statement-breakpoint
ALTER TABLE "articles" ADD CONSTRAINT "articles_source_id_sources_id_fkey" FOREIGN KEY ("source_id") REFERENCES "sources"("id");--> statement-breakpoint
ALTER TABLE "editorial_links" ADD CONSTRAINT "editorial_links_from_article_id_articles_id_fkey" FOREIGN KEY ("from_article_id") REFERENCES "articles"("id") ON DELETE CASCADE;--> statement-breakpoint
ALTER TABLE "editorial_links" ADD CONSTRAINT "editorial_links_to_article_id_articles_id_fkey" FOREIGN KEY ("to_article_id") REFERENCES "articles"("id") ON DELETE CASCADE;--> statement-breakpoint
ALTER TABLE "run_models" ADD CONSTRAINT "run_models_run_id_clustering_runs_id_fkey" FOREIGN KEY ("run_id") REFERENCES "clustering_runs"("id") ON DELETE CASCADE;--> statement-breakpoint
ALTER TABLE "topic_relations" ADD CONSTRAINT "topic_relations_topic_id_topics_id_fkey" FOREIGN KEY ("topic_id") REFERENCES "topics"("id") ON DELETE CASCADE;--> statement-breakpoint
ALTER TABLE "topic_relations" ADD CONSTRAINT "topic_relations_related_topic_id_topics_id_fkey" FOREIGN KEY ("related_topic_id") REFERENCES "topics"("id") ON DELETE CASCADE;--> statement-breakpoint
ALTER TABLE "topics" ADD CONSTRAINT "topics_run_id_clustering_runs_id_fkey" FOREIGN KEY ("run_id") REFERENCES "clustering_runs"("id") ON DELETE CASCADE;