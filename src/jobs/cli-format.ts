/** Text the operator commands print. */
import type { ClusteringRunSummary } from './cluster.js';

export function parseIntegerOption(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (!Number.isSafeInteger(parsed)) throw new Error(`${name} must be an integer, got "${value}"`);
  return parsed;
}

export function formatRunSummary(summary: ClusteringRunSummary): string {
  const totalMs = Object.values(summary.timings).reduce((sum, ms) => sum + (ms ?? 0), 0);
  const sizeWidth = Math.max(4, ...summary.topics.map((topic) => String(topic.size).length));
  const rows = summary.topics
    .map((topic, i) => ({ ...topic, i }))
    .sort((a, b) => b.size - a.size)
    .map((topic) => `  ${String(topic.i + 1).padStart(3)}  ${String(topic.size).padStart(sizeWidth)}  ${topic.label}`);
  const stages = Object.entries(summary.timings)
    .map(([stage, ms]) => `${stage} ${Math.round(ms ?? 0)} ms`)
    .join(', ');
  return [
    `run ${summary.runId}: ${summary.k} topics from ${summary.articleCount} articles in ${(totalMs / 1000).toFixed(1)} s`,
    `    #  ${'size'.padStart(sizeWidth)}  label`,
    ...rows,
    `stages: ${stages}`,
    ...(summary.assignedAfterwards > 0 ? [`${summary.assignedAfterwards} articles imported meanwhile were assigned`] : []),
  ].join('\n');
}
