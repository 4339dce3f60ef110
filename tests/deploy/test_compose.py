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
from pathlib import Path
from typing import Any

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

# The Compose Specification's JSON schema (compose-spec project, Apache-2.0), fetched at
# install time by `make test` from the npm package dclint 3.1.0 (schemas/compose.schema.json):
# no PyPI package ships a current copy, and it is not ours to commit.
SCHEMA = Path(__file__).resolve().parents[2] / ".run" / "compose-spec.json"
SCHEMA_SHA256 = "46b7d35f19dd93a05f8fea530291bf84d881c1791ec167ecf0e6fb94e639d496"
INFRASTRUCTURE = {"postgres", "rabbitmq", "keycloak"}
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
            # a one-shot job (a migration): it exits, others wait for its success
            assert service.get("restart") == "no", name
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
    assert args == {
        "SERVICE": service.folder,
        "PACKAGE": service.package,
        "PORT": str(service.port),
    }
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
        if key != "KOHUB_PROMETHEUS_URL":
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
