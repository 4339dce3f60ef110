"""Demo data for `make up` (`make demo` again on demand), through the running suite's real
endpoints as its users would: the organizations of the identity provider's demo customers,
hosts with adapters (db-prod-01 also with a Termix terminal, the stand-in of make up), an
Uptime Kuma webhook source, alerts sent to the real webhook endpoint (tickets open from
them), a customer's request, an operator at work, and the demo operators' Termix keys.
`scripts/demo/nginx-restart.cast` is a real asciinema recording to upload on a ticket.

    python scripts/demo.py            # seed now (what exists already is left as it is)
    python scripts/demo.py --serve    # under make up: wait for the suite, seed on its first
                                      # run only, then stay (honcho stops all when one exits)
"""

import argparse
import importlib.util
import json
import time
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
GATEWAY = "http://127.0.0.1:8000"
ADAPTER = "http://127.0.0.1:8003"
TERMIX = "http://127.0.0.1:8090"  # the Termix stand-in of make up (scripts/demo/termix.json)
TERMIX_DEMO = json.loads((ROOT / "scripts" / "demo" / "termix.json").read_text())
MARKER = ROOT / ".run" / "demo-seeded"
FIXTURES = ROOT / "services" / "adapter-gateway" / "tests" / "fixtures"
_spec = importlib.util.spec_from_file_location("idp_token", ROOT / "scripts" / "idp_token.py")
idp_token = importlib.util.module_from_spec(_spec)  # type: ignore[arg-type]
_spec.loader.exec_module(idp_token)  # type: ignore[union-attr]
ORGS = {o["key"]: o for o in idp_token.REALM["organizations"]}
NAMES = {"acme": "ACME 주식회사", "globex": "Globex"}


def token(_: httpx.Client, username: str) -> dict[str, str]:
    """A login of its own (its own cookies: the provider remembers who logged in last)."""
    user = next(u for u in idp_token.REALM["users"] if u["username"] == username)
    with httpx.Client(timeout=15) as browser:
        endpoints = browser.get(f"{idp_token.ISSUER}/.well-known/openid-configuration").json()
        return {"Authorization": f"Bearer {idp_token.user_token(browser, user, endpoints)}"}


def ok(response: httpx.Response, *allowed: int) -> Any:
    if response.status_code not in (200, 201, 202, *allowed):
        raise SystemExit(f"{response.request.method} {response.request.url}: {response.text}")
    return response.json() if response.content else None


def seed(http: httpx.Client) -> None:
    admin, operator = token(http, "admin"), token(http, "operator1")
    # a customer's first call makes their organization known; the admin names it
    for key, username in (("acme", "acme-admin"), ("globex", "globex-user")):
        ok(http.get(f"{GATEWAY}/api/v1/organizations", headers=token(http, username)))
        org = ORGS[key]["id"]
        ok(
            http.put(
                f"{GATEWAY}/api/v1/organizations/{org}", json={"name": NAMES[key]}, headers=admin
            )
        )
    sources = ok(http.get(f"{GATEWAY}/api/v1/webhook-sources", headers=admin))
    if any(s["name"] == "Uptime Kuma 데모" for s in sources):
        print("demo data already there: nothing to do")
        return
    created = ok(
        http.post(
            f"{GATEWAY}/api/v1/webhook-sources",
            json={"adapterType": "uptime-kuma", "name": "Uptime Kuma 데모"},
            headers=admin,
        )
    )
    source, source_token = created["source"]["id"], created["token"]

    def kuma(monitor: str) -> dict[str, Any]:
        return {"type": "uptime-kuma", "config": {"sourceId": source, "monitorId": monitor}}

    prometheus = {"type": "prometheus", "config": {"matchers": {"instance": "db-prod-01:9100"}}}
    hosts = [
        ("acme", "web-prod-01", "HTTPS", kuma("1")),
        ("acme", "db-prod-01", "SSH", prometheus),
        ("globex", "app-01", "HTTPS", kuma("2")),
    ]
    termix = {"type": "termix", "config": {"baseUrl": TERMIX, "hostId": "1"}}
    mapped = []
    for key, name, kind, adapter in hosts:
        body: dict[str, Any] = {
            "name": name,
            "connectionType": kind,
            "organizationId": ORGS[key]["id"],
        }
        if kind == "SSH":
            body["sshConfig"] = {"host": "10.0.0.21", "port": 22, "username": "ops"}
        host = ok(
            http.post(
                f"{GATEWAY}/api/v1/hosts", json={**body, "tags": ["production"]}, headers=admin
            ),
            409,
        )
        if host and "id" in host:
            mapped.append(host["id"])
            for tool in (adapter, termix) if name == "db-prod-01" else (adapter,):
                ok(
                    http.post(
                        f"{GATEWAY}/api/v1/hosts/{host['id']}/adapters", json=tool, headers=admin
                    ),
                    409,
                )
    wait_until_mapped(http, admin, mapped)
    # each demo operator's own Termix key (the stand-in's users of the same name)
    for user in TERMIX_DEMO["users"]:
        ok(
            http.put(
                f"{GATEWAY}/api/v1/me/terminal-credentials",
                json={"apiKey": user["apiKeys"][0]},
                headers=operator if user["username"] == "operator1" else token(http, "operator2"),
            )
        )
    for monitor, name in ((1, "web-prod-01"), (2, "app-01")):
        down = json.loads((FIXTURES / "uptime_kuma_1_23_down.json").read_text())
        down["heartbeat"] |= {"monitorID": monitor, "msg": "Connection refused"}
        down["monitor"] |= {"id": monitor, "name": name}
        ok(
            http.post(
                f"{GATEWAY}/api/v1/webhooks/uptime-kuma",
                json=down,
                headers={"Authorization": f"Bearer {source_token}"},
            )
        )
    customer = token(http, "acme-user")
    ok(
        http.post(
            f"{GATEWAY}/api/v1/tickets",
            json={
                "title": "서버 점검 요청",
                "description": "web-prod-01 디스크 정리 부탁드립니다.",
                "priority": "MEDIUM",
            },
            headers=customer,
        )
    )
    ok(
        http.post(
            f"{GATEWAY}/api/v1/tickets",
            json={
                "title": "백업 정책 검토",
                "priority": "LOW",
                "organizationId": ORGS["acme"]["id"],
            },
            headers=operator,
        )
    )
    MARKER.parent.mkdir(exist_ok=True)
    MARKER.write_text(time.strftime("%Y-%m-%dT%H:%M:%S"))
    print(f"demo data seeded: open {GATEWAY} and log in (operator1 / operator1-demo)")


def wait_until_mapped(http: httpx.Client, admin: dict[str, str], host_ids: list[str]) -> None:
    """The adapter gateway maps alerts with the host events it has been sent: wait until it
    knows every host with its adapter (its internal read of the mapping, port 8003)."""
    deadline = time.monotonic() + 30
    for host_id in host_ids:
        while True:
            r = http.get(f"{ADAPTER}/api/internal/hosts/{host_id}", headers=admin)
            if r.status_code == 200 and r.json()["adapters"]:
                break
            if time.monotonic() > deadline:
                raise SystemExit(f"the adapter gateway never learned of host {host_id}")
            time.sleep(0.2)


def wait_for_suite(http: httpx.Client) -> None:
    for _ in range(600):
        try:
            if all(
                http.get(url, timeout=2).status_code == 200
                for url in (
                    f"{GATEWAY}/ready",
                    f"{idp_token.ISSUER}/.well-known/openid-configuration",
                )
            ) and all(
                http.get(f"http://127.0.0.1:{p}/ready", timeout=2).status_code == 200
                for p in (8001, 8002, 8003)
            ):
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise SystemExit("the suite did not become ready")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--serve", action="store_true")
    args = parser.parse_args()
    with httpx.Client(timeout=15) as http:
        if args.serve:
            wait_for_suite(http)
            if not MARKER.exists():
                seed(http)
        else:
            seed(http)
    if args.serve:
        while True:  # honcho ends every process when one exits
            time.sleep(3600)


if __name__ == "__main__":
    main()
