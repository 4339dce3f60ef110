# syntax=docker/dockerfile:1
# One image per kohub service, built from the uv workspace and its lock file:
#
#   docker build --build-arg SERVICE=ticket --build-arg PACKAGE=kohub-ticket \
#                --build-arg PORT=8001 -t kohub-ticket .
#
# SERVICE is the service's folder under services/, PACKAGE its uv package (also its console
# script), PORT where it listens (the service's default in kohub_platform.settings). The list
# of services with these values is deploy/services.yaml; docker-compose.yml passes them.
# The gateway also serves the web console's browser assets (htmx, asciinema-player from npm):
#
#   docker build --build-arg SERVICE=gateway --build-arg PACKAGE=kohub-gateway \
#                --build-arg PORT=8000 --build-arg WITH_CONSOLE_ASSETS=true -t kohub-gateway .
#
#   docker run kohub-ticket            # serve (the default command)
#   docker run kohub-ticket migrate    # alembic upgrade head, one migrator at a time
#
# The stages: `manifests` keeps only the workspace's pyproject.toml files and uv.lock, so the
# dependency layer is rebuilt only when they change; `build` installs the locked third-party
# packages, then the workspace packages (not editable) into /opt/venv; `runtime` is a fresh
# slim Python with that virtualenv, the service's migrations and three small scripts, run as
# an unprivileged user. With WITH_CONSOLE_ASSETS=true (any non-empty value; leave it unset
# for the other services), `console-assets` (Node) installs the service's locked npm packages
# (`npm ci --omit=dev` from services/$SERVICE/package.json and package-lock.json, which
# `console-manifests` keeps alone so the layer is cached) and the runtime gets only htmx's
# dist/ files and asciinema-player's bundle, with KOHUB_CONSOLE_HTMX_DIR and
# KOHUB_CONSOLE_PLAYER_DIR pointing at them (empty for the others); otherwise
# that stage is empty. No compiler, no uv, no Node, no package manager cache in the final
# image.

ARG PYTHON_IMAGE=python:3.11-slim
ARG UV_IMAGE=ghcr.io/astral-sh/uv:0.13.9
ARG NODE_IMAGE=node:22-bookworm-slim

FROM ${UV_IMAGE} AS uv

FROM ${PYTHON_IMAGE} AS manifests
WORKDIR /src
COPY . .
RUN find . -type f ! -name pyproject.toml ! -name uv.lock -delete \
 && find . -mindepth 1 -type d -empty -delete

FROM ${NODE_IMAGE} AS console-manifests
WORKDIR /src
COPY services/ /src/services/
RUN find . -type f ! -name package.json ! -name package-lock.json -delete \
 && find . -mindepth 1 -type d -empty -delete

FROM ${NODE_IMAGE} AS console-assets
ARG SERVICE
ARG WITH_CONSOLE_ASSETS=
WORKDIR /src
COPY --from=console-manifests /src/ /src/
RUN mkdir -p /console \
 && if [ -n "$WITH_CONSOLE_ASSETS" ]; then \
      test -f "services/$SERVICE/package-lock.json" \
      || { echo "WITH_CONSOLE_ASSETS needs services/$SERVICE/package-lock.json" >&2; exit 1; }; \
      npm ci --prefix "services/$SERVICE" --omit=dev --ignore-scripts --no-audit --no-fund \
      && cp -r "services/$SERVICE/node_modules/htmx.org/dist" /console/htmx \
      && cp -r "services/$SERVICE/node_modules/asciinema-player/dist/bundle" /console/player; \
    fi

FROM ${PYTHON_IMAGE} AS build
ARG SERVICE
ARG PACKAGE
RUN test -n "$SERVICE" && test -n "$PACKAGE" \
 || { echo "build args SERVICE and PACKAGE are required (see deploy/services.yaml)" >&2; exit 1; }
COPY --from=uv /uv /usr/local/bin/uv
ENV UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PYTHON_DOWNLOADS=never \
    UV_PYTHON=/usr/local/bin/python3.11 \
    UV_PROJECT_ENVIRONMENT=/opt/venv
WORKDIR /src
COPY --from=manifests /src/ /src/
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --frozen --no-dev --no-install-workspace --package "$PACKAGE"
COPY . .
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --frozen --no-dev --no-editable --package "$PACKAGE"
RUN mkdir -p /app \
 && cp "services/$SERVICE/alembic.ini" /app/alembic.ini \
 && cp -r "services/$SERVICE/migrations" /app/migrations \
 && find /app -name __pycache__ -prune -exec rm -rf {} +

FROM ${PYTHON_IMAGE} AS runtime
ARG PACKAGE
ARG PORT
ARG WITH_CONSOLE_ASSETS=
RUN test -n "$PORT" || { echo "build arg PORT is required (see deploy/services.yaml)" >&2; exit 1; } \
 && groupadd --system --gid 10001 kohub \
 && useradd --system --uid 10001 --gid 10001 --no-create-home --home-dir /nonexistent \
            --shell /usr/sbin/nologin kohub
COPY --from=build /opt/venv /opt/venv
COPY --from=build /app /app
COPY --from=console-assets /console /app/console
COPY --chmod=0555 deploy/docker/entrypoint.sh /app/entrypoint.sh
COPY --chmod=0444 deploy/docker/healthcheck.py deploy/docker/migrate.py /app/
LABEL org.opencontainers.image.title="${PACKAGE}" \
      org.opencontainers.image.description="kohub service ${PACKAGE}" \
      org.opencontainers.image.vendor="kohub"
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    SERVICE_COMMAND=${PACKAGE} \
    HOST=0.0.0.0 \
    PORT=${PORT} \
    KOHUB_CONSOLE_HTMX_DIR=${WITH_CONSOLE_ASSETS:+/app/console/htmx} \
    KOHUB_CONSOLE_PLAYER_DIR=${WITH_CONSOLE_ASSETS:+/app/console/player}
WORKDIR /app
USER 10001:10001
EXPOSE ${PORT}
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["python", "/app/healthcheck.py"]
ENTRYPOINT ["/app/entrypoint.sh"]
CMD ["serve"]
