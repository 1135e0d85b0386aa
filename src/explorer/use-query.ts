/** A query's answer as component state: loading, the data, or the error's message. */
import { useEffect, useState } from 'preact/hooks';
import { query } from './api';

export type QueryState<T> = { status: 'loading' } | { status: 'error'; message: string } | { status: 'done'; data: T };

export function useQuery<T>(document: string, variables: Record<string, unknown> = {}): QueryState<T> {
  const [state, setState] = useState<QueryState<T>>({ status: 'loading' });
  const key = JSON.stringify(variables);
  useEffect(() => {
    let current = true;
    setState({ status: 'loading' });
    query<T>(document, JSON.parse(key) as Record<string, unknown>).then(
      (data) => current && setState({ status: 'done', data }),
      (error: Error) => current && setState({ status: 'error', message: error.message }),
    );
    return () => {
      current = false;
    };
  }, [document, key]);
  return state;
}

/** Sets the document's title while a page shows. */
export function useTitle(title: string): void {
  useEffect(() => {
    document.title = title ? `${title} · News topics` : 'News topics';
  }, [title]);
}
