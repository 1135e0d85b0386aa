/**
 * The topic explorer in a real browser: Debian's chromium driven by playwright-core, against the
 * server on a database holding the seed articles and the BBC sample, clustered. It checks what a
 * reader does (the overview, a topic's feed and its next page, an article, a search, the runs, a
 * new article arriving live), that axe-core finds no serious or critical accessibility violation
 * on any page, and that the page asks nothing of any host but the server. Screenshots of each page
 * go to tmp/screenshots/ (git ignores tmp/).
 *
 * Without a chromium the suite is skipped, saying so, except in CI (CI=true), where .ci/run
 * installs one and its absence is a failure. CHROMIUM_PATH names another binary.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runClustering } from '../src/jobs/cluster.js';
import { createCorpusDatabase, type TestDatabase } from './helpers/database.js';
import { startTestServer, type TestServer } from './helpers/server.js';

const root = path.join(import.meta.dirname, '..');
const screenshots = path.join(root, 'tmp', 'screenshots');
const TOKEN = 'explorer-test-token';
const FEED_PAGE_SIZE = 20;

const inCi = process.env.CI === 'true' || process.env.CI === '1';
const chromiumPath = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'].find(
  (candidate): candidate is string => candidate !== undefined && candidate !== '' && existsSync(candidate),
);
const runs = chromiumPath !== undefined || inCi;
if (!runs) {
  console.warn(
    'test/explorer.test.ts skipped: no chromium found (apt-get install chromium, or set CHROMIUM_PATH); in CI it fails instead',
  );
}

/** The newest modification time of the explorer's sources, and whether dist/explorer is older. */
function buildExplorerIfStale(): void {
  const sources = path.join(root, 'src', 'explorer');
  const newest = Math.max(
    ...readdirSync(sources, { recursive: true, encoding: 'utf8' }).map((name) => statSync(path.join(sources, name)).mtimeMs),
  );
  let built = 0;
  try {
    built = statSync(path.join(root, 'dist', 'explorer', 'index.html')).mtimeMs;
  } catch {
    // Not built yet.
  }
  if (built < newest) execFileSync('npm', ['run', '--silent', 'build:explorer'], { cwd: root, stdio: 'pipe' });
}

const axeSource = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: string[];
}

/** axe-core's violations of impact serious or critical on the page as it is now. */
async function seriousViolations(page: Page): Promise<AxeViolation[]> {
  await page.addScriptTag({ path: axeSource });
  // A string, evaluated in the page: the test's own types know nothing of the DOM or of axe.
  const violations = (await page.evaluate(`axe.run(document, { resultTypes: ['violations'] }).then((result) =>
    result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => n.target.join(' ')) })))`)) as AxeViolation[];
  return violations.filter((violation) => violation.impact === 'serious' || violation.impact === 'critical');
}

async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(screenshots, `${name}.png`), fullPage: true });
}

interface TopicNode {
  id: string;
  slug: string;
  label: string;
  size: number;
}

describe.runIf(runs)('the topic explorer in a browser', () => {
  let handle: TestDatabase;
  let server: TestServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let topics: TopicNode[];
  const requests: string[] = [];

  async function operator<T>(query: string, variables: Record<string, unknown>): Promise<T> {
    const response = await fetch(`${server.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await response.json()) as { data?: T; errors?: unknown[] };
    if (!body.data) throw new Error(`mutation failed: ${JSON.stringify(body.errors)}`);
    return body.data;
  }

  beforeAll(async () => {
    mkdirSync(screenshots, { recursive: true });
    buildExplorerIfStale();
    handle = await createCorpusDatabase();
    // A first run with k chosen from the data (the runs page shows its k-selection chart), then
    // one with more topics, so topics have a history across runs.
    await runClustering(handle.db);
    await runClustering(handle.db, { k: 5 });
    server = await startTestServer(handle, { apiToken: TOKEN });
    const answer = await server.query<{ topics: { nodes: TopicNode[] } }>(
      '{ topics(first: 100) { nodes { id slug label size } } }',
    );
    topics = answer.data!.topics.nodes;
    browser = await chromium.launch({
      executablePath: chromiumPath ?? '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
    context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    context.on('request', (request) => requests.push(request.url()));
    page = await context.newPage();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await handle?.close();
  });

  it('lists every topic of the current run on the overview, with the map', async () => {
    await page.goto(`${server.url}/`);
    await page.locator('.topic-card').first().waitFor();
    const labels = await page.locator('.topic-card h3').allTextContents();
    expect(labels).toEqual(topics.map((topic) => topic.label));
    await expect(page.locator('.topic-card .figures').first().textContent()).resolves.toContain(`${topics[0].size} articles`);
    await page.locator('.topic-map canvas').waitFor();
    await screenshot(page, 'overview');
    expect(await seriousViolations(page)).toEqual([]);
  });

  it('opens a topic from the overview: its feed, and the next page as the reader scrolls', async () => {
    const [largest] = topics;
    expect(largest.size).toBeGreaterThan(FEED_PAGE_SIZE);
    await page.getByRole('link', { name: largest.label, exact: true }).first().click();
    await page.waitForURL(`${server.url}/topics/${largest.slug}`);
    await expect(page.locator('h1').textContent()).resolves.toBe(largest.label);
    const items = page.locator('.feed .article-item');
    await expect.poll(() => items.count()).toBe(FEED_PAGE_SIZE);
    await expect(page.locator('#keywords-title').isVisible()).resolves.toBe(true);
    await expect(page.locator('.history li').first().textContent()).resolves.toMatch(/^born/);
    await expect(page.locator('.history li').nth(1).textContent()).resolves.toMatch(/^(continued|split|merged)/);
    await page.locator('.sentinel').scrollIntoViewIfNeeded();
    await expect.poll(() => items.count()).toBe(Math.min(largest.size, 2 * FEED_PAGE_SIZE));
    await screenshot(page, 'topic');
    expect(await seriousViolations(page)).toEqual([]);
  });

  it('orders the feed by newest first when asked, and by best fit again', async () => {
    const [largest] = topics;
    const firstTitle = async (order: string) => {
      const answer = await server.query<{ topic: { articles: { nodes: { title: string }[] } } }>(
        'query ($id: ID!, $order: TopicArticleOrder!) { topic(id: $id) { articles(first: 1, orderBy: $order) { nodes { title } } } }',
        { id: largest.id, order },
      );
      return answer.data!.topic.articles.nodes[0].title;
    };
    const shownFirst = () => page.locator('.feed .article-item h3 a').first().textContent();
    const [newest, best] = [await firstTitle('NEWEST'), await firstTitle('RELEVANCE')];
    expect(newest).not.toBe(best);
    await page.getByLabel('Newest').check();
    await expect.poll(shownFirst).toBe(newest);
    await expect.poll(() => page.locator('.feed .article-item').count()).toBe(FEED_PAGE_SIZE);
    // Back to best fit, and settled there before the next test clicks an article.
    await page.getByLabel('Best fit').check();
    await expect.poll(shownFirst).toBe(best);
  });

  it('shows an article with its topics, scores, matched terms and similar articles', async () => {
    const first = page.locator('.feed .article-item h3 a').first();
    const title = await first.textContent();
    await first.click();
    await page.waitForURL(/\/articles\//);
    await expect(page.locator('h1').textContent()).resolves.toBe(title);
    await expect(page.locator('#topics-title + ul li').first().textContent()).resolves.toMatch(/fit 0\.\d\d/);
    await expect(page.locator('.terms').first().textContent()).resolves.toMatch(/^Matched: \w/);
    await expect.poll(() => page.locator('#similar-title + ul li').count()).toBeGreaterThan(0);
    await screenshot(page, 'article');
    expect(await seriousViolations(page)).toEqual([]);
  });

  it('searches from the box, with ranked results and highlighted snippets', async () => {
    await page.getByRole('searchbox', { name: 'Search articles' }).fill('film award');
    await page.keyboard.press('Enter');
    await page.waitForURL(`${server.url}/search?q=film%20award`);
    const results = page.locator('.results .article-item');
    await results.first().waitFor();
    await expect(page.locator('.lead').textContent()).resolves.toMatch(/^\d+ articles match “film award”/);
    const marks = await page.locator('.results .snippet mark').allTextContents();
    expect(marks.length).toBeGreaterThan(0);
    expect(marks.every((mark) => /^(film|award)/i.test(mark))).toBe(true);
    await screenshot(page, 'search');
    expect(await seriousViolations(page)).toEqual([]);
  });

  it('shows the clustering runs with their quality, k-selection chart and timings', async () => {
    await page.getByRole('link', { name: 'Clustering runs' }).click();
    await page.waitForURL(`${server.url}/runs`);
    await page.locator('.run').first().waitFor();
    await expect(page.locator('.run h2').allTextContents()).resolves.toEqual(['Run 2 succeededcurrent', 'Run 1 succeeded']);
    const run = page.locator('.run').nth(1);
    await expect(run.locator('.facts').textContent()).resolves.toMatch(/Silhouette0\.\d{3}/);
    await expect(run.locator('.k-selection canvas').getAttribute('aria-label')).resolves.toMatch(/k 2 scored/);
    await expect(run.locator('.timings canvas').getAttribute('aria-label')).resolves.toMatch(/write \d+ ms/);
    await screenshot(page, 'runs');
    expect(await seriousViolations(page)).toEqual([]);
  });

  it('shows an article imported through the API on an open topic page, without a reload', async () => {
    const [largest] = topics;
    await page.goto(`${server.url}/topics/${largest.slug}`);
    const feed = page.locator('.feed .article-item h3 a');
    await expect.poll(() => feed.count()).toBe(FEED_PAGE_SIZE);
    // A new article in the words of the topic's best-fitting one: the run's model places it there.
    const best = await server.query<{ topic: { articles: { nodes: { title: string; body: string }[] } } }>(
      'query ($id: ID!) { topic(id: $id) { articles(first: 1) { nodes { title body } } } }',
      { id: largest.id },
    );
    const model = best.data!.topic.articles.nodes[0];
    const title = `Live: ${model.title}`;
    // Marks this document: a reload would lose it.
    await page.evaluate('window.notReloaded = true');
    const imported = await operator<{
      importArticles: { items: { status: string; article: { primaryTopic: { id: string } } }[] };
    }>('mutation ($a: [ArticleInput!]!) { importArticles(input: $a) { items { status article { primaryTopic { id } } } } }', {
      a: [{ title, body: `Update. ${model.body}`, source: 'Explorer Test News' }],
    });
    expect(imported.importArticles.items[0].status).toBe('CREATED');
    expect(imported.importArticles.items[0].article.primaryTopic.id).toBe(largest.id);
    await page.locator('.article-item.live h3 a', { hasText: title }).waitFor({ timeout: 10_000 });
    await expect(page.locator('.feed .muted').first().textContent()).resolves.toContain('1 new since you opened the page');
    expect(await page.evaluate('window.notReloaded')).toBe(true);
    await screenshot(page, 'topic-live');
  });

  it('works from the keyboard: the skip link first, then the navigation', async () => {
    await page.goto(`${server.url}/runs`);
    await page.locator('.run').first().waitFor();
    await page.keyboard.press('Tab');
    await expect(page.evaluate('document.activeElement.textContent')).resolves.toBe('Skip to content');
    await page.keyboard.press('Enter');
    await expect(page.evaluate('document.activeElement.id')).resolves.toBe('main');
    await page.goto(`${server.url}/`);
    await page.locator('.topic-card').first().waitFor();
    // Skip link, brand, then the main navigation's first link.
    for (let i = 0; i < 3; i++) await page.keyboard.press('Tab');
    await expect(page.evaluate('document.activeElement.textContent')).resolves.toBe('Topics');
  });

  it('is readable at a phone’s width, with nothing wider than the screen', async () => {
    const phone = await context.newPage();
    await phone.setViewportSize({ width: 390, height: 844 });
    for (const [name, route] of [
      ['phone-overview', '/'],
      ['phone-topic', `/topics/${topics[0].slug}`],
    ] as const) {
      await phone.goto(`${server.url}${route}`);
      await phone.locator('main h1').waitFor();
      await phone.locator('.article-item, .topic-card').first().waitFor();
      expect(await phone.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
      await screenshot(phone, name);
      expect(await seriousViolations(phone)).toEqual([]);
    }
    await phone.close();
  });

  it('asks nothing of any host but the server', () => {
    const origin = new URL(server.url).origin;
    expect(requests.length).toBeGreaterThan(10);
    const elsewhere = requests.filter((url) => !url.startsWith('data:') && new URL(url).origin !== origin);
    expect(elsewhere).toEqual([]);
  });
});
