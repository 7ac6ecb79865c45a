/** zkops's place in the user's cache (XDG_CACHE_HOME, else ~/.cache): validated specs, Java records, releases. */
import path from 'node:path';

export function userCacheDir(...parts: string[]): string {
  const base = process.env.XDG_CACHE_HOME || path.join(process.env.HOME || '/root', '.cache');
  return path.join(base, 'zkops', ...parts);
}

/** zkops's place for what must persist and stay private (XDG_DATA_HOME, else ~/.local/share): cluster secrets. */
export function userDataDir(...parts: string[]): string {
  const base = process.env.XDG_DATA_HOME || path.join(process.env.HOME || '/root', '.local', 'share');
  return path.join(base, 'zkops', ...parts);
}
