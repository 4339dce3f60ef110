"""Development tokens: an RSA key, its JWKS, and tokens shaped like the `kecp-sso` realm's.

Services trust these keys only when `KOHUB_OIDC_JWKS_URL` points at the JWKS written here
(`make up` does that); a real deployment points it at Keycloak.

    python -m kohub_platform.devtokens --role msp-operator --org <uuid> [--sub ...]
"""

import argparse
import json
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from kohub_platform.settings import DEFAULT_ISSUER


@dataclass
class SigningKey:
    private_key: rsa.RSAPrivateKey
    kid: str

    @classmethod
    def generate(cls, kid: str | None = None) -> "SigningKey":
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        return cls(key, kid or uuid.uuid4().hex[:16])

    @classmethod
    def load(cls, path: Path) -> "SigningKey":
        data = json.loads(path.read_text())
        key = serialization.load_pem_private_key(data["pem"].encode(), password=None)
        assert isinstance(key, rsa.RSAPrivateKey)
        return cls(key, data["kid"])

    def save(self, path: Path) -> None:
        pem = self.private_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ).decode()
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps({"kid": self.kid, "pem": pem}))
        path.chmod(0o600)

    def public_jwk(self) -> dict[str, Any]:
        jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.private_key.public_key()))
        return {**jwk, "kid": self.kid, "use": "sig", "alg": "RS256"}

    def public_pem(self) -> bytes:
        return self.private_key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )

    def sign(self, claims: dict[str, Any], *, headers: dict[str, Any] | None = None) -> str:
        return jwt.encode(
            claims,
            self.private_key,
            algorithm="RS256",
            headers={"kid": self.kid, **(headers or {})},
        )


def jwks_document(*keys: SigningKey) -> dict[str, Any]:
    return {"keys": [k.public_jwk() for k in keys]}


def realm_claims(
    *,
    issuer: str,
    audience: str,
    roles: list[str],
    org_id: str | None = None,
    sub: str | None = None,
    name: str | None = None,
    email: str | None = None,
    lifetime: int = 3600,
    **extra: Any,
) -> dict[str, Any]:
    """Claims as Keycloak issues them: `realm_access.roles`, `azp`, plus the `org_id` mapper."""
    now = int(time.time())
    subject = sub or str(uuid.uuid4())
    claims: dict[str, Any] = {
        "iss": issuer,
        "aud": audience,
        "azp": audience,
        "sub": subject,
        "iat": now,
        "nbf": now,
        "exp": now + lifetime,
        "typ": "Bearer",
        "realm_access": {"roles": roles},
        "preferred_username": name or subject[:8],
        "name": name or f"user {subject[:8]}",
        "email": email or f"{subject[:8]}@example.test",
    }
    if org_id:
        claims["org_id"] = org_id
    claims.update(extra)
    return claims


def main() -> None:
    parser = argparse.ArgumentParser(description="Print a development Bearer token for kohub.")
    parser.add_argument("--role", action="append", default=[], help="realm role (repeatable)")
    parser.add_argument("--org", default=None, help="organization id (org_id claim)")
    parser.add_argument("--sub", default=None, help="subject (user id in the realm)")
    parser.add_argument("--name", default=None)
    parser.add_argument("--email", default=None)
    parser.add_argument("--lifetime", type=int, default=8 * 3600, help="seconds")
    parser.add_argument("--key-file", default=".run/dev-signing-key.json")
    parser.add_argument("--jwks-file", default=".run/dev-jwks.json")
    parser.add_argument("--issuer", default=DEFAULT_ISSUER)
    parser.add_argument("--audience", default="kohub")
    args = parser.parse_args()
    key_path, jwks_path = Path(args.key_file), Path(args.jwks_file)
    if key_path.exists():
        key = SigningKey.load(key_path)
    else:
        key = SigningKey.generate()
        key.save(key_path)
    jwks_path.write_text(json.dumps(jwks_document(key)))
    if args.org:
        uuid.UUID(args.org)  # org ids are UUIDs, as in Keycloak's attribute mapper
    claims = realm_claims(
        issuer=args.issuer,
        audience=args.audience,
        roles=args.role or ["msp-operator"],
        org_id=args.org,
        sub=args.sub,
        name=args.name,
        email=args.email,
        lifetime=args.lifetime,
    )
    print(key.sign(claims))


if __name__ == "__main__":
    main()
