/**
 * Our server's GET /metrics (Prometheus text format, version 0.0.4): the response cache's hits
 * and misses and the process's memory, read around the benchmark's runs; and a watch on the
 * server's memory while a run goes on.
 */
import { residentBytes } from './resident-memory.js';

export interface ServerMetrics {
  cacheHits: number;
  cacheMisses: number;
  rssBytes: number;
  heapUsedBytes: number;
  heapTotalBytes: number;
}

const METRIC_NAMES: Record<keyof ServerMetrics, string> = {
  cacheHits: 'news_response_cache_hits_total',
  cacheMisses: 'news_response_cache_misses_total',
  rssBytes: 'process_resident_memory_bytes',
  heapUsedBytes: 'nodejs_heap_used_bytes',
  heapTotalBytes: 'nodejs_heap_total_bytes',
};

/** The samples of a Prometheus text exposition, by metric name (labels are not expected and ignored). */
export function parsePrometheusText(text: string): Map<string, number> {
  const samples = new Map<string, number>();
  for (const line of text.split('\n')) {
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{[^}]*\})?\s+(\S+)/.exec(trimmed);
    if (!match) continue;
    const value = Number(match[2]);
    if (!Number.isNaN(value)) samples.set(match[1], value);
  }
  return samples;
}

/** The figures the benchmark needs from a /metrics answer; fails if one is missing. */
export function parseMetrics(text: string): ServerMetrics {
  const samples = parsePrometheusText(text);
  const missing = Object.values(METRIC_NAMES).filter((name) => !samples.has(name));
  if (missing.length > 0) throw new Error(`/metrics lacks ${missing.join(', ')}`);
  const read = (key: keyof ServerMetrics) => samples.get(METRIC_NAMES[key]) as number;
  return {
    cacheHits: read('cacheHits'),
    cacheMisses: read('cacheMisses'),
    rssBytes: read('rssBytes'),
    heapUsedBytes: read('heapUsedBytes'),
    heapTotalBytes: read('heapTotalBytes'),
  };
}

/** GET /metrics, tried twice (an idle keep-alive connection may be closed under the request). */
export async function readMetrics(origin: string, timeoutMs = 10_000): Promise<ServerMetrics> {
  const get = () => fetch(`${origin}/metrics`, { signal: AbortSignal.timeout(timeoutMs) });
  const response = await get().catch(get);
  const text = await response.text();
  if (response.status !== 200) throw new Error(`GET ${origin}/metrics answered ${response.status}: ${text.slice(0, 500)}`);
  return parseMetrics(text);
}

export interface MemoryDuringRun {
  /** Largest VmRSS seen (from /proc, every 200 ms); null if none was read. */
  peakRssBytes: number | null;
  /** Largest V8 heap in use seen (from /metrics, every second, under the load); null if none answered. */
  peakHeapUsedBytes: number | null;
}

const RSS_EVERY_MS = 200;
const METRICS_EVERY_MS = 1_000;

/** Watches a server's memory until stop() (cheap: a /proc read every 200 ms, a /metrics read every second). */
export function watchMemory(pid: number, origin: string): { stop(): Promise<MemoryDuringRun> } {
  const peaks: MemoryDuringRun = { peakRssBytes: null, peakHeapUsedBytes: null };
  const sampleRss = () => {
    const rss = residentBytes(pid);
    if (rss !== null) peaks.peakRssBytes = Math.max(peaks.peakRssBytes ?? 0, rss);
  };
  let pending: Promise<void> = Promise.resolve();
  const sampleHeap = () => {
    pending = readMetrics(origin, 2_000).then(
      (metrics) => {
        peaks.peakHeapUsedBytes = Math.max(peaks.peakHeapUsedBytes ?? 0, metrics.heapUsedBytes);
      },
      () => {},
    );
  };
  sampleRss();
  const rssTimer = setInterval(sampleRss, RSS_EVERY_MS);
  const heapTimer = setInterval(sampleHeap, METRICS_EVERY_MS);
  return {
    async stop() {
      clearInterval(rssTimer);
      clearInterval(heapTimer);
      sampleRss();
      await pending;
      return peaks;
    },
  };
}
