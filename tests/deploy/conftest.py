"""Fixtures of the deployment checks (helpers in deploytools.py)."""

from typing import Any

import pytest
import yaml
from deploytools import OVERLAYS, ROOT, Interpolation, kustomize, read_env_file


@pytest.fixture(scope="session")
def builds() -> dict[str, list[dict[str, Any]]]:
    """`kubectl kustomize deploy/k8s/overlays/<each>`, parsed."""
    return {name: kustomize(ROOT / "deploy" / "k8s" / "overlays" / name) for name in OVERLAYS}


@pytest.fixture(scope="session")
def env_example() -> dict[str, str]:
    return read_env_file(ROOT / ".env.example")


@pytest.fixture(scope="session")
def compose_raw() -> dict[str, Any]:
    """docker-compose.yml as written (YAML merge keys resolved, variables not)."""
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


@pytest.fixture(scope="session")
def compose_interpolation(
    compose_raw: dict[str, Any], env_example: dict[str, str]
) -> Interpolation:
    interpolation = Interpolation(dict(env_example))
    interpolation.apply(compose_raw)
    return interpolation


@pytest.fixture(scope="session")
def compose(compose_raw: dict[str, Any], env_example: dict[str, str]) -> dict[str, Any]:
    """docker-compose.yml as `docker compose config` would see it with .env = .env.example."""
    return Interpolation(dict(env_example)).apply(compose_raw)
