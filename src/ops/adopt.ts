/**
 * An inventory for an ensemble zkops did not build (found from zoo.cfg files,
 * on SSH hosts, or on this machine), with every setting its configs have and
 * every node at its own ports and directories, so that deploy can manage it;
 * checked against the schema and rules before it is written.
 */
import { writeFileAtomic } from '../util/atomic-file.js';
import { ExitCode, ZkopsError } from '../errors.js';
import { discover, parseHost, type DiscoveryFlags } from '../discovery/find.js';
import { adoptedInventory } from '../discovery/inventory.js';
import { refuseDynamicConfig } from '../discovery/dynamic.js';
import { describeFound, foundNodes, type FoundNode } from '../discovery/found.js';

/** Where to look, and where to write the inventory (nowhere: only return it). */
export type AdoptInput = DiscoveryFlags & { output?: string };

/** The inventory written (or to print), and the nodes it holds. */
export interface AdoptOutcome {
  cluster: string;
  nodes: { id: number; zooCfg: string }[];
  /** What was found, per node (config files, dynamic file, client port, running and by whom). */
  found: FoundNode[];
  /** The same, said for people. */
  foundText: string;
  inventory: string | null;
  text: string;
}

/** Writes (or returns) the inventory of the one ensemble found; refuses none, several, or hand-made TLS/SASL. */
export async function adopt(flags: AdoptInput): Promise<AdoptOutcome> {
  const found = await discover(flags);
  try {
    if (found.ensembles.length !== 1) {
      throw new ZkopsError(
        found.ensembles.length === 0
          ? `No ZooKeeper server found (looked at ${found.looked}). ` +
              `Pass its configs with --zoo-cfg FILE, or its hosts with --host USER@ADDRESS.`
          : `Found ${found.ensembles.length} ensembles ` +
              `(${found.ensembles.map((e) => e.spec.nodes.map((n) => n.zooCfg).join(' + ')).join('; ')}); ` +
              `name the configs of one with --zoo-cfg.`,
        ExitCode.usage,
      );
    }
    const e = found.ensembles[0]!;
    refuseHandMadeSecurity(e.spec.settings.extra);
    refuseDynamicConfig(e);
    const first = flags.host?.[0] ? parseHost(flags.host[0]) : undefined;
    const ssh = first && {
      user: first.user,
      port: first.port,
      identityFile: flags.sshKey,
      knownHosts: flags.knownHosts,
    };
    const text = adoptedInventory(
      e,
      e.spec.nodes.map((n) => n.zooCfg),
      ssh,
    );
    // What adopt writes must be an inventory zkops accepts.
    const { parseInventory } = await import('../inventory/load.js');
    parseInventory(text, flags.output ?? '(adopted inventory)');
    if (flags.output) {
      await writeFileAtomic(flags.output, text);
    }
    return {
      cluster: e.spec.name,
      nodes: e.spec.nodes.map((n) => ({ id: n.id, zooCfg: n.zooCfg })),
      found: foundNodes(e),
      foundText: describeFound(e),
      inventory: flags.output ?? null,
      text,
    };
  } finally {
    await found.close();
  }
}

/**
 * TLS or quorum SASL set up by hand: their keys, stores and passwords are not zkops's, and an inventory
 * cannot carry them (zkops makes its own with security.tls / quorumAuth). Refused, before anything is written.
 */
function refuseHandMadeSecurity(extra: Record<string, unknown>): void {
  const keys = Object.keys(extra).filter((k) =>
    /^(secureClientPort(Address)?|sslQuorum|serverCnxnFactory|(client\.)?portUnification|ssl\..*|quorum\.auth\..*)$/.test(
      k,
    ),
  );
  if (keys.some((k) => k !== 'serverCnxnFactory'))
    throw new ZkopsError(
      `This ensemble runs with TLS or quorum authentication set up by hand (${keys.join(', ')}). zkops cannot ` +
        'adopt its key stores and passwords, and deploying an inventory without them would switch them off. ' +
        'zkops doctor still checks it as it is (its PEM certificates too). To manage it with zkops, write an ' +
        'inventory with security.tls / security.quorumAuth: zkops then issues its own CA and certificates and ' +
        'moves the running servers to them one at a time.',
      ExitCode.usage,
    );
}
