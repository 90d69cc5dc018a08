// Pure reads of an MLS group state (RFC 9420 §7, ts-mls ClientState) for group.ts: its members
// (leaf index and SLIM identity, cached per immutable state), the leaf at an index, the member a
// remove names, the group-id check, the sender of a message ts-mls just decrypted, and zeroing the
// secrets a previous state no longer needs. No group state is changed here (only the secrets
// handed back for zeroing are overwritten).
import type { CiphersuiteImpl, ClientState, LeafNode, MlsMessageProtocol, MlsPrivateMessage } from 'ts-mls';
import { decryptSenderData } from 'ts-mls/privateMessage.js';
import { GatewayError } from '../../util/errors.js';
import { credentialIdentity } from './credentials.js';

export interface Member {
  readonly leafIndex: number;
  readonly identity: string;
}

const membersCache = new WeakMap<ClientState, Member[]>();

export function members(state: ClientState): Member[] {
  let list = membersCache.get(state);
  if (!list) {
    list = [];
    for (let node = 0; node < state.ratchetTree.length; node += 2) {
      const n = state.ratchetTree[node];
      if (n?.nodeType === 'leaf')
        list.push({ leafIndex: node / 2, identity: credentialIdentity(n.leaf.credential) });
    }
    membersCache.set(state, list);
  }
  return list;
}

export function leafAt(tree: ClientState['ratchetTree'], leafIndex: number): LeafNode | undefined {
  const n = tree[leafIndex * 2];
  return n?.nodeType === 'leaf' ? n.leaf : undefined;
}

/**
 * Secrets the previous state no longer needs (ts-mls hands them back for zeroing). Zeroed
 * directly: ts-mls's zeroOutUint8Array draws random bytes first and then zeroes them, which cost
 * a random-number call per secret, several per message.
 */
export function forget(consumed: Uint8Array[]): void {
  for (const secret of consumed) secret.fill(0);
}

/** The leaf of the member with `identity`, which must not be the group's own (the owner). */
export function findMember(state: ClientState, identity: string): number {
  const member = members(state).find((m) => m.identity === identity);
  if (!member) throw new GatewayError('NOT_FOUND', 'no member with this identity in the group');
  if (member.leafIndex === state.privatePath.leafIndex) {
    throw new GatewayError('INVALID_ARGUMENT', 'the group owner cannot remove itself');
  }
  return member.leafIndex;
}

export function checkGroup(state: ClientState, groupId: Uint8Array): void {
  if (!Buffer.from(groupId).equals(Buffer.from(state.groupContext.groupId))) {
    throw new GatewayError('MLS', 'message for another group');
  }
}

/**
 * Sender of an application message that just decrypted (ts-mls does not return it). ts-mls
 * replaces exactly the sender's node of the secret tree (copy on write), so comparing the two
 * trees finds it without any crypto; if that ever fails to single out one node, the sender data
 * is decrypted again.
 */
export async function senderOf(
  before: ClientState,
  after: ClientState,
  msg: MlsMessageProtocol & MlsPrivateMessage,
  cs: CiphersuiteImpl,
) {
  const pm = msg.privateMessage;
  const current = pm.epoch === before.groupContext.epoch;
  const old = current ? before : before.historicalReceiverData.get(pm.epoch);
  const now = current ? after : after.historicalReceiverData.get(pm.epoch);
  if (!old || !now) return '';
  let sender = -1;
  for (let node = 0; node < old.secretTree.length; node += 2) {
    if (old.secretTree[node] === now.secretTree[node]) continue;
    sender = sender === -1 ? node / 2 : -2;
  }
  if (sender < 0) {
    const secret = 'keySchedule' in old ? old.keySchedule.senderDataSecret : old.senderDataSecret;
    const senderData = await decryptSenderData(pm, secret, cs);
    sender = senderData?.leafIndex ?? -1;
  }
  const leaf = sender >= 0 ? leafAt(old.ratchetTree, sender) : undefined;
  return leaf ? credentialIdentity(leaf.credential) : '';
}
