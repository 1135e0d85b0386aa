/**
 * The explorer's only way to the data: the public GraphQL API at /graphql, as any client app
 * would use it. Queries go as POST with JSON; subscriptions as server-sent events (an EventSource
 * on GET /graphql, which graphql-yoga answers with one `next` event per result).
 */

export interface GraphQLError {
  message: string;
  extensions?: { code?: string };
}

/** A GraphQL answer with errors, or a failed request, with the first error's message. */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly code?: string,
  ) {
    super(message);
  }
}

export async function query<T>(document: string, variables: Record<string, unknown> = {}): Promise<T> {
  let response: Response;
  try {
    response = await fetch('/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json' },
      body: JSON.stringify({ query: document, variables }),
    });
  } catch {
    throw new ApiError('The server cannot be reached; retry shortly.');
  }
  let body: { data?: T | null; errors?: GraphQLError[] };
  try {
    body = (await response.json()) as typeof body;
  } catch {
    throw new ApiError(`The server answered ${response.status} without a GraphQL result.`);
  }
  const [error] = body.errors ?? [];
  if (error) throw new ApiError(error.message, error.extensions?.code);
  if (body.data == null) throw new ApiError(`The server answered ${response.status} without data.`);
  return body.data;
}

/**
 * Follows a subscription until `close` is called: `onResult` gets each result's data. The browser's
 * EventSource reconnects by itself when the connection drops.
 */
export function subscribe<T>(
  document: string,
  variables: Record<string, unknown>,
  onResult: (data: T) => void,
  onError?: (message: string) => void,
): () => void {
  const url = `/graphql?${new URLSearchParams({ query: document, variables: JSON.stringify(variables) })}`;
  const source = new EventSource(url);
  const receive = (event: MessageEvent<string>) => {
    const result = JSON.parse(event.data) as { data?: T; errors?: GraphQLError[] };
    if (result.errors?.length) onError?.(result.errors[0].message);
    else if (result.data) onResult(result.data);
  };
  source.addEventListener('next', receive);
  // The stream ended by the server (the subscription is over): no reconnecting.
  source.addEventListener('complete', () => source.close());
  return () => source.close();
}
