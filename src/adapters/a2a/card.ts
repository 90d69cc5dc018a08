// Agent cards at the edges (spec/slimrpc-a2a-mcp.md §2.1, §2.4.2-3; spec/peers.md "A2A gateway
// specifics"):
//   - reading: the SLIMRPC interface is recognised under all three protocolBinding spellings
//     seen in the wild, and its URL as `slim://[host[:port]/]org/ns/name` or bare `org/ns/name`;
//   - writing: we emit the specification's binding URI and `slim://org/ns/name`;
//   - the egress advertises its SLIM service (both A2A versions) instead of the agent's local
//     HTTP endpoints, which mean nothing to a remote caller;
//   - the ingress rewrites every endpoint to the local route (under the external base URL the
//     HTTP edge derives from X-Forwarded-*), serving JSON-RPC v1.0 and v0.3 there, and names the
//     SLIMRPC interface of the target. v1.0 clients get the v1.0 card; v0.3 clients (no
//     `A2A-Version`, or 0.x) get a v0.3 card that also carries `supportedInterfaces`.
import { clone, create, toJson } from '@bufbuild/protobuf';
import type { JsonObject } from '@bufbuild/protobuf';
import { baseName, parseName, sameComponents } from '../../slim/rpc/index.js';
import type { SlimName } from '../../slim/rpc/index.js';
import * as v1 from './gen/a2a/v1_0/a2a_pb.js';
import { cardToV03, majorMinor } from './transcode/card.js';
import { cardToJson } from './v03-json/card.js';

export const SLIMRPC_BINDING = 'https://a2a-protocol.org/bindings/experimental-slimrpc';
const SLIMRPC_SPELLINGS = new Set([SLIMRPC_BINDING, `${SLIMRPC_BINDING}/v1`, 'slimrpc']);

export function isSlimrpcBinding(binding: string): boolean {
  return SLIMRPC_SPELLINGS.has(binding.trim().replace(/\/+$/, '').toLowerCase());
}

/** The SLIM name in an interface URL (`slim://[host[:port]/]org/ns/name` or `org/ns/name`). */
export function parseSlimUrl(url: string): SlimName | undefined {
  let path = url.trim();
  if (/^slim:\/\//i.test(path)) path = path.slice('slim://'.length);
  const parts = path.split('/').filter((s) => s !== '');
  if (parts.length === 4) parts.shift(); // node host[:port]
  if (parts.length !== 3) return undefined;
  try {
    return parseName(parts.join('/'));
  } catch {
    return undefined;
  }
}

export function slimUrl(name: SlimName): string {
  return `slim://${baseName(name)}`;
}

/** The SLIMRPC interfaces (v1.0 and v0.3 services) of the SLIM name serving an agent. */
export function slimInterfaces(name: SlimName): v1.AgentInterface[] {
  return (['1.0', '0.3'] as const).map((protocolVersion) =>
    create(v1.AgentInterfaceSchema, {
      url: slimUrl(name),
      protocolBinding: SLIMRPC_BINDING,
      protocolVersion,
    }),
  );
}

/** The card an egress sends over SLIM: the agent's card with its interfaces replaced by ours. */
export function egressCard(agentCard: v1.AgentCard, name: SlimName): v1.AgentCard {
  const card = clone(v1.AgentCardSchema, agentCard);
  card.supportedInterfaces = slimInterfaces(name);
  return card;
}

/**
 * The card a local client sees at `baseUrl`: JSON-RPC v1.0 and v0.3 at the route, then the SLIMRPC
 * interfaces of `target`. The remote card's own endpoints are not reachable from here: dropped.
 */
export function localCardV1(remote: v1.AgentCard, baseUrl: string, target: SlimName): v1.AgentCard {
  const card = clone(v1.AgentCardSchema, remote);
  // SLIMRPC interfaces of other SLIM names stay (normalised to the spec's spelling); the
  // target's own are replaced by ours.
  const elsewhere = remote.supportedInterfaces.flatMap((i) => {
    const name = isSlimrpcBinding(i.protocolBinding) ? parseSlimUrl(i.url) : undefined;
    if (!name || sameComponents(name, target)) return [];
    return [create(v1.AgentInterfaceSchema, { ...i, url: slimUrl(name), protocolBinding: SLIMRPC_BINDING })];
  });
  card.supportedInterfaces = [
    create(v1.AgentInterfaceSchema, { url: baseUrl, protocolBinding: 'JSONRPC', protocolVersion: '1.0' }),
    create(v1.AgentInterfaceSchema, { url: baseUrl, protocolBinding: 'JSONRPC', protocolVersion: '0.3' }),
    ...slimInterfaces(target),
    ...elsewhere,
  ];
  return card;
}

/** The A2A versions a card says `target` serves over SLIMRPC (empty when it does not say). */
export function slimVersionsOf(card: v1.AgentCard, target: SlimName): Set<'1.0' | '0.3'> {
  const out = new Set<'1.0' | '0.3'>();
  for (const i of card.supportedInterfaces) {
    const name = isSlimrpcBinding(i.protocolBinding) ? parseSlimUrl(i.url) : undefined;
    if (!name || !sameComponents(name, target)) continue;
    const v = majorMinor(i.protocolVersion);
    if (v.startsWith('1.')) out.add('1.0');
    else if (v === '0.3') out.add('0.3');
  }
  return out;
}

/** ProtoJSON of the v1.0 card. */
export function cardJsonV1(card: v1.AgentCard): JsonObject {
  return toJson(v1.AgentCardSchema, card) as JsonObject;
}

/** The v0.3 card JSON (url/preferredTransport/additionalInterfaces), with `supportedInterfaces` too. */
export function cardJsonV03(card: v1.AgentCard): JsonObject {
  const v03 = cardToJson(cardToV03(card)) as JsonObject;
  v03['supportedInterfaces'] = (cardJsonV1(card)['supportedInterfaces'] ?? []) as JsonObject[];
  return v03;
}

/** True when the client asked for a v1.x card (`A2A-Version: 1.x`); absent means 0.3. */
export function wantsV1(versionHeader: string | undefined): boolean {
  return versionHeader !== undefined && /^\s*[1-9]/.test(versionHeader);
}
