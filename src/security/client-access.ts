/**
 * What a client needs to talk to a cluster, said where the connect string is
 * (status, and the report init and deploy end with): on a TLS cluster the
 * client ports take TLS only and ask for a certificate from the cluster's CA,
 * so a plain `zkCli.sh -server` there hangs and then fails without saying why.
 */
import type { ClusterSpec } from '../inventory/spec.js';

/** One sentence for people under the connect string, or undefined where any plain client may connect. */
export function clientAccessNote(spec: ClusterSpec): string | undefined {
  if (!spec.security.tls) return undefined;
  return (
    "Clients need TLS here, with a certificate from the cluster's CA (the client ports take nothing else): " +
    '`zkops certs client NAME -o DIR` writes one, with a client configuration for zkCli.sh ' +
    '(-client-configuration DIR/NAME.properties) and Java clients.'
  );
}
