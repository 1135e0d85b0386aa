/**
 * Compressed responses for clients that send `Accept-Encoding` (gzip or deflate): the GraphiQL
 * page is 9 MB of script, a topic feed or a large answer hundreds of KB of JSON or XML. The
 * compression is @whatwg-node/server's `useContentEncoding` (the web-standard CompressionStream),
 * with three guards it lacks:
 *
 * - Event streams (subscriptions, `text/event-stream`) and incremental delivery (`multipart/*`)
 *   are never compressed: a compressor holds each event in its buffer until more arrive, and a
 *   subscriber must get every event when it happens.
 * - Bodies known to be under 1 KB are sent as they are: the gain is smaller than the headers.
 * - Compressed or not, the answer says `Vary: Accept-Encoding`, so a shared cache does not hand a
 *   compressed copy to a client that cannot read it.
 *
 * Its other half, decompressing request bodies sent with `Content-Encoding`, is left out: the
 * request gate limits bodies by their declared length, and 64 KB of gzip can unpack to megabytes.
 */
import { useContentEncoding } from '@whatwg-node/server';
import type { Plugin } from 'graphql-yoga';

/** Bodies shorter than this (when their length is known) are not worth compressing. */
export const MIN_COMPRESSED_BYTES = 1024;

const STREAMING = /^(text\/event-stream|multipart\/)/i;

export function compressionPlugin(): Plugin {
  const encoding = useContentEncoding();
  const compress = encoding.onResponse;
  if (!compress) throw new Error('useContentEncoding has no onResponse hook');
  return {
    onResponse(payload) {
      const { response } = payload;
      if (!response.body) return;
      const vary = response.headers.get('vary');
      if (!vary?.toLowerCase().includes('accept-encoding')) {
        response.headers.set('vary', vary ? `${vary}, Accept-Encoding` : 'Accept-Encoding');
      }
      if (STREAMING.test(response.headers.get('content-type') ?? '')) return;
      if (response.headers.has('content-encoding')) return;
      const length = response.headers.get('content-length');
      if (length !== null && Number(length) < MIN_COMPRESSED_BYTES) return;
      return compress(payload as Parameters<typeof compress>[0]);
    },
  };
}
