import { once } from 'node:events';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import { UnavailableError } from '../shared/errors.js';
import type { Logger } from '../shared/logger.js';

export interface MetricsServerOptions {
  /** Interface to listen on (`EVBOOK_HOST`). */
  host: string;
  /** Port to listen on (`EVBOOK_WORKER_METRICS_PORT`); 0 picks a free one. */
  port: number;
}

export interface MetricsServer {
  /** Where it listens, e.g. `http://127.0.0.1:9464`. */
  url: string;
  close(): Promise<void>;
}

/**
 * The Prometheus endpoint of a process without an API (`evbook worker`): `GET /metrics`
 * and nothing else, answered from `registry`. A plain node:http server: Koa stays in
 * `src/api`. Like the API's `/metrics`, it has no authentication: expose it to the
 * scraper only.
 */
export async function serveMetrics(
  registry: Registry,
  options: MetricsServerOptions,
  logger: Logger,
): Promise<MetricsServer> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== '/metrics') return problem(res, 404, 'not_found', 'Not found');
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      return problem(res, 405, 'method_not_allowed', 'Method not allowed');
    }
    registry.metrics().then(
      (text) => {
        res.writeHead(200, { 'content-type': registry.contentType });
        res.end(req.method === 'HEAD' ? undefined : text);
      },
      (error: unknown) => {
        logger.error({ err: error }, 'metrics collection failed');
        problem(res, 500, 'internal_error', 'Internal server error');
      },
    );
  });
  server.keepAliveTimeout = 5_000;
  server.listen(options.port, options.host);
  try {
    await once(server, 'listening');
  } catch (error) {
    const reason = (error as { code?: string }).code ?? String(error);
    throw new UnavailableError(
      'listen_failed',
      `cannot listen on ${options.host}:${options.port} for metrics (${reason})`,
      { cause: error },
    );
  }

  const { port } = server.address() as AddressInfo;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    url: `http://${host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** A problem+json answer, shaped as the API's. */
function problem(res: ServerResponse, status: number, code: string, title: string): void {
  res.writeHead(status, { 'content-type': 'application/problem+json' });
  res.end(JSON.stringify({ type: `/problems/${code}`, title, status, code }));
}
