// The hand-written Publish codec gives exactly what protobuf-es gives: the same bytes as toBinary
// and objects deeply equal to fromBinary's, on every captured frame and on edge cases (64-bit
// values, optional fields present with zero values, non-ASCII and malformed strings, command
// payloads, metadata); whatever it does not handle it leaves to protobuf-es (undefined).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import {
  HeaderIntegrityAadSchema,
  MessageSchema,
  NameSchema,
  encodeAad,
  newMessage,
} from '../../src/slim/proto/index.js';
import type { Message } from '../../src/slim/proto/index.js';
import { decodePublishMessage } from '../../src/slim/proto/publish-decode.js';
import { encodePublishMessage } from '../../src/slim/proto/publish-encode.js';
import { parseName, sharedProtoName } from '../../src/slim/dataplane/name.js';
import { MsgType, SessionType, appFrame } from '../../src/slim/session/frames.js';
import { loadAllFrames } from '../support/vectors.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

function name(c0: bigint, id0?: bigint, id1?: bigint, strs = ['org', 'ns', 'app']) {
  return create(NameSchema, {
    name: {
      component0: c0,
      component1: 0xffff_ffff_ffff_ffffn,
      component2: 1n << 35n,
      ...(id0 === undefined ? {} : { nameId: { id0, id1: id1 ?? 0n } }),
    },
    strName: { strComponent0: strs[0]!, strComponent1: strs[1]!, strComponent2: strs[2]! },
  });
}

function samples(): Message[] {
  const out: Message[] = [];
  const blob = new Uint8Array(1500).map((_, i) => i & 0xff);
  for (const [i, v] of [
    0n,
    1n,
    127n,
    128n,
    0xffff_ffffn,
    1n << 32n,
    (1n << 63n) + 5n,
    (1n << 64n) - 1n,
  ].entries()) {
    out.push(
      newMessage({
        messageType: {
          case: 'publish',
          value: {
            header: {
              source: name(v, v, (1n << 64n) - 1n - v),
              destination: name(9n, i % 2 ? undefined : 0n, 0n, ['ünï', 'çødé', '€']),
              identity: i % 3 ? 'org/ns/app_x:1795240944:bm9uY2U:e30:bWFj' : '',
              fanout: [0, 1, 256, 0xffff_ffff][i % 4]!,
              version: i % 2 ? '2.2.0' : '',
              ttl: i,
              ...(i % 2 ? { recvFrom: 0n, forwardTo: v, error: false } : { incomingConn: v, error: true }),
              ...(i % 3 === 0 ? { headerMac: new Uint8Array(0) } : { headerMac: blob.subarray(0, 32) }),
              ...(i % 4 === 1 ? { e2eHeaderSig: blob.subarray(3, 75) } : {}),
            },
            session: {
              sessionType: i % 3,
              sessionMessageType: i * 2,
              sessionId: 0xffff_fffe,
              messageId: i * 1000,
            },
            msg:
              i % 4 === 3
                ? {
                    contentType: {
                      case: 'commandPayload',
                      value: {
                        commandPayloadType: {
                          case: 'joinRequest',
                          value: { timerSettings: { timeout: 1000, maxRetries: 5 }, channel: name(3n, 1n) },
                        },
                      },
                    },
                  }
                : {
                    contentType: {
                      case: 'appPayload',
                      value: { payloadType: i % 2 ? 'msg' : '', blob: i % 2 ? blob : new Uint8Array() },
                    },
                  },
          },
        },
        metadata: i % 2 ? { 'rpc-id': 'abc', 'slimrpc-dir': 'req', empty: '', ключ: 'значение' } : {},
      }),
    );
  }
  // Empty messages present, no session, lone surrogate in a string (replaced as TextEncoder does).
  out.push(newMessage({ messageType: { case: 'publish', value: { header: {}, msg: {} } } }));
  out.push(newMessage({ messageType: { case: 'publish', value: {} }, metadata: { a: '\ud800x' } }));
  return out;
}

test('encoding: the same bytes as toBinary on edge cases and on every captured frame', () => {
  const msgs = samples();
  for (const f of loadAllFrames()) msgs.push(fromBinary(MessageSchema, f.bytes));
  let fast = 0;
  for (const m of msgs) {
    const mine = encodePublishMessage(m);
    if (m.messageType.case === 'publish') {
      assert.ok(mine, 'every publish frame takes the fast path');
      fast++;
    }
    if (mine) assert.equal(hex(mine), hex(toBinary(MessageSchema, m)));
  }
  assert.ok(fast > 300);
});

test('decoding: objects deeply equal to fromBinary on edge cases and on every captured frame', () => {
  const inputs: Uint8Array[] = samples().map((m) => toBinary(MessageSchema, m));
  for (const f of loadAllFrames()) inputs.push(f.bytes, Buffer.from(f.bytes));
  let fast = 0;
  for (const bytes of inputs) {
    const mine = decodePublishMessage(bytes);
    const ref = fromBinary(MessageSchema, bytes);
    if (ref.messageType.case === 'publish') {
      assert.ok(mine, 'every well-formed publish frame takes the fast path');
      fast++;
    }
    if (mine) assert.deepStrictEqual(mine, ref);
  }
  assert.ok(fast > 600);
});

test('decoding: unusual or malformed bytes are left to protobuf-es', () => {
  const m = samples()[1]!;
  const bytes = toBinary(MessageSchema, m);
  // A truncated frame, a repeated header (merge semantics), an unknown field, invalid UTF-8.
  assert.equal(decodePublishMessage(bytes.subarray(0, bytes.length - 3)), undefined);
  const pub = toBinary(
    MessageSchema,
    newMessage({ messageType: { case: 'publish', value: { header: { ttl: 3 } } } }),
  );
  const twice = Buffer.concat([pub, pub]);
  assert.equal(decodePublishMessage(twice), undefined);
  assert.deepStrictEqual(
    fromBinary(MessageSchema, twice).messageType.value,
    fromBinary(MessageSchema, pub).messageType.value,
  );
  assert.equal(decodePublishMessage(Buffer.concat([pub, Buffer.from([0x38, 0x01])])), undefined);
  // A non-canonical varint (ttl 3 written in two bytes): fromBinary reads it, the fast path declines.
  const padded = Buffer.from([0x1a, 0x05, 0x0a, 0x03, 0x30, 0x83, 0x00]);
  assert.equal(decodePublishMessage(padded), undefined);
  const viaCodec = fromBinary(MessageSchema, padded).messageType;
  assert.equal(viaCodec.case === 'publish' ? viaCodec.value.header?.ttl : undefined, 3);
  const badUtf8 = Buffer.from([0x1a, 0x07, 0x0a, 0x05, 0x1a, 0x03, 0xc3, 0x28, 0x41]);
  assert.equal(decodePublishMessage(badUtf8), undefined);
  assert.throws(() => fromBinary(MessageSchema, badUtf8));
  assert.equal(
    decodePublishMessage(
      toBinary(MessageSchema, newMessage({ messageType: { case: 'subscriptionAck', value: {} } })),
    ),
    undefined,
  );
});

test('the HeaderIntegrityAad encoder gives the bytes toBinary gives', () => {
  for (const m of samples()) {
    if (m.messageType.case !== 'publish') continue;
    const p = m.messageType.value;
    const fields = {
      version: 1,
      source: p.header?.source,
      destination: p.header?.destination,
      identity: p.header?.identity ?? '',
      sessionType: p.session?.sessionType ?? 0,
      sessionMessageType: p.session?.sessionMessageType ?? 0,
      sessionId: p.session?.sessionId ?? 0,
      messageId: p.session?.messageId ?? 0,
      payloadType: p.msg?.contentType.case === 'appPayload' ? p.msg.contentType.value.payloadType : '',
    };
    const ref = toBinary(HeaderIntegrityAadSchema, create(HeaderIntegrityAadSchema, fields));
    assert.equal(hex(encodeAad(fields)!), hex(ref));
  }
});

test('data frames the session layer builds directly equal what create() builds', () => {
  const route = {
    source: parseName('a/b/c/1'),
    destination: parseName('a/b/d'),
    sessionType: SessionType.MULTICAST,
    sessionId: 5,
    fanout: 256,
    metadata: { x: 'y' },
  };
  for (const error of [false, true]) {
    const mine = appFrame(route, MsgType.MSG, 3, 'msg', new Uint8Array([1, 2]), error);
    const ref = newMessage({
      messageType: {
        case: 'publish',
        value: {
          header: {
            source: sharedProtoName(route.source),
            destination: sharedProtoName(route.destination),
            fanout: 256,
            ...(error ? { error: true } : {}),
          },
          session: { sessionType: 2, sessionMessageType: 1, sessionId: 5, messageId: 3 },
          msg: {
            contentType: { case: 'appPayload', value: { payloadType: 'msg', blob: new Uint8Array([1, 2]) } },
          },
        },
      },
      metadata: { x: 'y' },
    });
    assert.deepStrictEqual(mine, ref);
  }
});
