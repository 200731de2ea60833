import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** What the CLI keeps for one API: the tokens of its login session. */
export interface StoredSession {
  accessToken: string;
  refreshToken?: string;
  /** Epoch milliseconds when the access token expires. */
  expiresAt: number;
}

type CredentialsFile = Record<string, StoredSession>;

/** `$XDG_CONFIG_HOME/evbook`, else `~/.config/evbook`. */
export function configDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CONFIG_HOME || join(homedir(), '.config');
  return join(base, 'evbook');
}

/** The credentials file: one session per API URL, readable only by its owner (0600). */
export class CredentialStore {
  readonly path: string;

  constructor(readonly dir: string = configDir()) {
    this.path = join(dir, 'credentials.json');
  }

  async get(apiUrl: string): Promise<StoredSession | undefined> {
    return (await this.readAll())[apiUrl];
  }

  async set(apiUrl: string, session: StoredSession | undefined): Promise<void> {
    const all = await this.readAll();
    if (session) all[apiUrl] = session;
    else delete all[apiUrl];
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    // Write a private temporary file and rename it: readers never see half a file.
    const temporary = `${this.path}.${process.pid}.tmp`;
    await writeFile(temporary, `${JSON.stringify(all, null, 2)}\n`, { mode: 0o600 });
    await chmod(temporary, 0o600);
    await rename(temporary, this.path);
  }

  private async readAll(): Promise<CredentialsFile> {
    try {
      return JSON.parse(await readFile(this.path, 'utf8')) as CredentialsFile;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
      throw error;
    }
  }
}
