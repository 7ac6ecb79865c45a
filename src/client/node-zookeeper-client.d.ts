/** The part of node-zookeeper-client (which ships no types) that zkops uses. */
declare module 'node-zookeeper-client' {
  export interface Stat {
    czxid: Buffer;
    mzxid: Buffer;
    pzxid: Buffer;
    ctime: Buffer;
    mtime: Buffer;
    version: number;
    cversion: number;
    aversion: number;
    ephemeralOwner: Buffer;
    dataLength: number;
    numChildren: number;
  }
  export interface Id {
    scheme: string;
    id: string;
  }
  export interface ACL {
    permission: number;
    id: Id;
  }
  export interface Event {
    type: number;
    name: string;
    path: string;
  }
  export interface State {
    name: string;
    code: number;
  }
  type Callback<T> = (error: (Error & { code?: number; name?: string }) | null, value: T, stat?: Stat) => void;
  export interface Client {
    connect(): void;
    close(): void;
    once(event: 'connected' | 'disconnected' | 'expired', listener: () => void): void;
    on(event: 'state', listener: (state: State) => void): void;
    getSessionId(): Buffer;
    getSessionPassword(): Buffer;
    create(path: string, data: Buffer | null, mode: number, callback: Callback<string>): void;
    create(path: string, data: Buffer | null, acls: ACL[], mode: number, callback: Callback<string>): void;
    setACL(path: string, acls: ACL[], version: number, callback: Callback<Stat>): void;
    transaction(): Transaction;
    remove(path: string, version: number, callback: (error: Error | null) => void): void;
    removeRecursive(path: string, version: number, callback: (error: Error | null) => void): void;
    setData(path: string, data: Buffer | null, version: number, callback: Callback<Stat>): void;
    getData(path: string, watcher: ((event: Event) => void) | undefined, callback: Callback<Buffer>): void;
    getACL(path: string, callback: Callback<ACL[]>): void;
    exists(path: string, watcher: ((event: Event) => void) | undefined, callback: Callback<Stat | null>): void;
    getChildren(path: string, watcher: ((event: Event) => void) | undefined, callback: Callback<string[]>): void;
    mkdirp(path: string, callback: Callback<string>): void;
  }
  /** A multi request: every operation applies, or none. */
  export interface Transaction {
    create(path: string, data: Buffer | null, acls: ACL[], mode: number): Transaction;
    setData(path: string, data: Buffer | null, version: number): Transaction;
    remove(path: string, version: number): Transaction;
    check(path: string, version: number): Transaction;
    commit(
      callback: (error: (Error & { code?: number }) | null, results?: { type: number; err?: number }[]) => void,
    ): void;
  }
  export const ACL: new (permission: number, id: Id) => ACL;
  export const Id: new (scheme: string, id: string) => Id;
  export const CreateMode: {
    PERSISTENT: number;
    PERSISTENT_SEQUENTIAL: number;
    EPHEMERAL: number;
    EPHEMERAL_SEQUENTIAL: number;
  };
  export const Exception: {
    NO_NODE: number;
    NODE_EXISTS: number;
    CONNECTION_LOSS: number;
    NO_AUTH: number;
    BAD_VERSION: number;
    NOT_EMPTY: number;
  };
  export const Permission: { READ: number; WRITE: number; CREATE: number; DELETE: number; ADMIN: number };
  export function createClient(
    servers: string,
    options?: {
      sessionTimeout?: number;
      spinDelay?: number;
      retries?: number;
      sessionId?: Buffer;
      sessionPassword?: Buffer;
    },
  ): Client;
  const zookeeper: {
    createClient: typeof createClient;
    ACL: typeof ACL;
    Id: typeof Id;
    CreateMode: typeof CreateMode;
    Exception: typeof Exception;
    Permission: typeof Permission;
  };
  export default zookeeper;
}
