/** The flags of `zkops exporter`, apart from the command so that its --install half can share them. */
import type { SourceFlags } from '../metrics/source.js';

/** `zkops exporter` flags. */
export interface ExporterFlags extends SourceFlags {
  listen: string;
  /** Per-node time limit, ms. */
  nodeTimeout: number;
  /** Seconds between doctor runs; 0: no doctor. */
  doctorInterval: number;
  /** A file holding `user:password` for HTTP basic auth. */
  basicAuthFile?: string;
  /** Prometheus's web configuration file: basic_auth_users (bcrypt) and tls_server_config. */
  webConfigFile?: string;
  /** Write a systemd unit running the exporter with these flags instead of serving. */
  install?: boolean;
  /** With --install: the inventory host to install on (default: this machine). */
  host?: string;
}
