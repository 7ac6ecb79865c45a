import { describe, expect, it } from 'vitest';
import { parseSha512File } from '../../src/distribution/download.js';

const HEX = 'ab'.repeat(64);

describe('release checksums', () => {
  it('reads both forms Apache has published', () => {
    expect(parseSha512File(`${HEX}  apache-zookeeper-3.8.4-bin.tar.gz\n`)).toBe(HEX);
    const gpg =
      'apache-zookeeper-3.5.6-bin.tar.gz: ' +
      HEX.toUpperCase()
        .match(/.{8}/g)!
        .join(' ')
        .replace(/(.{80})/g, '$1\n                                   ');
    expect(parseSha512File(gpg)).toBe(HEX);
  });

  it('reads nothing from a file without a SHA-512', () => {
    expect(parseSha512File('<html>Not Found</html>')).toBeUndefined();
    expect(parseSha512File('file: 1234')).toBeUndefined();
  });
});

describe('Java from the package manager', () => {
  it('picks a headless JRE the release supports, and knows where each distribution puts it', async () => {
    const { javaPackagePlan } = await import('../../src/distribution/java-package.js');
    expect(javaPackagePlan('apt-get', '3.9.3')).toMatchObject({
      pkg: 'default-jre-headless',
      home: '/usr/lib/jvm/default-java',
    });
    expect(javaPackagePlan('dnf', '3.7.2')).toMatchObject({
      pkg: 'java-11-openjdk-headless',
      home: '/usr/lib/jvm/jre-11-openjdk',
      command: 'dnf install -y -q java-11-openjdk-headless',
    });
    expect(javaPackagePlan('zypper', '3.8.4').home).toBe('/usr/lib64/jvm/jre-17-openjdk');
  });
});
