"""The Dockerfile parses and follows the rules of issue 8 (multi-stage with uv and the lock
file, slim Python 3.11, non-root, no build tools in the final image, HEALTHCHECK on /health,
migrations in the image), .dockerignore keeps the context lean, and the scripts the image
runs work: entrypoint.sh dispatches, healthcheck.py tells up from down, and migrate.py (with
init-databases.sh, the compose PostgreSQL's first-start script) migrates a real database as
its owner, one migrator at a time (PostgreSQL from KOHUB_TEST_PG_URL, as the other tests)."""

import asyncio
import importlib.util
import os
import re
import secrets
import shlex
import socket
import subprocess
import sys
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import asyncpg
import pytest
from deploytools import ROOT, SERVICE_IDS, SERVICES, Service

from kohub_platform.waiting import wait_for

DOCKERFILE = ROOT / "Dockerfile"
DOCKER_DIR = ROOT / "deploy" / "docker"
INSTRUCTIONS = {
    "FROM", "RUN", "CMD", "LABEL", "EXPOSE", "ENV", "ADD", "COPY", "ENTRYPOINT", "VOLUME",
    "USER", "WORKDIR", "ARG", "ONBUILD", "STOPSIGNAL", "HEALTHCHECK", "SHELL",
}  # fmt: skip
BUILD_TOOLS = re.compile(r"\b(gcc|g\+\+|clang|make|build-essential|cmake|curl|wget|git)\b")
PG_ADMIN_URL = os.environ.get("KOHUB_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


@dataclass
class Instruction:
    keyword: str
    args: str
    stage: int


@dataclass
class Stage:
    base: str
    name: str | None
    instructions: list[Instruction]


def parse_dockerfile(text: str) -> tuple[dict[str, str], dict[str, str], list[Stage]]:
    """Parser directives, global ARG defaults, stages. Follows the Dockerfile grammar:
    directives only at the very top, `#` comments, `\\` line continuations (comment lines
    inside a continuation are dropped), one instruction per logical line."""
    directives: dict[str, str] = {}
    lines = text.splitlines()
    index = 0
    while index < len(lines) and (m := re.fullmatch(r"#\s*(\w+)\s*=\s*(\S+)\s*", lines[index])):
        directives[m.group(1).lower()] = m.group(2)
        index += 1
    logical: list[str] = []
    current = ""
    for line in lines[index:]:
        stripped = line.strip()
        if stripped.startswith("#") or (not stripped and not current):
            continue
        if stripped.endswith("\\"):
            current += stripped[:-1] + " "
            continue
        logical.append(current + stripped)
        current = ""
    assert not current, "the Dockerfile ends inside a line continuation"
    global_args: dict[str, str] = {}
    stages: list[Stage] = []
    for line in logical:
        keyword, _, args = line.partition(" ")
        keyword = keyword.upper()
        assert keyword in INSTRUCTIONS, f"unknown instruction {keyword!r}"
        if keyword == "FROM":
            m = re.fullmatch(r"(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?", args.strip(), re.I)
            assert m, f"FROM {args}"
            stages.append(Stage(m.group(1), m.group(2), []))
        elif not stages:
            assert keyword == "ARG", f"{keyword} before the first FROM"
            name, _, default = args.strip().partition("=")
            global_args[name] = default
        else:
            stages[-1].instructions.append(Instruction(keyword, args.strip(), len(stages) - 1))
    return directives, global_args, stages


@pytest.fixture(scope="module")
def dockerfile() -> tuple[dict[str, str], dict[str, str], list[Stage]]:
    return parse_dockerfile(DOCKERFILE.read_text())


def instructions(stage: Stage, keyword: str) -> list[str]:
    return [i.args for i in stage.instructions if i.keyword == keyword]


def stage_named(stages: list[Stage], name: str) -> Stage:
    matches = [s for s in stages if s.name == name]
    assert matches, f"no stage {name}"
    return matches[0]


def resolve(value: str, args: dict[str, str]) -> str:
    return re.sub(r"\$\{(\w+)\}|\$(\w+)", lambda m: args.get(m.group(1) or m.group(2), ""), value)


def test_parses_with_a_syntax_directive_and_several_stages(dockerfile) -> None:
    directives, _, stages = dockerfile
    assert directives.get("syntax", "").startswith("docker/dockerfile:1")
    assert len(stages) >= 3
    assert stages[-1].name == "runtime", "the last stage is the image"


def test_parser_rejects_nonsense() -> None:
    with pytest.raises(AssertionError):
        parse_dockerfile("FROM python:3.11-slim\nRUNN echo\n")
    with pytest.raises(AssertionError):
        parse_dockerfile("COPY . .\nFROM python:3.11-slim\n")


def test_python_311_slim_in_build_and_runtime(dockerfile) -> None:
    _, args, stages = dockerfile
    for name in ("build", "runtime"):
        base = resolve(stage_named(stages, name).base, args)
        assert base.startswith("python:3.11-slim"), f"{name} stage from {base}"
    # the virtualenv's python is the base image's: both stages must be the same image
    assert stage_named(stages, "build").base == stage_named(stages, "runtime").base


def test_uv_sync_from_the_lock_file(dockerfile) -> None:
    _, args, stages = dockerfile
    build = stage_named(stages, "build")
    syncs = [r for r in instructions(build, "RUN") if "uv sync" in r]
    assert len(syncs) == 2, "dependencies first (cached layer), then the workspace packages"
    for run in syncs:
        for flag in ("--frozen", "--no-dev", '--package "$PACKAGE"'):
            assert flag in run, f"uv sync needs {flag}"
        assert "--mount=type=cache,target=/root/.cache/uv" in run
    assert "--no-install-workspace" in syncs[0]
    assert "--no-editable" in syncs[1]
    assert "UV_PROJECT_ENVIRONMENT=/opt/venv" in " ".join(instructions(build, "ENV"))
    assert any(c.startswith("--from=uv ") for c in instructions(build, "COPY"))
    uv_image = resolve(stage_named(stages, "uv").base, args)
    assert re.fullmatch(r"ghcr\.io/astral-sh/uv:\d+\.\d+\.\d+", uv_image), "a pinned uv"
    manifests = " ".join(instructions(stage_named(stages, "manifests"), "RUN"))
    assert "! -name uv.lock" in manifests and "! -name pyproject.toml" in manifests


def test_build_args(dockerfile) -> None:
    _, _, stages = dockerfile
    assert {"SERVICE", "PACKAGE"} <= set(instructions(stage_named(stages, "build"), "ARG"))
    assert {"PACKAGE", "PORT"} <= set(instructions(stage_named(stages, "runtime"), "ARG"))


def test_migrations_are_in_the_image(dockerfile) -> None:
    _, _, stages = dockerfile
    build = " ".join(instructions(stage_named(stages, "build"), "RUN"))
    assert 'cp "services/$SERVICE/alembic.ini" /app/alembic.ini' in build
    assert 'cp -r "services/$SERVICE/migrations" /app/migrations' in build
    runtime = instructions(stage_named(stages, "runtime"), "COPY")
    assert "--from=build /app /app" in runtime
    assert "--from=build /opt/venv /opt/venv" in runtime
    assert any("deploy/docker/migrate.py" in c for c in runtime)


def test_runtime_stage_rules(dockerfile) -> None:
    _, _, stages = dockerfile
    runtime = stage_named(stages, "runtime")
    text = " ".join(f"{i.keyword} {i.args}" for i in runtime.instructions)
    (user,) = instructions(runtime, "USER")
    uid = user.split(":")[0]
    assert uid.isdigit() and int(uid) != 0, "a numeric non-root user (runAsNonRoot can check it)"
    assert "useradd --system --uid 10001" in text
    assert not BUILD_TOOLS.search(text), "no compilers, curl or wget in the final image"
    assert "apt-get" not in text and "pip install" not in text
    assert not any(c.startswith("--from=uv") for c in instructions(runtime, "COPY"))
    (healthcheck,) = instructions(runtime, "HEALTHCHECK")
    assert 'CMD ["python", "/app/healthcheck.py"]' in healthcheck
    assert "--interval=" in healthcheck and "--timeout=" in healthcheck
    assert instructions(runtime, "ENTRYPOINT") == ['["/app/entrypoint.sh"]']
    assert instructions(runtime, "CMD") == ['["serve"]']
    assert instructions(runtime, "EXPOSE") == ["${PORT}"]
    env = " ".join(instructions(runtime, "ENV"))
    for setting in ("HOST=0.0.0.0", "PORT=${PORT}", "SERVICE_COMMAND=${PACKAGE}"):
        assert setting in env
    for stage in stages:
        for run in instructions(stage, "RUN"):
            assert "apt-get install" not in run, f"{stage.name}: nothing to compile"


def test_console_assets_from_npm_without_node_in_the_image(dockerfile) -> None:
    """The gateway's console serves htmx from npm: a Node stage runs `npm ci --omit=dev` on
    the locked package files only when asked (WITH_CONSOLE_ASSETS), the image gets htmx's
    dist/ files and KOHUB_CONSOLE_HTMX_DIR pointing at them, and nothing of Node."""
    _, args, stages = dockerfile
    node = resolve(stage_named(stages, "console-assets").base, args)
    assert re.fullmatch(r"node:\d+(-[a-z]+)?-slim", node), f"an official slim Node image: {node}"
    manifests = " ".join(instructions(stage_named(stages, "console-manifests"), "RUN"))
    assert "! -name package.json" in manifests and "! -name package-lock.json" in manifests
    assets = stage_named(stages, "console-assets")
    assert "WITH_CONSOLE_ASSETS=" in instructions(assets, "ARG")
    (run,) = instructions(assets, "RUN")
    assert 'npm ci --prefix "services/$SERVICE" --omit=dev --ignore-scripts' in run
    assert 'if [ -n "$WITH_CONSOLE_ASSETS" ]' in run
    assert 'cp -r "services/$SERVICE/node_modules/htmx.org/dist" /console/htmx' in run
    runtime = stage_named(stages, "runtime")
    copies = [c for c in instructions(runtime, "COPY") if c.startswith("--from=")]
    assert "--from=console-assets /console /app/console" in copies
    assert not any("node_modules" in c or "--from=console-manifests" in c for c in copies)
    assert not any(resolve(s.base, args).startswith("node") for s in stages[-1:])
    env = " ".join(instructions(runtime, "ENV"))
    assert "KOHUB_CONSOLE_HTMX_DIR=${WITH_CONSOLE_ASSETS:+/app/console/htmx}" in env
    assert "KOHUB_CONSOLE_PLAYER_DIR=${WITH_CONSOLE_ASSETS:+/app/console/player}" in env
    assert "WITH_CONSOLE_ASSETS=" in instructions(runtime, "ARG")
    # what the console looks for in that folder (kohub_gateway.console.web.HTMX_FILE)
    web = ROOT / "services" / "gateway" / "src" / "kohub_gateway" / "console" / "web.py"
    assert 'HTMX_FILE = "htmx.min.js"' in web.read_text()
    lock = (ROOT / "services" / "gateway" / "package-lock.json").read_text()
    assert '"node_modules/htmx.org"' in lock


def test_every_copied_context_path_exists_and_is_not_ignored(dockerfile) -> None:
    _, _, stages = dockerfile
    patterns = dockerignore()
    for stage in stages:
        for copy in instructions(stage, "COPY"):
            parts = [p for p in shlex.split(copy) if not p.startswith("--")]
            if any(p.startswith("--from=") for p in shlex.split(copy)):
                continue
            for source in parts[:-1]:
                if source == ".":
                    continue
                assert (ROOT / source).exists(), source
                assert not ignored(source, patterns), f"{source} is excluded by .dockerignore"


def dockerignore() -> list[tuple[bool, re.Pattern[str]]]:
    rules = []
    for line in (ROOT / ".dockerignore").read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        negate = line.startswith("!")
        pattern = line.lstrip("!").strip("/")
        regex = ""
        i = 0
        while i < len(pattern):
            if pattern.startswith("**/", i):
                regex += "(?:.*/)?"
                i += 3
            elif pattern.startswith("**", i):
                regex += ".*"
                i += 2
            elif pattern[i] == "*":
                regex += "[^/]*"
                i += 1
            elif pattern[i] == "?":
                regex += "[^/]"
                i += 1
            else:
                regex += re.escape(pattern[i])
                i += 1
        rules.append((negate, re.compile(regex)))
    return rules


def ignored(path: str, rules: list[tuple[bool, re.Pattern[str]]]) -> bool:
    """Docker's rule: the last pattern matching the path or one of its parents decides."""
    parts = Path(path).parts
    candidates = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    excluded = False
    for negate, regex in rules:
        if any(regex.fullmatch(c) for c in candidates):
            excluded = not negate
    return excluded


@pytest.mark.parametrize(
    "path",
    [".git/config", ".venv/bin/python", ".run/dev-jwks.json", ".env", "tests/e2e/conftest.py",
     "services/ticket/tests/unit/test_x.py", "libs/kohub-platform/src/x/__pycache__/a.pyc",
     "bench/ticket_bench.py", "docs/architecture.md", "deploy/k8s/base/kustomization.yaml",
     "services/gateway/node_modules/htmx.org/dist/htmx.min.js", "deploy/keycloak/x.json"],
)  # fmt: skip
def test_dockerignore_leaves_out(path: str) -> None:
    assert ignored(path, dockerignore())


@pytest.mark.parametrize("service", SERVICES, ids=SERVICE_IDS)
def test_dockerignore_keeps_what_the_build_needs(service: Service) -> None:
    rules = dockerignore()
    needed = ["pyproject.toml", "uv.lock", "libs/kohub-platform/src/kohub_platform/settings.py",
              "libs/kohub-contracts/pyproject.toml", "deploy/docker/entrypoint.sh",
              f"{service.dir}/pyproject.toml", f"{service.dir}/src/{service.module}/settings.py"]  # fmt: skip
    if service.database:
        needed += [f"{service.dir}/alembic.ini", f"{service.dir}/migrations/env.py"]
    if (service.path / "package.json").is_file():
        needed += [f"{service.dir}/package.json", f"{service.dir}/package-lock.json"]
    for path in needed:
        assert (ROOT / path).exists(), path
        assert not ignored(path, rules), f"{path} must reach the build"


# ---- the scripts in the image ----


def run(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None):
    return subprocess.run(  # noqa: S603
        list(args), capture_output=True, text=True, env={**os.environ, **(env or {})}, cwd=cwd
    )


def test_entrypoint_dispatches(tmp_path: Path) -> None:
    script = str(DOCKER_DIR / "entrypoint.sh")
    assert os.access(script, os.X_OK), "entrypoint.sh must be executable"
    serve = run("sh", script, "serve", "--flag", env={"SERVICE_COMMAND": "echo"})
    assert (serve.returncode, serve.stdout) == (0, "--flag\n")
    default = run("sh", script, env={"SERVICE_COMMAND": "echo"})
    assert (default.returncode, default.stdout) == (0, "\n")
    other = run("sh", script, "printf", "%s", "x")
    assert other.stdout == "x"
    (tmp_path / "migrate.py").write_text("import sys; print('migrate', *sys.argv[1:])")
    migrate = run("sh", script, "migrate", "0001", env={"APP_DIR": str(tmp_path)})
    assert migrate.stdout == "migrate 0001\n"
    unset = run("sh", script, "serve", env={"SERVICE_COMMAND": ""})
    assert unset.returncode != 0 and "SERVICE_COMMAND" in unset.stderr


class _Health(BaseHTTPRequestHandler):
    status = 200

    def do_GET(self) -> None:
        code = type(self).status if self.path == "/health" else 404
        self.send_response(code)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


def test_healthcheck_tells_up_from_down() -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Health)
    port = str(server.server_address[1])
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    check = [sys.executable, str(DOCKER_DIR / "healthcheck.py")]
    try:
        assert run(*check, env={"PORT": port}).returncode == 0
        _Health.status = 503
        assert run(*check, env={"PORT": port}).returncode == 1
    finally:
        _Health.status = 200
        server.shutdown()
        server.server_close()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        free = str(s.getsockname()[1])
    assert run(*check, env={"PORT": free}).returncode == 1


def test_migrate_refuses_without_a_database_url(tmp_path: Path) -> None:
    (tmp_path / "alembic.ini").write_text("[alembic]\n")
    env = {"KOHUB_DATABASE_URL": "", "APP_DIR": str(tmp_path)}
    result = run(sys.executable, str(DOCKER_DIR / "migrate.py"), env=env)
    assert result.returncode == 2 and "KOHUB_DATABASE_URL" in result.stderr


async def _admin(sql: str) -> None:
    conn = await asyncpg.connect(PG_ADMIN_URL)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


async def _fetch(url: str, sql: str) -> list[asyncpg.Record]:
    conn = await asyncpg.connect(url)
    try:
        return await conn.fetch(sql)
    finally:
        await conn.close()


def _lock_key() -> int:
    spec = importlib.util.spec_from_file_location("kohub_image_migrate", DOCKER_DIR / "migrate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.LOCK_KEY


async def _hold_lock(url: str, key: int) -> asyncpg.Connection:
    conn = await asyncpg.connect(url)
    await conn.execute("SELECT pg_advisory_lock($1)", key)
    return conn


def test_init_databases_then_migrations_one_at_a_time_as_the_owner(tmp_path: Path) -> None:
    """init-databases.sh creates role and database (twice: it is idempotent); two migrate.py
    runs wait while another holds the migration lock, then bring the ticket service's
    database to head as that role (no superuser needed)."""
    ticket = next(s for s in SERVICES if s.name == "ticket")
    name = f"kohub_test_deploy_{secrets.token_hex(4)}"
    password = "pw-" + secrets.token_hex(8)
    admin = urlsplit(PG_ADMIN_URL)
    host, port = admin.hostname or "127.0.0.1", str(admin.port or 5432)
    script_env = {
        "PGHOST": host,
        "PGPORT": port,
        "POSTGRES_USER": admin.username or "postgres",
        f"DB_{name.upper()}_PASSWORD": password,
    }
    if admin.password:
        script_env["PGPASSWORD"] = admin.password
    script = str(ROOT / "deploy" / "compose" / "postgres" / "init-databases.sh")
    plain = f"postgresql://{name}:{password}@{host}:{port}/{name}"
    loop = asyncio.new_event_loop()
    try:
        for _ in range(2):
            result = run("bash", script, env=script_env)
            assert result.returncode == 0, result.stderr
        holder = loop.run_until_complete(_hold_lock(plain, _lock_key()))
        env = {
            "KOHUB_DATABASE_URL": plain.replace("postgresql://", "postgresql+asyncpg://", 1),
            "APP_DIR": str(ticket.path),
        }
        command = [sys.executable, str(DOCKER_DIR / "migrate.py"), "--wait-seconds", "10"]
        runs = [
            subprocess.Popen(  # noqa: S603
                command, env={**os.environ, **env}, cwd=tmp_path, stderr=subprocess.PIPE, text=True
            )
            for _ in range(2)
        ]
        waiting = "SELECT count(*) AS n FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"

        def queued() -> bool:
            assert all(p.poll() is None for p in runs), "migrate must wait for the lock"
            return loop.run_until_complete(_fetch(plain, waiting))[0]["n"] >= 2

        wait_for(queued, timeout=30, message="the migrators never queued on the lock")
        assert all(p.poll() is None for p in runs), "migrate must wait for the lock"
        tables = loop.run_until_complete(_fetch(plain, "SELECT tablename FROM pg_tables"))
        assert "alembic_version" not in {r["tablename"] for r in tables}
        loop.run_until_complete(holder.close())
        for process in runs:
            _, stderr = process.communicate(timeout=300)
            assert process.returncode == 0, stderr
        heads = run(sys.executable, "-m", "alembic", "heads", cwd=ticket.path)
        head = heads.stdout.split()[0]
        rows = loop.run_until_complete(_fetch(plain, "SELECT version_num FROM alembic_version"))
        assert [r["version_num"] for r in rows] == [head]
        owners = loop.run_until_complete(
            _fetch(plain, "SELECT DISTINCT tableowner FROM pg_tables WHERE schemaname = 'public'")
        )
        assert {r["tableowner"] for r in owners} == {name}
    finally:
        loop.run_until_complete(_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        loop.run_until_complete(_admin(f'DROP ROLE IF EXISTS "{name}"'))
        loop.close()
