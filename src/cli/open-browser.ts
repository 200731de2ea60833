import { spawn } from 'node:child_process';

/**
 * Opens `url` in the desktop's browser, best effort: only when a person is at a
 * terminal with a desktop; any failure is ignored (the URL is printed anyway).
 */
export function openBrowser(url: string, env: NodeJS.ProcessEnv = process.env): void {
  if (!process.stdout.isTTY || !/^https?:\/\//.test(url)) return;
  const command =
    process.platform === 'darwin'
      ? ['open', url]
      : process.platform === 'win32'
        ? ['explorer.exe', url]
        : env.DISPLAY || env.WAYLAND_DISPLAY
          ? ['xdg-open', url]
          : undefined;
  if (!command) return;
  try {
    const child = spawn(command[0]!, command.slice(1), { stdio: 'ignore', detached: true });
    child.on('error', () => undefined);
    child.unref();
  } catch {
    // No opener installed: the printed URL is enough.
  }
}
