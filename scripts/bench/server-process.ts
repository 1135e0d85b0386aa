/**
 * Servers under test as child processes of the benchmark: started with their environment,
 * awaited on /ready, and always stopped, whether the benchmark ends, fails or is interrupted.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

export const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Last lines a server printed, shown when it fails. */
const KEPT_OUTPUT_CHARS = 8_000;

export interface ServerProcess {
  name: string;
  pid: number;
  /** http://127.0.0.1:PORT */
  origin: string;
  child: ChildProcess;
  /** What the server printed (the end of it). */
  output(): string;
  stop(): Promise<void>;
}

export interface StartServerOptions {
  name: string;
  /** Arguments to `node`, e.g. ['--import', 'tsx', 'src/server.ts']. */
  nodeArgs: string[];
  env: Record<string, string>;
  port: number;
  /** Open an IPC channel (the memory probe reports through it). */
  ipc?: boolean;
  /** Where to run it (another checkout, e.g. to measure an earlier release); default: this project. */
  cwd?: string;
}

const running = new Set<ServerProcess>();

/** A port nothing listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

export function startServer(options: StartServerOptions): ServerProcess {
  const child = spawn(process.execPath, options.nodeArgs, {
    cwd: options.cwd ?? PROJECT_ROOT,
    env: { ...process.env, ...options.env, PORT: String(options.port) },
    stdio: options.ipc ? ['ignore', 'pipe', 'pipe', 'ipc'] : ['ignore', 'pipe', 'pipe'],
  });
  if (child.pid === undefined) throw new Error(`could not start ${options.name}`);
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-KEPT_OUTPUT_CHARS);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  let exited = child.exitCode !== null;
  const exitedPromise = new Promise<void>((resolve) =>
    child.once('exit', () => {
      exited = true;
      resolve();
    }),
  );
  const server: ServerProcess = {
    name: options.name,
    pid: child.pid,
    origin: `http://127.0.0.1:${options.port}`,
    child,
    output: () => output,
    async stop() {
      running.delete(server);
      if (exited) return;
      child.kill('SIGTERM');
      const killTimer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exitedPromise;
      clearTimeout(killTimer);
    },
  };
  running.add(server);
  return server;
}

/** Polls GET /ready until it answers 200; fails early, with the server's output, if it exits. */
export async function waitUntilReady(server: ServerProcess, timeoutMs = 60_000): Promise<number> {
  const started = performance.now();
  let lastProblem = 'no answer yet';
  while (performance.now() - started < timeoutMs) {
    if (server.child.exitCode !== null || server.child.signalCode !== null) {
      throw new Error(
        `${server.name} exited (${server.child.exitCode ?? server.child.signalCode}) before it was ready; it printed:\n${server.output()}`,
      );
    }
    try {
      const response = await fetch(`${server.origin}/ready`, { signal: AbortSignal.timeout(2_000) });
      if (response.status === 200) return (performance.now() - started) / 1000;
      lastProblem = `/ready answered ${response.status}: ${await response.text()}`;
    } catch (error) {
      lastProblem = (error as Error).message;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${server.name} was not ready after ${timeoutMs / 1000} s (${lastProblem}); it printed:\n${server.output()}`);
}

export async function stopAllServers(): Promise<void> {
  await Promise.all([...running].map((server) => server.stop()));
}

/**
 * Runs `cleanup` once on the way out: normal end, error, uncaught exception, Ctrl-C or SIGTERM.
 * Children still alive at process exit (cleanup could not run) are killed synchronously.
 */
export function cleanUpOnExit(cleanup: () => Promise<void>): () => Promise<void> {
  let cleaning: Promise<void> | undefined;
  const runCleanup = () => {
    cleaning ??= cleanup().catch((error: unknown) => {
      console.error(`cleanup failed: ${(error as Error).message}`);
    });
    return cleaning;
  };
  const onSignal = (signal: NodeJS.Signals) => {
    console.error(`\n${signal}: stopping the servers and dropping the benchmark database`);
    void runCleanup().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const onCrash = (error: unknown) => {
    console.error(`unexpected error: ${(error as Error).stack ?? String(error)}`);
    void runCleanup().finally(() => process.exit(1));
  };
  process.once('uncaughtException', onCrash);
  process.once('unhandledRejection', onCrash);
  process.once('exit', () => {
    for (const server of running) server.child.kill('SIGKILL');
  });
  return runCleanup;
}
