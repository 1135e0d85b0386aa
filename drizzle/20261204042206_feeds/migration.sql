CREATE TABLE "feeds" (
	"url" text PRIMARY KEY,
	"etag" text,
	"last_modified" text,
	"last_fetched_at" timestamp with time zone,
	"last_status" integer,
	"last_error" text,
	"last_rejected" integer DEFAULT 0 NOT NULL,
	"articles_added" integer DEFAULT 0 NOT NULL,
	"failures" integer DEFAULT 0 NOT NULL,
	"next_attempt_at" timestamp with time zone DEFAULT now() NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
