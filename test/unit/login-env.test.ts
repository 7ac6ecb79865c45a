/**
 * The login environment zkops hands to a clean bash (hosts/login-env.ts): on this machine, zkops's own environment
 * written as `export` lines must come back whole in bash, whatever the values hold (quotes, newlines, $, spaces),
 * and names bash cannot take are left out instead of breaking the eval.
 */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { asLogin, exportsOf } from '../../src/hosts/login-env.js';

describe('exportsOf', () => {
  it('gives bash every value back byte for byte, and leaves out names bash cannot take', () => {
    const env = {
      PATH: '/usr/bin:/bin',
      JAVA_HOME: "/opt/it's here/jdk",
      ODD: 'a "b" $c `d` \\e\nsecond line',
      'BASH_FUNC_x%%': '() { echo hi; }',
      EMPTY: '',
    };
    const cmd = asLogin(exportsOf(env), `'printf "%s|%s|%s|%s" "$JAVA_HOME" "$ODD" "\${EMPTY-unset}" "$PATH"'`);
    const out = execFileSync('sh', ['-c', cmd], { encoding: 'utf8' });
    expect(out).toBe(`${env.JAVA_HOME}|${env.ODD}||/usr/bin:/bin`);
    expect(exportsOf(env)).not.toContain('BASH_FUNC');
  });
});
