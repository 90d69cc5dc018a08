// One MLS group (docs/sessions-mls.md#commits): the moderator's add/remove/rejoin commits (sent as
// PublicMessage, applied at once, Welcome with the ratchet tree), a participant's commit
// processing, and application messages as PrivateMessage with SLIM's AAD. The ts-mls state is
// immutable and held by an Owner, so every change runs alone and in call order, and a failed
// operation (garbage, wrong epoch, refused credential) leaves the group exactly as it was.
// Pure reads of the state live in group-state.ts.
import { createApplicationMessage, createCommit, emptyPskIndex, processMessage } from 'ts-mls';
import type { CiphersuiteImpl, ClientState, Proposal } from 'ts-mls';
import type { Logger } from '../../util/log.js';
import { GatewayError } from '../../util/errors.js';
import type { IdentityVerifier } from '../auth/index.js';
import { protectApplication, unprotectApplication } from './app-message.js';
import { decodeAs, encodeMessage, encodePrivateMessage, encodeWelcome } from './codec.js';
import { isNativeSuite } from './crypto/index.js';
import { checkAdmission, credentialIdentity } from './credentials.js';
import type { MembershipAuthService } from './credentials.js';
import { toGatewayError } from './errors.js';
import { checkGroup, findMember, forget, leafAt, members, senderOf } from './group-state.js';
import { waitForLifetime } from './lifetime.js';
import { Owner } from './owner.js';
import { CIPHERSUITE } from './profile.js';
import type { MlsAddResult, MlsCommitResult, MlsDecrypted, MlsGroup } from './types.js';

export interface GroupDeps {
  readonly cs: CiphersuiteImpl;
  readonly verifier: IdentityVerifier;
  /** The authentication service inside this group's ts-mls config (one per group). */
  readonly auth: MembershipAuthService;
  readonly logger: Logger;
}

export class Group implements MlsGroup {
  private readonly owner: Owner<ClientState>;
  private readonly log: Logger;
  /** Application messages take the synchronous path (app-message.ts) with native crypto. */
  private readonly native: boolean;

  constructor(
    state: ClientState,
    private readonly deps: GroupDeps,
  ) {
    this.owner = new Owner(state, 'MLS group');
    this.native = isNativeSuite(deps.cs);
    this.log = deps.logger.child({
      group: Buffer.from(state.groupContext.groupId).toString('hex').slice(0, 16),
    });
  }

  get epoch(): bigint {
    return this.owner.current().groupContext.epoch;
  }

  memberIdentities(): string[] {
    return members(this.owner.current()).map((m) => m.identity);
  }

  addMember(keyPackage: Uint8Array): Promise<MlsAddResult> {
    return this.change('add member', async (state) => {
      const { kp, identity } = this.admit(keyPackage);
      if (members(state).some((m) => m.identity === identity)) {
        throw new GatewayError('MLS', 'add member: this identity is already a member of the group');
      }
      await waitForLifetime(kp.leafNode, () => this.owner.closed);
      return this.commit(state, [{ proposalType: 'add', add: { keyPackage: kp } }], identity);
    });
  }

  removeMember(identity: string): Promise<MlsCommitResult> {
    return this.change('remove member', async (state) => {
      const leaf = findMember(state, identity);
      const r = await this.commit(state, [{ proposalType: 'remove', remove: { removed: leaf } }]);
      return { ...r, result: { commit: r.result.commit, epoch: r.result.epoch } };
    });
  }

  rejoinMember(oldIdentity: string, keyPackage: Uint8Array): Promise<MlsAddResult> {
    return this.change('rejoin member', async (state) => {
      const leaf = findMember(state, oldIdentity);
      const { kp, identity } = this.admit(keyPackage);
      if (identity !== oldIdentity) {
        throw new GatewayError('AUTH', 'rejoin member: the KeyPackage belongs to another identity');
      }
      await waitForLifetime(kp.leafNode, () => this.owner.closed);
      return this.commit(
        state,
        [
          { proposalType: 'remove', remove: { removed: leaf } },
          { proposalType: 'add', add: { keyPackage: kp } },
        ],
        identity,
      );
    });
  }

  applyCommit(commit: Uint8Array): Promise<void> {
    return this.change('apply commit', async (state) => {
      const msg = decodeAs(commit, 'mls_public_message', 'mls_private_message');
      const { contentType, epoch, groupId } =
        msg.wireformat === 'mls_public_message' ? msg.publicMessage.content : msg.privateMessage;
      if (contentType !== 'commit')
        throw new GatewayError('MLS', `apply commit: not a commit (${contentType})`);
      checkGroup(state, groupId);
      if (epoch !== state.groupContext.epoch) {
        throw new GatewayError(
          'MLS',
          `apply commit: commit for epoch ${epoch}, group is at ${state.groupContext.epoch}`,
        );
      }
      const r = await processMessage(msg, state, emptyPskIndex, () => 'accept', this.deps.cs);
      if (r.kind !== 'newState') throw new GatewayError('MLS', 'apply commit: not a commit');
      this.log.debug(
        { epoch: r.newState.groupContext.epoch, members: members(r.newState).length, bytes: commit.length },
        'commit applied',
      );
      return { next: r.newState, result: undefined, consumed: r.consumed };
    });
  }

  encrypt(plaintext: Uint8Array, authenticatedData: Uint8Array): Promise<Uint8Array> {
    return this.change('encrypt', async (state) => {
      const fast = this.native ? protectApplication(state, plaintext, authenticatedData) : undefined;
      if (fast) return { next: fast.next, result: fast.bytes, consumed: fast.consumed };
      const r = await createApplicationMessage(state, plaintext, this.deps.cs, authenticatedData);
      return { next: r.newState, result: encodePrivateMessage(r.privateMessage), consumed: r.consumed };
    });
  }

  decrypt(message: Uint8Array): Promise<MlsDecrypted> {
    return this.change('decrypt', async (state) => {
      const fast = this.native ? unprotectApplication(state, message) : undefined;
      if (fast) {
        const leaf = leafAt(state.ratchetTree, fast.senderLeaf);
        return {
          next: fast.next,
          result: {
            plaintext: fast.plaintext,
            authenticatedData: fast.authenticatedData,
            senderIdentity: leaf ? credentialIdentity(leaf.credential) : '',
            epoch: fast.epoch,
          },
          consumed: fast.consumed,
        };
      }
      const msg = decodeAs(message, 'mls_private_message');
      const pm = msg.privateMessage;
      if (pm.contentType !== 'application') {
        throw new GatewayError('MLS', `decrypt: not an application message (${pm.contentType})`);
      }
      checkGroup(state, pm.groupId);
      if (pm.epoch > state.groupContext.epoch) {
        throw new GatewayError(
          'MLS',
          `decrypt: message from future epoch ${pm.epoch} (group at ${state.groupContext.epoch})`,
        );
      }
      const r = await processMessage(msg, state, emptyPskIndex, () => 'reject', this.deps.cs);
      if (r.kind !== 'applicationMessage')
        throw new GatewayError('MLS', 'decrypt: not an application message');
      const senderIdentity = await senderOf(state, r.newState, msg, this.deps.cs);
      return {
        next: r.newState,
        result: {
          plaintext: r.message,
          authenticatedData: pm.authenticatedData,
          senderIdentity,
          epoch: pm.epoch,
        },
        consumed: r.consumed,
      };
    });
  }

  close(): void {
    const held = this.owner.close();
    if (held) this.log.debug('group closed');
  }

  // ---- internals ----

  private change<T>(
    operation: string,
    op: (state: ClientState) => Promise<{ next: ClientState; result: T; consumed: Uint8Array[] }>,
  ): Promise<T> {
    return this.owner.run(async (state) => {
      this.deps.auth.reset();
      try {
        const { next, result, consumed } = await op(state);
        if (!this.owner.closed) forget(consumed);
        return { next, result };
      } catch (err) {
        const mapped = this.owner.closed
          ? new GatewayError('CLOSED', 'MLS group was closed during the operation', { cause: err })
          : toGatewayError(err, operation, this.deps.auth);
        this.log.debug({ code: mapped.code, reason: mapped.message }, `${operation} refused`);
        throw mapped;
      }
    });
  }

  /** The admission check of a KeyPackage offered for adding (see credentials.ts). */
  private admit(keyPackage: Uint8Array) {
    const kp = decodeAs(keyPackage, 'mls_key_package').keyPackage;
    if (kp.cipherSuite !== CIPHERSUITE)
      throw new GatewayError('MLS', `KeyPackage ciphersuite ${kp.cipherSuite}`);
    const claims = checkAdmission(kp.leafNode.credential, kp.leafNode.signaturePublicKey, this.deps.verifier);
    return { kp, identity: claims.sub };
  }

  /** A moderator commit, as the reference makes it: PublicMessage, Welcome with the tree. */
  private async commit(state: ClientState, proposals: Proposal[], memberIdentity = '') {
    const r = await createCommit(
      { state, cipherSuite: this.deps.cs },
      { extraProposals: proposals, ratchetTreeExtension: true, wireAsPublicMessage: true },
    );
    const epoch = r.newState.groupContext.epoch;
    const commit = encodeMessage(r.commit);
    const hasAdd = proposals.some((p) => p.proposalType === 'add');
    if (hasAdd && !r.welcome) throw new GatewayError('INTERNAL', 'commit with an add produced no Welcome');
    const welcome = r.welcome ? encodeWelcome(r.welcome) : new Uint8Array();
    this.log.debug(
      {
        epoch,
        members: members(r.newState).length,
        commitBytes: commit.length,
        welcomeBytes: welcome.length,
      },
      'commit created',
    );
    return { next: r.newState, result: { commit, welcome, memberIdentity, epoch }, consumed: r.consumed };
  }
}
