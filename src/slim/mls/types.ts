// Public surface of the MLS layer (RFC 9420 through ts-mls, with SLIM's profile,
// docs/sessions-mls.md#mls-profile): one MlsClient per app (its identity and signature key), one
// MlsGroup per MLS-enabled session. Every MLS blob in and out is a complete MLSMessage, as SLIM
// carries them. The session layer sees only these types; ts-mls stays inside src/slim/mls.

export interface MlsAddResult {
  /** MLSMessage(PublicMessage commit) for the existing members (not sent in p2p). */
  readonly commit: Uint8Array;
  /** MLSMessage(Welcome) for the new member, with the ratchet tree extension. */
  readonly welcome: Uint8Array;
  /** The new member's MLS identity: its token id (the token's `sub`). */
  readonly memberIdentity: string;
  readonly epoch: bigint;
}

export interface MlsCommitResult {
  readonly commit: Uint8Array;
  readonly epoch: bigint;
}

export interface MlsDecrypted {
  readonly plaintext: Uint8Array;
  /** The authenticated data bound into the message (SLIM: the HeaderIntegrityAad bytes). */
  readonly authenticatedData: Uint8Array;
  /** Sender's MLS identity (token id). */
  readonly senderIdentity: string;
  readonly epoch: bigint;
}

/**
 * One MLS group. Every state change is serialised inside (calls may overlap; they run in call
 * order). Moderator operations apply their own commit at once, as the reference does. Failures
 * are GatewayErrors ('MLS' for bad or out-of-order input, 'AUTH' for refused credentials) and
 * leave the group unchanged; after close() everything, queued calls included, fails 'CLOSED'.
 */
export interface MlsGroup {
  readonly epoch: bigint;
  /** Token ids of the current members, this app included. */
  memberIdentities(): string[];
  /** Moderator: adds the member whose KeyPackage (MLSMessage) is given; credential checked first. */
  addMember(keyPackage: Uint8Array): Promise<MlsAddResult>;
  /**
   * Moderator: removes the member with this identity (commit with an update path). NOT_FOUND for
   * an unknown identity, INVALID_ARGUMENT for the moderator itself.
   */
  removeMember(identity: string): Promise<MlsCommitResult>;
  /**
   * Moderator: one commit removing `oldIdentity`'s leaf and adding a fresh KeyPackage (rejoin);
   * the KeyPackage must carry the same identity.
   */
  rejoinMember(oldIdentity: string, keyPackage: Uint8Array): Promise<MlsAddResult>;
  /** Participant: applies a commit (PublicMessage or PrivateMessage) from the moderator. */
  applyCommit(commit: Uint8Array): Promise<void>;
  /** MLSMessage(PrivateMessage) carrying `plaintext` with `authenticatedData` bound to it. */
  encrypt(plaintext: Uint8Array, authenticatedData: Uint8Array): Promise<Uint8Array>;
  /** Decrypts an MLSMessage(PrivateMessage); throws MLS errors for anything else or on failure. */
  decrypt(message: Uint8Array): Promise<MlsDecrypted>;
  /** Forgets the group's secrets. Idempotent. */
  close(): void;
}

/** A KeyPackage offered to a moderator, and the private half waiting for the Welcome. */
export interface PendingJoin {
  /** MLSMessage(KeyPackage), carrying a fresh identity token in its basic credential. */
  readonly keyPackage: Uint8Array;
  /** Joins from the moderator's Welcome (MLSMessage) using the ratchet tree it carries. */
  join(welcome: Uint8Array): Promise<MlsGroup>;
}

export interface MlsClient {
  /** Moderator: a new group with only this app in it (group id: 32 random bytes). */
  createGroup(): Promise<MlsGroup>;
  /** Participant: a fresh KeyPackage for one join. */
  prepareJoin(): Promise<PendingJoin>;
}
