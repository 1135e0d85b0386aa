/** How the explorer writes dates, scores and trends (in the reader's locale, dates in UTC). */

const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeZone: 'UTC' });
const dateTimeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' });

export function formatDate(iso: string | null): string {
  return iso === null ? 'undated' : dateFormat.format(new Date(iso));
}

/** An article's source and publication date, as its listings show them. */
export function byline(article: { source?: { name: string } | null; publishedAt: string | null }): string {
  return `${article.source?.name ?? 'unknown source'} · ${formatDate(article.publishedAt)}`;
}

export function formatDateTime(iso: string | null): string {
  return iso === null ? '–' : `${dateTimeFormat.format(new Date(iso))} UTC`;
}

export function formatScore(score: number | null): string {
  return score === null ? '–' : score.toFixed(2);
}

export function formatShare(share: number): string {
  return `${Math.round(share * 100)}%`;
}

/** A trend (share of the last 7 days over the share before) as a word and an arrow. */
export function describeTrend(trend: number | null): { text: string; symbol: string } {
  if (trend === null) return { text: 'no dated articles', symbol: '·' };
  if (trend > 1.2) return { text: `rising (×${trend.toFixed(1)})`, symbol: '↑' };
  if (trend < 0.8) return { text: `fading (×${trend.toFixed(1)})`, symbol: '↓' };
  return { text: `steady (×${trend.toFixed(1)})`, symbol: '→' };
}

export function articleHref(id: string): string {
  return `/articles/${encodeURIComponent(id)}`;
}

export function topicHref(slug: string): string {
  return `/topics/${encodeURIComponent(slug)}`;
}

/** `1 topic`, `2 topics`. */
export function count(n: number, singular: string, plural = `${singular}s`): string {
  return `${n} ${n === 1 ? singular : plural}`;
}
