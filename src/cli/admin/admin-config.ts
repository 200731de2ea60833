import { loadConfig, type Config, type ConfigOverrides } from '../../shared/config.js';

/** Flags shared by the admin commands, as commander hands them over. */
export interface AdminFlags {
  host?: string;
  port?: string;
  databaseUrl?: string;
  publicUrl?: string;
  logLevel?: string;
  /** `evbook worker --metrics-port`. */
  metricsPort?: string;
}

/** The configuration of an admin command: environment, then its flags. */
export function adminConfig(flags: AdminFlags): Readonly<Config> {
  const overrides: ConfigOverrides = {};
  if (flags.host !== undefined) overrides.host = { value: flags.host, flag: '--host' };
  if (flags.port !== undefined) overrides.port = { value: flags.port, flag: '--port' };
  if (flags.databaseUrl !== undefined) {
    overrides.databaseUrl = { value: flags.databaseUrl, flag: '--database-url' };
  }
  if (flags.publicUrl !== undefined)
    overrides.publicUrl = { value: flags.publicUrl, flag: '--public-url' };
  if (flags.logLevel !== undefined)
    overrides.logLevel = { value: flags.logLevel, flag: '--log-level' };
  if (flags.metricsPort !== undefined) {
    overrides.workerMetricsPort = { value: flags.metricsPort, flag: '--metrics-port' };
  }
  return loadConfig(process.env, overrides);
}
