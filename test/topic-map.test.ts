/**
 * The map of a run's topics (`ClusteringRun.topicMap`, src/clustering/topic-map.ts): the first two
 * principal components of the topics' centre directions. Where those directions span a plane
 * (three topics always do) the map keeps their distances exactly, which are the distances the
 * related-topic scores measure: sqrt(2 − 2·cosine).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { topicMapCoordinates } from '../src/clustering/topic-map.js';
import { runClustering } from '../src/jobs/cluster.js';
import { createCorpusDatabase, type TestDatabase } from './helpers/database.js';
import { startTestServer, type TestServer } from './helpers/server.js';

const distance = (ax: number, ay: number, bx: number, by: number) => Math.hypot(ax - bx, ay - by);

describe('topicMapCoordinates', () => {
  it('keeps the distances between directions that span a plane, whatever the centres’ lengths', () => {
    // Three orthogonal directions (lengths 1, 3 and 0.5) in four dimensions: an equilateral triangle of side √2.
    const centres = new Float64Array([1, 0, 0, 0, 0, 3, 0, 0, 0, 0, 0.5, 0]);
    const { x, y } = topicMapCoordinates(centres, 3, 4);
    for (const [a, b] of [
      [0, 1],
      [0, 2],
      [1, 2],
    ]) {
      expect(distance(x[a], y[a], x[b], y[b])).toBeCloseTo(Math.SQRT2, 6);
    }
    // Centred on the origin.
    expect(x[0] + x[1] + x[2]).toBeCloseTo(0, 9);
    expect(y[0] + y[1] + y[2]).toBeCloseTo(0, 9);
  });

  it('puts the most different topics furthest apart along the first axis, the same way every time', () => {
    // Two close directions and one far from both.
    const centres = new Float64Array([1, 0.1, 0, 1, 0.2, 0, 0, 0, 1]);
    const first = topicMapCoordinates(centres, 3, 3);
    expect(topicMapCoordinates(centres, 3, 3)).toEqual(first);
    const spread = (i: number, j: number) => distance(first.x[i], first.y[i], first.x[j], first.y[j]);
    expect(spread(0, 1)).toBeLessThan(spread(0, 2) / 5);
    expect(Math.abs(first.x[2])).toBeGreaterThan(Math.abs(first.y[2]));
  });

  it('maps one topic to the origin and refuses centres of the wrong size', () => {
    expect(topicMapCoordinates(new Float64Array([0.3, 0.4]), 1, 2)).toEqual({
      x: new Float64Array([0]),
      y: new Float64Array([0]),
    });
    expect(() => topicMapCoordinates(new Float64Array(5), 2, 3)).toThrow('expected 2 × 3 centroid values, got 5');
  });
});

describe('ClusteringRun.topicMap', () => {
  let handle: TestDatabase;
  let server: TestServer;

  beforeAll(async () => {
    handle = await createCorpusDatabase();
    await runClustering(handle.db, { k: 3 });
    server = await startTestServer(handle);
  });
  afterAll(async () => {
    await server?.close();
    await handle?.close();
  });

  it('places every topic of the run once, largest first, at the distances of their related-topic scores', async () => {
    type Answer = {
      currentClusteringRun: {
        topics: { nodes: { id: string; size: number; relatedTopics: { score: number; topic: { id: string } }[] }[] };
        topicMap: { x: number; y: number; size: number; topic: { id: string; label: string } }[];
      };
    };
    const { data, errors } = await server.query<Answer>(`{
      currentClusteringRun {
        topics(first: 10) { nodes { id size relatedTopics { score topic { id } } } }
        topicMap { x y size topic { id label } }
      }
    }`);
    expect(errors).toBeUndefined();
    const { topics, topicMap } = data!.currentClusteringRun;
    expect(topicMap.map((point) => [point.topic.id, point.size])).toEqual(topics.nodes.map((topic) => [topic.id, topic.size]));
    const place = new Map(topicMap.map((point) => [point.topic.id, point]));
    for (const topic of topics.nodes) {
      expect(topic.relatedTopics).toHaveLength(2);
      for (const related of topic.relatedTopics) {
        const a = place.get(topic.id)!;
        const b = place.get(related.topic.id)!;
        // Float32 centres: a few digits.
        expect(distance(a.x, a.y, b.x, b.y)).toBeCloseTo(Math.sqrt(2 - 2 * related.score), 3);
      }
    }
  });

  it('is empty for a run that found no topics yet', async () => {
    const { data } = await server.query<{ clusteringRuns: { nodes: { status: string; topicMap: unknown[] }[] } }>(
      '{ clusteringRuns(first: 5) { nodes { status topicMap { x } } } }',
    );
    expect(data!.clusteringRuns.nodes.map((run) => [run.status, run.topicMap.length])).toEqual([['SUCCEEDED', 3]]);
  });
});
