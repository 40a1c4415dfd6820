export interface RouteCount {
  method: string;
  route: string;
  count: number;
  /** Answers by HTTP status. */
  statuses: Record<string, number>;
}

export interface RequestCounts {
  total: number;
  /** Platform API (`/api/v2/…`) requests with a method other than GET/HEAD/OPTIONS, whatever their answer; logins are not writes. */
  writes: number;
  routes: RouteCount[];
}

const READS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Counts Platform API requests per method and route pattern, so tests can assert "zero writes". */
export class RequestCounter {
  private readonly byRoute = new Map<string, RouteCount>();

  record(method: string, route: string, status: number): void {
    const key = `${method} ${route}`;
    let c = this.byRoute.get(key);
    if (!c) {
      c = { method, route, count: 0, statuses: {} };
      this.byRoute.set(key, c);
    }
    c.count += 1;
    c.statuses[String(status)] = (c.statuses[String(status)] ?? 0) + 1;
  }

  snapshot(): RequestCounts {
    const routes = [...this.byRoute.values()].map((r) => ({ ...r, statuses: { ...r.statuses } }));
    routes.sort((a, b) => a.route.localeCompare(b.route) || a.method.localeCompare(b.method));
    return {
      total: routes.reduce((n, r) => n + r.count, 0),
      writes: routes
        .filter((r) => !READS.has(r.method) && r.route.startsWith('/api/v2/'))
        .reduce((n, r) => n + r.count, 0),
      routes,
    };
  }

  reset(): void {
    this.byRoute.clear();
  }
}
