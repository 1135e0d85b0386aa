import type { AddressInfo } from 'node:net';
import {
  DEFAULT_FEED_SETTINGS,
  DEFAULT_HTTP_SETTINGS,
  DEFAULT_RECLUSTER_POLICY,
  DEFAULT_RESPONSE_CACHE_MAX_BYTES,
  type FeedSettings,
  type HttpSettings,
  type ReclusterPolicy,
} from '../../src/config.js';
import type { DatabaseHandle } from '../../src/db/client.js';
import { type App, createApp } from '../../src/server.js';

export interface TestServer {
  url: string;
  query<T = Record<string, unknown>>(
    query: string,
    variables?: Record<string, unknown>,
  ): Promise<{ data?: T; errors?: { message: string; extensions?: Record<string, unknown> }[] }>;
  app: App;
  close(): Promise<void>;
}

/**
 * A server on a random port; its response cache and automatic clustering are off unless asked for.
 * `production` masks unexpected errors as a production server does.
 */
export async function startTestServer(
  database: Pick<DatabaseHandle, 'db' | 'listen'>,
  options: {
    apiToken?: string;
    responseCacheTtlMs?: number;
    responseCacheMaxBytes?: number;
    recluster?: Partial<ReclusterPolicy>;
    production?: boolean;
    http?: Partial<HttpSettings>;
    feeds?: Partial<FeedSettings>;
    log?: (message: string) => void;
    /** Where the built explorer is (default dist/explorer/). */
    explorerDirectory?: string;
  } = {},
): Promise<TestServer> {
  const app = await createApp({
    database,
    config: {
      production: options.production ?? false,
      apiToken: options.apiToken,
      responseCacheTtlMs: options.responseCacheTtlMs ?? 0,
      responseCacheMaxBytes: options.responseCacheMaxBytes ?? DEFAULT_RESPONSE_CACHE_MAX_BYTES,
      recluster: { ...DEFAULT_RECLUSTER_POLICY, enabled: false, ...options.recluster },
      http: { ...DEFAULT_HTTP_SETTINGS, ...options.http },
      feeds: { ...DEFAULT_FEED_SETTINGS, ...options.feeds },
    },
    log: options.log ?? (() => {}),
    explorerDirectory: options.explorerDirectory,
  });
  const { server } = app;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    app,
    async query(query, variables) {
      const response = await fetch(`${url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({ query, variables }),
      });
      return response.json();
    },
    close: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await app.stop();
    },
  };
}

export interface Subscription {
  /** Resolves with everything received once it contains `text` (or the stream ends). */
  waitFor(text: string): Promise<string>;
  close(): void;
}

/** Opens a GraphQL subscription over server-sent events. */
export async function subscribe(url: string, query: string, variables?: Record<string, unknown>): Promise<Subscription> {
  const controller = new AbortController();
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
    body: JSON.stringify({ query, variables }),
    signal: controller.signal,
  });
  if (!response.headers.get('content-type')?.startsWith('text/event-stream') || !response.body) {
    throw new Error(`not an event stream: ${response.status} ${await response.text()}`);
  }
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let received = '';
  return {
    async waitFor(text) {
      while (!received.includes(text)) {
        const { value, done } = await reader.read();
        if (done) break;
        received += decoder.decode(value, { stream: true });
      }
      return received;
    },
    close: () => controller.abort(),
  };
}
