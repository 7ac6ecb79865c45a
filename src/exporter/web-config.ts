/**
 * `--web-config-file`: the web configuration file every Prometheus exporter reads (prometheus/exporter-toolkit),
 * so one file and one habit serve them all: `basic_auth_users` (user → bcrypt hash, as `htpasswd -nBC 10 user`
 * prints) and `tls_server_config` (`cert_file`, `key_file`, PEM; relative to the file). Keys this exporter does
 * not implement are refused by name rather than ignored: a file that asks for client certificates must not
 * silently serve without them.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'yaml';

/** What the exporter serves with. */
export interface WebConfig {
  /** user → bcrypt hash. */
  users?: Map<string, string>;
  /** PEM certificate chain and key for HTTPS. */
  tls?: { cert: string; key: string };
}

const record = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);

/** Reads and checks the file; throws an Error naming the file and the key at fault. */
export async function loadWebConfig(file: string): Promise<WebConfig> {
  const fail = (what: string) => new Error(`${file}: ${what}`);
  const text = await readFile(file, 'utf8').catch((e: NodeJS.ErrnoException) => {
    throw fail(`cannot read it (${e.code ?? e.message})`);
  });
  let doc: unknown;
  try {
    doc = parse(text) ?? {};
  } catch (e) {
    throw fail(`not YAML (${(e as Error).message.split('\n')[0]})`);
  }
  if (!record(doc)) throw fail('expected a mapping with basic_auth_users and/or tls_server_config');
  for (const k of Object.keys(doc))
    if (k !== 'basic_auth_users' && k !== 'tls_server_config')
      throw fail(`${k} is not supported by zkops exporter (basic_auth_users and tls_server_config are)`);
  const config: WebConfig = {};
  if (doc.basic_auth_users !== undefined) {
    if (!record(doc.basic_auth_users)) throw fail('basic_auth_users: expected user: bcrypt-hash pairs');
    config.users = new Map();
    for (const [user, hash] of Object.entries(doc.basic_auth_users)) {
      if (typeof hash !== 'string' || !/^\$2[aby]\$\d\d\$[./A-Za-z0-9]{53}$/.test(hash))
        throw fail(
          `basic_auth_users.${user}: expected a bcrypt hash ($2y$10$..., as htpasswd -nBC 10 ${user} prints), ` +
            'not a password',
        );
      config.users.set(user, hash);
    }
  }
  if (doc.tls_server_config !== undefined) {
    const t = doc.tls_server_config;
    if (!record(t)) throw fail('tls_server_config: expected cert_file and key_file');
    for (const k of Object.keys(t))
      if (k !== 'cert_file' && k !== 'key_file')
        throw fail(`tls_server_config.${k} is not supported by zkops exporter (cert_file and key_file are)`);
    if (typeof t.cert_file !== 'string' || typeof t.key_file !== 'string')
      throw fail('tls_server_config: expected both cert_file and key_file');
    const read = (key: string, p: string) =>
      readFile(path.resolve(path.dirname(file), p), 'utf8').catch((e: NodeJS.ErrnoException) => {
        throw fail(`tls_server_config.${key}: cannot read ${p} (${e.code ?? e.message})`);
      });
    config.tls = { cert: await read('cert_file', t.cert_file), key: await read('key_file', t.key_file) };
  }
  return config;
}
