/**
 * PGlite is a single-process database: two processes opening one folder would corrupt it. A lock
 * file holding the owner's pid turns that into a clear error; a lock left by a dead process is
 * taken over.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** Whether a process with this pid runs on this machine (EPERM: it runs, as another user). */
function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Locks a PGlite data folder for this process; returns the function that unlocks it. */
export function lockDataDir(dataDir: string): () => void {
  mkdirSync(dataDir, { recursive: true });
  const lockFile = path.join(dataDir, 'news-topics.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(lockFile, String(process.pid), { flag: 'wx' });
      return () => rmSync(lockFile, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = Number(readFileSync(lockFile, 'utf8'));
      if (owner !== process.pid && Number.isInteger(owner) && processIsAlive(owner)) {
        throw new Error(
          `the embedded database in ${dataDir} is in use by process ${owner} (is \`npm start\` running?). ` +
            'Stop it first, point DATABASE_URL at a PostgreSQL server, or use the GraphQL mutations.',
        );
      }
      rmSync(lockFile, { force: true });
    }
  }
  throw new Error(`could not lock ${dataDir}`);
}
