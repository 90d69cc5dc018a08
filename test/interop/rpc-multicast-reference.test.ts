// Interop of multicast SLIMRPC: our multicast channel calls a group of three servers — two of ours
// and one reference `Server` — through our node, MLS on. Every member's answer is attributed to it;
// a member that fails (the reference has no such method) or is gone (its process killed, its app
// closed) is reported for that member only while the others' answers still arrive. A unary call
// costs one frame per member of ours (no EOS, docs/deviations.md), two for the reference member.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseName } from '../../src/slim/dataplane/name.js';
import { createMulticastChannel, createRpcServer, StatusCode } from '../../src/slim/rpc/index.js';
import type { MulticastItem } from '../../src/slim/rpc/index.js';
import { referenceRpcServer } from '../support/reference-rpc.js';
import { startNode } from '../support/reference-sessions.js';
import { testService } from '../support/rpc-contract.js';
import { count, only, reset, sum } from '../support/frame-count.js';
import { makeApp } from '../support/session-apps.js';
import { TapLink } from '../support/tap-link.js';

/** Hang guard only (never a timing assertion). */
const HANG_GUARD = { timeout: 180_000 };

const te = new TextEncoder();
const td = new TextDecoder();

async function rows(it: AsyncIterable<MulticastItem>): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  for await (const i of it) {
    (out[i.member.app] ??= []).push(
      i.kind === 'data'
        ? `data:${td.decode(i.payload)}`
        : i.kind === 'end'
          ? 'end'
          : `error:${i.error.status}:${i.error.message}`,
    );
  }
  return out;
}

test(
  'multicast to two of our servers and a reference server, with failures per member',
  HANG_GUARD,
  async (t) => {
    const node = await startNode('ours');
    t.after(() => node.close());
    // mc1's and the caller's links are tapped: the frames of a unary call are counted below.
    const mc1Tap = new TapLink(node.link());
    const callerTap = new TapLink(node.link());
    const links = { 'org/ns/mc1': mc1Tap, 'org/ns/mccaller': callerTap };
    const apps = await Promise.all(
      ['org/ns/mc1', 'org/ns/mc2', 'org/ns/mccaller'].map((name) =>
        makeApp({ name, link: links[name as keyof typeof links] ?? node.link(), mls: true }),
      ),
    );
    t.after(() => Promise.all(apps.map((a) => a.close())));
    const [a1, a2, caller] = apps as [(typeof apps)[0], (typeof apps)[0], (typeof apps)[0]];
    const s1 = createRpcServer(a1, { services: [testService('mc1')] });
    const s2 = createRpcServer(a2, { services: [testService('mc2')] });
    t.after(() => Promise.all([s1.close(), s2.close()]));
    const ref = await referenceRpcServer('mcref', node.endpoint, 'mcref');
    t.after(() => ref.stop());

    const mc = createMulticastChannel(caller, ['org/ns/mc1', 'org/ns/mc2', 'org/ns/mcref'].map(parseName));
    t.after(() => mc.close());
    // Everyone answers, each answer attributed to its member.
    assert.deepEqual(await rows(mc.unary('test.Contract', 'Who', te.encode('x'), { timeoutMs: 30_000 })), {
      mc1: ['data:mc1:x', 'end'],
      mc2: ['data:mc2:x', 'end'],
      mcref: ['data:mcref:x', 'end'],
    });
    // On the wire: each of our members answers a unary call with its response alone (the caller
    // says it ends each member's call on the response), the reference member with its response
    // and an EOS, which the caller does not wait for and discards.
    reset(mc1Tap);
    reset(callerTap);
    await rows(mc.unary('test.Contract', 'Who', te.encode('counted'), { timeoutMs: 30_000 }));
    const counted = count(callerTap.toNode).opened;
    // A fence: each member answers in order, so whatever it sent for the counted call (the
    // reference's EOS) has reached the caller before its answer to this one.
    await rows(mc.unary('test.Contract', 'Who', te.encode('fence'), { timeoutMs: 30_000 }));
    assert.equal(counted.size, 1, 'one multicast request');
    assert.equal(sum(only(count(mc1Tap.toNode), counted).msgs), 1, 'our member: the response alone');
    assert.equal(
      sum(only(count(callerTap.fromNode), counted).msgs),
      4,
      'the caller receives 1 + 1 from our members and 2 (response, EOS) from the reference',
    );
    assert.deepEqual(
      await rows(mc.serverStream('test.Contract', 'Count', te.encode('2'), { timeoutMs: 30_000 })),
      {
        mc1: ['data:0', 'data:1', 'end'],
        mc2: ['data:0', 'data:1', 'end'],
        mcref: ['data:0', 'data:1', 'end'],
      },
    );
    // One member fails (the reference serves no `Source`): its error, the others' answers.
    const source = await rows(mc.unary('test.Contract', 'Source', te.encode(''), { timeoutMs: 30_000 }));
    assert.deepEqual(source['mc1'], ['data:mccaller', 'end']);
    assert.deepEqual(source['mc2'], ['data:mccaller', 'end']);
    assert.deepEqual(source['mcref'], [
      `error:${StatusCode.UNIMPLEMENTED}:Method not found: test.Contract/Source`,
    ]);
    // A member that closes its app leaves the group: reported for itself, the others still answer.
    await s2.close();
    await a2.close();
    const left = await rows(mc.unary('test.Contract', 'Who', te.encode('z'), { timeoutMs: 5_000 }));
    assert.deepEqual(left['mc1'], ['data:mc1:z', 'end']);
    assert.deepEqual(left['mcref'], ['data:mcref:z', 'end']);
    assert.equal(left['mc2']?.length, 1);
    assert.match(left['mc2']![0]!, /^error:/);

    // A member gone without a word (the reference process killed): the deadline reports it alone.
    await ref.stop();
    const gone = await rows(mc.unary('test.Contract', 'Who', te.encode('y'), { timeoutMs: 5_000 }));
    assert.deepEqual(gone['mc1'], ['data:mc1:y', 'end']);
    assert.equal(gone['mc2']?.length, 1, 'mc2 is still reported (left or missing), once');
    assert.equal(gone['mcref']?.length, 1);
    assert.match(
      gone['mcref']![0]!,
      new RegExp(`^error:(${StatusCode.DEADLINE_EXCEEDED}|${StatusCode.UNAVAILABLE}):`),
    );
  },
);
