#!/usr/bin/env node
// Writes deploy/keycloak/kecp-sso-realm.json, the kecp-sso realm for a real Keycloak
// (`kc.sh import`, or `start --import-realm` with the file in data/import), from
// tools/idp/realm-data.json: the same roles, organizations, demo users, clients and claims
// as the development provider.
//
//   node tools/idp/make-realm-export.mjs           # write the file
//   node tools/idp/make-realm-export.mjs --check   # exit 1 when the file is not up to date
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import {
  clientSecret, groupPathsOf, loadRealm, organizationOf,
} from './realm.mjs';

export const EXPORT_PATH = fileURLToPath(new URL('../../deploy/keycloak/kecp-sso-realm.json', import.meta.url));

const claimTargets = (idToken, userinfo = idToken) => ({
  'id.token.claim': String(idToken),
  'access.token.claim': 'true',
  'userinfo.token.claim': String(userinfo),
  'introspection.token.claim': 'true',
});

function mapper(name, protocolMapper, config) {
  return {
    name, protocol: 'openid-connect', protocolMapper, consentRequired: false, config,
  };
}

function audienceMapper(audience) {
  return mapper(`audience ${audience}`, 'oidc-audience-mapper', {
    'included.custom.audience': audience,
    ...claimTargets(false),
  });
}

// What the console's tokens carry besides Keycloak's default client scopes (profile, email,
// roles): roles also in the ID token and at userinfo, the organization, the groups.
function consoleMappers(audience) {
  return [
    audienceMapper(audience),
    mapper('realm roles', 'oidc-usermodel-realm-role-mapper', {
      'claim.name': 'realm_access.roles', 'jsonType.label': 'String', multivalued: 'true', ...claimTargets(true),
    }),
    mapper('org_id', 'oidc-usermodel-attribute-mapper', {
      'user.attribute': 'org_id',
      'claim.name': 'org_id',
      'jsonType.label': 'String',
      multivalued: 'false',
      'aggregate.attrs': 'false',
      ...claimTargets(true),
    }),
    mapper('groups', 'oidc-group-membership-mapper', {
      'claim.name': 'groups', 'full.path': 'false', ...claimTargets(true),
    }),
  ];
}

const NO_FLOWS = {
  standardFlowEnabled: false,
  implicitFlowEnabled: false,
  directAccessGrantsEnabled: false,
  serviceAccountsEnabled: false,
};

function keycloakClient(realm, client) {
  const base = {
    clientId: client.clientId,
    name: client.name,
    enabled: true,
    protocol: 'openid-connect',
    consentRequired: false,
    fullScopeAllowed: true,
  };
  const { audience } = realm.realm;
  switch (client.type) {
    case 'public':
      return {
        ...base,
        description: 'The operator console (gateway): authorization code with PKCE S256',
        publicClient: true,
        ...NO_FLOWS,
        standardFlowEnabled: true,
        frontchannelLogout: true,
        baseUrl: client.postLogoutRedirectUris[0],
        redirectUris: client.redirectUris,
        webOrigins: client.webOrigins,
        attributes: {
          'pkce.code.challenge.method': 'S256',
          'post.logout.redirect.uris': client.postLogoutRedirectUris.join('##'),
          'oauth2.device.authorization.grant.enabled': 'false',
          'oidc.ciba.grant.enabled': 'false',
        },
        protocolMappers: consoleMappers(audience),
      };
    case 'bearer-only':
      return {
        ...base,
        description: `The kohub services: they accept tokens whose audience is "${audience}"`,
        bearerOnly: true,
        publicClient: false,
        ...NO_FLOWS,
        redirectUris: [],
        webOrigins: [],
      };
    default: // confidential service-account client
      return {
        ...base,
        description: 'Service account (client credentials) for the kohub internal API',
        publicClient: false,
        clientAuthenticatorType: 'client-secret',
        secret: clientSecret(client, {}),
        ...NO_FLOWS,
        serviceAccountsEnabled: true,
        redirectUris: [],
        webOrigins: [],
        attributes: {
          'oauth2.device.authorization.grant.enabled': 'false',
          'oidc.ciba.grant.enabled': 'false',
        },
        protocolMappers: [audienceMapper(audience)],
      };
  }
}

function keycloakUser(realm, user) {
  const org = organizationOf(realm, user);
  return {
    id: user.sub,
    username: user.username,
    enabled: true,
    email: user.email,
    emailVerified: true,
    firstName: user.name, // one display name (Korean order): Keycloak's `name` claim is exactly it
    attributes: org ? { org_id: [org.id] } : {},
    credentials: [{ type: 'password', value: user.password, temporary: false }],
    realmRoles: [...user.roles],
    groups: groupPathsOf(user),
    requiredActions: [],
  };
}

function serviceAccountUser(client) {
  return {
    id: client.serviceAccount.sub,
    username: client.serviceAccount.username,
    enabled: true,
    serviceAccountClientId: client.clientId,
    realmRoles: [...client.serviceAccount.roles],
    requiredActions: [],
  };
}

const both = { view: ['admin', 'user'], edit: ['admin', 'user'] };

// Keycloak 24+ keeps only attributes its user profile declares: org_id is declared (admins
// only), and lastName is optional so a one-string display name needs no profile update.
function userProfile() {
  return {
    attributes: [
      {
        name: 'username',
        displayName: '${username}',
        validations: { length: { min: 3, max: 255 }, 'username-prohibited-characters': {}, 'up-username-not-idn-homograph': {} },
        permissions: both,
        multivalued: false,
      },
      {
        name: 'email',
        displayName: '${email}',
        validations: { email: {}, length: { max: 255 } },
        required: { roles: ['user'] },
        permissions: both,
        multivalued: false,
      },
      {
        name: 'firstName',
        displayName: '${firstName}',
        validations: { length: { max: 255 }, 'person-name-prohibited-characters': {} },
        required: { roles: ['user'] },
        permissions: both,
        multivalued: false,
      },
      {
        name: 'lastName',
        displayName: '${lastName}',
        validations: { length: { max: 255 }, 'person-name-prohibited-characters': {} },
        permissions: both,
        multivalued: false,
      },
      {
        name: 'org_id',
        displayName: 'Organization id (kohub)',
        validations: { length: { min: 36, max: 36 } },
        permissions: { view: ['admin'], edit: ['admin'] },
        multivalued: false,
      },
    ],
    groups: [
      {
        name: 'user-metadata',
        displayHeader: 'User metadata',
        displayDescription: 'Attributes, which refer to user metadata',
      },
    ],
  };
}

export function realmExport(realm = loadRealm()) {
  const { realm: settings } = realm;
  return {
    realm: settings.name,
    displayName: settings.displayName,
    enabled: true,
    sslRequired: 'external',
    registrationAllowed: false,
    loginWithEmailAllowed: true,
    duplicateEmailsAllowed: false,
    resetPasswordAllowed: false,
    editUsernameAllowed: false,
    rememberMe: false,
    verifyEmail: false,
    bruteForceProtected: true,
    accessTokenLifespan: settings.accessTokenLifespan,
    ssoSessionIdleTimeout: settings.ssoSessionIdleTimeout,
    ssoSessionMaxLifespan: settings.ssoSessionMaxLifespan,
    internationalizationEnabled: true,
    supportedLocales: ['ko', 'en'],
    defaultLocale: 'ko',
    roles: {
      realm: realm.roles.map((r) => ({ name: r.name, description: r.description, composite: false })),
    },
    groups: [
      { name: 'msp', path: '/msp', attributes: {}, subGroups: [] },
      {
        name: 'customers',
        path: '/customers',
        attributes: {},
        subGroups: realm.organizations.map((o) => ({
          name: o.key,
          path: `/customers/${o.key}`,
          attributes: { org_id: [o.id], org_name: [o.name] },
          subGroups: [],
        })),
      },
    ],
    clients: realm.clients.map((c) => keycloakClient(realm, c)),
    users: [
      ...realm.users.map((u) => keycloakUser(realm, u)),
      ...realm.clients.filter((c) => c.serviceAccount).map(serviceAccountUser),
    ],
    components: {
      'org.keycloak.userprofile.UserProfileProvider': [
        {
          providerId: 'declarative-user-profile',
          subComponents: {},
          config: { 'kc.user.profile.config': [JSON.stringify(userProfile())] },
        },
      ],
    },
  };
}

function main(args) {
  const text = `${JSON.stringify(realmExport(), null, 2)}\n`;
  if (args.includes('--check')) {
    let current = '';
    try {
      current = readFileSync(EXPORT_PATH, 'utf8');
    } catch { /* missing: not up to date */ }
    if (current !== text) {
      process.stderr.write(`${EXPORT_PATH} is not up to date: run node tools/idp/make-realm-export.mjs\n`);
      process.exit(1);
    }
    return;
  }
  writeFileSync(EXPORT_PATH, text);
  process.stdout.write(`wrote ${EXPORT_PATH}\n`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main(process.argv.slice(2));
}
