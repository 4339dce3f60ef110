#!/usr/bin/env node
// kohub's local OpenID provider, shaped like the Keycloak realm kecp-sso (development and
// tests only; a real deployment uses Keycloak with deploy/keycloak/kecp-sso-realm.json).
//
//   node tools/idp/server.mjs        # http://127.0.0.1:8080/realms/kecp-sso
//
// Environment: KOHUB_IDP_HOST (127.0.0.1), KOHUB_IDP_PORT (8080), KOHUB_IDP_ISSUER
// (http://<host>:<port>/realms/kecp-sso), KOHUB_IDP_KEY_FILE (.run/idp-signing-key.json of
// the repository), KOHUB_IDP_KUSTHUB_SECRET (kusthub's client secret; development default
// in realm-data.json). See docs/identity.md.
import { createHash, timingSafeEqual, verify } from 'node:crypto';
import { createServer } from 'node:http';
import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';

import { loadOrCreateSigningKey, publicKeyOf } from './keys.mjs';
import { loadRealm, serviceAccountClaims, userClaims } from './realm.mjs';
import { errorPage, loginPage } from './views.mjs';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BODY_LIMIT = 16 * 1024;

function log(fields) {
  process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), service: 'idp', ...fields })}\n`);
}

function settings(env = process.env) {
  const host = env.KOHUB_IDP_HOST || '127.0.0.1';
  const port = Number.parseInt(env.KOHUB_IDP_PORT || '8080', 10);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error('KOHUB_IDP_PORT must be a port number');
  const realmName = loadRealm().realm.name;
  const issuer = (env.KOHUB_IDP_ISSUER || `http://${host}:${port}/realms/${realmName}`).replace(/\/+$/, '');
  const keyFile = resolve(env.KOHUB_IDP_KEY_FILE || resolve(REPO_ROOT, '.run/idp-signing-key.json'));
  return {
    host, port, issuer, keyFile,
  };
}

function send(res, status, body, headers = {}) {
  const json = typeof body !== 'string';
  const payload = json ? JSON.stringify(body) : body;
  res.writeHead(status, {
    'content-type': json ? 'application/json' : 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    'content-length': Buffer.byteLength(payload),
    ...headers,
  });
  res.end(payload);
}

async function readForm(req) {
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > BODY_LIMIT) throw new Error('request body too large');
    chunks.push(chunk);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

function samePassword(given, expected) {
  const a = createHash('sha256').update(String(given)).digest();
  const b = createHash('sha256').update(String(expected)).digest();
  return timingSafeEqual(a, b);
}

/** oidc-provider's start-up notices (Node 20 is below the Node 22 it recommends; sessions
 * are kept in memory, as intended here) become log lines like every other. */
async function quietly(action) {
  const { warn, info } = console;
  const notice = (message) => log({ event: 'provider_notice', message: String(message) });
  console.warn = notice;
  console.info = notice;
  try {
    return await action();
  } finally {
    console.warn = warn;
    console.info = info;
  }
}

async function main() {
  const config = settings();
  const realm = loadRealm();
  const { jwk, created } = loadOrCreateSigningKey(config.keyFile);
  const publicKey = publicKeyOf(jwk);
  const prefix = new URL(config.issuer).pathname;
  const loginActions = `${prefix}/login-actions/`;
  const { PROTOCOL_PATH, createProvider } = await quietly(() => import('./provider.mjs'));
  const provider = await quietly(() => createProvider({
    issuer: config.issuer, realm, jwk, interactionPath: (uid) => `${loginActions}${uid}`,
  }));
  const callback = provider.callback();
  const usersBySub = new Map(realm.users.map((u) => [u.sub, u]));
  const demoUsers = realm.users;

  // errors the provider handles itself (bad client secret, missing PKCE, ...) join the
  // request's log line
  const noteError = (ctx, err) => {
    ctx.req.kohubError = err.error_description ? `${err.message}: ${err.error_description}` : err.message;
  };
  for (const event of ['authorization.error', 'grant.error', 'end_session.error', 'revocation.error',
    'discovery.error', 'jwks.error', 'server_error']) {
    provider.on(event, noteError);
  }

  async function interaction(req, res, uid) {
    let details;
    try {
      details = await provider.interactionDetails(req, res);
    } catch {
      const page = errorPage({ status: 400, error: 'login_expired', description: 'the sign-in session expired or was not started here' });
      return send(res, page.status, page.html);
    }
    if (details.uid !== uid) {
      const page = errorPage({ status: 400, error: 'invalid_request', description: 'unknown sign-in session' });
      return send(res, page.status, page.html);
    }
    const client = realm.clients.find((c) => c.clientId === details.params.client_id);
    const form = (extra) => loginPage({
      action: `${loginActions}${uid}`, realmName: realm.realm.displayName, clientName: client?.name ?? details.params.client_id, users: demoUsers, ...extra,
    });

    if (details.prompt.name !== 'login') { // consent: granted without asking, as in Keycloak
      const { missingOIDCScope, missingResourceScopes } = details.prompt.details;
      const grant = details.grantId
        ? await provider.Grant.find(details.grantId)
        : new provider.Grant({ accountId: details.session.accountId, clientId: details.params.client_id });
      if (missingOIDCScope) grant.addOIDCScope(missingOIDCScope.join(' '));
      for (const [indicator, scopes] of Object.entries(missingResourceScopes ?? {})) {
        grant.addResourceScope(indicator, scopes.join(' '));
      }
      const grantId = await grant.save();
      return provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
    }
    if (req.method === 'GET') {
      const page = form({ username: details.params.login_hint ?? '' });
      return send(res, page.status, page.html);
    }
    if (req.method !== 'POST') return send(res, 405, { error: 'method_not_allowed' }, { allow: 'GET, POST' });

    const body = await readForm(req);
    if (body.get('action') === 'cancel') {
      return provider.interactionFinished(req, res, {
        error: 'access_denied', error_description: 'the user cancelled the sign-in',
      }, { mergeWithLastSubmission: false });
    }
    const name = (body.get('username') ?? '').trim().toLowerCase();
    const user = realm.users.find((u) => u.username === name || u.email.toLowerCase() === name);
    // compare against something even for unknown users, so both take the same time
    const ok = samePassword(body.get('password') ?? '', user?.password ?? '\0') && Boolean(user);
    if (!ok) {
      req.kohubError = `login failed for ${JSON.stringify(name)}`;
      const page = form({ username: body.get('username') ?? '', error: true });
      return send(res, page.status, page.html);
    }
    return provider.interactionFinished(req, res, {
      login: { accountId: user.sub, amr: ['pwd'] },
    }, { mergeWithLastSubmission: false });
  }

  // Keycloak answers userinfo for its own access tokens (oidc-provider's userinfo would not
  // take a token meant for the kohub audience), so this one verifies the JWT itself.
  function userinfo(req, res) {
    const refuse = (description) => send(res, 401, { error: 'invalid_token', error_description: description }, {
      'www-authenticate': `Bearer realm="${realm.realm.name}", error="invalid_token", error_description="${description}"`,
    });
    const [scheme, token] = (req.headers.authorization ?? '').split(' ');
    if (scheme?.toLowerCase() !== 'bearer' || !token) return refuse('a bearer access token is required');
    const parts = token.split('.');
    if (parts.length !== 3) return refuse('malformed token');
    let header;
    let payload;
    try {
      header = JSON.parse(Buffer.from(parts[0], 'base64url').toString('utf8'));
      payload = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
    } catch {
      return refuse('malformed token');
    }
    const signed = header.alg === 'RS256' && header.kid === jwk.kid
      && verify('RSA-SHA256', Buffer.from(`${parts[0]}.${parts[1]}`), publicKey, Buffer.from(parts[2], 'base64url'));
    if (!signed) return refuse('invalid signature');
    if (payload.iss !== config.issuer) return refuse('wrong issuer');
    if (!(payload.exp > Date.now() / 1000)) return refuse('token expired');
    if (payload.typ !== 'Bearer') return refuse('not an access token');
    const user = usersBySub.get(payload.sub);
    const client = realm.clients.find((c) => c.serviceAccount?.sub === payload.sub);
    if (user) return send(res, 200, userClaims(realm, user));
    if (client) return send(res, 200, serviceAccountClaims(client));
    return refuse('unknown subject');
  }

  async function handle(req, res) {
    const url = new URL(req.url, 'http://idp.invalid');
    const path = url.pathname;
    if (path === '/health') return send(res, 200, { status: 'ok', issuer: config.issuer });
    if (path === prefix) { // Keycloak's realm document
      return send(res, 200, {
        realm: realm.realm.name,
        public_key: publicKey.export({ type: 'spki', format: 'der' }).toString('base64'),
        'token-service': `${config.issuer}${PROTOCOL_PATH}`,
        'account-service': `${config.issuer}/account`,
        'tokens-not-before': 0,
      });
    }
    if (path.startsWith(loginActions)) {
      const uid = path.slice(loginActions.length);
      if (/^[\w-]+$/.test(uid)) return interaction(req, res, uid);
    }
    if (path === `${prefix}${PROTOCOL_PATH}/userinfo`) {
      if (req.method !== 'GET' && req.method !== 'POST') return send(res, 405, { error: 'method_not_allowed' });
      return userinfo(req, res);
    }
    if (path.startsWith(`${prefix}/`)) {
      req.originalUrl = req.url;
      req.url = req.url.slice(prefix.length);
      return callback(req, res);
    }
    return send(res, 404, { error: 'not_found' });
  }

  const server = createServer((req, res) => {
    const started = process.hrtime.bigint();
    const path = req.url.split('?')[0];
    res.on('finish', () => {
      log({
        event: 'request',
        method: req.method,
        path,
        status: res.statusCode,
        duration_ms: Number((process.hrtime.bigint() - started) / 1000n) / 1000,
        ...(req.kohubError ? { error: req.kohubError } : {}),
      });
    });
    handle(req, res).catch((err) => {
      req.kohubError = err.stack ?? String(err);
      if (!res.headersSent) send(res, 500, { error: 'server_error' });
      else res.destroy();
    });
  });
  server.keepAliveTimeout = 5000;
  server.listen(config.port, config.host, () => {
    const { port } = server.address();
    log({
      event: 'listening',
      url: `http://${config.host}:${port}`,
      issuer: config.issuer,
      key_file: config.keyFile,
      key_id: jwk.kid,
      key_created: created,
    });
  });
  const stop = (signal) => {
    log({ event: 'stopping', signal });
    server.close(() => process.exit(0));
    server.closeAllConnections();
    setTimeout(() => process.exit(0), 2000).unref();
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((err) => {
  log({ event: 'failed', error: err.stack ?? String(err) });
  process.exit(1);
});
