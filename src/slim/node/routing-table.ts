// The node's connection and subscription tables as a pure module: no I/O, no clocks; the node
// shell feeds it events and acts on its answers (spec/slim-dataplane.md §7, §8, §9).
// Routing rules, as the reference: a name is (c0, c1, c2, id); an exact id reaches only
// subscribers of that id, the NULL id reaches any id under the prefix; fanout 1 picks one
// connection round robin (local connections before remote ones), any other fanout reaches every
// matching connection once; the ingress connection is never a candidate.
// Where we differ: subscription records are keyed per (connection, subscription id, name), so
// clients reusing ids (or id 0) cannot disturb each other, and a connection's routes all go with it.

export type ConnectionKind = 'local' | 'remote';

/** The routing key of a Name: hashed components plus the 128-bit id. */
export interface RouteName {
  c0: bigint;
  c1: bigint;
  c2: bigint;
  id: bigint;
}

export const NULL_NAME_ID = (1n << 128n) - 1n;

export type TableResult = { ok: true } | { ok: false; error: string };

class ConnList {
  readonly local: number[] = [];
  readonly remote: number[] = [];
  cursor = 0;

  list(kind: ConnectionKind): number[] {
    return kind === 'local' ? this.local : this.remote;
  }
  get empty(): boolean {
    return this.local.length === 0 && this.remote.length === 0;
  }
  /** One connection other than `skip`, round robin, local ones first. */
  pick(skip: number): number | undefined {
    for (const l of [this.local, this.remote]) {
      const n = l.length;
      for (let i = 0; i < n; i++) {
        const c = l[this.cursor++ % n]!;
        if (c !== skip) return c;
      }
    }
    return undefined;
  }
  all(skip: number, out: number[]): void {
    for (const c of this.local) if (c !== skip) out.push(c);
    for (const c of this.remote) if (c !== skip) out.push(c);
  }
}

class PrefixEntry {
  readonly byId = new Map<bigint, ConnList>();
  /** Every connection subscribed to any id under this prefix, each once. */
  readonly any = new ConnList();
  /** For each connection, how many ids under this prefix it holds. */
  readonly idsPerConn = new Map<number, number>();
}

interface Connection {
  kind: ConnectionKind;
  /** subscription record (id and name) -> route key */
  records: Map<string, string>;
  /** route key -> the name and how many records hold it */
  routes: Map<string, { name: RouteName; refs: number }>;
}

function nameKey(n: RouteName): string {
  return `${n.c0}/${n.c1}/${n.c2}/${n.id}`;
}

function remove(list: number[], c: number): void {
  const i = list.indexOf(c);
  if (i >= 0) list.splice(i, 1);
}

export class RoutingTable {
  private readonly prefixes = new Map<bigint, Map<bigint, Map<bigint, PrefixEntry>>>();
  private readonly conns = new Map<number, Connection>();
  /** Subscription records of remote connections, kept as they change (the node's cap counts them). */
  private remote = 0;

  addConnection(conn: number, kind: ConnectionKind): void {
    if (this.conns.has(conn)) throw new Error(`connection ${conn} already in the table`);
    this.conns.set(conn, { kind, records: new Map(), routes: new Map() });
  }

  hasConnection(conn: number): boolean {
    return this.conns.has(conn);
  }

  /** Drops a connection and every route it held; returns how many subscriptions went with it. */
  removeConnection(conn: number): number {
    const c = this.conns.get(conn);
    if (!c) return 0;
    for (const r of c.routes.values()) this.unroute(conn, c.kind, r.name);
    this.conns.delete(conn);
    if (c.kind === 'remote') this.remote -= c.records.size;
    return c.records.size;
  }

  subscribe(conn: number, name: RouteName, subscriptionId: bigint): TableResult {
    const c = this.conns.get(conn);
    if (!c) return { ok: false, error: `connection id not found: ${conn}` };
    const rk = nameKey(name);
    const recordKey = `${subscriptionId}|${rk}`;
    if (c.records.has(recordKey)) return { ok: true };
    c.records.set(recordKey, rk);
    if (c.kind === 'remote') this.remote++;
    const r = c.routes.get(rk);
    if (r) r.refs++;
    else {
      c.routes.set(rk, { name, refs: 1 });
      this.route(conn, c.kind, name);
    }
    return { ok: true };
  }

  unsubscribe(conn: number, name: RouteName, subscriptionId: bigint): TableResult {
    const c = this.conns.get(conn);
    if (!c) return { ok: false, error: `connection id not found: ${conn}` };
    const rk = nameKey(name);
    if (!c.records.delete(`${subscriptionId}|${rk}`)) {
      return { ok: false, error: `subscription id not found: ${subscriptionId}` };
    }
    if (c.kind === 'remote') this.remote--;
    const r = c.routes.get(rk)!;
    if (--r.refs === 0) {
      c.routes.delete(rk);
      this.unroute(conn, c.kind, r.name);
    }
    return { ok: true };
  }

  /**
   * Connections a frame to `dest` with `fanout` goes to, never `ingress`. Empty when no route.
   */
  match(dest: RouteName, fanout: number, ingress: number): number[] {
    const entry = this.prefixes.get(dest.c0)?.get(dest.c1)?.get(dest.c2);
    if (!entry) return [];
    const list = dest.id === NULL_NAME_ID ? entry.any : entry.byId.get(dest.id);
    if (!list) return [];
    if (fanout === 1) {
      const one = list.pick(ingress);
      return one === undefined ? [] : [one];
    }
    const out: number[] = [];
    list.all(ingress, out);
    return out;
  }

  get connectionCount(): number {
    return this.conns.size;
  }

  /** Whether `conn` already holds this subscription record (a repeat adds nothing). */
  holds(conn: number, name: RouteName, subscriptionId: bigint): boolean {
    return this.conns.get(conn)?.records.has(`${subscriptionId}|${nameKey(name)}`) ?? false;
  }

  /** Subscription records `conn` holds. */
  subscriptionsOf(conn: number): number {
    return this.conns.get(conn)?.records.size ?? 0;
  }

  /** Subscription records of every remote connection together. */
  get remoteSubscriptionCount(): number {
    return this.remote;
  }

  get subscriptionCount(): number {
    let n = 0;
    for (const c of this.conns.values()) n += c.records.size;
    return n;
  }

  private entry(name: RouteName, create: boolean): PrefixEntry | undefined {
    let l1 = this.prefixes.get(name.c0);
    if (!l1) {
      if (!create) return undefined;
      this.prefixes.set(name.c0, (l1 = new Map()));
    }
    let l2 = l1.get(name.c1);
    if (!l2) {
      if (!create) return undefined;
      l1.set(name.c1, (l2 = new Map()));
    }
    let e = l2.get(name.c2);
    if (!e && create) l2.set(name.c2, (e = new PrefixEntry()));
    return e;
  }

  private route(conn: number, kind: ConnectionKind, name: RouteName): void {
    const e = this.entry(name, true)!;
    let list = e.byId.get(name.id);
    if (!list) e.byId.set(name.id, (list = new ConnList()));
    list.list(kind).push(conn);
    const n = e.idsPerConn.get(conn) ?? 0;
    e.idsPerConn.set(conn, n + 1);
    if (n === 0) e.any.list(kind).push(conn);
  }

  private unroute(conn: number, kind: ConnectionKind, name: RouteName): void {
    const e = this.entry(name, false);
    const list = e?.byId.get(name.id);
    if (!e || !list) return;
    remove(list.list(kind), conn);
    if (list.empty) e.byId.delete(name.id);
    const n = (e.idsPerConn.get(conn) ?? 1) - 1;
    if (n > 0) e.idsPerConn.set(conn, n);
    else {
      e.idsPerConn.delete(conn);
      remove(e.any.list(kind), conn);
    }
    if (e.byId.size === 0) {
      const l1 = this.prefixes.get(name.c0)!;
      const l2 = l1.get(name.c1)!;
      l2.delete(name.c2);
      if (l2.size === 0) l1.delete(name.c1);
      if (l1.size === 0) this.prefixes.delete(name.c0);
    }
  }
}
