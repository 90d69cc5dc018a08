// Reading MLS blobs without a group: what a blob is (for logs, routing and sanity checks in the
// session layer) and the full check of a KeyPackage's credential and signatures (what a moderator
// does before adding it). Nothing here decrypts or changes state.
import { verifyKeyPackage } from 'ts-mls/keyPackage.js';
import { verifyLeafNodeSignatureKeyPackage } from 'ts-mls/leafNode.js';
import type { TokenClaims, IdentityVerifier } from '../auth/index.js';
import { GatewayError } from '../../util/errors.js';
import { decodeAny, decodeAs } from './codec.js';
import { checkAdmission, credentialIdentity } from './credentials.js';
import { ciphersuiteImpl } from './crypto/index.js';
import { CIPHERSUITE } from './profile.js';

export type MlsMessageKind = 'key_package' | 'welcome' | 'public_message' | 'private_message' | 'group_info';

export interface MlsMessageInfo {
  readonly kind: MlsMessageKind;
  readonly cipherSuite?: string;
  readonly groupId?: Uint8Array;
  readonly epoch?: bigint;
  /** Public and private messages. */
  readonly contentType?: 'application' | 'proposal' | 'commit';
  /** Public and private messages: the authenticated data (SLIM: HeaderIntegrityAad bytes, or empty). */
  readonly authenticatedData?: Uint8Array;
  /** Public commits: proposal types in order, and whether an UpdatePath is present. */
  readonly proposals?: readonly string[];
  readonly hasPath?: boolean;
  /** Welcomes: how many new members it is for. */
  readonly newMembers?: number;
  /** KeyPackages: the credential's identity (token id, unverified) and signature key length. */
  readonly identity?: string;
  readonly signatureKeyLength?: number;
}

/** Describes one MLSMessage; MLS error if the bytes are not exactly one. */
export function inspectMlsMessage(bytes: Uint8Array): MlsMessageInfo {
  const msg = decodeAny(bytes);
  switch (msg.wireformat) {
    case 'mls_key_package': {
      const kp = msg.keyPackage;
      return {
        kind: 'key_package',
        cipherSuite: kp.cipherSuite,
        identity: credentialIdentity(kp.leafNode.credential),
        signatureKeyLength: kp.leafNode.signaturePublicKey.length,
      };
    }
    case 'mls_welcome':
      return {
        kind: 'welcome',
        cipherSuite: msg.welcome.cipherSuite,
        newMembers: msg.welcome.secrets.length,
      };
    case 'mls_private_message': {
      const pm = msg.privateMessage;
      return {
        kind: 'private_message',
        groupId: pm.groupId,
        epoch: pm.epoch,
        contentType: pm.contentType,
        authenticatedData: pm.authenticatedData,
      };
    }
    case 'mls_public_message': {
      const c = msg.publicMessage.content;
      const commit = c.contentType === 'commit' ? c.commit : undefined;
      return {
        kind: 'public_message',
        groupId: c.groupId,
        epoch: c.epoch,
        contentType: c.contentType,
        authenticatedData: c.authenticatedData,
        proposals: commit?.proposals.map((p) =>
          p.proposalOrRefType === 'proposal' ? String(p.proposal.proposalType) : 'reference',
        ),
        hasPath: commit ? commit.path !== undefined : undefined,
      };
    }
    case 'mls_group_info':
      return {
        kind: 'group_info',
        groupId: msg.groupInfo.groupContext.groupId,
        epoch: msg.groupInfo.groupContext.epoch,
      };
  }
}

/**
 * The checks a moderator makes before adding a KeyPackage: SLIM's ciphersuite, the credential
 * (token MAC, time window as the verifier sees it, public-key claim), and both signatures
 * (KeyPackage and leaf node). Returns the token claims; AUTH or MLS error otherwise.
 */
export async function checkKeyPackage(bytes: Uint8Array, verifier: IdentityVerifier): Promise<TokenClaims> {
  const kp = decodeAs(bytes, 'mls_key_package').keyPackage;
  if (kp.cipherSuite !== CIPHERSUITE)
    throw new GatewayError('MLS', `KeyPackage ciphersuite ${kp.cipherSuite}`);
  const claims = checkAdmission(kp.leafNode.credential, kp.leafNode.signaturePublicKey, verifier);
  const cs = await ciphersuiteImpl('native');
  if (!(await verifyLeafNodeSignatureKeyPackage(kp.leafNode, cs.signature))) {
    throw new GatewayError('AUTH', 'KeyPackage leaf node signature does not verify');
  }
  if (!(await verifyKeyPackage(kp, cs.signature))) {
    throw new GatewayError('AUTH', 'KeyPackage signature does not verify');
  }
  return claims;
}
