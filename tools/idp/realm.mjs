// The kecp-sso realm's data (realm-data.json): roles, organizations, demo users and clients.
// The development provider (server.mjs) and the Keycloak realm export
// (make-realm-export.mjs) are both built from it, so the two cannot drift.
import { readFileSync } from 'node:fs';

export const REALM_DATA_PATH = new URL('./realm-data.json', import.meta.url);

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function check(condition, message) {
  if (!condition) throw new Error(`realm-data.json: ${message}`);
}

/** Reads and checks realm-data.json; throws on anything inconsistent. */
export function loadRealm(path = REALM_DATA_PATH) {
  const data = JSON.parse(readFileSync(path, 'utf8'));
  const roles = new Set(data.roles.map((r) => r.name));
  const orgs = new Map(data.organizations.map((o) => [o.key, o]));
  check(orgs.size === data.organizations.length, 'organization keys must be unique');
  for (const org of data.organizations) check(UUID.test(org.id), `organization ${org.key}: id is not a UUID`);
  const seen = new Set();
  for (const user of data.users) {
    check(!seen.has(user.username), `user ${user.username} appears twice`);
    seen.add(user.username);
    check(UUID.test(user.sub), `user ${user.username}: sub is not a UUID`);
    check(user.password && user.email && user.name, `user ${user.username}: password, email and name are required`);
    for (const role of user.roles) check(roles.has(role), `user ${user.username}: unknown role ${role}`);
    check(user.org === null || orgs.has(user.org), `user ${user.username}: unknown organization ${user.org}`);
  }
  for (const client of data.clients) {
    check(['public', 'confidential', 'bearer-only'].includes(client.type), `client ${client.clientId}: unknown type`);
    for (const role of client.serviceAccount?.roles ?? []) {
      check(roles.has(role), `client ${client.clientId}: unknown role ${role}`);
    }
  }
  return data;
}

export function organizationOf(realm, user) {
  return user.org ? realm.organizations.find((o) => o.key === user.org) : undefined;
}

/** Group paths as in the Keycloak export: MSP staff in /msp, customers in /customers/<org>. */
export function groupPathsOf(user) {
  return user.org ? [`/customers/${user.org}`] : ['/msp'];
}

export const USER_CLAIMS = [
  'sub', 'preferred_username', 'name', 'given_name', 'email', 'email_verified',
  'realm_access', 'groups', 'org_id',
];

/** The user's claims in tokens and at userinfo, as Keycloak's mappers of the export emit
 * them: profile and email scopes, realm roles (realm_access.roles), org_id (user attribute),
 * groups (group membership, names without the path). */
export function userClaims(realm, user) {
  const claims = {
    sub: user.sub,
    preferred_username: user.username,
    name: user.name,
    given_name: user.name,
    email: user.email,
    email_verified: true,
    realm_access: { roles: [...user.roles] },
    groups: groupPathsOf(user).map((path) => path.split('/').pop()),
  };
  const org = organizationOf(realm, user);
  if (org) claims.org_id = org.id;
  return claims;
}

/** Claims of a client's service-account user (client credentials tokens). */
export function serviceAccountClaims(client) {
  const account = client.serviceAccount;
  return {
    sub: account.sub,
    preferred_username: account.username,
    email_verified: false,
    realm_access: { roles: [...account.roles] },
  };
}

/** The client secret: from its environment variable, else the documented development value. */
export function clientSecret(client, env = process.env) {
  return env[client.secretEnv] || client.developmentSecret;
}
