// Checks that span several fields, run on the raw document (after variable expansion) whether or
// not the schema accepted it, so a file with a typo and a duplicate route reports both at once.
// Every check is defensive: a field of the wrong type is the schema's problem, not ours.
import { isLoopbackHost, parseHostPort } from './host-port.js';
import type { ConfigPath } from './problems.js';

export interface RawProblem {
  readonly path: ConfigPath;
  readonly message: string;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const has = (o: Obj, k: string) => o[k] !== undefined && o[k] !== null;

export function crossCheck(raw: unknown): RawProblem[] {
  const out: RawProblem[] = [];
  const add = (path: ConfigPath, message: string) => out.push({ path, message });
  if (!isObj(raw)) return out;
  const slim = isObj(raw['slim']) ? raw['slim'] : {};
  const http = isObj(raw['http']) ? raw['http'] : {};

  // slim: the embedded node's listen address and TLS to a remote node.
  const node = typeof slim['node'] === 'string' ? slim['node'] : 'embedded';
  if (node !== 'embedded' && has(slim, 'listen'))
    add(['slim', 'listen'], 'listen applies only to node: embedded (remove it, or set node: embedded)');
  const server = isObj(slim['server']) ? slim['server'] : undefined;
  if (node !== 'embedded' && server)
    add(['slim', 'server'], "server applies only to node: embedded (it is the embedded node's listener)");
  // With node: embedded, slim.tls is how `slim-gateway stdio` trusts the node's own certificate.
  const servesTls = node === 'embedded' && server !== undefined && isObj(server['tls']);
  if (isObj(slim['tls'])) {
    if (!node.startsWith('https://') && !servesTls)
      add(['slim', 'tls'], 'tls applies only to an https:// node URL (or an embedded node with server.tls)');
    if (has(slim['tls'], 'certFile') !== has(slim['tls'], 'keyFile'))
      add(['slim', 'tls'], 'certFile and keyFile go together (mTLS needs both)');
  }

  // slim: exactly one identity; jwt signs with a key or presents a token file; trust goes with jwt.
  if (has(slim, 'sharedSecret') && has(slim, 'jwt'))
    add(['slim', 'jwt'], 'use either sharedSecret (development) or jwt, not both');
  else if (!has(slim, 'sharedSecret') && !has(slim, 'jwt') && isObj(raw['slim']))
    add(['slim', 'sharedSecret'], 'an identity is required: sharedSecret (development) or jwt');
  if (isObj(slim['jwt'])) {
    const jwt = slim['jwt'];
    if (has(jwt, 'keyFile') === has(jwt, 'tokenFile'))
      add(
        ['slim', 'jwt'],
        'give exactly one of keyFile (we sign our tokens) or tokenFile (an IdP issued it)',
      );
    if (!isObj(slim['trust'])) add(['slim', 'trust'], 'required with jwt: whose tokens this gateway accepts');
  }
  if (isObj(slim['trust'])) {
    const trust = slim['trust'];
    if (!has(slim, 'jwt')) add(['slim', 'trust'], 'trust applies only with jwt');
    if (list(trust['keyFiles']).length === 0 && !has(trust, 'jwksUrl'))
      add(['slim', 'trust'], 'give keyFiles or a jwksUrl: the keys whose tokens this gateway accepts');
  }

  // JWT on links: our tokens come from slim.jwt, the ones we accept are those slim.trust accepts.
  if (isObj(slim['nodeAuth']) && has(slim['nodeAuth'], 'jwt') && !isObj(slim['jwt']))
    add(['slim', 'nodeAuth', 'jwt'], 'needs slim.jwt: the identity whose tokens the link presents');
  if (server && isObj(server['auth']) && has(server['auth'], 'jwt') && !isObj(slim['trust']))
    add(['slim', 'server', 'auth', 'jwt'], 'needs slim.trust (and slim.jwt): whose tokens the node accepts');

  // http: local endpoints stay local unless the file says otherwise.
  if (typeof http['listen'] === 'string' && http['allowNonLoopback'] !== true) {
    const hp = parseHostPort(http['listen']);
    if (typeof hp !== 'string' && !isLoopbackHost(hp.host))
      add(
        ['http', 'listen'],
        `${http['listen']} is not a loopback address: anyone who can reach it could use your SLIM services; ` +
          'set http.allowNonLoopback: true (and http.bearerTokens) to expose the endpoints',
      );
  }
  const headersMs = http['headersTimeoutMs'];
  const requestMs = http['requestTimeoutMs'];
  if (
    typeof headersMs === 'number' &&
    typeof requestMs === 'number' &&
    requestMs > 0 &&
    headersMs > requestMs
  )
    add(['http', 'headersTimeoutMs'], 'must not exceed requestTimeoutMs');

  // services: one backend each, coherent keys, unique names distinct from the gateway's own.
  const serviceNames = new Map<string, number>();
  list(raw['services']).forEach((svc, i) => {
    if (!isObj(svc)) return;
    const at = (...p: (string | number)[]): ConfigPath => ['services', i, ...p];
    const kinds = ['mcp', 'a2a'].filter((k) => has(svc, k));
    if (kinds.length !== 1)
      add(
        at(),
        kinds.length === 0
          ? 'needs one of mcp or a2a'
          : 'has both mcp and a2a: pick one (or make two services)',
      );
    const mcp = svc['mcp'];
    if (isObj(mcp)) {
      const stdio = has(mcp, 'command');
      const url = has(mcp, 'url');
      if (stdio === url)
        add(at('mcp'), stdio ? 'has both command and url: pick one' : 'needs command (stdio) or url (HTTP)');
      for (const k of ['args', 'env', 'cwd'])
        if (!stdio && url && has(mcp, k)) add(at('mcp', k), `${k} applies only to a stdio server (command)`);
      if (stdio && has(mcp, 'headers'))
        add(at('mcp', 'headers'), 'headers apply only to an HTTP server (url)');
    }
    if (has(svc, 'spawn')) {
      const hasUrl = (isObj(mcp) && has(mcp, 'url')) || (isObj(svc['a2a']) && has(svc['a2a'], 'url'));
      if (!hasUrl)
        add(at('spawn'), 'spawn needs a service with a url (a stdio MCP server is spawned by mcp.command)');
    }
    if (has(svc, 'tools') && !isObj(mcp))
      add(at('tools'), 'tools applies only to an MCP service (an A2A agent has no tools)');
    const name = svc['name'];
    if (typeof name === 'string') {
      const first = serviceNames.get(name);
      if (first !== undefined) add(at('name'), `duplicate service name "${name}" (also services[${first}])`);
      else serviceNames.set(name, i);
      if (name === slim['name'])
        add(at('name'), `"${name}" is the gateway's own slim.name: give the service a name of its own`);
    }
  });

  // routes: one protocol each, unique paths, no member twice in a group.
  const paths = new Map<string, number>();
  list(raw['routes']).forEach((route, i) => {
    if (!isObj(route)) return;
    const kinds = ['mcp', 'a2a'].filter((k) => has(route, k));
    if (kinds.length !== 1)
      add(['routes', i], kinds.length === 0 ? 'needs one of mcp or a2a' : 'has both mcp and a2a: pick one');
    if (has(route, 'tools') && !has(route, 'mcp'))
      add(['routes', i, 'tools'], 'tools applies only to an MCP route');
    const path = route['path'];
    if (typeof path === 'string') {
      const first = paths.get(path);
      if (first !== undefined)
        add(['routes', i, 'path'], `duplicate route path "${path}" (also routes[${first}])`);
      else paths.set(path, i);
    }
    for (const kind of kinds) {
      const target = route[kind];
      if (!isObj(target)) continue;
      const seen = new Set<unknown>();
      list(target['group']).forEach((member, j) => {
        if (seen.has(member))
          add(['routes', i, kind, 'group', j], `"${String(member)}" is already a member of this group`);
        seen.add(member);
      });
    }
  });
  return out;
}
