-- A run's model arrays are Float32 values, which pglz cannot shrink: it gave up on BBC News's
-- 3.6 MB of components after spending about 45 ms of the run's write trying. EXTERNAL stores
-- them out of line as they are.
ALTER TABLE "run_models" ALTER COLUMN "idf" SET STORAGE EXTERNAL;--> statement-breakpoint
ALTER TABLE "run_models" ALTER COLUMN "components" SET STORAGE EXTERNAL;--> statement-breakpoint
ALTER TABLE "run_models" ALTER COLUMN "centroids" SET STORAGE EXTERNAL;
