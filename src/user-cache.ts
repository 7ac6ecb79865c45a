/** zkops's place in the user's cache (XDG_CACHE_HOME, else ~/.cache): validated specs, Java records, releases. */
import path from 'node:path';

export function userCacheDir(...parts: string[]): string {
  const base = process.env.XDG_CACHE_HOME || path.join(process.env.HOME || '/root', '.cache');
  return path.join(base, 'zkops', ...parts);
}
