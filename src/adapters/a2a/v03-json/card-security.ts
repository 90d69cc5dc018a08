// A2A v0.3 agent card security, JSON <-> the v0.3 protobuf: security schemes are `{type: ...}`
// objects in JSON and a oneof in the proto; `security` entries are `{scheme: scopes[]}` objects in
// JSON and `{schemes: {scheme: {list}}}` in the proto; the proto OAuthFlows holds one flow only
// (the first present is kept) and has no iconUrl. Used by the card conversion (card.ts).
import { create } from '@bufbuild/protobuf';
import * as v03 from '../gen/a2a/v0_3/a2a_pb.js';
import { arr, obj, optObj, optStr, put, stringMap, strings } from '../json.js';
import type { Obj } from '../json.js';

export function securityFromJson(v: unknown, path: string): v03.Security[] {
  return arr(v, path).map((entry, i) => {
    const schemes: Record<string, v03.StringList> = {};
    for (const [k, scopes] of Object.entries(obj(entry, `${path}[${i}]`)))
      schemes[k] = create(v03.StringListSchema, { list: strings(scopes, `${path}[${i}].${k}`) });
    return create(v03.SecuritySchema, { schemes });
  });
}

export function securityToJson(list: v03.Security[]): Obj[] {
  return list.map((s) => Object.fromEntries(Object.entries(s.schemes).map(([k, l]) => [k, [...l.list]])));
}

function flowsFromJson(v: unknown, path: string): v03.OAuthFlows {
  const o = optObj(v, path) ?? {};
  const flow = (key: string) => optObj(o[key], `${path}.${key}`);
  const common = (f: Obj, key: string) => ({
    refreshUrl: optStr(f['refreshUrl'], `${path}.${key}.refreshUrl`),
    scopes: stringMap(f['scopes'], `${path}.${key}.scopes`),
  });
  const flows = create(v03.OAuthFlowsSchema);
  let f: Obj | undefined;
  if ((f = flow('authorizationCode')))
    flows.flow = {
      case: 'authorizationCode',
      value: create(v03.AuthorizationCodeOAuthFlowSchema, {
        ...common(f, 'authorizationCode'),
        authorizationUrl: optStr(f['authorizationUrl'], `${path}.authorizationCode.authorizationUrl`),
        tokenUrl: optStr(f['tokenUrl'], `${path}.authorizationCode.tokenUrl`),
      }),
    };
  else if ((f = flow('clientCredentials')))
    flows.flow = {
      case: 'clientCredentials',
      value: create(v03.ClientCredentialsOAuthFlowSchema, {
        ...common(f, 'clientCredentials'),
        tokenUrl: optStr(f['tokenUrl'], `${path}.clientCredentials.tokenUrl`),
      }),
    };
  else if ((f = flow('implicit')))
    flows.flow = {
      case: 'implicit',
      value: create(v03.ImplicitOAuthFlowSchema, {
        ...common(f, 'implicit'),
        authorizationUrl: optStr(f['authorizationUrl'], `${path}.implicit.authorizationUrl`),
      }),
    };
  else if ((f = flow('password')))
    flows.flow = {
      case: 'password',
      value: create(v03.PasswordOAuthFlowSchema, {
        ...common(f, 'password'),
        tokenUrl: optStr(f['tokenUrl'], `${path}.password.tokenUrl`),
      }),
    };
  return flows;
}

function flowsToJson(flows: v03.OAuthFlows | undefined): Obj {
  const f = flows?.flow;
  if (!f?.case) return {};
  const out: Obj = { scopes: { ...f.value.scopes } };
  put(out, 'refreshUrl', f.value.refreshUrl);
  if ('authorizationUrl' in f.value) out['authorizationUrl'] = f.value.authorizationUrl;
  if ('tokenUrl' in f.value) out['tokenUrl'] = f.value.tokenUrl;
  return { [f.case]: out };
}

export function schemeFromJson(v: unknown, path: string): v03.SecurityScheme {
  const o = obj(v, path);
  const description = optStr(o['description'], `${path}.description`);
  const scheme = create(v03.SecuritySchemeSchema);
  switch (o['type']) {
    case 'apiKey':
      scheme.scheme = {
        case: 'apiKeySecurityScheme',
        value: create(v03.APIKeySecuritySchemeSchema, {
          description,
          location: optStr(o['in'], `${path}.in`),
          name: optStr(o['name'], `${path}.name`),
        }),
      };
      break;
    case 'http':
      scheme.scheme = {
        case: 'httpAuthSecurityScheme',
        value: create(v03.HTTPAuthSecuritySchemeSchema, {
          description,
          scheme: optStr(o['scheme'], `${path}.scheme`),
          bearerFormat: optStr(o['bearerFormat'], `${path}.bearerFormat`),
        }),
      };
      break;
    case 'oauth2':
      scheme.scheme = {
        case: 'oauth2SecurityScheme',
        value: create(v03.OAuth2SecuritySchemeSchema, {
          description,
          flows: flowsFromJson(o['flows'], `${path}.flows`),
          oauth2MetadataUrl: optStr(o['oauth2MetadataUrl'], `${path}.oauth2MetadataUrl`),
        }),
      };
      break;
    case 'openIdConnect':
      scheme.scheme = {
        case: 'openIdConnectSecurityScheme',
        value: create(v03.OpenIdConnectSecuritySchemeSchema, {
          description,
          openIdConnectUrl: optStr(o['openIdConnectUrl'], `${path}.openIdConnectUrl`),
        }),
      };
      break;
    case 'mutualTLS':
      scheme.scheme = {
        case: 'mtlsSecurityScheme',
        value: create(v03.MutualTlsSecuritySchemeSchema, { description }),
      };
      break;
  }
  return scheme;
}

export function schemeToJson(s: v03.SecurityScheme): Obj {
  const v = s.scheme;
  const out: Obj = {};
  switch (v.case) {
    case 'apiKeySecurityScheme':
      Object.assign(out, { type: 'apiKey', in: v.value.location, name: v.value.name });
      break;
    case 'httpAuthSecurityScheme':
      Object.assign(out, { type: 'http', scheme: v.value.scheme });
      put(out, 'bearerFormat', v.value.bearerFormat);
      break;
    case 'oauth2SecurityScheme':
      Object.assign(out, { type: 'oauth2', flows: flowsToJson(v.value.flows) });
      put(out, 'oauth2MetadataUrl', v.value.oauth2MetadataUrl);
      break;
    case 'openIdConnectSecurityScheme':
      Object.assign(out, { type: 'openIdConnect', openIdConnectUrl: v.value.openIdConnectUrl });
      break;
    case 'mtlsSecurityScheme':
      out['type'] = 'mutualTLS';
      break;
    default:
      return out;
  }
  put(out, 'description', v.value.description);
  return out;
}
