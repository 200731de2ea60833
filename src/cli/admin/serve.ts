import { startServer } from '../../api/server.js';
import { createLogger } from '../../shared/logger.js';
import { adminConfig, type AdminFlags } from './admin-config.js';

export interface ServeFlags extends AdminFlags {
  migrate: boolean;
}

/** `evbook serve`: runs until SIGTERM or SIGINT, then drains and exits 0. */
export async function runServe(flags: ServeFlags): Promise<void> {
  const config = adminConfig(flags);
  const logger = createLogger({ level: config.logLevel });
  const server = await startServer(config, logger, { migrate: flags.migrate });

  await new Promise<void>((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      logger.info({ signal }, 'shutting down');
      server.close().then(resolve, (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        resolve();
      });
    };
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
  logger.flush();
}
