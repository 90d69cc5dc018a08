// Which MCP tools a service or a route offers (docs/security.md, "Tool filters"): the
// `tools: { allow, deny }` patterns of a service (server side) or of a route (client side). A tool
// is offered when its name matches an `allow` pattern (if any are given) and no `deny` pattern.
// A tool that is not offered is absent from every `tools/list` result and a `tools/call` to it is
// answered with a JSON-RPC error naming the tool and the rule, without reaching the server. The
// filter reads only `tools/list` results and `tools/call` names; every other message passes as is.
// Patterns: src/util/name-pattern.ts. Pure: no I/O.
import { compilePatterns } from '../../util/name-pattern.js';
import { errorResponse, JsonRpcCode } from './jsonrpc.js';
import type { JsonRpcErrorResponse, JsonRpcRequest } from './jsonrpc.js';

export interface ToolRules {
  readonly allow?: readonly string[];
  readonly deny?: readonly string[];
}

export interface ToolFilter {
  /** Whether the tool named `name` is offered. */
  permits(name: string): boolean;
  /** The answer to a `tools/call` of a tool that is not offered. */
  refusal(request: JsonRpcRequest, tool: string): JsonRpcErrorResponse;
  /** A `tools/list` response text without the tools that are not offered (the same text if none). */
  filterList(text: string): string;
}

/** The filter for `rules`, or undefined when there is nothing to filter. */
export function compileToolFilter(rules: ToolRules | undefined, where: string): ToolFilter | undefined {
  if (!rules || (rules.allow === undefined && rules.deny === undefined)) return undefined;
  const allow = rules.allow ? compilePatterns(rules.allow) : undefined;
  const deny = rules.deny ? compilePatterns(rules.deny) : undefined;
  const permits = (name: string) => (!allow || allow(name)) && !deny?.(name);
  return {
    permits,
    refusal: (request, tool) =>
      errorResponse(
        request.id,
        JsonRpcCode.INVALID_PARAMS,
        `Tool ${tool} is not available: ${deny?.(tool) ? 'denied' : 'not allowed'} by the tools filter of ${where}`,
        { gateway: 'slim-gateway', failure: 'tool-denied', tool },
      ),
    filterList: (text) => {
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch {
        return text;
      }
      const result = (value as { result?: { tools?: unknown } } | null)?.result;
      if (!result || !Array.isArray(result.tools)) return text;
      const kept = result.tools.filter((t: unknown) => {
        const name = (t as { name?: unknown } | null)?.name;
        return typeof name !== 'string' || permits(name);
      });
      if (kept.length === result.tools.length) return text;
      result.tools = kept;
      return JSON.stringify(value);
    },
  };
}

/** The tool a `tools/call` request names, or undefined for any other request. */
export function calledTool(request: JsonRpcRequest): string | undefined {
  if (request.method !== 'tools/call') return undefined;
  const name = request.params?.['name'];
  return typeof name === 'string' ? name : '';
}
