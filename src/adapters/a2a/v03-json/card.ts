// A2A v0.3 agent card: JSON (as served at /.well-known/agent-card.json and returned by
// agent/getAuthenticatedExtendedCard) <-> the v0.3 protobuf AgentCard. Differences: the security
// schemes and requirements (card-security.ts); the proto has no stateTransitionHistory.
import { create } from '@bufbuild/protobuf';
import * as v03 from '../gen/a2a/v0_3/a2a_pb.js';
import {
  arr,
  cloneJson,
  isObj,
  obj,
  optBool,
  optObj,
  optStr,
  optStruct,
  put,
  str,
  strings,
} from '../json.js';
import type { Obj } from '../json.js';
import { schemeFromJson, schemeToJson, securityFromJson, securityToJson } from './card-security.js';

export function cardFromJson(v: unknown, path = 'card'): v03.AgentCard {
  const o = obj(v, path);
  const caps = optObj(o['capabilities'], `${path}.capabilities`) ?? {};
  const schemes: Record<string, v03.SecurityScheme> = {};
  for (const [k, s] of Object.entries(optObj(o['securitySchemes'], `${path}.securitySchemes`) ?? {}))
    if (isObj(s)) schemes[k] = schemeFromJson(s, `${path}.securitySchemes.${k}`);
  return create(v03.AgentCardSchema, {
    protocolVersion: optStr(o['protocolVersion'], `${path}.protocolVersion`),
    name: optStr(o['name'], `${path}.name`),
    description: optStr(o['description'], `${path}.description`),
    url: optStr(o['url'], `${path}.url`),
    preferredTransport: optStr(o['preferredTransport'], `${path}.preferredTransport`),
    additionalInterfaces: arr(o['additionalInterfaces'], `${path}.additionalInterfaces`).map((x, i) => {
      const it = obj(x, `${path}.additionalInterfaces[${i}]`);
      return create(v03.AgentInterfaceSchema, {
        url: str(it['url'], `${path}.additionalInterfaces[${i}].url`),
        transport: optStr(it['transport'], `${path}.additionalInterfaces[${i}].transport`),
      });
    }),
    provider: isObj(o['provider'])
      ? create(v03.AgentProviderSchema, {
          url: optStr(o['provider']['url'], `${path}.provider.url`),
          organization: optStr(o['provider']['organization'], `${path}.provider.organization`),
        })
      : undefined,
    version: optStr(o['version'], `${path}.version`),
    documentationUrl: optStr(o['documentationUrl'], `${path}.documentationUrl`),
    capabilities: create(v03.AgentCapabilitiesSchema, {
      streaming: optBool(caps['streaming'], `${path}.capabilities.streaming`) ?? false,
      pushNotifications:
        optBool(caps['pushNotifications'], `${path}.capabilities.pushNotifications`) ?? false,
      extensions: arr(caps['extensions'], `${path}.capabilities.extensions`).map((x, i) => {
        const e = obj(x, `${path}.capabilities.extensions[${i}]`);
        return create(v03.AgentExtensionSchema, {
          uri: optStr(e['uri'], `${path}.capabilities.extensions[${i}].uri`),
          description: optStr(e['description'], `${path}.capabilities.extensions[${i}].description`),
          required: optBool(e['required'], `${path}.capabilities.extensions[${i}].required`) ?? false,
          params: optStruct(e['params'], `${path}.capabilities.extensions[${i}].params`),
        });
      }),
    }),
    securitySchemes: schemes,
    security: securityFromJson(o['security'], `${path}.security`),
    defaultInputModes: strings(o['defaultInputModes'], `${path}.defaultInputModes`),
    defaultOutputModes: strings(o['defaultOutputModes'], `${path}.defaultOutputModes`),
    skills: arr(o['skills'], `${path}.skills`).map((x, i) => {
      const s = obj(x, `${path}.skills[${i}]`);
      const sp = `${path}.skills[${i}]`;
      return create(v03.AgentSkillSchema, {
        id: optStr(s['id'], `${sp}.id`),
        name: optStr(s['name'], `${sp}.name`),
        description: optStr(s['description'], `${sp}.description`),
        tags: strings(s['tags'], `${sp}.tags`),
        examples: strings(s['examples'], `${sp}.examples`),
        inputModes: strings(s['inputModes'], `${sp}.inputModes`),
        outputModes: strings(s['outputModes'], `${sp}.outputModes`),
        security: securityFromJson(s['security'], `${sp}.security`),
      });
    }),
    supportsAuthenticatedExtendedCard:
      optBool(o['supportsAuthenticatedExtendedCard'], `${path}.supportsAuthenticatedExtendedCard`) ?? false,
    signatures: arr(o['signatures'], `${path}.signatures`).map((x, i) => {
      const s = obj(x, `${path}.signatures[${i}]`);
      return create(v03.AgentCardSignatureSchema, {
        protected: optStr(s['protected'], `${path}.signatures[${i}].protected`),
        signature: optStr(s['signature'], `${path}.signatures[${i}].signature`),
        header: optStruct(s['header'], `${path}.signatures[${i}].header`),
      });
    }),
  });
}

export function cardToJson(c: v03.AgentCard): Obj {
  const out: Obj = {
    protocolVersion: c.protocolVersion || '0.3.0',
    name: c.name,
    description: c.description,
    url: c.url,
  };
  put(out, 'preferredTransport', c.preferredTransport);
  put(
    out,
    'additionalInterfaces',
    c.additionalInterfaces.map((i) => ({ url: i.url, transport: i.transport })),
  );
  if (c.provider) out['provider'] = { url: c.provider.url, organization: c.provider.organization };
  out['version'] = c.version;
  put(out, 'documentationUrl', c.documentationUrl);
  const caps: Obj = {};
  if (c.capabilities?.streaming) caps['streaming'] = true;
  if (c.capabilities?.pushNotifications) caps['pushNotifications'] = true;
  put(
    caps,
    'extensions',
    (c.capabilities?.extensions ?? []).map((e) => {
      const ext: Obj = { uri: e.uri, required: e.required };
      put(ext, 'description', e.description);
      put(ext, 'params', cloneJson(e.params));
      return ext;
    }),
  );
  out['capabilities'] = caps;
  if (Object.keys(c.securitySchemes).length > 0)
    out['securitySchemes'] = Object.fromEntries(
      Object.entries(c.securitySchemes).map(([k, s]) => [k, schemeToJson(s)]),
    );
  put(out, 'security', securityToJson(c.security));
  out['defaultInputModes'] = [...c.defaultInputModes];
  out['defaultOutputModes'] = [...c.defaultOutputModes];
  out['skills'] = c.skills.map((s) => {
    const skill: Obj = { id: s.id, name: s.name, description: s.description, tags: [...s.tags] };
    put(skill, 'examples', [...s.examples]);
    put(skill, 'inputModes', [...s.inputModes]);
    put(skill, 'outputModes', [...s.outputModes]);
    put(skill, 'security', securityToJson(s.security));
    return skill;
  });
  if (c.supportsAuthenticatedExtendedCard) out['supportsAuthenticatedExtendedCard'] = true;
  put(
    out,
    'signatures',
    c.signatures.map((s) => {
      const sig: Obj = { protected: s.protected, signature: s.signature };
      put(sig, 'header', cloneJson(s.header));
      return sig;
    }),
  );
  return out;
}
