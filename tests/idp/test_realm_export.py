"""The Keycloak realm export says what the development provider does: the same realm, roles,
users (ids, passwords, roles, organizations), clients and claims, from realm-data.json."""

import json
import subprocess
from typing import Any

import pytest
from idptools import EXPORT_PATH, IDP_DIR, ORG_IDS, REALM_DATA, node

EXPORT = json.loads(EXPORT_PATH.read_text())
CLIENTS = {c["clientId"]: c for c in EXPORT["clients"]}
USERS = {u["username"]: u for u in EXPORT["users"]}
KOHUB_ROLES = {"msp-admin", "msp-operator", "customer-admin", "customer", "kohub-integration"}


def mappers(client: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {m["protocolMapper"]: m for m in client.get("protocolMappers", [])}


def test_the_export_is_generated_from_realm_data() -> None:
    result = subprocess.run(  # noqa: S603 - our own script
        [node(), str(IDP_DIR / "make-realm-export.mjs"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr


def test_realm_and_roles() -> None:
    assert EXPORT["realm"] == REALM_DATA["realm"]["name"] == "kecp-sso"
    assert EXPORT["enabled"] is True
    roles = {r["name"] for r in EXPORT["roles"]["realm"]}
    assert roles == {r["name"] for r in REALM_DATA["roles"]} == KOHUB_ROLES
    assert EXPORT["accessTokenLifespan"] == REALM_DATA["realm"]["accessTokenLifespan"]
    assert "clientScopes" not in EXPORT, "Keycloak's default client scopes must stay"


@pytest.mark.parametrize("expected", REALM_DATA["users"], ids=lambda u: u["username"])
def test_demo_users_match(expected: dict[str, Any]) -> None:
    exported = USERS[expected["username"]]
    assert exported["id"] == expected["sub"]
    assert exported["enabled"] is True
    assert exported["email"] == expected["email"] and exported["emailVerified"] is True
    assert exported["firstName"] == expected["name"] and "lastName" not in exported
    assert exported["realmRoles"] == expected["roles"]
    assert exported["credentials"] == [
        {"type": "password", "value": expected["password"], "temporary": False}
    ]
    assert not exported["requiredActions"]
    if expected["org"]:
        assert exported["attributes"] == {"org_id": [ORG_IDS[expected["org"]]]}
        assert exported["groups"] == [f"/customers/{expected['org']}"]
    else:
        assert exported["attributes"] == {}
        assert exported["groups"] == ["/msp"]


def test_the_acme_customer_has_acmes_id() -> None:
    acme = next(o for o in REALM_DATA["organizations"] if o["key"] == "acme")
    assert USERS["acme-user"]["attributes"]["org_id"] == [acme["id"]]
    assert USERS["globex-user"]["attributes"]["org_id"] != [acme["id"]]


def test_every_role_and_organization_has_a_demo_user() -> None:
    roles = {r for u in REALM_DATA["users"] for r in u["roles"]}
    assert roles == KOHUB_ROLES - {"kohub-integration"}
    assert {u["org"] for u in REALM_DATA["users"]} == {None, *ORG_IDS}
    assert sum("msp-operator" in u["roles"] for u in REALM_DATA["users"]) == 2
    assert len({u["sub"] for u in REALM_DATA["users"]}) == len(REALM_DATA["users"])


def test_organization_groups_carry_org_id() -> None:
    customers = next(g for g in EXPORT["groups"] if g["name"] == "customers")
    groups = {g["name"]: g for g in customers["subGroups"]}
    for org in REALM_DATA["organizations"]:
        assert groups[org["key"]]["attributes"]["org_id"] == [org["id"]]
        assert groups[org["key"]]["path"] == f"/customers/{org['key']}"


def test_user_profile_declares_org_id() -> None:
    """Keycloak 24+ drops attributes its user profile does not declare."""
    (provider,) = EXPORT["components"]["org.keycloak.userprofile.UserProfileProvider"]
    assert provider["providerId"] == "declarative-user-profile"
    (config,) = provider["config"]["kc.user.profile.config"]
    attributes = {a["name"]: a for a in json.loads(config)["attributes"]}
    assert {"username", "email", "firstName", "lastName", "org_id"} <= attributes.keys()
    assert "required" not in attributes["lastName"]


def test_console_client_is_public_with_pkce_and_the_redirect_uris() -> None:
    console = CLIENTS["kohub-console"]
    source = next(c for c in REALM_DATA["clients"] if c["clientId"] == "kohub-console")
    assert console["publicClient"] is True
    assert console["standardFlowEnabled"] is True
    assert console["implicitFlowEnabled"] is False
    assert console["directAccessGrantsEnabled"] is False
    assert console["serviceAccountsEnabled"] is False
    assert (
        console["redirectUris"]
        == source["redirectUris"]
        == [
            "http://127.0.0.1:8000/auth/callback",
            "http://localhost:8000/auth/callback",
        ]
    )
    assert console["attributes"]["pkce.code.challenge.method"] == "S256"
    assert (
        console["attributes"]["post.logout.redirect.uris"].split("##")
        == source["postLogoutRedirectUris"]
    )

    by_type = mappers(console)
    audience = by_type["oidc-audience-mapper"]["config"]
    assert audience["included.custom.audience"] == "kohub"
    assert audience["access.token.claim"] == "true"
    org = by_type["oidc-usermodel-attribute-mapper"]["config"]
    assert org["user.attribute"] == org["claim.name"] == "org_id"
    assert org["access.token.claim"] == org["id.token.claim"] == "true"
    roles = by_type["oidc-usermodel-realm-role-mapper"]["config"]
    assert roles["claim.name"] == "realm_access.roles" and roles["multivalued"] == "true"
    groups = by_type["oidc-group-membership-mapper"]["config"]
    assert groups["claim.name"] == "groups" and groups["full.path"] == "false"


def test_api_client_names_the_audience_and_has_no_flows() -> None:
    api = CLIENTS["kohub-api"]
    assert api["bearerOnly"] is True
    assert not any(
        api[flow]
        for flow in (
            "standardFlowEnabled",
            "implicitFlowEnabled",
            "directAccessGrantsEnabled",
            "serviceAccountsEnabled",
        )
    )


def test_kusthub_is_a_confidential_service_account_with_the_integration_role() -> None:
    kusthub = CLIENTS["kusthub"]
    source = next(c for c in REALM_DATA["clients"] if c["clientId"] == "kusthub")
    assert kusthub["publicClient"] is False
    assert kusthub["clientAuthenticatorType"] == "client-secret"
    assert kusthub["secret"] == source["developmentSecret"]
    assert kusthub["serviceAccountsEnabled"] is True
    assert kusthub["standardFlowEnabled"] is False
    assert mappers(kusthub)["oidc-audience-mapper"]["config"]["included.custom.audience"] == "kohub"

    account = USERS["service-account-kusthub"]
    assert account["serviceAccountClientId"] == "kusthub"
    assert account["id"] == source["serviceAccount"]["sub"]
    assert account["realmRoles"] == ["kohub-integration"]
    assert "credentials" not in account


def test_every_exported_role_reference_exists() -> None:
    roles = {r["name"] for r in EXPORT["roles"]["realm"]}
    for exported in EXPORT["users"]:
        assert set(exported["realmRoles"]) <= roles, exported["username"]
