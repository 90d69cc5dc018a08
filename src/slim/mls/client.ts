// The MLS client of one app (docs/sessions-mls.md#credentials): its signature key is the app's
// SigningKey (the key whose public half is in every token it mints), and every KeyPackage and
// every new group carries a FRESH token as its basic credential, because a token older than an
// hour is refused by the reference. Groups it makes or joins are owned by Group (group.ts).
import { randomBytes } from 'node:crypto';
import { createGroup, generateKeyPackageWithKey } from 'ts-mls';
import type { CiphersuiteImpl, ClientState, KeyPackage, PrivateKeyPackage } from 'ts-mls';
import { GatewayError } from '../../util/errors.js';
import { childLogger } from '../../util/log.js';
import type { Logger } from '../../util/log.js';
import type { IdentityProvider, IdentityVerifier } from '../auth/index.js';
import { decodeAs, encodeKeyPackage } from './codec.js';
import { MembershipAuthService } from './credentials.js';
import { ciphersuiteImpl } from './crypto/index.js';
import type { CryptoKind } from './crypto/index.js';
import { toGatewayError } from './errors.js';
import { Group } from './group.js';
import { joinFromWelcome } from './join.js';
import { CAPABILITIES, CIPHERSUITE, GROUP_ID_BYTES, clientConfig, keyPackageLifetime } from './profile.js';
import type { MlsClient, MlsGroup, PendingJoin } from './types.js';

export interface MlsClientOptions {
  /** This app: token id, signing key, fresh tokens for credentials. */
  readonly identity: IdentityProvider;
  /** Checks the credentials of others (same shared secret). */
  readonly verifier: IdentityVerifier;
  /** 'native' (node:crypto, the default) or ts-mls's 'default' JavaScript/WebCrypto provider. */
  readonly crypto?: CryptoKind;
  readonly logger?: Logger;
}

export async function createMlsClient(options: MlsClientOptions): Promise<MlsClient> {
  const cs = await ciphersuiteImpl(options.crypto ?? 'native');
  return new Client(options, cs, childLogger(options.logger, 'mls'));
}

class Client implements MlsClient {
  constructor(
    private readonly options: MlsClientOptions,
    private readonly cs: CiphersuiteImpl,
    private readonly log: Logger,
  ) {}

  async createGroup(): Promise<MlsGroup> {
    const auth = new MembershipAuthService(this.options.verifier);
    try {
      const kp = await this.keyPackage();
      const groupId = new Uint8Array(randomBytes(GROUP_ID_BYTES));
      const state = await createGroup(
        groupId,
        kp.publicPackage,
        kp.privatePackage,
        [],
        this.cs,
        clientConfig(auth),
      );
      this.log.debug({ group: Buffer.from(groupId).toString('hex').slice(0, 16) }, 'group created');
      return this.group(state, auth);
    } catch (err) {
      throw toGatewayError(err, 'create group', auth);
    }
  }

  async prepareJoin(): Promise<PendingJoin> {
    const kp = await this.keyPackage();
    const keyPackage = encodeKeyPackage(kp.publicPackage);
    let used = false;
    return {
      keyPackage,
      join: async (welcome: Uint8Array) => {
        if (used) throw new GatewayError('INVALID_ARGUMENT', 'this KeyPackage was already used to join');
        const auth = new MembershipAuthService(this.options.verifier);
        try {
          const w = decodeAs(welcome, 'mls_welcome').welcome;
          if (w.cipherSuite !== CIPHERSUITE)
            throw new GatewayError('MLS', `Welcome ciphersuite ${w.cipherSuite}`);
          // The tree comes from the Welcome's ratchet_tree extension, as SLIM sends it.
          const state = await joinFromWelcome(
            w,
            kp.publicPackage,
            kp.privatePackage,
            this.cs,
            clientConfig(auth),
          );
          used = true;
          this.log.debug({ epoch: state.groupContext.epoch, welcomeBytes: welcome.length }, 'joined group');
          return this.group(state, auth);
        } catch (err) {
          throw toGatewayError(err, 'join group', auth);
        }
      },
    };
  }

  private group(state: ClientState, auth: MembershipAuthService): MlsGroup {
    return new Group(state, { cs: this.cs, verifier: this.options.verifier, auth, logger: this.log });
  }

  /** A KeyPackage with a fresh token, the app's signature key and SLIM's capabilities. */
  private keyPackage(): Promise<{ publicPackage: KeyPackage; privatePackage: PrivateKeyPackage }> {
    const { identity } = this.options;
    const credential = {
      credentialType: 'basic' as const,
      identity: new TextEncoder().encode(identity.token()),
    };
    const key = identity.signingKey;
    return generateKeyPackageWithKey(
      credential,
      CAPABILITIES,
      keyPackageLifetime(),
      [],
      // A copy: ts-mls keeps it in group state, and closing a group must never touch the app's key.
      { signKey: new Uint8Array(key.privateScalar), publicKey: new Uint8Array(key.publicKey) },
      this.cs,
    );
  }
}
