// The provider's RS256 signing key: generated on first start and kept in a file (a private
// JWK), so tokens and the services' cached JWKS survive restarts.
import {
  createHash, createPublicKey, generateKeyPairSync,
} from 'node:crypto';
import {
  linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync,
} from 'node:fs';
import { dirname } from 'node:path';

/** RFC 7638 thumbprint of an RSA key: the key id. */
function thumbprint({ e, kty, n }) {
  return createHash('sha256').update(JSON.stringify({ e, kty, n })).digest('base64url');
}

function generate() {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = privateKey.export({ format: 'jwk' });
  return {
    ...jwk, kid: thumbprint(jwk), alg: 'RS256', use: 'sig',
  };
}

function read(path) {
  const jwk = JSON.parse(readFileSync(path, 'utf8'));
  if (jwk.kty !== 'RSA' || !jwk.d || !jwk.kid) {
    throw new Error(`${path} is not a private RSA JWK with a kid`);
  }
  return { ...jwk, alg: 'RS256', use: 'sig' };
}

/** The private JWK at `path`, created (mode 0600) when missing. Two processes starting at
 * once agree on one key: the file is created by a hard link, which fails if it exists. */
export function loadOrCreateSigningKey(path) {
  try {
    return { jwk: read(path), created: false };
  } catch (err) {
    if (err.code !== 'ENOENT') throw err;
  }
  mkdirSync(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(generate())}\n`, { mode: 0o600 });
  let created = true;
  try {
    linkSync(temporary, path);
  } catch (err) {
    if (err.code !== 'EEXIST') throw err;
    created = false; // another process was first: use its key
  } finally {
    unlinkSync(temporary);
  }
  return { jwk: read(path), created };
}

/** The public half of the JWK as a KeyObject (for verifying our own access tokens). */
export function publicKeyOf(jwk) {
  const { kty, n, e } = jwk;
  return createPublicKey({ key: { kty, n, e }, format: 'jwk' });
}
