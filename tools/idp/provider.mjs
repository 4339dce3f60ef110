// The oidc-provider configuration that makes it look like Keycloak's kecp-sso realm: the
// endpoint paths under /realms/kecp-sso/protocol/openid-connect, RS256 JWT access tokens
// with Keycloak's claims (aud kohub, azp, typ Bearer, realm_access.roles, org_id, ...),
// PKCE for the console, client credentials for service accounts, no consent screen.
import { randomBytes } from 'node:crypto';

import Provider, { errors } from 'oidc-provider';

import {
  USER_CLAIMS, clientSecret, serviceAccountClaims, userClaims,
} from './realm.mjs';
import { errorPage, logoutPage, signedOutPage } from './views.mjs';

// The resource indicator every access token is issued for; its audience is the realm's
// audience (`kohub`), which Keycloak's audience mapper adds to the tokens of the export.
export const RESOURCE = 'urn:kohub:api';
const RESOURCE_SCOPE = 'openid profile email';
const OIDC_SCOPES = ['openid', 'profile', 'email', 'offline_access'];

export const PROTOCOL_PATH = '/protocol/openid-connect';

function sendPage(ctx, { status, html }) {
  ctx.status = status;
  ctx.type = 'html';
  ctx.body = html;
}

// Where else the console may run (tests start it on a free port): a comma-separated list of
// origins whose /auth/callback and / are also registered for the public client.
function extraConsoleOrigins(env = process.env) {
  return (env.KOHUB_IDP_CONSOLE_ORIGINS || '')
    .split(',').map((o) => o.trim().replace(/\/+$/, '')).filter(Boolean);
}

function providerClients(realm) {
  const clients = [];
  const origins = extraConsoleOrigins();
  for (const client of realm.clients) {
    if (client.type === 'public') {
      clients.push({
        client_id: client.clientId,
        client_name: client.name,
        application_type: 'web',
        token_endpoint_auth_method: 'none',
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        redirect_uris: [...client.redirectUris, ...origins.map((o) => `${o}/auth/callback`)],
        post_logout_redirect_uris: [...client.postLogoutRedirectUris, ...origins.map((o) => `${o}/`)],
      });
    } else if (client.type === 'confidential') {
      clients.push({
        client_id: client.clientId,
        client_name: client.name,
        client_secret: clientSecret(client),
        token_endpoint_auth_method: 'client_secret_basic', // client_secret_post works too
        grant_types: ['client_credentials'],
        response_types: [],
        redirect_uris: [],
      });
    } // bearer-only clients (kohub-api) only name the audience: nothing to register
  }
  return clients;
}

/** Builds the Provider. `issuer` ends with /realms/<realm>; `interactionPath(uid)` is where
 * the login page of an interaction lives (served by server.mjs). */
export function createProvider({
  issuer, realm, jwk, interactionPath,
}) {
  const usersBySub = new Map(realm.users.map((u) => [u.sub, u]));
  const clientsById = new Map(realm.clients.map((c) => [c.clientId, c]));
  const ttl = realm.realm.accessTokenLifespan;

  const configuration = {
    clients: providerClients(realm),
    jwks: { keys: [jwk] },
    cookies: {
      // names of their own: the console on the same host (another port) has its cookies too
      names: { session: 'KOHUB_IDP_SESSION', interaction: 'KOHUB_IDP_INTERACTION', resume: 'KOHUB_IDP_RESUME' },
      keys: [randomBytes(32).toString('base64url')], // sessions live in memory: a restart ends them anyway
    },
    routes: {
      authorization: `${PROTOCOL_PATH}/auth`,
      token: `${PROTOCOL_PATH}/token`,
      jwks: `${PROTOCOL_PATH}/certs`,
      end_session: `${PROTOCOL_PATH}/logout`,
      revocation: `${PROTOCOL_PATH}/revoke`,
      pushed_authorization_request: `${PROTOCOL_PATH}/ext/par/request`,
      userinfo: `${PROTOCOL_PATH}/userinfo`, // served by server.mjs (Keycloak accepts access tokens there)
    },
    // Keycloak's default client scopes put the profile, email, role and org claims in every
    // token whatever the scope parameter says; here they all come with `openid`.
    claims: {
      openid: USER_CLAIMS,
      profile: ['name', 'given_name', 'preferred_username'],
      email: ['email', 'email_verified'],
    },
    scopes: OIDC_SCOPES,
    responseTypes: ['code'],
    pkce: { required: () => true },
    conformIdTokenClaims: false,
    clientBasedCORS: (ctx, origin, client) => {
      const allowed = clientsById.get(client.clientId)?.webOrigins ?? [];
      return allowed.includes(origin);
    },
    discovery: {
      userinfo_endpoint: `${issuer}${PROTOCOL_PATH}/userinfo`,
      claims_parameter_supported: false,
    },
    features: {
      devInteractions: { enabled: false },
      userinfo: { enabled: false },
      clientCredentials: { enabled: true },
      revocation: { enabled: true },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: async (ctx, form) => {
          // Keycloak signs out without asking when the RP proves itself with id_token_hint
          const automatic = Boolean(ctx.oidc.params.id_token_hint && ctx.oidc.client);
          sendPage(ctx, logoutPage({ form, automatic }));
        },
        postLogoutSuccessSource: async (ctx) => sendPage(ctx, signedOutPage()),
      },
      resourceIndicators: {
        enabled: true,
        defaultResource: async () => RESOURCE,
        useGrantedResource: async () => true,
        getResourceServerInfo: async (ctx, indicator) => {
          if (indicator !== RESOURCE) throw new errors.InvalidTarget();
          return {
            scope: RESOURCE_SCOPE,
            audience: realm.realm.audience,
            accessTokenTTL: ttl,
            accessTokenFormat: 'jwt',
            jwt: { sign: { alg: 'RS256' } },
          };
        },
      },
    },
    formats: {
      customizers: {
        // Keycloak's access token claims on top of oidc-provider's (jti, sub, iat, exp,
        // scope, client_id, iss, aud)
        jwt: async (ctx, token, jwt) => {
          const { payload } = jwt;
          payload.typ = 'Bearer';
          payload.azp = token.clientId;
          payload.aud = realm.realm.audience;
          if (token.accountId) {
            const user = usersBySub.get(token.accountId);
            if (!user) throw new errors.InvalidGrant('the user no longer exists');
            Object.assign(payload, userClaims(realm, user));
          } else {
            const client = clientsById.get(token.clientId);
            if (client?.serviceAccount) Object.assign(payload, serviceAccountClaims(client));
          }
          jwt.header = { typ: 'JWT' };
        },
      },
    },
    findAccount: async (ctx, sub) => {
      const user = usersBySub.get(sub);
      if (!user) return undefined;
      return { accountId: sub, claims: async () => userClaims(realm, user) };
    },
    // No consent screen (Keycloak's clients do not ask for consent): a grant for what the
    // client asked is made on first use.
    loadExistingGrant: async (ctx) => {
      const { oidc } = ctx;
      const grantId = oidc.result?.consent?.grantId || oidc.session.grantIdFor(oidc.client.clientId);
      if (grantId) {
        const existing = await oidc.provider.Grant.find(grantId);
        if (existing) return existing;
      }
      if (!oidc.session.accountId) return undefined;
      const grant = new oidc.provider.Grant({ clientId: oidc.client.clientId, accountId: oidc.session.accountId });
      const requested = (oidc.params.scope || 'openid').split(' ').filter((s) => OIDC_SCOPES.includes(s));
      grant.addOIDCScope(requested.join(' '));
      grant.addResourceScope(RESOURCE, RESOURCE_SCOPE);
      await grant.save();
      return grant;
    },
    issueRefreshToken: async (ctx, client) => client.grantTypeAllowed('refresh_token'),
    interactions: { url: async (ctx, interaction) => interactionPath(interaction.uid) },
    renderError: async (ctx, out) => sendPage(ctx, errorPage({
      status: ctx.status || 400, error: out.error, description: out.error_description,
    })),
    ttl: {
      AccessToken: ttl,
      ClientCredentials: ttl,
      IdToken: ttl,
      AuthorizationCode: 60,
      RefreshToken: realm.realm.ssoSessionIdleTimeout,
      Interaction: 30 * 60,
      Session: realm.realm.ssoSessionMaxLifespan,
      Grant: realm.realm.ssoSessionMaxLifespan,
    },
  };
  return new Provider(issuer, configuration);
}
