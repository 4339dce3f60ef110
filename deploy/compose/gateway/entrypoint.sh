#!/bin/sh
# compose only (docker-compose.yml, service `gateway`): start the issuer loopback forwarder
# (oidc-loopback.py: http://localhost:8080 inside the container reaches Keycloak, as it does
# in the browser), then the image's entrypoint with the given command (`serve`).
set -eu
python /opt/kohub/oidc-loopback.py "${OIDC_LOOPBACK_TARGET:-keycloak:8080}" &
exec /app/entrypoint.sh "$@"
