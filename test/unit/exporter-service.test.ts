import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import bcrypt from 'bcryptjs';
import { exporterUnitName, renderExporterUnit } from '../../src/exporter/install.js';
import { loadWebConfig } from '../../src/exporter/web-config.js';

/** Hashes made by the system's crypt(3) (libxcrypt), an implementation independent of bcryptjs, which zkops checks with. */
function systemHash(password: string, rounds: number): string {
  return execFileSync(
    'python3',
    [
      '-W',
      'ignore',
      '-c',
      'import crypt, sys\nprint(crypt.crypt(sys.argv[1], crypt.mksalt(crypt.METHOD_BLOWFISH, rounds=int(sys.argv[2]))))',
      password,
      String(rounds),
    ],
    { encoding: 'utf8' },
  ).trim();
}

describe('bcrypt as the exporter checks it (basic_auth_users of a web config file)', () => {
  it("agrees with the system's crypt(3) on ASCII, empty, long and non-ASCII passwords", () => {
    for (const pw of ['s3cret', '', 'pässwörd with a long tail '.repeat(4)]) {
      const hash = systemHash(pw, 16);
      expect(bcrypt.compareSync(pw, hash)).toBe(true);
      expect(bcrypt.compareSync(`x${pw}`, hash)).toBe(false);
    }
  });

  it('accepts $2y$ and $2a$ (htpasswd, older libraries) as $2b$', () => {
    const hash = systemHash('prom', 16);
    for (const v of ['y', 'a']) expect(bcrypt.compareSync('prom', hash.replace('$2b$', `$2${v}$`))).toBe(true);
  });
});

describe('web config file (exporter-toolkit format)', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'zkops-webcfg-'));
  const file = (name: string, text: string) => {
    const p = path.join(dir, name);
    writeFileSync(p, text);
    return p;
  };

  it('reads users and TLS files relative to itself', async () => {
    file('c.pem', 'CERT');
    file('k.pem', 'KEY');
    const hash = systemHash('pw', 16);
    const cfg = await loadWebConfig(
      file(
        'ok.yml',
        `basic_auth_users:\n  prom: '${hash}'\ntls_server_config:\n  cert_file: c.pem\n  key_file: k.pem\n`,
      ),
    );
    expect(cfg.users?.get('prom')).toBe(hash);
    expect(cfg.tls).toEqual({ cert: 'CERT', key: 'KEY' });
  });

  it('refuses a plain password, unknown keys and missing files, naming file and key', async () => {
    await expect(loadWebConfig(file('pw.yml', 'basic_auth_users:\n  prom: s3cret\n'))).rejects.toThrow(
      /pw\.yml: basic_auth_users\.prom: expected a bcrypt hash/,
    );
    await expect(
      loadWebConfig(file('ca.yml', 'tls_server_config:\n  cert_file: c.pem\n  key_file: k.pem\n  client_ca_file: x\n')),
    ).rejects.toThrow(/tls_server_config\.client_ca_file is not supported/);
    await expect(loadWebConfig(file('h2.yml', 'http_server_config: {http2: true}\n'))).rejects.toThrow(
      /http_server_config is not supported/,
    );
    await expect(
      loadWebConfig(file('nf.yml', 'tls_server_config:\n  cert_file: none.pem\n  key_file: k.pem\n')),
    ).rejects.toThrow(/cert_file: cannot read none\.pem \(ENOENT\)/);
  });
});

describe('exporter systemd unit', () => {
  it('runs the same command, quoted for systemd, with a capped heap, restarting on failure', () => {
    const unit = renderExporterUnit({
      cluster: 'prod',
      command: [
        '/usr/bin/node',
        '/opt/zk ops/bin/zkops.js',
        'exporter',
        '-i',
        '/etc/zkops/prod.yaml',
        '--listen',
        '127.0.0.1:9141',
      ],
      workingDirectory: '/var/lib/zkops',
    });
    expect(exporterUnitName('prod')).toBe('zkops-exporter-prod.service');
    expect(unit).toContain(
      'ExecStart="/usr/bin/node" "/opt/zk ops/bin/zkops.js" "exporter" "-i" "/etc/zkops/prod.yaml" "--listen" ' +
        '"127.0.0.1:9141"\n',
    );
    expect(unit).toContain('Environment="NODE_OPTIONS=--max-old-space-size=64 --max-semi-space-size=1"\n');
    expect(unit).toContain('WorkingDirectory="/var/lib/zkops"\n');
    expect(unit).toMatch(/\nRestart=on-failure\n/);
    expect(unit).toMatch(/\nNoNewPrivileges=true\n/);
    expect(unit).toMatch(/\[Install\]\nWantedBy=multi-user\.target\n$/);
    expect(unit).not.toContain('User=');
  });
});
