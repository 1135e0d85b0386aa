/**
 * What a POST must be before the server reads its body: JSON (form, multipart and
 * `application/graphql` bodies are what a page on another site can send without asking, so they
 * are refused), of a declared length, small unless it comes from an operator (a query and its
 * variables fit in 64 KB; only an authenticated import needs megabytes), and, for anonymous
 * clients, within the bytes the server is receiving from them at once (beyond them it answers 503
 * at once rather than buffer). Node's
 * HTTP parser delivers exactly the declared Content-Length, refuses it beside Transfer-Encoding,
 * and the server's request timeout bounds how long a body may take to arrive.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { authenticate } from '../graphql/auth.js';

/** Largest body of an anonymous request: a query document and its variables. */
export const ANONYMOUS_BODY_BYTES = 64 * 1024;
/** Largest body of an operator's request (`Authorization: Bearer <API_TOKEN>`): a 1,000-article import fits. */
export const OPERATOR_BODY_BYTES = 5 * 1024 * 1024;
/** How long a whole request (headers and body) may take to arrive; node answers 408 after it. */
export const REQUEST_TIMEOUT_MS = 30_000;
/** What a refused client is told to wait before trying again. */
export const RETRY_AFTER_SECONDS = 1;

export function sendError(
  res: ServerResponse,
  status: number,
  code: string,
  message: string,
  headers: Record<string, string> = {},
): void {
  res
    .writeHead(status, { 'content-type': 'application/json', ...headers })
    .end(JSON.stringify({ errors: [{ message, extensions: { code } }] }));
}

function formatBytes(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${bytes / (1024 * 1024)} MB` : `${bytes / 1024} KB`;
}

export interface RequestGate {
  /**
   * For a POST: answers it with an error and returns false when it may not go on; otherwise
   * counts its body as in flight until it has arrived (or the request ended) and returns true.
   */
  admit(req: IncomingMessage, res: ServerResponse): boolean;
  /** Bytes of the bodies being received now. */
  readonly bytesInFlight: number;
}

export function createRequestGate(options: { apiToken: string | undefined; maxBodyBytesInFlight: number }): RequestGate {
  let bytesInFlight = 0;

  function refuse(
    req: IncomingMessage,
    res: ServerResponse,
    status: number,
    code: string,
    message: string,
    headers?: Record<string, string>,
  ) {
    // The body is read and dropped (never kept), so the client can read the answer.
    req.resume();
    sendError(res, status, code, message, headers);
    return false;
  }

  return {
    get bytesInFlight() {
      return bytesInFlight;
    },
    admit(req, res) {
      if (req.method !== 'POST') return true;
      const mediaType = req.headers['content-type']?.split(';')[0].trim().toLowerCase();
      if (mediaType !== 'application/json') {
        return refuse(
          req,
          res,
          415,
          'UNSUPPORTED_MEDIA_TYPE',
          'POST requests must have "Content-Type: application/json" (GET takes queries in the URL)',
          {
            accept: 'application/json',
          },
        );
      }
      const declared = req.headers['content-length'];
      const length = Number(declared);
      if (!declared || !Number.isSafeInteger(length)) {
        return refuse(req, res, 411, 'LENGTH_REQUIRED', 'POST requests need a Content-Length header');
      }
      const operator = authenticate(req.headers.authorization ?? null, options.apiToken) === 'operator';
      const limit = operator ? OPERATOR_BODY_BYTES : ANONYMOUS_BODY_BYTES;
      if (length > limit) {
        const more = operator ? '' : ` (requests with the operator token may send up to ${formatBytes(OPERATOR_BODY_BYTES)})`;
        return refuse(req, res, 413, 'PAYLOAD_TOO_LARGE', `request body is larger than ${formatBytes(limit)}${more}`);
      }
      // Operators' bodies are neither counted nor refused: anonymous clients filling the allowance
      // must not lock out an import. A body larger than the allowance goes through when alone.
      if (operator) return true;
      if (bytesInFlight > 0 && bytesInFlight + length > options.maxBodyBytesInFlight) {
        return refuse(
          req,
          res,
          503,
          'UNAVAILABLE',
          `the server is receiving too many request bodies at once; retry in ${RETRY_AFTER_SECONDS} s`,
          {
            'retry-after': String(RETRY_AFTER_SECONDS),
          },
        );
      }
      bytesInFlight += length;
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        bytesInFlight -= length;
      };
      req.once('end', release);
      req.once('close', release);
      return true;
    },
  };
}
