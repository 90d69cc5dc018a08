// examples/kubernetes as `kubectl apply` would read it: every manifest parses, every object names
// its kind and itself; every gateway configuration embedded in a ConfigMap passes `check` with the
// environment and the volumes its container gets (the example Secrets' and ConfigMaps' placeholders
// replaced by real keys and tokens, as identities.yaml says to; as shipped, the placeholders are
// refused), with a JWT identity and the keys it trusts; each gateway container's
// probes ask /readyz and /healthz on the port its configuration listens on; the node's Service
// points at the port the node listens on; every container asks for resources.
import { test } from 'node:test';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { checkConfigFile } from '../../src/config/load.js';
import type { GatewayConfig } from '../../src/config/types.js';
import { REPO_ROOT } from '../support/paths.js';

const DIR = join(REPO_ROOT, 'examples', 'kubernetes');

interface Obj {
  apiVersion: string;
  kind: string;
  metadata: { name: string };
  data?: Record<string, string>;
  stringData?: Record<string, string>;
  spec?: Record<string, unknown>;
}
interface Container {
  name: string;
  image: string;
  args?: string[];
  command?: string[];
  env?: { name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } }[];
  ports?: { name?: string; containerPort: number }[];
  readinessProbe?: {
    httpGet?: { path: string; port: string | number };
    tcpSocket?: { port: string | number };
  };
  livenessProbe?: {
    httpGet?: { path: string; port: string | number };
    tcpSocket?: { port: string | number };
  };
  resources?: { requests?: { cpu?: string; memory?: string } };
  volumeMounts?: { name: string; mountPath: string }[];
}
interface PodSpec {
  containers: Container[];
  volumes?: { name: string; configMap?: { name: string }; secret?: { secretName: string } }[];
}

/** What `kubectl create` would be given per the comments of identities.yaml: real keys. */
function identityFiles(): Map<string, Record<string, string>> {
  const jwks: object[] = [];
  const keyOf = (subject: string) => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    jwks.push({ ...publicKey.export({ format: 'jwk' }), kid: subject, alg: 'ES256', use: 'sig' });
    return privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
  };
  const files = new Map<string, Record<string, string>>([
    ['slim-jwt-server', { 'key.pem': keyOf('acme/demo/server-gateway') }],
    ['slim-jwt-client', { 'key.pem': keyOf('acme/demo/client-gateway') }],
  ]);
  files.set('slim-jwt-trust', { 'peers.jwks.json': JSON.stringify({ keys: jwks }) });
  return files;
}

function manifests(): Obj[] {
  const out: Obj[] = [];
  for (const file of readdirSync(DIR).filter((f) => f.endsWith('.yaml'))) {
    for (const doc of parseAllDocuments(readFileSync(join(DIR, file), 'utf8'))) {
      assert.deepEqual(doc.errors, [], `${file}: ${doc.errors.map((e) => e.message).join('; ')}`);
      const obj = doc.toJS() as Obj;
      assert.ok(obj.apiVersion && obj.kind && obj.metadata?.name, `${file}: an object without kind or name`);
      out.push(obj);
    }
  }
  return out;
}

const podOf = (d: Obj) => (d.spec as { template: { spec: PodSpec } }).template.spec;
const portNumber = (c: Container, port: string | number) =>
  typeof port === 'number' ? port : c.ports?.find((p) => p.name === port)?.containerPort;

test('every manifest parses, names its kind and itself, once', () => {
  const all = manifests();
  const kinds = all.map((o) => `${o.kind}/${o.metadata.name}`);
  assert.equal(new Set(kinds).size, kinds.length, kinds.join(', '));
  for (const want of [
    'Deployment/slim-node',
    'Service/slim-node',
    'Deployment/everything-mcp',
    'Deployment/mcp-client',
  ])
    assert.ok(kinds.includes(want), want);
  assert.ok(all.filter((o) => o.kind === 'Secret').length >= 2);
});

test('every embedded gateway configuration passes check with its container environment; probes match it', () => {
  const all = manifests();
  const secrets = new Map(
    all.filter((o) => o.kind === 'Secret').map((o) => [o.metadata.name, o.stringData ?? {}]),
  );
  const configMaps = new Map(
    all.filter((o) => o.kind === 'ConfigMap').map((o) => [o.metadata.name, o.data ?? {}]),
  );
  const keys = identityFiles();
  const dir = mkdtempSync(join(tmpdir(), 'slim-gw-k8s-'));
  let checked = 0;
  try {
    for (const d of all.filter((o) => o.kind === 'Deployment')) {
      const pod = podOf(d);
      for (const c of pod.containers) {
        const args = [...(c.command ?? []), ...(c.args ?? [])];
        assert.ok(
          c.resources?.requests?.cpu && c.resources.requests.memory,
          `${d.metadata.name}/${c.name}: requests`,
        );
        if (args[0] !== 'run') continue;
        const file = args[args.indexOf('--config') + 1]!;
        // Every mounted volume as a folder here: the configuration's, and the identity files.
        let text = '';
        const mounts: [string, string][] = [];
        for (const m of c.volumeMounts ?? []) {
          const volume = pod.volumes!.find((v) => v.name === m.name)!;
          const source = volume.configMap?.name ?? volume.secret!.secretName;
          const shipped = configMaps.get(source) ?? secrets.get(source)!;
          const folder = join(dir, `${d.metadata.name}-${m.name}`);
          mkdirSync(folder);
          if (file.startsWith(`${m.mountPath}/`)) text = shipped[file.slice(m.mountPath.length + 1)]!;
          else {
            assert.ok(
              Object.values(shipped).every((v) => v.startsWith('REPLACE-ME')),
              `${source}: placeholders only`,
            );
            assert.deepEqual(Object.keys(keys.get(source)!), Object.keys(shipped), source);
            for (const [name, content] of Object.entries(keys.get(source)!))
              writeFileSync(join(folder, name), content);
          }
          mounts.push([m.mountPath, folder]);
        }
        for (const [mountPath, folder] of mounts) text = text.replaceAll(`${mountPath}/`, `${folder}/`);
        const env: Record<string, string> = {};
        for (const e of c.env ?? []) {
          const ref = e.valueFrom?.secretKeyRef;
          env[e.name] = ref ? secrets.get(ref.name)![ref.key]! : e.value!;
        }
        const path = join(dir, `${d.metadata.name}-${c.name}.yaml`);
        writeFileSync(path, text);
        const placeholders = checkConfigFile(path, env);
        assert.ok(!placeholders.ok, 'a placeholder token must not pass for a real one');
        for (const [k, v] of Object.entries(env))
          if (v.startsWith('REPLACE-ME')) env[k] = randomBytes(32).toString('hex');
        const r = checkConfigFile(path, env);
        assert.ok(
          r.ok,
          `${d.metadata.name}/${c.name}: ${r.ok ? '' : r.problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`,
        );
        const config: GatewayConfig = r.config;
        checked++;
        assert.equal(c.readinessProbe?.httpGet?.path, '/readyz');
        assert.equal(c.livenessProbe?.httpGet?.path, '/healthz');
        assert.equal(portNumber(c, c.readinessProbe.httpGet.port), config.http.listen.port);
        assert.equal(portNumber(c, c.livenessProbe.httpGet.port), config.http.listen.port);
        // Probes come from the kubelet, at the pod's address.
        assert.equal(config.http.listen.host, '0.0.0.0');
        assert.ok(config.http.bearerTokens.length > 0, 'a non-loopback listener needs a token');
        assert.equal(config.slim.node.kind === 'remote' && config.slim.node.url, 'http://slim-node:46357');
        const id = config.slim.identity;
        assert.ok(
          id.kind === 'jwt' && id.keyFile && id.trust.keyFiles.length === 1,
          'a JWT identity, and the keys it trusts',
        );
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  assert.equal(checked, 2, 'the server-side and the client-side gateway');
});

test("the node's Service reaches the port the node listens on", () => {
  const all = manifests();
  const node = podOf(all.find((o) => o.kind === 'Deployment' && o.metadata.name === 'slim-node')!)
    .containers[0]!;
  const listen = node.args![node.args!.indexOf('--listen') + 1]!;
  const port = Number(listen.split(':')[1]);
  assert.equal(node.args![0], 'node');
  // The image's launcher, with the launcher's flags but the young-generation cap (a gateway's).
  const entrypoint = /^ENTRYPOINT (.*)$/m.exec(readFileSync(join(REPO_ROOT, 'Dockerfile'), 'utf8'))!;
  const launcher = JSON.parse(entrypoint[1]!) as string[];
  assert.deepEqual(
    node.command,
    launcher.filter((a) => !a.startsWith('--max-semi-space-size=')),
  );
  assert.ok(
    launcher.some((a) => a.startsWith('--max-semi-space-size=')),
    'the gateways keep the cap',
  );
  assert.equal(portNumber(node, node.readinessProbe!.tcpSocket!.port), port);
  const service = all.find((o) => o.kind === 'Service' && o.metadata.name === 'slim-node')!;
  const ports = (service.spec as { ports: { port: number; targetPort: string | number }[] }).ports;
  assert.equal(ports[0]!.port, port);
  assert.equal(portNumber(node, ports[0]!.targetPort), port);
});
