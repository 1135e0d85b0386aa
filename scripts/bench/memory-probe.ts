/**
 * Loaded into the server under test by probed-server.ts, so the soak test sees its V8 heap
 * without a line of the product changing. Over the IPC channel it reports process.memoryUsage() every
 * second, and once after a full collection whenever the parent sends 'gc-sample' (heap figures
 * after a collection show what is really retained).
 */
export interface MemoryReport {
  kind: 'memory';
  afterGc: boolean;
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
}

const gc = (globalThis as { gc?: () => void }).gc;

function report(afterGc: boolean): void {
  if (afterGc) gc?.();
  const usage = process.memoryUsage();
  const message: MemoryReport = {
    kind: 'memory',
    afterGc: afterGc && gc !== undefined,
    rss: usage.rss,
    heapUsed: usage.heapUsed,
    heapTotal: usage.heapTotal,
    external: usage.external,
  };
  process.send?.(message);
}

if (process.send) {
  setInterval(() => report(false), 1_000).unref();
  process.on('message', (message) => {
    if (message === 'gc-sample') report(true);
  });
  // The channel must not keep the server alive on its own.
  process.channel?.unref();
}
