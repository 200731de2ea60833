import { randomUUID } from 'node:crypto';
import { STATUS_CODES, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from '../shared/logger.js';

/** What Node's HTTP parser refuses before Koa sees the request, and how we answer. */
const PARSER_ERRORS: Record<string, { status: number; code: string; detail: string }> = {
  HPE_HEADER_OVERFLOW: {
    status: 431,
    code: 'headers_too_large',
    detail: 'The request headers are too large.',
  },
  ERR_HTTP_REQUEST_TIMEOUT: {
    status: 408,
    code: 'request_timeout',
    detail: 'The request took too long to arrive.',
  },
};

const MALFORMED = { status: 400, code: 'bad_request', detail: 'The request is not valid HTTP.' };

/**
 * Answers requests that Node's parser rejects (malformed HTTP, oversized headers,
 * slow clients) with problem+json like every other error, instead of Node's bare
 * status line, then closes the connection. A socket that is already gone, or whose
 * response has begun, is simply destroyed.
 */
export function answerClientErrors(server: Server, logger: Logger): void {
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    // A response already under way cannot be replaced by another one.
    const response = (socket as { _httpMessage?: { headersSent?: boolean } })._httpMessage;
    if (error.code === 'ECONNRESET' || !socket.writable || response?.headersSent) {
      socket.destroy();
      return;
    }
    const known = PARSER_ERRORS[error.code ?? ''] ?? MALFORMED;
    const requestId = randomUUID();
    logger.info({ requestId, code: known.code, reason: error.code }, 'request refused');
    const body = JSON.stringify({
      type: `/problems/${known.code}`,
      title: STATUS_CODES[known.status],
      status: known.status,
      detail: known.detail,
      code: known.code,
      instance: `urn:evbook:request:${requestId}`,
    });
    socket.end(
      `HTTP/1.1 ${known.status} ${STATUS_CODES[known.status]}\r\n` +
        'Content-Type: application/problem+json\r\n' +
        `Content-Length: ${Buffer.byteLength(body)}\r\n` +
        'X-Content-Type-Options: nosniff\r\n' +
        `X-Request-Id: ${requestId}\r\n` +
        'Connection: close\r\n\r\n' +
        body,
    );
  });
}
