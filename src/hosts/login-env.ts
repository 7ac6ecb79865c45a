/**
 * What a login shell on a host sees, read once per host and command (issue 20).
 * The doctor and discovery ask, per node, which Java a login shell finds and
 * what the release's zkEnv.sh makes of it; a login shell per question paid the
 * host's profile (pyenv, conda, /etc/profile.d) every time. A script started
 * from a login shell (`zkServer.sh start` typed by an operator) inherits only
 * the exported environment, so that environment, captured once with
 * `export -p`, stands in for the login shell in every later question.
 */
import { LocalExecutor } from '../executors/local.js';
import type { Executor } from '../executors/types.js';
import { sh } from '../shell.js';

const MARK = '@@zkops-login-env';
// One per executor; an executor lives for one zkops command, so does what it read.
const cache = new WeakMap<Executor, Promise<string | undefined>>();

/** The exported environment of a login shell on the executor's host (`export -p`), or undefined without bash. */
export function loginExports(ex: Executor): Promise<string | undefined> {
  let read = cache.get(ex);
  if (!read && ex instanceof LocalExecutor && process.env.SHLVL !== undefined) {
    // On this machine, started from a shell: zkops's own environment is that shell's, the one an operator's
    // `zkServer.sh start` would inherit, so no login shell (and no read of the profile) is needed. Without SHLVL
    // (a systemd service, cron) the environment is not a login's: a real login shell is read below.
    read = Promise.resolve(exportsOf(process.env));
  }
  if (!read) {
    read = ex
      .exec(`command -v bash >/dev/null || exit 3; bash -lc 'echo ${MARK}; export -p' 2>/dev/null </dev/null`, {
        timeoutMs: 30_000,
      })
      .then((r) => {
        // The profile may print before the mark; what follows it is bash's own `declare -x` lines.
        const at = r.stdout.lastIndexOf(`${MARK}\n`);
        return r.code === 0 && at >= 0 ? r.stdout.slice(at + MARK.length + 1) : undefined;
      })
      .catch(() => undefined);
    cache.set(ex, read);
  }
  return read;
}

/**
 * A shell command that runs bash `script` (already quoted) with `args` (already quoted) as a login shell would:
 * in a clean bash given the captured login environment, or, when none could be read, in a real login shell.
 */
export function asLogin(exports: string | undefined, script: string, args = ''): string {
  if (exports === undefined) return `bash -lc ${script} _ ${args}`;
  const run = 'eval "$ZKOPS_LOGIN_ENV" 2>/dev/null; unset ZKOPS_LOGIN_ENV; s=$1; shift; shift; eval "$s"';
  return `env -i ZKOPS_LOGIN_ENV=${sh(exports)} bash --norc --noprofile -c ${sh(run)} zkops ${script} _ ${args}`;
}

/** `env` as `export NAME='value'` lines that bash can eval (names bash cannot take, such as BASH_FUNC_x%%, left out). */
export function exportsOf(env: NodeJS.ProcessEnv): string {
  return Object.entries(env)
    .filter(([name, value]) => value !== undefined && /^[A-Za-z_][A-Za-z0-9_]*$/.test(name))
    .map(([name, value]) => `export ${name}=${sh(value!)}\n`)
    .join('');
}
