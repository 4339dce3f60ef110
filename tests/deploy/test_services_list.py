"""deploy/services.yaml agrees with the services' code, and deploy/k8s/base is rendered from it."""

import importlib.util
import sys

import pytest
from deploytools import (
    ROOT,
    SERVICE_IDS,
    SERVICES,
    Service,
    env_defaults,
    pyproject,
    service_variables,
    settings_service_name,
)

from kohub_platform.settings import SERVICE_PORTS


def load_generator():
    spec = importlib.util.spec_from_file_location(
        "kohub_k8s_generate", ROOT / "deploy" / "k8s" / "generate.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_names_ports_and_packages_are_unique() -> None:
    for attribute in ("name", "package", "port", "dir"):
        values = [getattr(s, attribute) for s in SERVICES]
        assert len(values) == len(set(values)), f"duplicate {attribute} in deploy/services.yaml"


@pytest.mark.parametrize("service", SERVICES, ids=SERVICE_IDS)
def test_port_and_database_are_the_settings_defaults(service: Service) -> None:
    assert service.name in SERVICE_PORTS, f"{service.name} is no service of kohub_platform"
    assert service.port == SERVICE_PORTS[service.name]
    # ServiceSettings.from_env: database `kohub_<service>` by default
    assert service.database in (None, f"kohub_{service.name}")


@pytest.mark.parametrize("service", SERVICES, ids=SERVICE_IDS)
def test_package_console_script_and_settings_name(service: Service) -> None:
    project = pyproject(service)["project"]
    assert project["name"] == service.package
    assert project["scripts"].get(service.package) == f"{service.module}.app:main", (
        f"{service.dir}/pyproject.toml must define the console script {service.package} "
        "(the image's serve command)"
    )
    assert settings_service_name(service) == service.name


@pytest.mark.parametrize("service", [s for s in SERVICES if s.database], ids=lambda s: s.name)
def test_migrations_exist_for_a_service_with_a_database(service: Service) -> None:
    assert (service.path / "alembic.ini").is_file()
    assert (service.path / "migrations" / "env.py").is_file()
    assert "script_location = %(here)s/migrations" in (service.path / "alembic.ini").read_text()


@pytest.mark.parametrize("service", SERVICES, ids=SERVICE_IDS)
def test_own_config_is_read_by_the_service_with_these_defaults(service: Service) -> None:
    read = service_variables(service)
    defaults = env_defaults(service)
    for name, value in service.config.items():
        assert name in read, f"{service.name} does not read {name}"
        if name in defaults:
            assert value == defaults[name], f"{name}: list says {value!r}, code {defaults[name]!r}"


def test_calls_name_listed_services() -> None:
    for service in SERVICES:
        assert set(service.calls) <= set(SERVICE_IDS), service.name
        assert service.name not in service.calls


def test_kubernetes_base_is_rendered_from_the_list() -> None:
    generator = load_generator()
    files = generator.render()
    base = ROOT / "deploy" / "k8s" / "base"
    stale = [p for p, text in files.items() if (base / p).read_text() != text]
    extra = sorted(
        p.relative_to(base).as_posix()
        for p in base.rglob("*.yaml")
        if p.relative_to(base).as_posix() not in files
    )
    hint = "run: uv run --frozen python deploy/k8s/generate.py"
    assert not stale, f"out of date: {stale}; {hint}"
    assert not extra, f"not generated (remove or add to the generator): {extra}"


def test_generator_uses_the_image_user() -> None:
    generator = load_generator()
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert f"USER {generator.APP_UID}:{generator.APP_UID}" in dockerfile


def test_generator_refuses_a_call_to_an_unknown_service(tmp_path) -> None:
    generator = load_generator()
    listing = tmp_path / "services.yaml"
    listing.write_text(
        "services:\n  - {name: a, calls: [b]}\n",
    )
    with pytest.raises(ValueError, match="unknown services"):
        generator.load_services(listing)
