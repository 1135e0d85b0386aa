/**
 * The explorer's charts, drawn by Chart.js on a canvas. A canvas is an image to assistive
 * technology, so each chart has a label that says what it shows, and the same figures are on the
 * page as text beside it. Only the parts of Chart.js used here are registered (smaller bundle).
 */
import {
  BarController,
  BarElement,
  BubbleController,
  CategoryScale,
  Chart,
  type ChartConfiguration,
  type ChartType,
  Filler,
  LinearScale,
  LineController,
  LineElement,
  type Plugin,
  PointElement,
  Tooltip,
} from 'chart.js';
import { useEffect, useRef } from 'preact/hooks';
import type { MapPoint, TimelineBucket } from './queries';

Chart.register(
  BarController,
  BarElement,
  BubbleController,
  CategoryScale,
  Filler,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
);
// No animation: charts are read, not watched, and a screenshot shows them finished.
Chart.defaults.animation = false;
Chart.defaults.font.family = 'system-ui, sans-serif';
Chart.defaults.color = '#333';

const ACCENT = '#1f5fa8';
const MUTED = '#8a96a3';

interface CanvasChartProps<T extends ChartType> {
  config: ChartConfiguration<T>;
  label: string;
  className?: string;
}

function CanvasChart<T extends ChartType>({ config, label, className }: CanvasChartProps<T>) {
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    if (!canvas.current) return;
    const chart = new Chart(canvas.current, config);
    return () => chart.destroy();
  }, [config]);
  return (
    <div class={`chart ${className ?? ''}`}>
      <canvas ref={canvas} role="img" aria-label={label} />
    </div>
  );
}

/** A topic's articles per day as a small line without axes (nothing without dated articles). */
export function Sparkline({ timeline, label }: { timeline: TimelineBucket[]; label: string }) {
  if (timeline.length === 0) return null;
  const config: ChartConfiguration<'line'> = {
    type: 'line',
    data: {
      labels: timeline.map((bucket) => bucket.start.slice(0, 10)),
      datasets: [
        {
          data: timeline.map((bucket) => bucket.count),
          borderColor: ACCENT,
          backgroundColor: 'rgba(31, 95, 168, 0.15)',
          fill: true,
          pointRadius: timeline.length === 1 ? 2 : 0,
          borderWidth: 1.5,
          tension: 0.3,
        },
      ],
    },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      events: [],
      plugins: { tooltip: { enabled: false } },
      scales: { x: { display: false }, y: { display: false, beginAtZero: true } },
    },
  };
  return <CanvasChart config={config} label={label} className="sparkline" />;
}

/** A topic's articles per day, with axes. */
export function TimelineChart({ timeline, label }: { timeline: TimelineBucket[]; label: string }) {
  const config: ChartConfiguration<'bar'> = {
    type: 'bar',
    data: {
      labels: timeline.map((bucket) => bucket.start.slice(0, 10)),
      datasets: [{ label: 'articles', data: timeline.map((bucket) => bucket.count), backgroundColor: ACCENT }],
    },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      scales: { y: { beginAtZero: true, ticks: { precision: 0 } } },
    },
  };
  return <CanvasChart config={config} label={label} className="timeline" />;
}

/** The score of each k a run tried, the chosen k marked. */
export function KSelectionChart({
  tried,
  chosen,
  label,
}: {
  tried: { k: number; score: number }[];
  chosen: number;
  label: string;
}) {
  const config: ChartConfiguration<'line'> = {
    type: 'line',
    data: {
      labels: tried.map((entry) => String(entry.k)),
      datasets: [
        {
          label: 'score',
          data: tried.map((entry) => entry.score),
          borderColor: ACCENT,
          pointBackgroundColor: tried.map((entry) => (entry.k === chosen ? '#b3261e' : ACCENT)),
          pointRadius: tried.map((entry) => (entry.k === chosen ? 6 : 3)),
        },
      ],
    },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      scales: { x: { title: { display: true, text: 'k (topics)' } }, y: { title: { display: true, text: 'score' } } },
    },
  };
  return <CanvasChart config={config} label={label} className="k-selection" />;
}

/** Milliseconds per stage of a run, as horizontal bars. */
export function TimingsChart({ stages, label }: { stages: { stage: string; ms: number }[]; label: string }) {
  const config: ChartConfiguration<'bar'> = {
    type: 'bar',
    data: {
      labels: stages.map((entry) => entry.stage),
      datasets: [{ label: 'ms', data: stages.map((entry) => entry.ms), backgroundColor: ACCENT }],
    },
    options: {
      indexAxis: 'y',
      responsive: true,
      maintainAspectRatio: false,
      scales: { x: { beginAtZero: true, title: { display: true, text: 'milliseconds' } } },
    },
  };
  return <CanvasChart config={config} label={label} className="timings" />;
}

export interface MapTopic {
  id: string;
  label: string;
  size: number;
  related: { id: string; score: number }[];
}

/**
 * The topics at their map positions, each a bubble sized by its articles, with a line to each
 * related topic; a click opens the topic (the list beside it has the same links for the keyboard).
 */
export function TopicMapChart({
  topics,
  points,
  label,
  onOpen,
}: {
  topics: MapTopic[];
  points: MapPoint[];
  label: string;
  onOpen: (id: string) => void;
}) {
  const position = new Map(points.map((point) => [point.topic.id, point]));
  const largest = Math.max(1, ...topics.map((topic) => topic.size));
  const links: { x: number; y: number }[][] = [];
  for (const topic of topics) {
    for (const related of topic.related) {
      const from = position.get(topic.id);
      const to = position.get(related.id);
      // Each pair once.
      if (from && to && topic.id < related.id) links.push([from, to].map(({ x, y }) => ({ x, y })));
    }
  }
  // Each bubble named by its label's first term, drawn beside it (the tooltip has the whole label).
  const names: Plugin<'bubble' | 'line'> = {
    id: 'topicNames',
    afterDatasetsDraw(chart) {
      const { ctx } = chart;
      ctx.save();
      ctx.fillStyle = '#1b1f24';
      ctx.font = '12px system-ui, sans-serif';
      ctx.textBaseline = 'middle';
      const middle = (chart.chartArea.left + chart.chartArea.right) / 2;
      chart.getDatasetMeta(0).data.forEach((element, i) => {
        const { radius } = (element as PointElement).options;
        // Towards the middle, so a name never runs off the chart.
        const left = element.x > middle;
        ctx.textAlign = left ? 'right' : 'left';
        ctx.fillText(topics[i].label.split(' · ')[0], element.x + (left ? -1 : 1) * (radius + 4), element.y);
      });
      ctx.restore();
    },
  };
  const config: ChartConfiguration<'bubble' | 'line'> = {
    type: 'bubble',
    plugins: [names],
    data: {
      datasets: [
        {
          type: 'bubble',
          label: 'topics',
          data: topics.map((topic) => ({
            x: position.get(topic.id)?.x ?? 0,
            y: position.get(topic.id)?.y ?? 0,
            r: 4 + 22 * Math.sqrt(topic.size / largest),
          })),
          backgroundColor: 'rgba(31, 95, 168, 0.55)',
          borderColor: ACCENT,
        },
        ...links.map((pair) => ({
          type: 'line' as const,
          data: pair,
          borderColor: MUTED,
          borderWidth: 1,
          pointRadius: 0,
          showLine: true,
        })),
      ],
    },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      scales: { x: { display: false, grace: '15%' }, y: { display: false, grace: '15%' } },
      plugins: {
        tooltip: {
          filter: (item) => item.datasetIndex === 0,
          callbacks: { label: (item) => `${topics[item.dataIndex].label}: ${topics[item.dataIndex].size} articles` },
        },
      },
      onClick: (_event, elements) => {
        const hit = elements.find((element) => element.datasetIndex === 0);
        if (hit) onOpen(topics[hit.index].id);
      },
    },
  };
  return <CanvasChart config={config} label={label} className="topic-map" />;
}
