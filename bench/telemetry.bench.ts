// What tracing adds to a call, measured in one run: CPU per call of the CallObserver every route
// and service runs (start, read the context to pass on, end), with telemetry off (no provider: a
// null check), on with the call sampled, and on with the caller's traceparent saying "not sampled".
// The on variants use the real SDK pipeline (batch processor, OTLP/HTTP JSON exporter) to a local
// receiver that discards the bodies; their CPU includes exporting (the provider is shut down,
// flushing, inside the measurement). The access log is silenced here (its cost is the same with
// tracing on or off) and measured apart. Nothing is asserted.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createWriteStream } from 'node:fs';
import { pino } from 'pino';
import { createCallObserver } from '../src/telemetry/calls.js';
import { createTracing } from '../src/telemetry/tracing.js';
import type { CallInfo, CallObserver } from '../src/telemetry/types.js';
import { silentLogger } from '../src/util/log.js';
import type { Bench, Measurement } from './harness.js';
import { envCount } from './harness.js';

const CALLS = envCount('TELEMETRY_BENCH_CALLS', 20_000);

const info = (traceparent?: string): CallInfo => ({
  side: 'service',
  protocol: 'mcp',
  name: 'acme/demo/tools',
  method: 'tools/call',
  tool: 'echo',
  localName: 'acme/demo/tools',
  remoteName: 'acme/demo/client-gateway/1234',
  caller: 'acme/demo/client-gateway/1234',
  ...(traceparent ? { parent: { traceparent } } : {}),
});

const SAMPLED = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
const UNSAMPLED = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00';

/** CPU µs per call of `calls` calls, plus `after` (flushing) in the same window. */
async function cpuPerCall(observer: CallObserver, parent: string, after = () => Promise.resolve()) {
  for (let i = 0; i < 1_000; i++) observer.start(info(parent)).end('ok'); // warm-up
  const before = process.cpuUsage();
  let sink = 0;
  for (let i = 0; i < CALLS; i++) {
    const call = observer.start(info(parent));
    sink += call.propagate.traceparent?.length ?? 0;
    call.end('ok');
    // Let the batch processor run as it would between real calls.
    if (i % 512 === 0) await new Promise((r) => setImmediate(r));
  }
  await after();
  const used = process.cpuUsage(before);
  if (sink < 0) console.log(sink);
  return (used.user + used.system) / CALLS;
}

export const benches: Bench[] = [
  {
    name: 'telemetry per call',
    async run(): Promise<Measurement[]> {
      const receiver = createServer((req, res) => {
        req.resume();
        req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{}'));
      });
      await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
      const endpoint = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
      const traced = () =>
        createTracing({ otlpEndpoint: endpoint, gatewayName: 'acme/demo/bench', version: '0' });
      try {
        const off = await cpuPerCall(createCallObserver(silentLogger, undefined), SAMPLED);
        const t1 = traced();
        const sampled = await cpuPerCall(createCallObserver(silentLogger, t1), SAMPLED, () => t1.shutdown());
        const t2 = traced();
        const unsampled = await cpuPerCall(createCallObserver(silentLogger, t2), UNSAMPLED, () =>
          t2.shutdown(),
        );
        const offAgain = await cpuPerCall(createCallObserver(silentLogger, undefined), SAMPLED);
        const logger = pino({ level: 'info' }, createWriteStream('/dev/null'));
        const logged = await cpuPerCall(createCallObserver(logger, undefined), SAMPLED);
        const baseline = (off + offAgain) / 2;
        return [
          {
            name: 'call record, tracing on (sampled)',
            unit: 'µs CPU',
            ours: sampled,
            peer: baseline,
            peerLabel: 'off',
            better: 'lower',
          },
          {
            name: 'call record, tracing on (not sampled)',
            unit: 'µs CPU',
            ours: unsampled,
            peer: baseline,
            peerLabel: 'off',
            better: 'lower',
          },
          {
            name: 'call record, access log line (info, to /dev/null)',
            unit: 'µs CPU',
            ours: logged,
            peer: baseline,
            peerLabel: 'silent',
            better: 'lower',
          },
        ];
      } finally {
        receiver.closeAllConnections();
        receiver.close();
      }
    },
  },
];
