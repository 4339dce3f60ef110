"""Print an access token from the identity provider `make up` runs (tools/idp), for trying
the API with curl: a demo user of the asked role logs in as the console would (code + PKCE
through the login form), or KustHub's service account uses its client credentials.

    make token ROLE=msp-operator            # operator1
    make token ROLE=customer ORG=globex     # globex-user
    make token ROLE=kohub-integration       # the kusthub service account
"""

import argparse
import base64
import hashlib
import html
import json
import os
import re
import secrets
import sys
from pathlib import Path
from urllib.parse import parse_qs, urljoin, urlsplit

import httpx

ROOT = Path(__file__).resolve().parents[1]
REALM = json.loads((ROOT / "tools" / "idp" / "realm-data.json").read_text())
ISSUER = os.environ.get("KOHUB_OIDC_ISSUER", "http://127.0.0.1:8080/realms/kecp-sso").rstrip("/")
REDIRECT_URI = "http://127.0.0.1:8000/auth/callback"


def demo_user(role: str, org: str | None) -> dict:
    for user in REALM["users"]:
        if role in user["roles"] and (org is None or user.get("org") == org):
            return user
    sys.exit(f"no demo user has role {role!r}" + (f" in {org!r}" if org else ""))


def user_token(http: httpx.Client, user: dict, endpoints: dict) -> str:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
    page = http.get(
        endpoints["authorization_endpoint"],
        params={
            "client_id": "kohub-console",
            "response_type": "code",
            "scope": "openid",
            "redirect_uri": REDIRECT_URI,
            "state": secrets.token_urlsafe(8),
            "code_challenge": challenge.rstrip(b"=").decode(),
            "code_challenge_method": "S256",
        },
        follow_redirects=True,
    )
    action = re.search(r'<form id="kc-form-login"[^>]*action="([^"]+)"', page.text)
    if not action:
        sys.exit("the identity provider showed no login form")
    answer = http.post(
        urljoin(str(page.url), html.unescape(action.group(1))),
        data={"username": user["username"], "password": user["password"], "action": "login"},
    )
    for _ in range(6):
        location = urljoin(str(answer.url), answer.headers.get("location", ""))
        if location.startswith(REDIRECT_URI):
            code = parse_qs(urlsplit(location).query)["code"][0]
            tokens = http.post(
                endpoints["token_endpoint"],
                data={
                    "grant_type": "authorization_code",
                    "code": code,
                    "client_id": "kohub-console",
                    "redirect_uri": REDIRECT_URI,
                    "code_verifier": verifier,
                },
            )
            tokens.raise_for_status()
            return tokens.json()["access_token"]
        if answer.status_code not in (302, 303):
            sys.exit(f"the login of {user['username']} was refused")
        answer = http.get(location)
    sys.exit("the identity provider never answered with a code")


def service_token(http: httpx.Client, endpoints: dict) -> str:
    secret = os.environ.get("KOHUB_IDP_KUSTHUB_SECRET", "kusthub-development-secret")
    r = http.post(
        endpoints["token_endpoint"],
        data={"grant_type": "client_credentials"},
        auth=("kusthub", secret),
    )
    r.raise_for_status()
    return r.json()["access_token"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--role", default="msp-operator")
    parser.add_argument("--org", default=None, help="the demo organization: acme or globex")
    args = parser.parse_args()
    with httpx.Client(timeout=10) as http:
        try:
            endpoints = http.get(f"{ISSUER}/.well-known/openid-configuration").json()
        except httpx.HTTPError:
            sys.exit(f"the identity provider does not answer at {ISSUER}: is `make up` running?")
        if args.role == "kohub-integration":
            print(service_token(http, endpoints))
        else:
            print(user_token(http, demo_user(args.role, args.org or None), endpoints))


if __name__ == "__main__":
    main()
