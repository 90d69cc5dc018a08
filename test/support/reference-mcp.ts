// A reference SLIMRPC server speaking `mcp.v1.McpService` (docs/mcp-over-slimrpc.md) with no help
// from our code: the reference bindings' `Server` with raw-bytes handlers in a reference process
// (test/fixtures/reference/peer.mjs), answering initialize, tools/list, tools/call and ping JSON by
// hand. Its tools: `echo` (text → "<label>:<text>") and `whoami`.
// It registers Request, Notify and Close, and no Listen (it has nothing unsolicited to say).
import { ReferencePeer } from './reference.js';
import { SHARED_SECRET } from './reference-apps.js';

export async function referenceMcpServer(
  name: string,
  endpoint: string,
  label: string,
): Promise<ReferencePeer> {
  const peer = await ReferencePeer.start({ label: name });
  await peer.run(
    `const me = new s.Name('org', 'ns', args.name);
     const app = svc.createAppWithSecret(me, args.secret);
     const conn = await svc.connectAsync(s.newInsecureClientConfig(args.endpoint));
     const server = s.Server.newWithConnection(app, me, conn);
     const text = (b) => td.decode(new Uint8Array(b));
     const bytes = (t) => te.encode(t).buffer;
     const SVC = 'mcp.v1.McpService';
     const tools = [
       { name: 'echo', description: 'Echoes text (reference server)',
         inputSchema: { type: 'object', properties: { text: { type: 'string' } } } },
       { name: 'whoami', description: 'Names this server', inputSchema: { type: 'object', properties: {} } },
     ];
     const answer = (m) => {
       const ok = (result) => ({ jsonrpc: '2.0', id: m.id, result });
       const err = (code, message) => ({ jsonrpc: '2.0', id: m.id, error: { code, message } });
       switch (m.method) {
         case 'initialize':
           return ok({ protocolVersion: m.params?.protocolVersion ?? '2025-06-18', capabilities: { tools: {} },
             serverInfo: { name: 'reference-raw-mcp', version: '1.0.0' } });
         case 'ping': return ok({});
         case 'tools/list': return ok({ tools });
         case 'tools/call': {
           const a = m.params?.arguments ?? {};
           if (m.params?.name === 'echo') return ok({ content: [{ type: 'text', text: args.label + ':' + (a.text ?? '') }] });
           if (m.params?.name === 'whoami') return ok({ content: [{ type: 'text', text: args.label }] });
           return err(-32602, 'Unknown tool: ' + m.params?.name);
         }
         default: return err(-32601, 'Method not found: ' + m.method);
       }
     };
     server.registerUnaryStream(SVC, 'Request', { handle: async (req, ctx, sink) => {
       await sink.sendAsync(bytes(JSON.stringify(answer(JSON.parse(text(req))))));
       await sink.closeAsync();
     } });
     server.registerUnaryUnary(SVC, 'Notify', { handle: async () => bytes('{}') });
     server.registerUnaryUnary(SVC, 'Close', { handle: async () => bytes('{}') });
     objects.set('app', app); objects.set('conn', conn); objects.set('server', server);
     server.serveAsync().catch((e) => emit('serveFailed', { error: String(e) }));
     return true;`,
    { name, secret: SHARED_SECRET, endpoint, label },
  );
  return peer;
}
