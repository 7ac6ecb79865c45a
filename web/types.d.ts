/** What the API sends (src/web/clusters.ts and znodes.ts define them; kept in step by hand). */
export interface NodeRow {
  id: number;
  instance: string;
  role: string;
  mode: string;
  zxid?: string;
  version?: string;
  connections?: number;
  latencyAvg?: number;
  latencyMax?: number;
  outstanding?: number;
  znodes?: number;
  watches?: number;
  zxidRate?: number;
  error?: string;
}

export interface ClusterView {
  name: string;
  target: string;
  tls: boolean;
  at: number;
  verdict: 'healthy' | 'degraded' | 'no-quorum' | 'down';
  problems: string[];
  leader?: number;
  versions: string[];
  nodes: NodeRow[];
}

export interface History {
  t: number[];
  series: Record<string, (number | null)[][]>;
}

export interface Finding {
  check: string;
  node?: number;
  severity: 'ok' | 'warning' | 'error';
  message: string;
  evidence?: string[];
  fix?: string;
}

export interface Child {
  name: string;
  path: string;
  decoded?: string;
  children: number;
  ephemeral: boolean;
}

export interface Znode {
  path: string;
  decoded?: string;
  base64: string;
  stat: Record<string, string | number | undefined> & { ephemeralOwner?: string };
  acl: { scheme: string; id: string; perms: string }[];
  owner?: { session: string; client?: string; server?: string; note?: string };
}

export interface LogEntry {
  node: number;
  time?: number;
  text: string;
}
