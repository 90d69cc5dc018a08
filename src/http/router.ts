// Route matching for the HTTP edge: a request path belongs to the mount with the longest path that
// equals it or is a whole-segment prefix of it (`/mcp/a` serves `/mcp/a` and `/mcp/a/x`, never
// `/mcp/ab`). Pure; the edge keeps one table and swaps entries on reload.

export interface Match<T> {
  readonly path: string;
  readonly value: T;
  /** The rest of the request path below the mount: '' or starting with '/'. */
  readonly subpath: string;
}

export class RouteTable<T> {
  private readonly entries = new Map<string, T>();
  /** Mount paths, longest first (so the first hit is the longest match). */
  private order: string[] = [];

  set(path: string, value: T): void {
    this.entries.set(path, value);
    this.order = [...this.entries.keys()].sort((a, b) => b.length - a.length);
  }

  delete(path: string): boolean {
    const had = this.entries.delete(path);
    this.order = this.order.filter((p) => p !== path);
    return had;
  }

  get(path: string): T | undefined {
    return this.entries.get(path);
  }

  paths(): string[] {
    return [...this.entries.keys()].sort();
  }

  match(pathname: string): Match<T> | undefined {
    for (const path of this.order) {
      if (pathname === path || pathname.startsWith(`${path}/`))
        return { path, value: this.entries.get(path)!, subpath: pathname.slice(path.length) };
    }
    return undefined;
  }
}
