import { execFile, execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { openDatabase } from '../../src/db/connection.js';
import { freePort } from './processes.js';

const run = promisify(execFile);

/** How long one pg_ctl or initdb step may take before the test gives up on it. */
const STEP_TIMEOUT_MS = 60_000;

/** The OS user that owns the cluster when the tests run as root (initdb refuses root). */
const SERVER_USER = 'postgres';

/**
 * The folder holding `initdb` and `pg_ctl`: `EVBOOK_TEST_PG_BIN` if set, else the
 * newest Debian install under /usr/lib/postgresql, else the first on `PATH`.
 * Undefined when none is found.
 */
export function findPostgresBin(): string | undefined {
  const candidates: string[] = [];
  if (process.env.EVBOOK_TEST_PG_BIN) candidates.push(process.env.EVBOOK_TEST_PG_BIN);
  const debian = '/usr/lib/postgresql';
  if (existsSync(debian)) {
    const versions = readdirSync(debian)
      .filter((name) => /^\d+$/.test(name))
      .sort((a, b) => Number(b) - Number(a));
    candidates.push(...versions.map((version) => join(debian, version, 'bin')));
  }
  candidates.push(...(process.env.PATH ?? '').split(':').filter(Boolean));
  return candidates.find((dir) => ['initdb', 'pg_ctl'].every((bin) => existsSync(join(dir, bin))));
}

/** Why a private cluster cannot start here, or undefined when it can. */
export function clusterUnavailableReason(): string | undefined {
  if (!findPostgresBin()) {
    return 'PostgreSQL server binaries (initdb, pg_ctl) not found: install postgresql or set EVBOOK_TEST_PG_BIN';
  }
  if (isRoot() && !existsSync('/usr/sbin/runuser') && !existsSync('/sbin/runuser')) {
    return 'running as root, but runuser (util-linux) is missing to run initdb as postgres';
  }
  return undefined;
}

function isRoot(): boolean {
  return process.getuid?.() === 0;
}

/**
 * A private PostgreSQL server for tests that must stop, crash or restart it: its own
 * data directory and unix socket in a temp dir, its own port on 127.0.0.1, trust
 * authentication for the `postgres` role. fsync stays on, so a crash keeps what was
 * committed. As root, every server command runs as the `postgres` OS user.
 */
export class PostgresCluster {
  private constructor(
    readonly dir: string,
    readonly port: number,
    private readonly bin: string,
  ) {}

  /** What the server runs with: TCP on 127.0.0.1 only, the socket in our temp dir. */
  private get serverOptions(): string {
    return [
      '-c listen_addresses=127.0.0.1',
      `-p ${this.port}`,
      `-k ${this.dir}`,
      '-c max_connections=60',
      '-c shared_buffers=16MB',
    ].join(' ');
  }

  /** Runs initdb into a new temp dir and starts the server; cleans up if either fails. */
  static async start(): Promise<PostgresCluster> {
    const reason = clusterUnavailableReason();
    if (reason) throw new Error(reason);
    const dir = mkdtempSync(join(tmpdir(), 'evbook-pg-'));
    const cluster = new PostgresCluster(dir, await freePort(), findPostgresBin()!);
    try {
      if (isRoot()) {
        const [uid, gid] = ['-u', '-g'].map((flag) =>
          Number(execFileSync('id', [flag, SERVER_USER], { encoding: 'utf8' })),
        );
        chownSync(dir, uid!, gid!);
      }
      await cluster.pg('initdb', [
        '--pgdata',
        cluster.dataDir,
        '--username',
        'postgres',
        '--auth',
        'trust',
        '--encoding',
        'UTF8',
        '--locale',
        'C',
        // initdb's own final sync of the new files; the server keeps fsync on.
        '--no-sync',
        '--no-instructions',
      ]);
      await cluster.resume();
    } catch (error) {
      await cluster.destroy();
      throw error;
    }
    // Known gap: 'exit' does not fire when the test process is killed by a signal
    // (Ctrl-C, a CI timeout); the server then runs on and its temp dir stays behind.
    process.once('exit', () => cluster.killNow());
    return cluster;
  }

  /** A URL for `database` as the `postgres` role over TCP. */
  url(database = 'postgres'): string {
    return `postgres://postgres@127.0.0.1:${this.port}/${database}`;
  }

  /** Creates an empty database and returns its URL. */
  async createDatabase(name: string): Promise<string> {
    const admin = openDatabase(this.url(), { poolMax: 1 });
    try {
      await admin.knex.raw(`create database ${name}`);
    } finally {
      await admin.close();
    }
    return this.url(name);
  }

  /**
   * `pg_ctl restart -m MODE`: `fast` ends sessions and checkpoints; `immediate` kills
   * every process without a checkpoint, so the start runs crash recovery. Resolves
   * once the server accepts connections again.
   */
  async restart(mode: 'fast' | 'immediate'): Promise<void> {
    await this.pg('pg_ctl', ['restart', ...this.ctlArgs(), '--mode', mode]);
  }

  /** `pg_ctl stop -m MODE`: the server is down until `resume()`. */
  async stop(mode: 'fast' | 'immediate' = 'fast'): Promise<void> {
    await this.pg('pg_ctl', ['stop', ...this.ctlArgs(), '--mode', mode]);
  }

  /** `pg_ctl start`: starts the (stopped) server; resolves once it accepts connections. */
  async resume(): Promise<void> {
    await this.pg('pg_ctl', ['start', ...this.ctlArgs(), '--options', this.serverOptions]);
  }

  /** The end of the server log, for failure messages. */
  log(): string {
    try {
      return readFileSync(this.logFile, 'utf8').slice(-4000);
    } catch {
      return '(no server log)';
    }
  }

  /** Stops the server at once if it runs and deletes the temp dir; safe to call twice. */
  async destroy(): Promise<void> {
    if (existsSync(join(this.dataDir, 'postmaster.pid'))) {
      await this.pg('pg_ctl', ['stop', ...this.ctlArgs(), '--mode', 'immediate']).catch(() =>
        this.killNow(),
      );
    }
    rmSync(this.dir, { recursive: true, force: true });
  }

  private get dataDir(): string {
    return join(this.dir, 'data');
  }

  private get logFile(): string {
    return join(this.dir, 'server.log');
  }

  /** pg_ctl's common arguments: the data dir, wait, and the log file (not kept across restarts). */
  private ctlArgs(): string[] {
    return ['--pgdata', this.dataDir, '--wait', '--timeout', '60', '--log', this.logFile];
  }

  /** Runs a server binary, as `postgres` when we are root; its output joins the error. */
  private async pg(binary: string, args: string[]): Promise<void> {
    const path = join(this.bin, binary);
    const [file, argv] = isRoot()
      ? ['runuser', ['-u', SERVER_USER, '--', path, ...args]]
      : [path, args];
    try {
      await run(file, argv, { cwd: this.dir, timeout: STEP_TIMEOUT_MS });
    } catch (error) {
      const e = error as { stdout?: string; stderr?: string; message: string };
      throw new Error(
        `${binary} ${args[0]} failed: ${e.message}\n${e.stderr ?? ''}\n${this.log()}`,
        { cause: error },
      );
    }
  }

  /** Last resort when the test process exits with the server still up: SIGQUIT (immediate stop). */
  private killNow(): void {
    try {
      const pid = Number(readFileSync(join(this.dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
      if (pid > 0) process.kill(pid, 'SIGQUIT');
    } catch {
      // Not running, or already gone.
    }
  }
}
