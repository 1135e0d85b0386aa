/**
 * npm run bench:startup [-- --runs 7] [--vs DIR] [--file corpus.jsonl] [--command start]
 *
 * How long `npm start` takes to its first answer: from spawning the command until GET /ready
 * answers 200, on an existing PostgreSQL database (a fresh one, holding the imported corpus and
 * its clustering run, so the server has nothing to seed or cluster). With --vs DIR, another
 * checkout (e.g. an earlier release) starts on the same database, in turn with this one, and the
 * ratio is taken run by run. Each server is stopped before the next one starts.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { DEFAULT_CORPUS } from './bench/corpus.js';
import { positiveInteger } from './bench/options.js';
import { adminUrl, checkReachable, createDatabase, dropDatabase } from './bench/postgres-admin.js';
import { fixed, machineDescription, median, table } from './bench/report.js';
import { cleanUpOnExit, freePort, PROJECT_ROOT } from './bench/server-process.js';
import { commandOptions } from './command.js';

const USAGE = 'usage: npm run bench:startup [-- --runs 7] [--vs DIR] [--file corpus.jsonl] [--command start]';
const values = commandOptions(USAGE, {
  runs: { type: 'string', default: '7' },
  vs: { type: 'string' },
  file: { type: 'string', default: DEFAULT_CORPUS },
  command: { type: 'string', default: 'start' },
});
const runs = positiveInteger('--runs', values.runs!);
const script = values.command!;
const trees = [{ name: 'this tree', root: PROJECT_ROOT }];
if (values.vs) trees.push({ name: path.resolve(values.vs), root: path.resolve(values.vs) });

/** How often /ready is asked while the server starts: a tenth of the smallest figures that matter. */
const POLL_MS = 10;
const READY_TIMEOUT_MS = 60_000;

const children = new Set<ChildProcess>();
const admin = adminUrl();
await checkReachable(admin);
const name = `bench_startup_${process.pid}`;
const url = await createDatabase(admin, name);
const cleanup = cleanUpOnExit(async () => {
  for (const child of children) stopGroup(child, 'SIGKILL');
  await dropDatabase(admin, name);
});

/** Runs `npm run SCRIPT -- ARGS` in this tree to its end; fails with what it printed. */
function npm(args: string[], env: Record<string, string>): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('npm', args, { cwd: PROJECT_ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`npm ${args.join(' ')} failed (${code}):\n${output}`)),
    );
  });
}

/** npm runs the server in a shell of its own: signals go to the whole process group. */
function stopGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    process.kill(-child.pid!, signal);
  } catch {
    // Already gone.
  }
}

/** Milliseconds from spawning `npm run SCRIPT` in `root` until /ready answers 200; the server is stopped after. */
async function timeStart(root: string): Promise<number> {
  const port = await freePort();
  const started = performance.now();
  const child = spawn('npm', ['run', '--silent', script], {
    cwd: root,
    env: { ...process.env, DATABASE_URL: url, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  children.add(child);
  let output = '';
  child.stdout?.on('data', (chunk) => (output += chunk));
  child.stderr?.on('data', (chunk) => (output += chunk));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    for (;;) {
      if (child.exitCode !== null || child.signalCode !== null)
        throw new Error(`npm run ${script} in ${root} exited:\n${output}`);
      if (performance.now() - started > READY_TIMEOUT_MS) throw new Error(`npm run ${script} in ${root} not ready:\n${output}`);
      try {
        const response = await fetch(`http://127.0.0.1:${port}/ready`, { signal: AbortSignal.timeout(2_000) });
        await response.arrayBuffer();
        if (response.status === 200) return performance.now() - started;
      } catch {
        // Not listening yet.
      }
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  } finally {
    stopGroup(child, 'SIGTERM');
    const killTimer = setTimeout(() => stopGroup(child, 'SIGKILL'), 10_000);
    await exited;
    clearTimeout(killTimer);
    children.delete(child);
  }
}

try {
  console.log(machineDescription());
  console.log(`importing ${values.file} into ${name} (this tree's npm run seed)`);
  await npm(['run', '--silent', 'seed', '--', '--file', values.file!], { DATABASE_URL: url });
  // One start of each tree first, not counted: the disk cache and PostgreSQL's own warm up.
  for (const tree of trees) await timeStart(tree.root);
  const times = trees.map(() => [] as number[]);
  for (let run = 0; run < runs; run++) {
    for (const [index, tree] of trees.entries()) times[index].push(await timeStart(tree.root));
    console.log(`  run ${run + 1}: ${times.map((list) => `${fixed(list[run], 0)} ms`).join('  ')}`);
  }
  const rows = trees.map((tree, index) => [
    tree.name,
    fixed(median(times[index]), 0),
    fixed(Math.min(...times[index]), 0),
    fixed(Math.max(...times[index]), 0),
  ]);
  console.log(`\nnpm run ${script} until GET /ready answers 200 (${runs} runs each, alternating; ms)`);
  console.log(table(['tree', 'median', 'min', 'max'], rows));
  if (trees.length === 2) {
    const ratios = times[0].map((ms, run) => ms / times[1][run]);
    console.log(`\nthis tree / ${trees[1].name}, run by run: median ${fixed(median(ratios), 2)}x`);
  }
} finally {
  await cleanup();
}
