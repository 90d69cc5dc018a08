// The shape of one A2A operation in one version (the rows of the method table in table.ts): the
// JSON-RPC and SLIMRPC method names, the protobuf request/response messages, and the conversions
// JSON-RPC params/results <-> those messages. v1.0 sides are ProtoJSON through protobuf-es, with
// the required-field checks JSON-RPC params need; v0.3 sides wrap the hand-written mappings and
// the v0.3 <-> v1.0 conversions. Messages are type-erased here; each side is typed where built.
import { create, fromBinary, fromJson, toBinary, toJson } from '@bufbuild/protobuf';
import type { DescMessage, Message, MessageShape } from '@bufbuild/protobuf';
import { A2aError } from '../errors.js';
import { checkFinite, invalid, isObj } from '../json.js';

export type A2aVersion = '1.0' | '0.3';

export const SERVICE: Readonly<Record<A2aVersion, string>> = {
  '1.0': 'lf.a2a.v1.A2AService',
  '0.3': 'a2a.v1.A2AService',
};

export type OpName =
  | 'SendMessage'
  | 'SendStreamingMessage'
  | 'GetTask'
  | 'ListTasks'
  | 'CancelTask'
  | 'SubscribeToTask'
  | 'CreateTaskPushNotificationConfig'
  | 'GetTaskPushNotificationConfig'
  | 'ListTaskPushNotificationConfigs'
  | 'DeleteTaskPushNotificationConfig'
  | 'GetExtendedAgentCard';

/** One version of one operation. Messages are type-erased here; each entry is typed where built. */
export interface OpSide {
  readonly jsonRpc: string;
  readonly slim: string;
  readonly req: DescMessage;
  readonly res: DescMessage;
  reqFromJson(params: unknown): Message;
  reqToJson(req: Message): unknown;
  resFromJson(result: unknown): Message;
  resToJson(res: Message): unknown;
}

export interface Op {
  readonly name: OpName;
  readonly streaming: boolean;
  /** The response is google.protobuf.Empty (zero bytes on the wire). */
  readonly empty: boolean;
  readonly v1: OpSide;
  readonly v03?: OpSide & {
    reqToV1(req: Message): Message;
    reqFromV1(req: Message): Message;
    resToV1(res: Message): Message;
    resFromV1(res: Message): Message;
  };
}

export type Fn<A, B> = (a: A) => B;

/** A v1.0 side: ProtoJSON both ways, with the checks the JSON-RPC params need. */
export function v1Side<Req extends DescMessage, Res extends DescMessage>(
  jsonRpc: string,
  req: Req,
  res: Res,
  check: (r: MessageShape<Req>) => void = () => {},
  opts: { emptyResult?: boolean } = {},
): OpSide {
  return {
    jsonRpc,
    slim: jsonRpc,
    req,
    res,
    reqFromJson: (params) => {
      if (params !== undefined && params !== null && !isObj(params))
        throw invalid('params', 'must be an object');
      checkFinite(params, 'params');
      let msg;
      try {
        msg = fromJson(req, (params ?? {}) as never, { ignoreUnknownFields: true });
      } catch (err) {
        throw new A2aError('InvalidParamsError', `params: ${(err as Error).message}`);
      }
      check(msg);
      return msg;
    },
    reqToJson: (m) => toJson(req, m as never),
    resFromJson: (result) => {
      if (opts.emptyResult) return create(res);
      try {
        checkFinite(result, 'result');
        return fromJson(res, result as never, { ignoreUnknownFields: true });
      } catch (err) {
        throw new A2aError('InvalidAgentResponseError', `result: ${(err as Error).message}`);
      }
    },
    resToJson: (m) => (opts.emptyResult ? null : toJson(res, m as never)),
  };
}

export function v03Side<Req extends DescMessage, Res extends DescMessage>(
  jsonRpc: string,
  slim: string,
  req: Req,
  res: Res,
  reqFromJson: Fn<unknown, Message>,
  reqToJson: Fn<never, unknown>,
  resFromJson: Fn<unknown, Message>,
  resToJson: Fn<never, unknown>,
  cross: {
    reqToV1: Fn<never, Message>;
    reqFromV1: Fn<never, Message>;
    resToV1: Fn<never, Message>;
    resFromV1: Fn<never, Message>;
  },
): NonNullable<Op['v03']> {
  const asResult = (fn: Fn<unknown, Message>) => (v: unknown) => {
    try {
      return fn(v);
    } catch (err) {
      if (err instanceof A2aError && err.a2aName === 'InvalidParamsError')
        throw new A2aError('InvalidAgentResponseError', err.message);
      throw err;
    }
  };
  return {
    jsonRpc,
    slim,
    req,
    res,
    reqFromJson,
    reqToJson: reqToJson as Fn<Message, unknown>,
    resFromJson: asResult(resFromJson),
    resToJson: resToJson as Fn<Message, unknown>,
    reqToV1: cross.reqToV1 as Fn<Message, Message>,
    reqFromV1: cross.reqFromV1 as Fn<Message, Message>,
    resToV1: cross.resToV1 as Fn<Message, Message>,
    resFromV1: cross.resFromV1 as Fn<Message, Message>,
  };
}

export const need = (ok: unknown, path: string) => {
  if (!ok) throw invalid(path, 'is required');
};

export function encode(schema: DescMessage, msg: Message): Uint8Array {
  return toBinary(schema, msg as never);
}

export function decode(
  schema: DescMessage,
  bytes: Uint8Array,
  error: 'InvalidParamsError' | 'InvalidAgentResponseError',
): Message {
  try {
    return fromBinary(schema, bytes);
  } catch (err) {
    throw new A2aError(error, `undecodable ${schema.typeName}: ${(err as Error).message}`);
  }
}
