"""What the deployment checks read: the service list (deploy/services.yaml), the services' own
settings (from their source, so a service need not be installed), Kustomize builds, the
compose file with its variables, and container environments resolved as Kubernetes would."""

import ast
import base64
import os
import re
import shutil
import subprocess
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from kohub_platform.settings import SERVICE_PORTS

ROOT = Path(__file__).resolve().parents[2]
OVERLAYS = ("dev", "prod")
KUBECTL_HINT = (
    "kubectl (with its built-in kustomize) is needed for the Kubernetes checks and was not "
    "found: install it in .ci/run (or set KOHUB_KUBECTL to its path)"
)


@dataclass(frozen=True)
class Service:
    """One entry of deploy/services.yaml."""

    name: str
    dir: str
    package: str
    port: int
    database: str | None
    secret_keys: bool
    calls: tuple[str, ...]
    web_egress: bool
    ingress: tuple[str, ...]
    config: dict[str, str] = field(default_factory=dict)

    @property
    def module(self) -> str:
        return self.package.replace("-", "_")

    @property
    def path(self) -> Path:
        return ROOT / self.dir

    @property
    def folder(self) -> str:
        """The build arg SERVICE: the folder under services/."""
        return Path(self.dir).name


def load_services() -> list[Service]:
    raw = yaml.safe_load((ROOT / "deploy" / "services.yaml").read_text())["services"]
    return [
        Service(
            name=s["name"],
            dir=s["dir"],
            package=s["package"],
            port=s["port"],
            database=s["database"],
            secret_keys=s["secret_keys"],
            calls=tuple(s["calls"]),
            web_egress=s["web_egress"],
            ingress=tuple(s["ingress"]),
            config={k: str(v) for k, v in s["config"].items()},
        )
        for s in raw
    ]


SERVICES = load_services()
SERVICE_IDS = [s.name for s in SERVICES]


# ---- what the services' code reads ----


def _string_constants(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    return {
        n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)
    }


def platform_variables() -> set[str]:
    """KOHUB_* names kohub_platform.settings reads, with KOHUB_<SERVICE>_URL per service."""
    settings = ROOT / "libs/kohub-platform/src/kohub_platform/settings.py"
    names = {s for s in _string_constants(settings) if re.fullmatch(r"KOHUB_[A-Z0-9_]+", s)}
    return names | {f"KOHUB_{name.upper()}_URL" for name in SERVICE_PORTS}


def service_variables(service: Service) -> set[str]:
    """KOHUB_* names the service's own code reads (string literals in its sources)."""
    names: set[str] = set()
    for path in sorted((service.path / "src").rglob("*.py")):
        names |= {s for s in _string_constants(path) if re.fullmatch(r"KOHUB_[A-Z0-9_]+", s)}
    return names


def known_variables(service: Service) -> set[str]:
    return platform_variables() | service_variables(service)


def env_defaults(service: Service) -> dict[str, str]:
    """Defaults of `os.environ.get("KOHUB_X", "default")` in the service's settings.py."""
    defaults: dict[str, str] = {}
    for node in ast.walk(ast.parse(settings_path(service).read_text())):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "get"
            and len(node.args) == 2
            and all(isinstance(a, ast.Constant) for a in node.args)
            and str(node.args[0].value).startswith("KOHUB_")
        ):
            defaults[str(node.args[0].value)] = str(node.args[1].value)
    return defaults


def settings_path(service: Service) -> Path:
    return service.path / "src" / service.module / "settings.py"


def settings_service_name(service: Service) -> str | None:
    """`SERVICE_NAME = "…"` in the service's settings.py."""
    for node in ast.parse(settings_path(service).read_text()).body:
        if (
            isinstance(node, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == "SERVICE_NAME" for t in node.targets)
            and isinstance(node.value, ast.Constant)
        ):
            return str(node.value.value)
    return None


def pyproject(service: Service) -> dict[str, Any]:
    return tomllib.loads((service.path / "pyproject.toml").read_text())


# ---- Kustomize ----


def kubectl() -> str:
    found = os.environ.get("KOHUB_KUBECTL") or shutil.which("kubectl")
    if not found:
        raise RuntimeError(KUBECTL_HINT)
    return found


def kustomize(path: Path) -> list[dict[str, Any]]:
    result = subprocess.run(  # noqa: S603 - our own manifests
        [kubectl(), "kustomize", str(path)], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, f"kubectl kustomize {path} failed:\n{result.stderr}"
    return [doc for doc in yaml.safe_load_all(result.stdout) if doc]


def by_kind(objects: list[dict[str, Any]], kind: str) -> dict[str, dict[str, Any]]:
    return {o["metadata"]["name"]: o for o in objects if o["kind"] == kind}


def pod_containers(deployment: dict[str, Any]) -> list[dict[str, Any]]:
    spec = deployment["spec"]["template"]["spec"]
    return [*spec.get("initContainers", []), *spec["containers"]]


_K8S_REF = re.compile(r"\$\(([A-Za-z_][A-Za-z0-9_]*)\)")


def container_env(
    container: dict[str, Any], objects: list[dict[str, Any]]
) -> tuple[dict[str, str], list[tuple[str, str]]]:
    """The environment Kubernetes gives the container: envFrom ConfigMaps/Secrets, then env in
    order with $(VAR) expanded from what came before. A Secret missing from the build (the
    platform provides it) gives `<secret:name/key>`; those references are returned too."""
    config_maps, secrets = by_kind(objects, "ConfigMap"), by_kind(objects, "Secret")
    env: dict[str, str] = {}
    external: list[tuple[str, str]] = []
    for source in container.get("envFrom", []):
        if "configMapRef" in source:
            name = source["configMapRef"]["name"]
            assert name in config_maps, f"envFrom names a missing ConfigMap {name}"
            env.update(config_maps[name].get("data", {}))
        else:
            name = source["secretRef"]["name"]
            if name in secrets:
                env.update(_secret_data(secrets[name]))
            else:
                external.append((name, "*"))
    for item in container.get("env", []):
        if "value" in item:
            env[item["name"]] = _K8S_REF.sub(
                lambda m: env.get(m.group(1), m.group(0)), item["value"]
            )
            continue
        ref = item["valueFrom"]
        if "configMapKeyRef" in ref:
            cm = config_maps[ref["configMapKeyRef"]["name"]]
            env[item["name"]] = cm["data"][ref["configMapKeyRef"]["key"]]
        else:
            name, key = ref["secretKeyRef"]["name"], ref["secretKeyRef"]["key"]
            if name in secrets:
                data = _secret_data(secrets[name])
                assert key in data, f"Secret {name} has no key {key}"
                env[item["name"]] = data[key]
            else:
                external.append((name, key))
                env[item["name"]] = f"secret-{name}-{key}"
    return env, external


def _secret_data(secret: dict[str, Any]) -> dict[str, str]:
    data = {k: base64.b64decode(v).decode() for k, v in secret.get("data", {}).items()}
    return {**data, **secret.get("stringData", {})}


def unresolved_references(env: dict[str, str]) -> list[str]:
    return [f"{k}={v}" for k, v in env.items() if _K8S_REF.search(v)]


# ---- compose ----


def read_env_file(path: Path) -> dict[str, str]:
    values: dict[str, str] = {}
    for line in path.read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        key, sep, value = line.partition("=")
        assert sep, f"{path.name}: not KEY=VALUE: {line!r}"
        values[key.strip()] = value.strip()
    return values


_COMPOSE_REF = re.compile(
    r"\$(?:\$|\{(?P<braced>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-?+])(?P<arg>[^}]*))?\}"
    r"|(?P<plain>[A-Za-z_][A-Za-z0-9_]*))"
)


@dataclass
class Interpolation:
    """Compose's variable substitution (${VAR}, ${VAR:-default}, ${VAR-default},
    ${VAR:?error}, ${VAR?error}, ${VAR:+other}, $VAR, $$) against given values, recording
    every variable used and every required one that is missing."""

    values: dict[str, str]
    used: set[str] = field(default_factory=set)
    errors: list[str] = field(default_factory=list)

    def string(self, text: str) -> str:
        return _COMPOSE_REF.sub(self._one, text)

    def _one(self, match: re.Match[str]) -> str:
        if match.group(0) == "$$":
            return "$"
        name = match.group("braced") or match.group("plain")
        op, arg = match.group("op"), match.group("arg") or ""
        self.used.add(name)
        value = self.values.get(name)
        unset_or_empty = value is None or (value == "" and op is not None and op.startswith(":"))
        if op in (":-", "-"):
            return arg if unset_or_empty else value or ""
        if op in (":?", "?"):
            if unset_or_empty:
                self.errors.append(f"{name}: {arg}")
                return ""
            return value or ""
        if op in (":+", "+"):
            return "" if unset_or_empty else arg
        return value or ""

    def apply(self, node: Any) -> Any:
        if isinstance(node, str):
            return self.string(node)
        if isinstance(node, list):
            return [self.apply(item) for item in node]
        if isinstance(node, dict):
            return {key: self.apply(value) for key, value in node.items()}
        return node


def compose_services(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return compose["services"]


def compose_env(service: dict[str, Any]) -> dict[str, str]:
    env = service.get("environment", {})
    if isinstance(env, list):
        env = dict(item.split("=", 1) for item in env)
    return {k: "" if v is None else str(v) for k, v in env.items()}
