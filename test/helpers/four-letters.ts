/** Four-letter words over a raw socket: an independent look at a server, with none of zkops's own code. */
import net from 'node:net';

/** A four-letter word's answer from host:port, '' when nothing answers (refused, dropped, timed out). */
export function fourLetters(host: string, port: number, word: string, timeoutMs = 1000): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    const socket = net.connect({ host, port });
    socket.setTimeout(timeoutMs, () => socket.destroy());
    socket.on('connect', () => socket.end(word));
    socket.on('data', (d) => (text += d.toString('utf8')));
    socket.on('error', () => undefined);
    socket.on('close', () => resolve(text));
  });
}

/** srvr's Mode line as status shows it: leader, follower, not-serving, or down. */
export function modeOf(srvr: string): string {
  if (srvr.includes('not currently serving')) return 'not-serving';
  return /^Mode: (\w+)/m.exec(srvr)?.[1] ?? 'down';
}

/** A setting as the server at host:port runs with it (from `conf`), '-' when it does not say. */
export async function runningSetting(server: string, key: string): Promise<string> {
  const [host, port] = server.split(':');
  return new RegExp(`^${key}=(.*)$`, 'm').exec(await fourLetters(host!, Number(port), 'conf'))?.[1] ?? '-';
}
