/**
 * How nodes run on a host, decided from what the host probe found and what
 * the inventory asks: under systemd or zkops's supervised start, and as which
 * account. Every combination that cannot work is refused with the way out.
 */
import { PreflightError } from '../errors.js';
import type { ClusterSpec } from '../inventory/spec.js';
import type { HostEnvironment } from './host-probe.js';
import type { HostPlace } from './places.js';

/** The account servers default to when zkops has root on the host. */
export const DEFAULT_SERVICE_USER = 'zookeeper';

/**
 * How nodes run on an SSH host: as systemd units where systemd runs and zkops
 * has root (or where the inventory insists), else the supervised start; and
 * as which account (never root by default: the service user is created when
 * missing). Local pseudo-clusters run as the caller, without systemd.
 */
export function decideService(
  spec: ClusterSpec,
  place: HostPlace,
  env: HostEnvironment,
): { systemd: boolean; user?: string } {
  if (!place.remote) return { systemd: false };
  const label = place.ex.label;
  const root = env.uid === 0;
  const wanted = spec.service.systemd;
  if (wanted === true && !env.systemd) {
    throw new PreflightError(
      `service.systemd is true, but systemd does not run on ${label} (no /run/systemd/system). Set service.systemd ` +
        `to auto to use zkops's supervised start there.`,
    );
  }
  if (wanted === true && !root) {
    throw new PreflightError(
      `service.systemd is true, but ${label} logs in as ${env.login} without root, so zkops cannot install units. ` +
        `Use ssh.user root or ssh.sudo: true, or set service.systemd to auto.`,
    );
  }
  const systemd = wanted === 'auto' ? env.systemd && root : wanted;
  if (!systemd && env.systemd && env.units.length > 0) {
    throw new PreflightError(
      `${label} runs this cluster's nodes as systemd units (${env.units.join(', ')}), but this run would start ` +
        `them without systemd (service.systemd: ${wanted}${root ? '' : `, and ${env.login} has no root`}). ` +
        `Nothing was changed. To leave systemd: zkops stop, then on the host systemctl disable ` +
        `${env.units.join(' ')} and remove them from /etc/systemd/system; or set service.systemd back to auto.`,
    );
  }
  const account = spec.service.user ?? (root ? DEFAULT_SERVICE_USER : env.login);
  if (account === env.login) return { systemd };
  if (!root) {
    throw new PreflightError(
      `service.user is ${account}, but ${label} logs in as ${env.login} without root, so zkops cannot run servers ` +
        `as another account. Use ssh.user root or ssh.sudo: true, or remove service.user to run them as ${env.login}.`,
    );
  }
  if (env.account === 'none') {
    throw new PreflightError(
      `the account ${account} does not exist on ${label} and there is no useradd to create it. Create it yourself ` +
        `(a system account, no login), or set service.user to an existing one.`,
    );
  }
  if (env.closedDirs.length > 0) {
    throw new PreflightError(
      `the servers would run as ${account}, which cannot enter ${env.closedDirs.join(', ')} (not searchable by ` +
        `other accounts) on the way to ${place.nodes[0]?.dir}. ` +
        `Install elsewhere (dir; the default is /opt/zookeeper), or open the directory (chmod o+x), or set ` +
        `service.user: root (not recommended).`,
    );
  }
  if (!systemd && !env.setpriv) {
    throw new PreflightError(
      `${label} has no setpriv (util-linux), which zkops needs to start servers as ${account} without systemd. ` +
        `Install util-linux, or set service.user: root to run them as root (not recommended).`,
    );
  }
  return { systemd, user: account };
}
