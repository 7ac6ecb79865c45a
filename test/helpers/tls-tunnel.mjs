/**
 * For tests: an independent TLS path to a ZooKeeper ensemble for clients that
 * speak plain TCP only (node-zookeeper-client, the tests' writer). Each server
 * gets a local listener; each connection to it is carried to the server over
 * TLS with the given client certificate. With `fallback`, a server that does
 * not speak TLS (not yet switched, in a rolling switch) gets the connection in
 * plain text instead, so one writer keeps writing across the whole switch.
 * Written apart from zkops's own tunnel on purpose: the tests check zkops with
 * code that is not zkops's.
 */
import net from 'node:net';
import tls from 'node:tls';

/**
 * @param {string[]} servers host:port of each server
 * @param {{ key?: string | Buffer, cert?: string | Buffer, ca: string | Buffer }} creds
 * @param {{ fallback?: boolean }} [options]
 * @returns {Promise<{ servers: string[], tlsConnections: () => number, plainConnections: () => number,
 *   close: () => Promise<void> }>}
 */
export async function tlsTunnels(servers, creds, options = {}) {
  const listeners = [];
  const open = new Set();
  let tlsCount = 0;
  let plainCount = 0;
  const local = [];
  for (const server of servers) {
    const [host, port] = server.split(':');
    const listener = net.createServer((inbound) => {
      inbound.pause();
      open.add(inbound);
      const pipe = (outbound) => {
        open.add(outbound);
        inbound.pipe(outbound).pipe(inbound);
        inbound.resume();
        const done = () => {
          inbound.destroy();
          outbound.destroy();
          open.delete(inbound);
          open.delete(outbound);
        };
        inbound.on('error', done).on('close', done);
        outbound.on('error', done).on('close', done);
      };
      const secure = tls.connect({ host, port: Number(port), ...creds, checkServerIdentity: () => undefined });
      secure.once('secureConnect', () => {
        tlsCount++;
        pipe(secure);
      });
      secure.once('error', () => {
        secure.destroy();
        if (!options.fallback) return inbound.destroy();
        const plain = net.connect({ host, port: Number(port) });
        plain.once('connect', () => {
          plainCount++;
          pipe(plain);
        });
        plain.once('error', () => inbound.destroy());
      });
    });
    await new Promise((resolve) => listener.listen(0, '127.0.0.1', resolve));
    listeners.push(listener);
    local.push(`127.0.0.1:${listener.address().port}`);
  }
  return {
    servers: local,
    tlsConnections: () => tlsCount,
    plainConnections: () => plainCount,
    close: async () => {
      for (const s of open) s.destroy();
      await Promise.all(listeners.map((l) => new Promise((resolve) => l.close(resolve))));
    },
  };
}
