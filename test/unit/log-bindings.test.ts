// Log lines as a log shipper parses them: a component logger inside another component's logger
// prints `component` once, with the innermost value (pino alone would print the key twice with
// conflicting values), and other bindings stay in place.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { childLogger, replaceRepeatedBindings } from '../../src/util/log.js';

function capture(): { lines: string[]; logger: pino.Logger } {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      lines.push(...chunk.toString().split('\n').filter(Boolean));
      cb();
    },
  });
  return { lines, logger: pino({ base: { pid: 1 }, onChild: replaceRepeatedBindings }, sink) };
}

test('a nested component logger prints each key once, the innermost value winning', () => {
  const { lines, logger } = capture();
  const service = childLogger(logger, 'service').child({ service: 'acme/demo/weather' });
  childLogger(service, 'rpc.server').child({ name: 'acme/demo/weather/00ab' }).info('hello');
  const line = lines[0]!;
  assert.equal(line.match(/"component":/g)?.length, 1, line);
  const parsed = JSON.parse(line) as Record<string, unknown>;
  assert.equal(parsed['component'], 'rpc.server');
  assert.equal(parsed['service'], 'acme/demo/weather');
  assert.equal(parsed['name'], 'acme/demo/weather/00ab');
  assert.equal(parsed['pid'], 1);
  assert.equal(parsed['msg'], 'hello');
});

test('bindings with no repeated key are left as pino wrote them', () => {
  const { lines, logger } = capture();
  logger
    .child({ a: 'x,"a":1' })
    .child({ b: { c: [1, 2] } })
    .info('m');
  const parsed = JSON.parse(lines[0]!) as Record<string, unknown>;
  assert.equal(parsed['a'], 'x,"a":1');
  assert.deepEqual(parsed['b'], { c: [1, 2] });
});
