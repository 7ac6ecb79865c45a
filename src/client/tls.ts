/**
 * zkops's own connections to a cluster with TLS on: four-letter words over
 * TLS with zkops's client certificate, and local tunnels for the session
 * library (node-zookeeper-client speaks plain TCP only), so smoke, ls, get and
 * watch work unchanged: the library connects to 127.0.0.1, each connection is
 * carried over TLS to its server.
 */
import { createRequire } from 'node:module';
import net from 'node:net';
import type tls from 'node:tls';
import type { ClusterSpec } from '../inventory/spec.js';

/** What a TLS client presents and trusts (PEM). */
export interface ClientTls {
  key: string;
  cert: string;
  ca: string;
  /** 'plain': TLS is being switched off; probes try plain text first (client sessions use plain text). */
  prefer?: 'tls' | 'plain';
}

/**
 * zkops's client credentials for `spec`, when it has them: with TLS on, and also after the inventory turned
 * it off, while nodes may still speak only TLS.
 */
export function clientTlsOf(spec: Pick<ClusterSpec, 'security' | 'secrets'>): ClientTls | undefined {
  const s = spec.secrets;
  if (!s?.client || !s.ca) return undefined;
  return { key: s.client.key, cert: s.client.cert, ca: s.ca.cert, prefer: spec.security?.tls ? 'tls' : 'plain' };
}

/** The credentials a client session uses: only with TLS on (else plain text). */
export function sessionTlsOf(spec: Pick<ClusterSpec, 'security' | 'secrets'>): ClientTls | undefined {
  return spec.security.tls ? clientTlsOf(spec) : undefined;
}

// node:tls is loaded on first use: every `zkops status` imports this module, and a cluster without TLS (most of
// them) would pay a noticeable part of its start-up for it.
let tlsLoaded: typeof tls | undefined;
const tlsModule = (): typeof tls => (tlsLoaded ??= createRequire(import.meta.url)('node:tls') as typeof tls);

/** A TLS connection to a ZooKeeper server, its name checked against the server's certificate. */
export function connectTls(host: string, port: number, creds: ClientTls): tls.TLSSocket {
  return tlsModule().connect({
    host,
    port,
    secureContext: contextOf(creds),
    servername: net.isIP(host) ? undefined : host,
  });
}

/** One secure context per set of credentials: key, certificate and CA are parsed once, not per connection. */
const contexts = new Map<string, tls.SecureContext>();
function contextOf(creds: ClientTls): tls.SecureContext {
  const id = creds.cert + creds.ca;
  let context = contexts.get(id);
  if (!context) {
    context = tlsModule().createSecureContext({ key: creds.key, cert: creds.cert, ca: creds.ca });
    contexts.set(id, context);
  }
  return context;
}

/**
 * Local tunnels to `servers` (a connect string): each server gets a listener on 127.0.0.1 whose connections
 * are carried over TLS to it. Returns the connect string of the listeners. `accept` is asked for every
 * connection (by the port it comes from): the listener is on loopback, where any local account could
 * otherwise borrow zkops's certificate while it runs.
 */
export async function openTunnels(
  servers: string,
  creds: ClientTls,
  accept: (remotePort: number) => boolean,
): Promise<{ servers: string; close: () => Promise<void> }> {
  const listeners: net.Server[] = [];
  const sockets = new Set<net.Socket>();
  const local: string[] = [];
  for (const entry of servers.split(',')) {
    const i = entry.lastIndexOf(':');
    const host = entry.slice(0, i).replace(/^\[|\]$/g, '');
    const port = Number(entry.slice(i + 1));
    const server = net.createServer((inbound) => {
      if (!accept(inbound.remotePort ?? -1)) return void inbound.destroy();
      const outbound = connectTls(host, port, creds);
      sockets.add(inbound).add(outbound);
      inbound.pipe(outbound).pipe(inbound);
      const done = () => {
        inbound.destroy();
        outbound.destroy();
        sockets.delete(inbound);
        sockets.delete(outbound);
      };
      inbound.on('error', done).on('close', done);
      outbound.on('error', done).on('close', done);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    listeners.push(server);
    local.push(`127.0.0.1:${(server.address() as net.AddressInfo).port}`);
  }
  return {
    servers: local.join(','),
    close: async () => {
      for (const s of sockets) s.destroy();
      await Promise.all(listeners.map((l) => new Promise((r) => l.close(r))));
    },
  };
}
