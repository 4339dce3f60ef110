"""docker-compose.yml: valid against the Compose Specification schema, every service with a
health check, the kohub services matching deploy/services.yaml and the services' settings
(image, build args, port, KOHUB_* variables as ServiceSettings parses them), migrations
before start, secrets from .env (every variable in .env.example), and the monitoring
profile's Prometheus and Alertmanager configurations accepted by promtool and amtool."""

import hashlib
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jsonschema
import pytest
import yaml
from deploytools import (
    ROOT,
    SERVICE_IDS,
    SERVICES,
    Interpolation,
    Service,
    compose_env,
    known_variables,
)
from sqlalchemy.engine import make_url

from kohub_platform.settings import ServiceSettings
from kohub_platform.waiting import wait_for

# The Compose Specification's JSON schema (compose-spec project, Apache-2.0), fetched at
# install time by `make test` from the npm package dclint 3.1.0 (schemas/compose.schema.json):
# no PyPI package ships a current copy, and it is not ours to commit.
SCHEMA = Path(__file__).resolve().parents[2] / ".run" / "compose-spec.json"
SCHEMA_SHA256 = "46b7d35f19dd93a05f8fea530291bf84d881c1791ec167ecf0e6fb94e639d496"
INFRASTRUCTURE = {"postgres", "rabbitmq", "keycloak", "keycloak-config"}
# One-shot jobs besides the migrations: their entry point (they exit; others wait for them).
ONE_SHOTS = {"keycloak-config": ["/bin/bash", "/opt/kohub/configure.sh"]}
# Own settings whose value is the deployment's, not the documented example.
PER_DEPLOYMENT = {"KOHUB_PROMETHEUS_URL", "KOHUB_PUBLIC_URL"}
MONITORING = {"prometheus", "alertmanager", "uptime-kuma"}
MONITORING_HINT = "apt-get install prometheus prometheus-alertmanager (as .ci/run does)"


def kohub_services(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {s.name: compose["services"][s.name] for s in SERVICES}


def test_the_schema_is_the_one_we_checked() -> None:
    assert SCHEMA.is_file(), f"{SCHEMA} is missing: `make test` fetches it (npm dclint@3.1.0)"
    assert hashlib.sha256(SCHEMA.read_bytes()).hexdigest() == SCHEMA_SHA256


def test_compose_file_validates_against_the_compose_specification(compose) -> None:
    schema = json.loads(SCHEMA.read_text())
    validator = jsonschema.Draft7Validator(schema)
    errors = sorted(validator.iter_errors(compose), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{'.'.join(map(str, e.path))}: {e.message}" for e in errors)


def test_the_schema_rejects_a_broken_compose_file(compose) -> None:
    validator = jsonschema.Draft7Validator(json.loads(SCHEMA.read_text()))
    broken = json.loads(json.dumps(compose))
    broken["services"]["ticket"]["healthcheck"]["intervall"] = "5s"
    assert list(validator.iter_errors(broken))
    broken = json.loads(json.dumps(compose))
    broken["services"]["ticket"]["depends_on"]["postgres"]["condition"] = "service_ready"
    assert list(validator.iter_errors(broken))


def test_every_variable_is_documented_in_env_example(
    compose, compose_interpolation, env_example
) -> None:
    # ${VAR} in values, and secrets compose reads from the environment
    used = compose_interpolation.used | {
        secret["environment"] for secret in compose["secrets"].values() if "environment" in secret
    }
    missing = sorted(used - set(env_example))
    assert not missing, f".env.example must list {missing}"
    unused = sorted(set(env_example) - used)
    assert not unused, f".env.example lists variables compose does not use: {unused}"
    assert not compose_interpolation.errors, compose_interpolation.errors


def test_secrets_are_required_not_defaulted(compose_raw) -> None:
    """A password has no default in docker-compose.yml: it comes from .env or compose stops."""
    text = (ROOT / "docker-compose.yml").read_text()
    for name in re.findall(r"\$\{([A-Z0-9_]*PASSWORD)(?::?-)", text):
        pytest.fail(f"{name} has a default in docker-compose.yml")
    interpolation = Interpolation({})
    interpolation.apply(compose_raw)
    required = {error.split(":")[0] for error in interpolation.errors}
    assert {"POSTGRES_PASSWORD", "RABBITMQ_PASSWORD", "KEYCLOAK_ADMIN_PASSWORD"} <= required
    assert {f"{s.name.upper()}_DB_PASSWORD" for s in SERVICES if s.database} <= required


def test_every_service_has_a_healthcheck(compose) -> None:
    services = compose["services"]
    waited_for = {
        name: dep.get("condition")
        for service in services.values()
        for name, dep in (service.get("depends_on") or {}).items()
    }
    for name, service in services.items():
        check = service.get("healthcheck")
        assert check, f"{name} has no healthcheck"
        if check.get("disable"):
            # a one-shot job (a migration, the realm's configuration): it exits, others wait
            # for its success
            assert service.get("restart") == "no", name
            if name in ONE_SHOTS:
                assert service.get("entrypoint") == ONE_SHOTS[name], name
            else:
                assert service.get("command") == ["migrate"], name
            assert waited_for.get(name) == "service_completed_successfully", name
        else:
            test = check["test"]
            assert test[0] in ("CMD", "CMD-SHELL") and len(test) > 1, name
            assert {"interval", "timeout", "retries"} <= set(check), name


def test_services_are_the_list_plus_infrastructure_and_monitoring(compose) -> None:
    names = set(compose["services"])
    expected = (
        INFRASTRUCTURE
        | MONITORING
        | {s.name for s in SERVICES}
        | {f"{s.name}-migrate" for s in SERVICES if s.database}
    )
    assert names == expected
    for name in MONITORING:
        assert compose["services"][name].get("profiles") == ["monitoring"], name
    for name in names - MONITORING:
        assert not compose["services"][name].get("profiles"), name


@pytest.mark.parametrize("service", SERVICES, ids=SERVICE_IDS)
def test_image_build_and_port(compose, service: Service) -> None:
    entry = compose["services"][service.name]
    assert entry["image"].split(":")[0] == service.package
    args = entry["build"]["args"]
    assert entry["build"]["context"] == "."
    expected = {"SERVICE": service.folder, "PACKAGE": service.package, "PORT": str(service.port)}
    if (service.path / "package.json").is_file():
        # browser assets from npm (the gateway's console): the image installs them
        expected["WITH_CONSOLE_ASSETS"] = "true"
    assert args == expected
    assert entry["ports"] == [f"127.0.0.1:{service.port}:{service.port}"]
    assert compose_env(entry)["PORT"] == str(service.port)
    if service.database:
        migrate = compose["services"][f"{service.name}-migrate"]
        assert migrate["image"] == entry["image"] and migrate["build"] == entry["build"]


@pytest.mark.parametrize("service", SERVICES, ids=SERVICE_IDS)
def test_service_starts_after_its_migration_and_the_infrastructure(compose, service) -> None:
    depends = compose["services"][service.name]["depends_on"]
    assert depends["postgres"]["condition"] == "service_healthy"
    assert depends["rabbitmq"]["condition"] == "service_healthy"
    if service.database:
        assert depends[f"{service.name}-migrate"]["condition"] == "service_completed_successfully"
        migrate = compose["services"][f"{service.name}-migrate"]
        assert migrate["depends_on"]["postgres"]["condition"] == "service_healthy"


@pytest.mark.parametrize("service", SERVICES, ids=SERVICE_IDS)
def test_container_hardening(compose, service) -> None:
    entry = compose["services"][service.name]
    assert entry["read_only"] is True and "/tmp" in entry["tmpfs"]
    assert entry["cap_drop"] == ["ALL"]
    assert "no-new-privileges:true" in entry["security_opt"]
    assert entry["healthcheck"]["test"] == ["CMD", "python", "/app/healthcheck.py"]
    assert "user" not in entry, "the image's non-root user"


@pytest.fixture
def clean_environ(monkeypatch):
    import os

    for key in list(os.environ):
        if key.startswith("KOHUB_") or key in ("PORT", "HOST"):
            monkeypatch.delenv(key)
    return monkeypatch


@pytest.mark.parametrize("service", SERVICES, ids=SERVICE_IDS)
def test_environment_parses_with_the_service_settings(compose, service, clean_environ) -> None:
    services = compose["services"]
    env = compose_env(services[service.name])
    unknown = {k for k in env if k.startswith("KOHUB_")} - known_variables(service)
    assert not unknown, f"{service.name} reads none of {sorted(unknown)}"
    for key, value in env.items():
        clean_environ.setenv(key, value)
    settings = ServiceSettings.from_env(service.name)
    assert settings.port == service.port
    assert settings.host == "0.0.0.0"  # noqa: S104 - what the container listens on
    assert settings.oidc.issuer.endswith("/realms/kecp-sso")
    assert settings.oidc.jwks_url.startswith("http://keycloak:8080/realms/kecp-sso/")
    if service.database:
        url = make_url(settings.database_url)
        assert (url.drivername, url.host, url.database) == (
            "postgresql+asyncpg",
            "postgres",
            service.database,
        )
        assert url.username == service.database, "one role per database (init-databases.sh)"
        migrate_env = compose_env(services[f"{service.name}-migrate"])
        assert migrate_env["KOHUB_DATABASE_URL"] == settings.database_url
        # the role's password is the one the postgres container creates it with
        postgres_env = compose_env(services["postgres"])
        assert postgres_env[f"DB_{service.database.upper()}_PASSWORD"] == url.password
    amqp = make_url(settings.amqp_url)
    rabbit_env = compose_env(services["rabbitmq"])
    assert (amqp.host, amqp.database) == ("rabbitmq", rabbit_env["RABBITMQ_DEFAULT_VHOST"])
    assert (amqp.username, amqp.password) == (
        rabbit_env["RABBITMQ_DEFAULT_USER"],
        rabbit_env["RABBITMQ_DEFAULT_PASS"],
    )
    for other in SERVICES:
        assert settings.url_of(other.name) == f"http://{other.name}:{other.port}"
    for key, default in service.config.items():
        assert key in env, f"{service.name}: {key} is not passed"
        if key not in PER_DEPLOYMENT:
            assert env[key] == default


def test_postgres_creates_every_database(compose) -> None:
    env = compose_env(compose["services"]["postgres"])
    created = {m.group(1).lower() for k in env if (m := re.fullmatch(r"DB_(.+)_PASSWORD", k))}
    assert created == {s.database for s in SERVICES if s.database} | {"keycloak"}
    mounts = compose["services"]["postgres"]["volumes"]
    script = "./deploy/compose/postgres/init-databases.sh"
    assert any(m.startswith(f"{script}:/docker-entrypoint-initdb.d/") for m in mounts)
    assert (ROOT / script).is_file()


def test_keycloak_imports_the_realm_directory(compose) -> None:
    keycloak = compose["services"]["keycloak"]
    assert keycloak["command"] == ["start-dev", "--import-realm"]
    assert "./deploy/keycloak:/opt/keycloak/data/import:ro" in keycloak["volumes"]
    env = compose_env(keycloak)
    issuer = compose_env(compose["services"]["ticket"])["KOHUB_OIDC_ISSUER"]
    assert issuer.startswith(env["KC_HOSTNAME"] + "/realms/")


# ---- the gateway and Keycloak ----

REALM = ROOT / "deploy" / "keycloak" / "kecp-sso-realm.json"
LOOPBACK = ROOT / "deploy" / "compose" / "gateway" / "oidc-loopback.py"


def _realm_client(client_id: str) -> dict[str, Any]:
    realm = json.loads(REALM.read_text())
    (client,) = [c for c in realm["clients"] if c["clientId"] == client_id]
    return client


def _gateway(compose) -> tuple[dict[str, Any], dict[str, str]]:
    gateway = compose["services"]["gateway"]
    return gateway, compose_env(gateway)


def test_gateway_is_the_front_door_on_8000(compose) -> None:
    gateway, env = _gateway(compose)
    assert gateway["ports"] == ["127.0.0.1:8000:8000"]
    assert env["KOHUB_PUBLIC_URL"] == "http://localhost:8000"
    depends = gateway["depends_on"]
    for name in ("ticket", "host", "adapter", "integration", "keycloak"):
        assert depends[name]["condition"] == "service_healthy", name
    assert depends["keycloak-config"]["condition"] == "service_completed_successfully"
    assert depends["gateway-migrate"]["condition"] == "service_completed_successfully"
    # the console's session tokens are kept encrypted: the keys come from .env
    assert "KOHUB_SECRET_KEYS" in env


def test_the_realm_lets_the_compose_console_log_in_and_out(compose) -> None:
    _, env = _gateway(compose)
    public = env["KOHUB_PUBLIC_URL"]
    client = _realm_client(env.get("KOHUB_CONSOLE_CLIENT_ID", "kohub-console"))
    assert client["publicClient"] is True and client["standardFlowEnabled"] is True
    assert f"{public}/auth/callback" in client["redirectUris"]
    assert f"{public}/" in client["attributes"]["post.logout.redirect.uris"].split("##")
    assert client["attributes"]["pkce.code.challenge.method"] == "S256"


def test_one_issuer_for_the_browser_the_services_and_the_gateway(compose) -> None:
    keycloak = compose_env(compose["services"]["keycloak"])
    _, env = _gateway(compose)
    issuer = env["KOHUB_OIDC_ISSUER"]
    realm = json.loads(REALM.read_text())["realm"]
    # tokens carry the front-end URL (KC_HOSTNAME): what the browser sees and what every
    # service expects as `iss`
    assert issuer == f"{keycloak['KC_HOSTNAME']}/realms/{realm}"
    published = compose["services"]["keycloak"]["ports"][0]
    assert published.endswith(":8080") and urlsplit(issuer).port == int(published.split(":")[1])
    assert keycloak["KC_HOSTNAME_BACKCHANNEL_DYNAMIC"] == "true"
    for service in SERVICES:
        assert compose_env(compose["services"][service.name])["KOHUB_OIDC_ISSUER"] == issuer
    # the gateway fetches <issuer>/.well-known/openid-configuration itself: its entry point
    # starts the loopback forwarder to Keycloak in the compose network
    gateway = compose["services"]["gateway"]
    assert gateway["entrypoint"] == ["/bin/sh", "/opt/kohub/entrypoint.sh"]
    assert gateway["command"] == ["serve"], "an entrypoint override drops the image's CMD"
    assert "./deploy/compose/gateway:/opt/kohub:ro" in gateway["volumes"]
    script = (ROOT / "deploy" / "compose" / "gateway" / "entrypoint.sh").read_text()
    assert "python /opt/kohub/oidc-loopback.py" in script
    assert "keycloak:8080" in script
    assert 'exec /app/entrypoint.sh "$@"' in script


def _load_loopback():
    import importlib.util

    spec = importlib.util.spec_from_file_location("kohub_oidc_loopback", LOOPBACK)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_loopback_listens_on_the_issuer_port_only_for_a_local_issuer() -> None:
    loopback = _load_loopback()
    assert loopback.listen_port("http://localhost:8080/realms/kecp-sso") == 8080
    assert loopback.listen_port("http://127.0.0.1/realms/kecp-sso") == 80
    assert loopback.listen_port("https://sso.example.com/realms/kecp-sso") is None


def test_loopback_forwards_to_keycloak(tmp_path) -> None:
    """The forwarder carries an HTTP exchange both ways, the Host header untouched."""
    import os
    import socket
    import threading
    import urllib.request
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    seen: list[str] = []

    class Keycloak(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            seen.append(self.headers["Host"])
            body = b'{"issuer": "ok"}'
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    upstream = ThreadingHTTPServer(("127.0.0.1", 0), Keycloak)
    threading.Thread(target=upstream.serve_forever, daemon=True).start()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        listen = s.getsockname()[1]
    env = {**os.environ, "KOHUB_OIDC_ISSUER": f"http://localhost:{listen}/realms/kecp-sso"}
    target = f"127.0.0.1:{upstream.server_address[1]}"
    process = subprocess.Popen(  # noqa: S603
        [sys.executable, str(LOOPBACK), target], env=env, stdout=subprocess.PIPE, text=True
    )
    try:
        url = f"http://localhost:{listen}/realms/kecp-sso/.well-known/openid-configuration"

        def answered() -> bool:
            try:
                with urllib.request.urlopen(url, timeout=5) as response:
                    assert response.read() == b'{"issuer": "ok"}'
            except OSError:
                return False
            return True

        wait_for(answered, timeout=10, message="the loopback forwarder did not answer")
        assert seen == [f"localhost:{listen}"]
    finally:
        process.terminate()
        process.wait(timeout=10)
        upstream.shutdown()
        upstream.server_close()


def test_keycloak_config_sets_the_kusthub_secret_from_env(compose) -> None:
    job = compose["services"]["keycloak-config"]
    assert job["image"] == compose["services"]["keycloak"]["image"]
    assert job["depends_on"]["keycloak"]["condition"] == "service_healthy"
    assert job["secrets"] == ["kusthub_client_secret"]
    assert compose["secrets"]["kusthub_client_secret"] == {"environment": "KUSTHUB_CLIENT_SECRET"}
    assert "./deploy/compose/keycloak/configure.sh:/opt/kohub/configure.sh:ro" in job["volumes"]
    script = (ROOT / "deploy" / "compose" / "keycloak" / "configure.sh").read_text()
    assert "/run/secrets/kusthub_client_secret" in script and "clientId=kusthub" in script
    assert _realm_client("kusthub")["serviceAccountsEnabled"] is True
    result = subprocess.run(  # noqa: S603
        ["bash", "-n", str(ROOT / "deploy" / "compose" / "keycloak" / "configure.sh")],  # noqa: S607
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr


# ---- monitoring profile ----


def _tool(name: str) -> str:
    found = shutil.which(name)
    if not found:
        raise RuntimeError(f"{name} is missing: {MONITORING_HINT}")
    return found


def test_prometheus_scrapes_every_service_and_its_config_is_valid(tmp_path) -> None:
    source = ROOT / "deploy" / "compose" / "prometheus"
    config = yaml.safe_load((source / "prometheus.yml").read_text())
    jobs = {job["job_name"]: job for job in config["scrape_configs"]}
    targets = {t for group in jobs["kohub"]["static_configs"] for t in group["targets"]}
    assert targets == {f"{s.name}:{s.port}" for s in SERVICES}
    assert jobs["kohub"].get("metrics_path", "/metrics") == "/metrics"
    # promtool, with the container paths pointed at a copy
    for name in ("prometheus.yml", "alerts.yml"):
        text = (source / name).read_text().replace("/etc/prometheus/", f"{tmp_path}/")
        (tmp_path / name).write_text(text)
    result = subprocess.run(  # noqa: S603
        [_tool("promtool"), "check", "config", str(tmp_path / "prometheus.yml")],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_alertmanager_delivers_to_the_adapter_gateway_with_the_token(compose, tmp_path) -> None:
    path = ROOT / "deploy" / "compose" / "alertmanager" / "alertmanager.yml"
    config = yaml.safe_load(path.read_text())
    adapter = next(s for s in SERVICES if s.name == "adapter")
    (receiver,) = config["receivers"]
    assert config["route"]["receiver"] == receiver["name"]
    (hook,) = receiver["webhook_configs"]
    assert hook["url"] == f"http://{adapter.name}:{adapter.port}/api/v1/webhooks/prometheus"
    assert hook["send_resolved"] is True
    auth = hook["http_config"]["authorization"]
    assert auth["type"] == "Bearer" and "credentials" not in auth
    alertmanager = compose["services"]["alertmanager"]
    (secret,) = alertmanager["secrets"]
    assert auth["credentials_file"] == f"/run/secrets/{secret}"
    assert compose["secrets"][secret] == {"environment": "ALERTMANAGER_WEBHOOK_TOKEN"}
    assert alertmanager["depends_on"]["adapter"]["condition"] == "service_healthy"
    copy = tmp_path / "alertmanager.yml"
    copy.write_text(path.read_text().replace(auth["credentials_file"], str(tmp_path / "t")))
    result = subprocess.run(  # noqa: S603
        [_tool("amtool"), "check-config", str(copy)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr
