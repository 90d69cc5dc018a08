// Session frames: builds the Publish messages the session layer sends and reads the ones it
// receives (docs/sessions-mls.md#session-frames, docs/dataplane.md#publish). Builders leave
// `identity` and `e2e_header_sig` empty: the outbound pipeline (secure.ts) sets them last, so the
// signature and the MLS authenticated data cover the final header. Readers never throw: a frame
// that cannot be read is `undefined` (dropped by the caller).
import { randomInt } from 'node:crypto';
import { clone } from '@bufbuild/protobuf';
import type { MessageInitShape } from '@bufbuild/protobuf';
import { MessageSchema, SessionMessageType, SessionType, newMessage } from '../proto/index.js';
import type {
  ApplicationPayload,
  CommandPayload,
  Message,
  Participant,
  Publish,
  CommandPayloadSchema,
  SLIMHeader,
} from '../proto/index.js';
import { fromProtoName, sharedProtoName, toProtoName } from '../dataplane/name.js';
import type { SlimName } from '../dataplane/name.js';

export { SessionMessageType as MsgType, SessionType };

type CommandUnion = CommandPayload['commandPayloadType'];
/** The command payload cases (`joinRequest`, `groupAck`, ...). */
export type CommandCase = Exclude<CommandUnion['case'], undefined>;
/** The payload of one command case, as received. */
export type CommandOf<C extends CommandCase> = Extract<CommandUnion, { case: C }>['value'];
type CommandInit = MessageInitShape<typeof CommandPayloadSchema>['commandPayloadType'];

/** Message types that carry a command payload and are signed (is_command_message). */
const COMMAND_TYPES = new Set<SessionMessageType>([
  SessionMessageType.DISCOVERY_REQUEST,
  SessionMessageType.DISCOVERY_REPLY,
  SessionMessageType.JOIN_REQUEST,
  SessionMessageType.JOIN_REPLY,
  SessionMessageType.LEAVE_REQUEST,
  SessionMessageType.LEAVE_REPLY,
  SessionMessageType.GROUP_UPDATE,
  SessionMessageType.GROUP_WELCOME,
  SessionMessageType.GROUP_CLOSE,
  SessionMessageType.GROUP_PROPOSAL,
  SessionMessageType.GROUP_ACK,
  SessionMessageType.GROUP_NACK,
  SessionMessageType.HEARTBEAT,
  SessionMessageType.UPDATE_PARTICIPANT_STATE,
  SessionMessageType.REJOIN_REQUEST,
  SessionMessageType.REJOIN_REPLY,
]);

export function isCommandType(type: SessionMessageType): boolean {
  return COMMAND_TYPES.has(type);
}

/** Where a frame goes and whose session it belongs to. */
export interface FrameRoute {
  source: SlimName;
  destination: SlimName;
  sessionType: SessionType;
  sessionId: number;
  /** 1 unless given; group channel traffic uses GROUP_FANOUT (constants.ts). */
  fanout?: number;
  metadata?: Record<string, string>;
}

export function commandFrame(
  route: FrameRoute,
  type: SessionMessageType,
  messageId: number,
  command: CommandInit,
): Message {
  return newMessage({
    messageType: {
      case: 'publish',
      value: {
        header: header(route),
        session: {
          sessionType: route.sessionType,
          sessionMessageType: type,
          sessionId: route.sessionId,
          messageId,
        },
        msg: { contentType: { case: 'commandPayload', value: { commandPayloadType: command } } },
      },
    },
    metadata: { ...(route.metadata ?? {}) },
  });
}

export function appFrame(
  route: FrameRoute,
  type: SessionMessageType,
  messageId: number,
  payloadType: string,
  blob: Uint8Array,
  error?: boolean,
): Message {
  // Built directly, as create() would build it (every data frame and ACK goes through here;
  // create() walks the schema and cost several µs a frame).
  const h: SLIMHeader = {
    $typeName: 'dataplane.proto.v1.SLIMHeader',
    source: sharedProtoName(route.source),
    destination: sharedProtoName(route.destination),
    identity: '',
    fanout: route.fanout ?? 1,
    version: '',
    ttl: 0,
  };
  if (error) h.error = true;
  return {
    $typeName: 'dataplane.proto.v1.Message',
    messageType: {
      case: 'publish',
      value: {
        $typeName: 'dataplane.proto.v1.Publish',
        header: h,
        session: {
          $typeName: 'dataplane.proto.v1.SessionHeader',
          sessionType: route.sessionType,
          sessionMessageType: type,
          sessionId: route.sessionId,
          messageId,
        },
        msg: {
          $typeName: 'dataplane.proto.v1.Content',
          contentType: {
            case: 'appPayload',
            value: { $typeName: 'dataplane.proto.v1.ApplicationPayload', payloadType, blob },
          },
        },
      },
    },
    metadata: { ...(route.metadata ?? {}) },
  };
}

function header(route: FrameRoute) {
  return {
    source: sharedProtoName(route.source),
    destination: sharedProtoName(route.destination),
    identity: '',
    fanout: route.fanout ?? 1,
  };
}

/** The Publish inside a frame this module built (throws INTERNAL otherwise). */
export function publishOf(msg: Message): Publish {
  if (msg.messageType.case !== 'publish') throw new Error('not a publish frame');
  return msg.messageType.value;
}

/**
 * A copy to send (frames kept for retransmission or replies are copied before every send): the
 * parts the send path changes (the SLIM header, the session header, the application payload whose
 * blob is replaced by its ciphertext) are new objects; names, metadata and command payloads, which
 * nothing changes once built, are shared. A deep clone cost ~10 µs per frame; this, well under one.
 */
export function copyFrame(msg: Message): Message {
  if (msg.messageType.case !== 'publish') return clone(MessageSchema, msg);
  const p = msg.messageType.value;
  const ct = p.msg?.contentType;
  const content =
    p.msg && ct?.case === 'appPayload'
      ? { ...p.msg, contentType: { case: ct.case, value: { ...ct.value } } }
      : p.msg;
  const publish: Publish = {
    ...p,
    ...(p.header ? { header: { ...p.header } } : {}),
    ...(p.session ? { session: { ...p.session } } : {}),
    ...(content ? { msg: content } : {}),
  };
  return { ...msg, messageType: { case: 'publish', value: publish } };
}

/** Changes the destination (and fanout) of a frame in place. */
export function redirect(msg: Message, destination: SlimName, fanout = 1): void {
  const h = publishOf(msg).header!;
  h.destination = sharedProtoName(destination);
  h.fanout = fanout;
}

/** A received session frame, read once. */
export interface Inbound {
  readonly msg: Message;
  readonly publish: Publish;
  readonly type: SessionMessageType;
  readonly sessionType: SessionType;
  readonly sessionId: number;
  readonly messageId: number;
  readonly source: SlimName;
  readonly destination: SlimName;
  readonly identity: string;
  readonly error: boolean;
  readonly metadata: Readonly<Record<string, string>>;
  readonly command: CommandUnion | undefined;
  readonly app: ApplicationPayload | undefined;
}

export function readFrame(msg: Message): Inbound | undefined {
  if (msg.messageType.case !== 'publish') return undefined;
  const publish = msg.messageType.value;
  const h = publish.header;
  const s = publish.session;
  if (!h || !s) return undefined;
  let source: SlimName;
  let destination: SlimName;
  try {
    source = fromProtoName(h.source);
    destination = fromProtoName(h.destination);
  } catch {
    return undefined;
  }
  const content = publish.msg?.contentType;
  return {
    msg,
    publish,
    type: s.sessionMessageType,
    sessionType: s.sessionType,
    sessionId: s.sessionId,
    messageId: s.messageId,
    source,
    destination,
    identity: h.identity,
    error: h.error === true,
    metadata: msg.metadata,
    command: content?.case === 'commandPayload' ? content.value.commandPayloadType : undefined,
    app: content?.case === 'appPayload' ? content.value : undefined,
  };
}

/** The command payload of a given case, or undefined when the frame carries another one. */
export function commandOf<C extends CommandCase>(frame: Inbound, c: C): CommandOf<C> | undefined {
  const cmd = frame.command;
  return (cmd?.case === c ? cmd.value : undefined) as CommandOf<C> | undefined;
}

/** Participant entry of rosters (JOIN_REPLY, GROUP_WELCOME, GROUP_UPDATE). */
export interface Member {
  readonly name: SlimName;
  readonly sendsData: boolean;
  readonly receivesData: boolean;
  online: boolean;
}

export function memberInit(m: Member) {
  return {
    name: toProtoName(m.name),
    settings: { sendsData: m.sendsData, receivesData: m.receivesData },
    status: m.online ? 0 : 1,
  };
}

export function readMember(p: Participant | undefined): Member | undefined {
  if (!p?.name) return undefined;
  try {
    return {
      name: fromProtoName(p.name),
      // An absent settings message reads as "sends and receives" (the reference's default).
      sendsData: p.settings ? p.settings.sendsData : true,
      receivesData: p.settings ? p.settings.receivesData : true,
      online: p.status === 0,
    };
  } catch {
    return undefined;
  }
}

/** A control message id: random, never 0 (the replay check refuses 0). */
export function randomId(): number {
  return randomInt(1, 0xffff_ffff);
}
