/**
 * Who owns a clustering run: a 'running' run whose process is gone (another container, a restarted
 * one that got the same pid) blocks nothing, one whose process lives is never taken for dead, and
 * an operator can fail a stuck run with `npm run cluster -- --fail-run ID`.
 */
import { execFile } from 'node:child_process';
import { hostname } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DatabaseHandle, openDatabase } from '../src/db/client.js';
import { clusteringRuns } from '../src/db/schema.js';
import { runClustering } from '../src/jobs/cluster.js';
import { FAILED_BY_OPERATOR, type StartedRun, startRun } from '../src/jobs/run-lock.js';
import { createCorpusDatabase, driverUnderTest, type TestDatabase } from './helpers/database.js';

const root = path.join(import.meta.dirname, '..');
const run = promisify(execFile);

describe('clustering run ownership', () => {
  let handle: TestDatabase;
  beforeAll(async () => {
    handle = await createCorpusDatabase();
  });
  afterAll(() => handle?.close());

  it.each([
    ['a process on another host', 'news-topics-7f9c2:1'],
    ['a restarted container whose process got the same pid', `${hostname()}:${process.pid}`],
  ])('starts at once when the run in progress belonged to %s', async (_case, owner) => {
    // Written as the dead process left it: running, heartbeat fresh, no process behind it.
    const [left] = await handle.db
      .insert(clusteringRuns)
      .values({ seed: 1, owner, heartbeatAt: sql`now()` })
      .returning({ id: clusteringRuns.id });
    const summary = await runClustering(handle.db, { k: 3 });
    const [abandoned] = await handle.db.select().from(clusteringRuns).where(eq(clusteringRuns.id, left.id));
    expect(abandoned).toMatchObject({ status: 'failed', error: 'the process running it stopped', isCurrent: false });
    expect(summary.runId).toBeGreaterThan(left.id);
  });

  describe.runIf(driverUnderTest === 'postgres')('with the run’s process alive on another connection', () => {
    let other: DatabaseHandle;
    let started: StartedRun;
    beforeAll(async () => {
      // Another process: its own pool, so its own sessions.
      other = await openDatabase({ databaseUrl: handle.url });
      started = await startRun(other.db, { k: 3 });
    });
    afterAll(async () => {
      await started.lease.release().catch(() => {});
      await other?.close();
    });

    it('refuses a second run, however old the first one’s heartbeat, and says how to stop it', async () => {
      await handle.db
        .update(clusteringRuns)
        .set({ heartbeatAt: sql`now() - interval '1 day'` })
        .where(eq(clusteringRuns.id, started.id));
      await expect(runClustering(handle.db, { k: 3 })).rejects.toThrow(`clustering run ${started.id} is already in progress`);
      await expect(runClustering(handle.db, { k: 3 })).rejects.toThrow(`npm run cluster -- --fail-run ${started.id}`);
    });

    it('takes the run for abandoned as soon as its process’s connection dies', async () => {
      const restarted = await startRun(other.db, { k: 3 }).catch((error: Error) => error);
      expect(restarted).toBeInstanceOf(Error);
      // What the server does when the process holding the lease is killed: its session ends.
      await handle.db.execute(sql`
        select pg_terminate_backend(pid, 5000) from pg_locks
        where locktype = 'advisory' and objsubid = 2 and objid = ${started.id}::oid and granted
          and database = (select oid from pg_database where datname = current_database())`);
      await new Promise((resolve) => setTimeout(resolve, 200));
      const next = await startRun(handle.db, { k: 3 });
      await next.lease.release();
      await handle.db.update(clusteringRuns).set({ status: 'failed' }).where(eq(clusteringRuns.id, next.id));
      const [abandoned] = await handle.db.select().from(clusteringRuns).where(eq(clusteringRuns.id, started.id));
      expect(abandoned).toMatchObject({ status: 'failed', error: 'the process running it stopped' });
    });

    it('fails a stuck run whose process lives with `npm run cluster -- --fail-run ID`', async () => {
      const stuck = await startRun(other.db, { k: 3 });
      try {
        const env = { ...process.env, DATABASE_URL: handle.url };
        const { stdout } = await run(
          process.execPath,
          ['--import', 'tsx', 'scripts/cluster.ts', '--fail-run', String(stuck.id)],
          { cwd: root, env },
        );
        expect(stdout).toContain(`clustering run ${stuck.id} marked failed`);
        const [failed] = await handle.db.select().from(clusteringRuns).where(eq(clusteringRuns.id, stuck.id));
        expect(failed).toMatchObject({ status: 'failed', error: FAILED_BY_OPERATOR });
        // Nothing blocks the next run now.
        expect((await runClustering(handle.db, { k: 3 })).runId).toBeGreaterThan(stuck.id);
        const again = await run(process.execPath, ['--import', 'tsx', 'scripts/cluster.ts', '--fail-run', String(stuck.id)], {
          cwd: root,
          env,
        }).catch((error: { code: number; stderr: string }) => error);
        expect(again).toMatchObject({
          code: 1,
          stderr: expect.stringContaining(`clustering run ${stuck.id} is not running (it has failed)`),
        });
      } finally {
        await stuck.lease.release();
      }
    });
  });
});
