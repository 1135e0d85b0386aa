/** Text the operator commands print. */
import type { ClusteringRunSummary } from './cluster.js';

export function parseIntegerOption(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (!Number.isSafeInteger(parsed)) throw new Error(`${name} must be an integer, got "${value}"`);
  return parsed;
}

/** "4 continued, 1 born" */
function countKinds(kinds: string[]): string {
  const counts = new Map<string, number>();
  for (const kind of kinds) counts.set(kind, (counts.get(kind) ?? 0) + 1);
  return [...counts].map(([kind, count]) => `${count} ${kind.toLowerCase()}`).join(', ');
}

export function formatRunSummary(summary: ClusteringRunSummary): string {
  const totalMs = Object.values(summary.timings).reduce((sum, ms) => sum + (ms ?? 0), 0);
  const sizeWidth = Math.max(4, ...summary.topics.map((topic) => String(topic.size).length));
  const rows = [...summary.topics]
    .sort((a, b) => b.size - a.size)
    .map(
      (topic) =>
        `  ${String(topic.topicId).padStart(5)}  ${String(topic.size).padStart(sizeWidth)}  ${topic.kind.toLowerCase().padEnd(9)}  ${topic.label}`,
    );
  const ended = summary.ended.map(
    (topic) =>
      `  ${String(topic.topicId).padStart(5)}  ${''.padStart(sizeWidth)}  ${topic.kind.toLowerCase().padEnd(9)}  ${topic.label} (ended)`,
  );
  const stages = Object.entries(summary.timings)
    .map(([stage, ms]) => `${stage} ${Math.round(ms ?? 0)} ms`)
    .join(', ');
  const lineage = [
    countKinds(summary.topics.map((topic) => topic.kind)),
    summary.ended.length > 0 ? `ended: ${countKinds(summary.ended.map((topic) => topic.kind))}` : '',
  ]
    .filter(Boolean)
    .join('; ');
  return [
    `run ${summary.runId}: ${summary.k} topics from ${summary.articleCount} articles in ${(totalMs / 1000).toFixed(1)} s`,
    `  topic  ${'size'.padStart(sizeWidth)}  change     label`,
    ...rows,
    ...ended,
    `lineage: ${lineage} (warm start: ${summary.warmStart})`,
    `stages: ${stages}`,
    ...(summary.carried > 0 ? [`${summary.carried} articles older than the window kept their topic`] : []),
    ...(summary.assignedAfterwards > 0
      ? [`${summary.assignedAfterwards} articles imported meanwhile were placed into its topics`]
      : []),
  ].join('\n');
}
