import { open, rm, stat } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { UnavailableError } from '../shared/errors.js';

export interface LockOptions {
  /** Give up after this long. Default 30 s. */
  timeoutMs?: number;
  /** A lock older than this is left over from a crashed process. Default 60 s. */
  staleMs?: number;
}

/**
 * Runs `work` holding an exclusive lock file (created with O_EXCL), so that
 * concurrent CLI processes refresh one at a time: with rotating refresh tokens,
 * two processes refreshing at once would look like token reuse and end the session.
 */
export async function withLock<T>(
  path: string,
  work: () => Promise<T>,
  options: LockOptions = {},
): Promise<T> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const staleMs = options.staleMs ?? 60_000;
  const deadline = Date.now() + timeoutMs;
  for (let wait = 20; ; wait = Math.min(wait * 2, 250)) {
    try {
      const handle = await open(path, 'wx', 0o600);
      await handle.writeFile(String(process.pid));
      await handle.close();
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const age = await stat(path).then(
        (s) => Date.now() - s.mtimeMs,
        () => 0,
      );
      if (age > staleMs) await rm(path, { force: true });
      else if (Date.now() > deadline) {
        throw new UnavailableError('locked', `Another evbook process holds ${path}; try again.`);
      } else await sleep(wait);
    }
  }
  try {
    return await work();
  } finally {
    await rm(path, { force: true });
  }
}
