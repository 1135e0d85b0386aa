import type { AddressInfo } from 'node:net';
import type { Database } from '../../src/db/client.js';
import { createApp } from '../../src/server.js';

export interface TestServer {
  url: string;
  query<T = Record<string, unknown>>(
    query: string,
    variables?: Record<string, unknown>,
  ): Promise<{ data?: T; errors?: { message: string; extensions?: Record<string, unknown> }[] }>;
  close(): Promise<void>;
}

/** A server on a random port; its response cache is off unless asked for. */
export async function startTestServer(
  db: Database,
  options: { apiToken?: string; responseCacheTtlMs?: number } = {},
): Promise<TestServer> {
  const { server } = createApp({
    db,
    config: { production: false, apiToken: options.apiToken, responseCacheTtlMs: options.responseCacheTtlMs ?? 0 },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    async query(query, variables) {
      const response = await fetch(`${url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({ query, variables }),
      });
      return response.json();
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
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
