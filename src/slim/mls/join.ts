// Joining a group from a Welcome (RFC 9420 §12.4.3.1), built on ts-mls's own building blocks.
// Why not ts-mls's joinGroup: its ratchet-tree validation (1.6.4) demands that every non-blank
// node on an unmerged leaf's direct path carry the SAME unmerged_leaves list, where RFC 9420
// §7.9.2 only asks that the nodes between the leaf and the parent listing it INCLUDE the leaf.
// Trees where two leaves were added at different depths after a commit with a path (the
// reference adds without a path and removes with one, so any add after a remove can produce
// them) are valid, yet ts-mls refuses the Welcome. This module performs every check ts-mls
// performs, with the unmerged-leaf rule as the RFC states it. SLIM uses no PSKs, no resumption
// and no group-context extensions; a Welcome relying on them is refused.
import type {
  CiphersuiteImpl,
  ClientConfig,
  ClientState,
  KeyPackage,
  PrivateKeyPackage,
  RatchetTree,
  Welcome,
} from 'ts-mls';
import { extensionsSupportedByCapabilities } from 'ts-mls/extension.js';
import {
  ratchetTreeFromExtension,
  verifyGroupInfoConfirmationTag,
  verifyGroupInfoSignature,
} from 'ts-mls/groupInfo.js';
import { makeKeyPackageRef } from 'ts-mls/keyPackage.js';
import { deriveKeySchedule } from 'ts-mls/keySchedule.js';
import { verifyLeafNodeSignature, verifyLeafNodeSignatureKeyPackage } from 'ts-mls/leafNode.js';
import type { LeafNode } from 'ts-mls';
import { verifyParentHashes } from 'ts-mls/parentHash.js';
import { pathToRoot } from 'ts-mls/pathSecrets.js';
import { mergePrivateKeyPaths, toPrivateKeyPath } from 'ts-mls/privateKeyPath.js';
import { createSecretTree } from 'ts-mls/secretTree.js';
import { treeHashRoot } from 'ts-mls/treeHash.js';
import { directPath, leafWidth, toLeafIndex, toNodeIndex } from 'ts-mls/treemath.js';
import { firstCommonAncestor } from 'ts-mls/updatePath.js';
import { decryptGroupInfo, decryptGroupSecrets } from 'ts-mls/welcome.js';
import { zeroOutUint8Array } from 'ts-mls';
import { GatewayError } from '../../util/errors.js';

const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64');
const fail = (reason: string): never => {
  throw new GatewayError('MLS', `Welcome refused: ${reason}`);
};
/** A credential the authentication service refused (the caller adds its reason). */
const refuse = (reason: string): never => {
  throw new GatewayError('AUTH', `Welcome refused: ${reason}`);
};

export async function joinFromWelcome(
  welcome: Welcome,
  keyPackage: KeyPackage,
  privateKeys: PrivateKeyPackage,
  cs: CiphersuiteImpl,
  clientConfig: ClientConfig,
): Promise<ClientState> {
  const ref = await makeKeyPackageRef(keyPackage, cs.hash);
  const initKey = await cs.hpke.importPrivateKey(privateKeys.initPrivateKey);
  const secrets =
    (await decryptGroupSecrets(initKey, ref, welcome, cs.hpke)) ??
    fail('no group secrets for our KeyPackage');
  if (secrets.psks.length > 0) fail('pre-shared keys are not used by SLIM');
  const pskSecret = new Uint8Array(cs.kdf.size);
  const gi =
    (await decryptGroupInfo(welcome, secrets.joinerSecret, pskSecret, cs)) ??
    fail('GroupInfo does not decrypt');
  const gc = gi.groupContext;
  if (gc.cipherSuite !== keyPackage.cipherSuite) fail('ciphersuite differs from our KeyPackage');
  if (gc.extensions.length > 0) fail('group context extensions are not part of the SLIM profile');
  if (!extensionsSupportedByCapabilities(gc.extensions, keyPackage.leafNode.capabilities))
    fail('unsupported extensions');

  const tree = ratchetTreeFromExtension(gi) ?? fail('no ratchet_tree extension');
  const signer = leafAt(tree, gi.signer) ?? fail('GroupInfo signer is not a member');
  if (!(await clientConfig.authService.validateCredential(signer.credential, signer.signaturePublicKey))) {
    refuse('GroupInfo signer credential rejected');
  }
  if (!(await verifyGroupInfoSignature(gi, signer.signaturePublicKey, cs.signature)))
    fail('GroupInfo signature');
  await validateTree(tree, gc.groupId, gc.treeHash, clientConfig, cs);

  const own = findOwnLeaf(tree, keyPackage.leafNode) ?? fail('our leaf is not in the tree');
  const ownPath = { leafIndex: own, privateKeys: { [own * 2]: privateKeys.hpkePrivateKey } };
  const privatePath =
    secrets.pathSecret === undefined
      ? ownPath
      : mergePrivateKeyPaths(
          await toPrivateKeyPath(
            await pathToRoot(
              tree,
              firstCommonAncestor(tree, toLeafIndex(own), toLeafIndex(gi.signer)),
              secrets.pathSecret,
              cs.kdf,
            ),
            own,
            cs,
          ),
          ownPath,
        );
  const [keySchedule, encryptionSecret] = await deriveKeySchedule(
    secrets.joinerSecret,
    pskSecret,
    gc,
    cs.kdf,
  );
  if (!(await verifyGroupInfoConfirmationTag(gi, secrets.joinerSecret, pskSecret, cs)))
    fail('confirmation tag');
  const secretTree = await createSecretTree(leafWidth(tree.length), encryptionSecret, cs.kdf);
  zeroOutUint8Array(encryptionSecret);
  zeroOutUint8Array(secrets.joinerSecret);
  return {
    groupContext: gc,
    ratchetTree: tree,
    privatePath,
    signaturePrivateKey: privateKeys.signaturePrivateKey,
    confirmationTag: gi.confirmationTag,
    unappliedProposals: {},
    keySchedule,
    secretTree,
    historicalReceiverData: new Map(),
    groupActiveState: { kind: 'active' },
    clientConfig,
  };
}

function leafAt(tree: RatchetTree, leafIndex: number): LeafNode | undefined {
  const n = tree[leafIndex * 2];
  return n?.nodeType === 'leaf' ? n.leaf : undefined;
}

/** Our leaf: the one carrying our KeyPackage's encryption and signature keys (both unique). */
function findOwnLeaf(tree: RatchetTree, ours: LeafNode): number | undefined {
  const hpke = b64(ours.hpkePublicKey);
  const sig = b64(ours.signaturePublicKey);
  for (let i = 0; i < tree.length; i += 2) {
    const n = tree[i];
    if (
      n?.nodeType === 'leaf' &&
      b64(n.leaf.hpkePublicKey) === hpke &&
      b64(n.leaf.signaturePublicKey) === sig
    ) {
      return i / 2;
    }
  }
  return undefined;
}

/** RFC 9420 §12.4.3.1 "verify the integrity of the ratchet tree", with §7.9.2's unmerged-leaf rule. */
async function validateTree(
  tree: RatchetTree,
  groupId: Uint8Array,
  treeHash: Uint8Array,
  config: ClientConfig,
  cs: CiphersuiteImpl,
): Promise<void> {
  if (!Buffer.from(await treeHashRoot(tree, cs.hash)).equals(Buffer.from(treeHash))) fail('tree hash');
  if (!(await verifyParentHashes(tree, cs.hash))) fail('parent hashes');
  const width = leafWidth(tree.length);
  const hpkeKeys = new Set<string>();
  const signatureKeys = new Set<string>();
  const credentialTypes = new Set<string>();
  const leaves: LeafNode[] = [];
  for (let i = 0; i < tree.length; i++) {
    const n = tree[i];
    if (n === undefined) continue;
    const isLeafPosition = i % 2 === 0;
    if ((n.nodeType === 'leaf') !== isLeafPosition) fail('tree is not structurally sound');
    const hpke = b64(n.nodeType === 'leaf' ? n.leaf.hpkePublicKey : n.parent.hpkePublicKey);
    if (hpkeKeys.has(hpke)) fail('encryption keys are not unique');
    hpkeKeys.add(hpke);
    if (n.nodeType === 'leaf') {
      const leaf = n.leaf;
      const sig = b64(leaf.signaturePublicKey);
      if (signatureKeys.has(sig)) fail('signature keys are not unique');
      signatureKeys.add(sig);
      credentialTypes.add(leaf.credential.credentialType);
      leaves.push(leaf);
      const signed =
        leaf.leafNodeSource === 'key_package'
          ? await verifyLeafNodeSignatureKeyPackage(leaf, cs.signature)
          : await verifyLeafNodeSignature(leaf, groupId, i / 2, cs.signature);
      if (!signed) fail(`leaf ${i / 2} signature`);
      if (!(await config.authService.validateCredential(leaf.credential, leaf.signaturePublicKey))) {
        refuse(`leaf ${i / 2} credential rejected`);
      }
      if (!extensionsSupportedByCapabilities(leaf.extensions, leaf.capabilities))
        fail(`leaf ${i / 2} extensions`);
    } else {
      // Each unmerged leaf is a non-blank leaf below this node, and every non-blank node between
      // the two lists it too.
      for (const unmerged of n.parent.unmergedLeaves) {
        if (tree[unmerged * 2]?.nodeType !== 'leaf') fail('unmerged leaf is blank');
        const path = directPath(toNodeIndex(unmerged * 2), width);
        const at = path.indexOf(toNodeIndex(i));
        if (at < 0) fail('unmerged leaf is not below the node listing it');
        for (const between of path.slice(0, at)) {
          const m = tree[between];
          if (m?.nodeType === 'parent' && !m.parent.unmergedLeaves.includes(unmerged)) {
            fail('an intermediate node does not list an unmerged leaf');
          }
        }
      }
    }
  }
  for (const leaf of leaves) {
    for (const type of credentialTypes) {
      if (!(leaf.capabilities.credentials as string[]).includes(type))
        fail('a member does not support a credential type in use');
    }
  }
}
